"""The field-work API: scope (404), permissions (403), rules (422), stale versions (409), missing
versions (428), mass assignment refused, sensitive details only with cases.view_sensitive, NIKs
always masked, reads of a person logged."""

import datetime

import pytest

from mitra.cases import services
from mitra.cases.models import ActivityReport, Beneficiary, Case, CaseStatus, ReportStatus
from mitra.core.models import AccessLog, PmksCategory
from mitra.regions.models import Village
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
API = "/api/v1/cases"


@pytest.fixture
def psm(trimulyo_worker):
    return build_worker(user=trimulyo_worker, status=Status.ACTIVE)


def person(village="3402092004", **fields) -> Beneficiary:
    defaults = {
        "full_name": "Mbah Sastro",
        "nik": "3402090101400001",
        "sex": "L",
        "birth_date": datetime.date(1940, 1, 1),
        "address": "Dusun Kembangsongo",
        "health_notes": "diabetes",
        "consent_by": "Mbah Sastro",
        "consent_relation": "self",
        "consent_on": TODAY,
        "consent_method": "verbal",
        "village": Village.objects.get(code=village),
    }
    defaults.update(fields)
    b = Beneficiary(**defaults)
    b.save()
    b.categories.set([PmksCategory.objects.get(number=8)])
    return b


def open_case(psm, user, **fields) -> Case:
    return services.open_case(
        fields.pop("beneficiary", None) or person(),
        psm,
        user,
        [PmksCategory.objects.get(number=8)],
    )


def test_beneficiary_detail_masks_nik_hides_sensitive_without_permission_and_is_logged(
    psm, trimulyo_worker, auditor, make_user, client
):
    b = person()
    open_case(psm, trimulyo_worker, beneficiary=b)
    client.force_login(trimulyo_worker)
    data = client.get(f"{API}/beneficiaries/{b.pk}").json()
    assert data["nik"] == "3402********0001" and data["health_notes"] == "diabetes"
    log = AccessLog.objects.get(object_id=str(b.pk))
    assert log.action == AccessLog.Action.API and log.user == trimulyo_worker
    # A regency user whose role lacks cases.view_sensitive (an auditor cannot even list).
    client.force_login(auditor)
    assert client.get(f"{API}/beneficiaries/{b.pk}").status_code == 403
    reader = make_user(username="reader", role="regency_officer", scope_code="3402")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            type(reader),
            "has_perm",
            lambda self, perm, obj=None: perm != "cases.view_sensitive",
        )
        client.force_login(reader)
        hidden = client.get(f"{API}/beneficiaries/{b.pk}").json()
    assert hidden["health_notes"] is None and hidden["disability_type"] is None
    assert hidden["nik"] == "3402********0001"


def test_beneficiary_list_is_scoped(psm, trimulyo_worker, bantul_officer, sleman_officer, client):
    mine = person()
    open_case(psm, trimulyo_worker, beneficiary=mine)
    person(village="3404012001", nik="3404010101400002", full_name="Orang Sleman")
    client.force_login(bantul_officer)
    rows = client.get(f"{API}/beneficiaries").json()["items"]
    assert [r["id"] for r in rows] == [str(mine.pk)] and rows[0]["nik"] == "3402********0001"
    client.force_login(sleman_officer)
    assert client.get(f"{API}/beneficiaries/{mine.pk}").status_code == 404


def test_create_beneficiary_refuses_mass_assignment_and_child_without_parent(
    psm, trimulyo_worker, client
):
    client.force_login(trimulyo_worker)
    body = {
        "full_name": "Adi",
        "sex": "L",
        "birth_date": (TODAY.replace(year=TODAY.year - 9)).isoformat(),
        "village": "34.02.09.2004",
        "address": "Dusun Ngentak",
        "categories": [2],
        "consent_by": "Adi",
        "consent_relation": "self",
        "consent_on": TODAY.isoformat(),
        "consent_method": "written",
    }
    response = client.post(
        f"{API}/beneficiaries", {**body, "region_code": "3404"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "region_code"
    response = client.post(f"{API}/beneficiaries", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "consent_relation"
    body.update(consent_relation="parent", consent_by="Ibu Adi")
    response = client.post(f"{API}/beneficiaries", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["categories"] == [2]
    outside = {**body, "village": "3404012001"}
    assert (
        client.post(f"{API}/beneficiaries", outside, content_type="application/json").status_code
        == 422
    )


def test_case_flow_status_versions_interventions_referrals(psm, trimulyo_worker, client):
    from mitra.core.current import acting_as

    with acting_as(trimulyo_worker):
        b = person()  # recorded by the PSM, who may then open a case for them
    client.force_login(trimulyo_worker)
    response = client.post(
        f"{API}/",
        {"beneficiary": str(b.pk), "categories": [8, 24]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["categories"] == [8, 24] and case["worker_id"] == str(psm.pk)
    url = f"{API}/{case['id']}"
    # No version: 428; stale: 409; a step the lifecycle forbids: 422.
    assert client.post(f"{url}/status", {"to": "assessed"}, "application/json").status_code == 428
    stale = client.post(f"{url}/status", {"to": "assessed", "version": 0}, "application/json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    bad = client.post(f"{url}/status", {"to": "referred", "version": 1}, "application/json")
    assert bad.status_code == 422
    ok = client.post(f"{url}/status", {"to": "assessed"}, "application/json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.json()["status"] == "assessed"
    visit = client.post(
        f"{url}/interventions",
        {
            "kind": "home_visit",
            "on": (TODAY - datetime.timedelta(days=10)).isoformat(),
            "notes": "rumah bocor",
            "next_follow_up_on": (TODAY - datetime.timedelta(days=3)).isoformat(),
        },
        "application/json",
    )
    assert visit.status_code == 201 and visit.json()["notes"] == "rumah bocor"
    due = client.get(f"{API}/due").json()
    assert [r["id"] for r in due["items"]] == [case["id"]] and due["items"][0]["overdue"]
    assert client.get(f"{API}/", {"overdue": "true"}).json()["count"] == 1
    assert client.get(f"{API}/", {"status": "closed"}).json()["count"] == 0
    assert client.get(f"{API}/", {"category": 24}).json()["count"] == 1
    referral = client.post(
        f"{url}/referrals",
        {"programme": "pkh", "sent_on": TODAY.isoformat(), "status": "served"},
        "application/json",
    )
    assert referral.status_code == 422  # status cannot be set
    referral = client.post(
        f"{url}/referrals", {"programme": "pkh", "sent_on": TODAY.isoformat()}, "application/json"
    )
    assert referral.status_code == 201
    rid = referral.json()["id"]
    out = client.post(f"{url}/referrals/{rid}/outcome", {"status": "served"}, "application/json")
    assert out.status_code == 422
    out = client.post(f"{url}/referrals/{rid}/outcome", {"status": "accepted"}, "application/json")
    assert out.status_code == 200 and out.json()["status"] == "accepted"
    detail = client.get(url).json()
    assert detail["status"] == CaseStatus.REFERRED and len(detail["events"]) == 2
    assert AccessLog.objects.filter(object_id=case["id"], action="api").exists()
    # A PSM may not hand a case over.
    other = build_worker(full_name="PSM Lain", status=Status.ACTIVE)
    moved = client.post(f"{url}/transfer", {"worker": str(other.pk)}, "application/json")
    assert moved.status_code == 403


def test_case_scope_and_transfer_by_supervisor(
    psm, trimulyo_worker, jetis_supervisor, sleman_officer, client
):
    case = open_case(psm, trimulyo_worker)
    client.force_login(sleman_officer)
    assert client.get(f"{API}/{case.pk}").status_code == 404
    assert client.get(f"{API}/").json()["count"] == 0
    client.force_login(jetis_supervisor)
    other = build_worker(full_name="PSM Lain", status=Status.ACTIVE)
    moved = client.post(
        f"{API}/{case.pk}/transfer",
        {"worker": str(other.pk), "reason": "pindah"},
        "application/json",
    )
    assert moved.status_code == 200 and moved.json()["worker_id"] == str(other.pk)
    client.force_login(trimulyo_worker)
    assert client.get(f"{API}/{case.pk}").status_code == 404


def test_sensitive_intervention_notes_hidden_without_permission(
    psm, trimulyo_worker, bantul_officer, client
):
    case = open_case(psm, trimulyo_worker)
    services.add_intervention(case, trimulyo_worker, kind="home_visit", on=TODAY, notes="HIV")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            type(bantul_officer),
            "has_perm",
            lambda self, perm, obj=None: perm != "cases.view_sensitive",
        )
        client.force_login(bantul_officer)
        data = client.get(f"{API}/{case.pk}").json()
    assert data["interventions"][0]["notes"] is None


def test_reports_create_submit_verify(psm, trimulyo_worker, jetis_supervisor, make_user, client):
    client.force_login(trimulyo_worker)
    body = {"on": TODAY.isoformat(), "activity_type": "dtsen", "description": "Validasi DTSEN"}
    assert (
        client.post(
            f"{API}/reports", {**body, "status": "verified"}, "application/json"
        ).status_code
        == 422
    )
    created = client.post(f"{API}/reports", {**body, "reached_adults_f": 4}, "application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    rid = created.json()["id"]
    assert created.json()["village_code"] == "3402092004"
    assert client.post(f"{API}/reports/{rid}/submit").json()["status"] == "submitted"
    assert client.post(f"{API}/reports/{rid}/submit").status_code == 422
    assert (
        client.post(f"{API}/reports/{rid}/verify", {"approve": True, "version": 1}, "application/json").status_code
        == 403
    )  # fmt: skip
    other_tksk = make_user(username="tksk.lain", role="district_supervisor", scope_code="340201")
    client.force_login(other_tksk)
    assert client.get(f"{API}/reports/{rid}").status_code == 404
    client.force_login(jetis_supervisor)
    assert client.get(f"{API}/reports", {"status": "submitted"}).json()["count"] == 1
    assert client.get(f"{API}/reports", {"month": "2020-13"}).status_code == 422
    stale = client.post(
        f"{API}/reports/{rid}/verify", {"approve": True, "version": 5}, "application/json"
    )
    assert stale.status_code == 409
    done = client.post(
        f"{API}/reports/{rid}/verify", {"approve": True, "version": 1}, "application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == ReportStatus.VERIFIED
    assert ActivityReport.objects.get().verified_by == jetis_supervisor
    assert client.get(f"{API}/reports/999999").status_code == 404
