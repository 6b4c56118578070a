"""A case does not contradict what was done on it (issue 13): the first visit or assessment moves
an identified case on, by the lifecycle's own step, in its history, from the page and the API
alike; and the history never says "no steps yet" under recorded steps."""

import datetime

import pytest
from django.urls import reverse

from mitra.cases import services
from mitra.cases.models import Beneficiary, CaseEvent, CaseStatus
from mitra.core.models import PmksCategory
from mitra.regions.models import Village

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def case(psm, trimulyo_worker):
    b = Beneficiary(
        full_name="Mbah Sastro",
        sex="L",
        birth_date=datetime.date(1940, 1, 1),
        address="Dusun Kembangsongo",
        consent_by="Mbah Sastro",
        consent_relation="self",
        consent_on=TODAY,
        consent_method="verbal",
        village=Village.objects.get(code="3402092004"),
    )
    b.save()
    return services.open_case(b, psm, trimulyo_worker, [PmksCategory.objects.get(number=8)])


def test_a_home_visit_moves_an_identified_case_on_in_its_history(case, trimulyo_worker):
    services.add_intervention(case, trimulyo_worker, kind="home_visit", on=TODAY)
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED
    event = case.events.get()
    assert (event.kind, event.from_status, event.to_status, event.by) == (
        CaseEvent.Kind.STATUS,
        CaseStatus.IDENTIFIED,
        CaseStatus.ASSESSED,
        trimulyo_worker,
    )
    # A second visit is no new step.
    services.add_intervention(case, trimulyo_worker, kind="follow_up", on=TODAY)
    assert case.events.count() == 1


def test_recording_the_identification_itself_keeps_the_case_identified(case, trimulyo_worker):
    services.add_intervention(case, trimulyo_worker, kind="identification", on=TODAY)
    case.refresh_from_db()
    assert case.status == CaseStatus.IDENTIFIED and not case.events.exists()


def test_the_case_page_after_a_visit_shows_the_new_status_and_no_empty_history(
    case, trimulyo_worker, client_for
):
    client = client_for(trimulyo_worker)
    url = reverse("cases:intervention_add", args=[case.pk])
    visit = {"kind": "home_visit", "on": TODAY.isoformat(), "notes": "Kondisi lemah"}
    response = client.post(url, visit, follow=True)
    page = response.content.decode()
    assert "sudah diasesmen" in page and "sekarang “sudah diasesmen”" in page
    assert "belum ada langkah" not in page
    assert 'id="case-status">sudah diasesmen' in page


def test_htmx_reloads_the_page_when_the_visit_moved_the_case(case, trimulyo_worker, client_for):
    client = client_for(trimulyo_worker)
    response = client.post(
        reverse("cases:intervention_add", args=[case.pk]),
        {"kind": "assessment", "on": TODAY.isoformat()},
        headers={"HX-Request": "true", "HX-Target": "interventions"},
    )
    # The badge, the next-step buttons (with the case's version) and the history all changed.
    assert response["HX-Redirect"] == reverse("cases:case_detail", args=[case.pk])


def test_a_new_case_page_says_when_it_was_opened_not_that_nothing_happened(
    case, trimulyo_worker, client_for
):
    page = client_for(trimulyo_worker).get(reverse("cases:case_detail", args=[case.pk]))
    html = page.content.decode()
    assert "Kasus dibuka" in html and "belum ada langkah" not in html


def test_a_visit_through_the_api_moves_the_case_too(case, trimulyo_worker, client):
    client.force_login(trimulyo_worker)
    url = f"/api/v1/cases/{case.pk}"
    visit = {"kind": "home_visit", "on": TODAY.isoformat()}
    assert client.post(f"{url}/interventions", visit, "application/json").status_code == 201
    data = client.get(url).json()
    assert data["status"] == "assessed"
    assert [(e["from_status"], e["to_status"]) for e in data["events"]] == [
        ("identified", "assessed")
    ]


def test_the_breadcrumb_and_the_access_log_name_the_case_not_its_id(
    case, trimulyo_worker, auditor, client_for
):
    """Issue 13: "Kasus 7b4b2b78" named nothing; the case is named by when it was opened, and
    the log by the person's masked NIK, never their name (nor does the URL carry either)."""
    from django.utils import translation
    from django.utils.formats import date_format

    client = client_for(trimulyo_worker)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    with translation.override("id"):
        opened = date_format(case.opened_on, "j M Y")
    crumbs = page[page.index('<nav class="breadcrumbs">') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert f"Kasus dibuka {opened}" in crumbs and str(case.pk)[:8] not in crumbs
    log = client_for(auditor).get(reverse("core:accesslog")).content.decode()
    assert f"Kasus dibuka {opened}" in log
    assert str(case.pk) not in log and "Mbah Sastro" not in log
