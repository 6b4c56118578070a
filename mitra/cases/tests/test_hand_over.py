"""A case handed over to a PSM of another village travels with its person (ADR 0012): the
receiving PSM opens both, the previous one no longer does (having recorded the person does not
keep them), other PSM still get 404, supervisors stay inside their area, and the history stays."""

import datetime

import pytest
from django.urls import reverse

from mitra.cases import services
from mitra.cases.models import Beneficiary, Case, CaseEvent, Intervention, Referral
from mitra.core.current import acting_as
from mitra.core.models import ChangeLog
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

from .test_pages_cases import open_case, person

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def recorded_case(psm, trimulyo_worker):
    """A case the Trimulyo PSM recorded (person and case), with a visit and a referral."""
    with acting_as(trimulyo_worker):
        case = open_case(psm, trimulyo_worker)
        services.add_intervention(
            case,
            trimulyo_worker,
            kind="home_visit",
            on=TODAY,
            next_follow_up_on=TODAY + datetime.timedelta(days=2),
        )
        services.refer(case, trimulyo_worker, programme="pkh", sent_on=TODAY)
    assert case.beneficiary.created_by == trimulyo_worker
    return case


def test_the_receiving_psm_of_another_village_opens_the_case_and_the_person(
    recorded_case, psm, sumberagung_psm, trimulyo_worker, jetis_supervisor, client_for
):
    case = recorded_case
    client = client_for(jetis_supervisor)
    url = reverse("cases:case_transfer", args=[case.pk])
    response = client.post(url, {"to_worker": sumberagung_psm.pk, "reason": "Lebih dekat"})
    assert response.status_code == 302

    receiving = client_for(sumberagung_psm.user)
    case_page = reverse("cases:case_detail", args=[case.pk])
    person_page = reverse("cases:beneficiary_detail", args=[case.beneficiary_id])
    assert receiving.get(case_page).status_code == 200
    assert receiving.get(person_page).status_code == 200
    assert receiving.get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert receiving.get(f"/api/v1/cases/beneficiaries/{case.beneficiary_id}").status_code == 200
    # It is on their due list and in their lists, with its referral.
    home = receiving.get(reverse("cases:home")).context
    assert [c.pk for c in home["due"]] == [case.pk]
    assert receiving.get(reverse("cases:case_list")).context["object_list"][0].pk == case.pk
    people = receiving.get(reverse("cases:beneficiary_list")).context["object_list"]
    assert [p.pk for p in people] == [case.beneficiary_id]
    assert list(Referral.objects.visible_to(sumberagung_psm.user)) == list(case.referrals.all())
    # They work on it: a visit of theirs is recorded.
    response = receiving.post(
        reverse("cases:intervention_add", args=[case.pk]),
        {"kind": "follow_up", "on": TODAY.isoformat(), "place": "Rumah"},
    )
    assert response.status_code == 302
    assert case.interventions.filter(worker=sumberagung_psm).count() == 1

    # The previous PSM recorded the person, yet no longer opens the case or the person.
    previous = client_for(trimulyo_worker)
    assert previous.get(case_page).status_code == 404
    assert previous.get(person_page).status_code == 404
    assert previous.get(f"/api/v1/cases/beneficiaries/{case.beneficiary_id}").status_code == 404
    assert not Intervention.objects.visible_to(trimulyo_worker).exists()
    # The district's supervisor still sees it.
    assert client_for(jetis_supervisor).get(case_page).status_code == 200

    # The history stays: the hand-over, the earlier visit by the previous PSM, the change.
    event = case.events.get(kind=CaseEvent.Kind.TRANSFER)
    assert (event.from_worker, event.to_worker) == (psm, sumberagung_psm)
    assert case.interventions.filter(worker=psm, kind="home_visit").count() == 1
    changes = [e.changes for e in ChangeLog.for_object(Case.objects.get(pk=case.pk))]
    assert any("worker" in c for c in changes)


def test_a_psm_not_responsible_still_gets_404_on_another_villages_person(
    recorded_case, sumberagung_psm, client_for
):
    person_page = reverse("cases:beneficiary_detail", args=[recorded_case.beneficiary_id])
    assert client_for(sumberagung_psm.user).get(person_page).status_code == 404
    case_page = reverse("cases:case_detail", args=[recorded_case.pk])
    assert client_for(sumberagung_psm.user).get(case_page).status_code == 404


def test_having_recorded_a_person_gives_access_only_until_someone_has_their_case(
    psm, other_psm, trimulyo_worker
):
    with acting_as(trimulyo_worker):
        someone = person(full_name="Bu Tumini")
    visible = Beneficiary.objects.visible_to
    assert list(visible(trimulyo_worker)) == [someone]
    services.open_case(someone, other_psm, None, list(someone.categories.all()))
    assert list(visible(trimulyo_worker)) == []
    assert list(visible(other_psm.user)) == [someone]


def test_supervisors_stay_inside_their_area_after_a_hand_over(
    recorded_case, jetis_supervisor, make_user
):
    """A case handed to a PSM of another district: that PSM sees it, that district's supervisor
    does not (no beyond-the-region rule for supervisors and officers)."""
    user = make_user(username="psm.sleman", role="worker", scope_code="3404012001")
    sleman_psm = build_worker(village="3404012001", user=user, status=Status.ACTIVE)
    sleman_tksk = make_user(username="tksk.sleman", role="district_supervisor", scope_code="340401")
    services.transfer_case(recorded_case, sleman_psm, jetis_supervisor, "pindah")
    assert list(Case.objects.visible_to(sleman_psm.user)) == [recorded_case]
    assert not Case.objects.visible_to(sleman_tksk).exists()
    assert not Beneficiary.objects.visible_to(sleman_tksk).exists()
    assert list(Case.objects.visible_to(jetis_supervisor)) == [recorded_case]


def test_the_hand_over_form_offers_other_villages_of_the_district_only(
    recorded_case, sumberagung_psm, jetis_supervisor, client_for, make_user
):
    user = make_user(username="psm.sleman", role="worker", scope_code="3404012001")
    build_worker(village="3404012001", user=user, status=Status.ACTIVE)
    url = reverse("cases:case_transfer", args=[recorded_case.pk])
    officer_view = client_for(jetis_supervisor).get(url)
    assert set(officer_view.context["form"].fields["to_worker"].queryset) == {sumberagung_psm}
