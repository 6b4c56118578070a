"""Data-subject request (UU 27/2022): one beneficiary's whole record and its processing trail, as
a JSON download; the export writes its own access-log row; out of scope 404, no permission 403."""

import datetime
import json

import pytest
from django.urls import reverse

from mitra.cases import services
from mitra.core.current import acting_as
from mitra.core.models import AccessLog
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

from .test_api import person

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def case(trimulyo_worker, bantul_officer):
    psm = build_worker(user=trimulyo_worker, status=Status.ACTIVE)
    with acting_as(bantul_officer):
        b = person(violence_details="KDRT")
    from mitra.core.models import PmksCategory

    case = services.open_case(b, psm, trimulyo_worker, [PmksCategory.objects.get(number=19)])
    services.change_case_status(case, "assessed", trimulyo_worker)
    services.add_intervention(
        case, trimulyo_worker, kind="home_visit", on=TODAY, notes="kunjungan pertama"
    )
    services.refer(case, trimulyo_worker, programme="ppa", sent_on=TODAY)
    return case


def test_subject_export_holds_everything_and_logs_itself(
    case, trimulyo_worker, bantul_officer, client
):
    b = case.beneficiary
    client.force_login(trimulyo_worker)
    client.get(f"/api/v1/cases/beneficiaries/{b.pk}")  # a read the export must show
    client.force_login(bantul_officer)
    response = client.get(reverse("cases:subject_export", args=[b.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["nik"] == "3402090101400001"
    assert data["person"]["categories"] == [8]
    assert data["sensitive"]["violence_details"] == "KDRT"
    assert data["consent"]["relation"] == "self"
    (c,) = data["cases"]
    assert c["status"] == "referred" and c["interventions"][0]["notes"] == "kunjungan pertama"
    assert c["referrals"][0]["programme"] == "ppa" and len(c["events"]) == 2
    actions = [(a["user"]["username"], a["action"]) for a in data["access_log"]]
    assert ("psm.trimulyo", "api") in actions
    assert ("dinsos.bantul", "export") in actions  # the export itself
    assert AccessLog.objects.filter(object_id=str(b.pk), action="export").count() == 1
    records = {h["record"] for h in data["change_history"]}
    assert {"beneficiary", "case"} <= records
    assert "Sastro" not in json.dumps(data["change_history"])


def test_subject_export_scope_and_permission(case, sleman_officer, jetis_supervisor, client):
    url = reverse("cases:subject_export", args=[case.beneficiary.pk])
    client.force_login(sleman_officer)
    assert client.get(url).status_code == 404
    client.force_login(jetis_supervisor)  # may see the person, may not answer the request
    assert client.get(url).status_code == 403
    assert not AccessLog.objects.filter(action="export").exists()


def test_subject_export_readable_page(case, bantul_officer, client):
    client.force_login(bantul_officer)
    url = reverse("cases:subject_export", args=[case.beneficiary.pk])
    page = client.get(url, {"format": "html"})
    assert page.status_code == 200 and b"KDRT" in page.content
