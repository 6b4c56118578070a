"""The case and report list filters the home page's to-do items link to: follow-ups due within a
week, cases with nothing recorded, referrals unanswered for over 14 days, and reports waiting for
verification for over 14 days. Each shows exactly the rows it names, inside the user's view."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mitra.cases.models import ActivityReport, Case, Intervention, Referral, ReportStatus
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

from .test_rules import person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _case(worker, follow_up_in=None, status="assisting", village="3402092004"):
    case = Case.objects.create(beneficiary=person(village=village), worker=worker, status=status)
    if follow_up_in is not None:
        Case.objects.filter(pk=case.pk).update(
            next_follow_up_on=TODAY + datetime.timedelta(days=follow_up_in)
        )
    return case


def _listed(client, **params) -> set:
    response = client.get(reverse("cases:case_list"), params)
    return {c.pk for c in response.context["object_list"]}


@pytest.fixture
def jetis_cases(psm):
    sleman = build_worker(village="3404012001", status=Status.ACTIVE, full_name="PSM Sleman")
    cases = {
        "overdue": _case(psm, -1),
        "today": _case(psm, 0),
        "week": _case(psm, 7),
        "later": _case(psm, 8),
        "closed": _case(psm, 2, status="closed"),
        "sleman": _case(sleman, 2, village="3404012001"),
    }
    for key in ("overdue", "today", "later"):
        Intervention.objects.create(
            case=cases[key], kind="home_visit", on=TODAY, worker=cases[key].worker
        )
    return cases


def test_due_soon_lists_open_cases_due_from_today_to_a_week_ahead(
    jetis_cases, jetis_supervisor, client_for
):
    listed = _listed(client_for(jetis_supervisor), due_soon="on")

    assert listed == {jetis_cases["today"].pk, jetis_cases["week"].pk}


def test_nothing_recorded_lists_open_cases_without_any_step(
    jetis_cases, trimulyo_worker, client_for
):
    listed = _listed(client_for(trimulyo_worker), no_steps="on")

    assert listed == {jetis_cases["week"].pk}


def test_late_referral_lists_cases_with_a_referral_unanswered_for_over_14_days(
    jetis_cases, jetis_supervisor, client_for
):
    sent = {"overdue": 15, "today": 14, "week": 30}
    for key, days in sent.items():
        Referral.objects.create(
            case=jetis_cases[key], programme="pkh", sent_on=TODAY - datetime.timedelta(days=days)
        )
    answered = Referral.objects.get(case=jetis_cases["week"])
    answered.status = "accepted"
    answered.save()

    listed = _listed(client_for(jetis_supervisor), late_referral="on")

    assert listed == {jetis_cases["overdue"].pk}


def test_reports_waiting_over_14_days_are_the_late_ones(psm, bantul_officer, client_for):
    def sent(days, status=ReportStatus.SUBMITTED):
        r = ActivityReport.objects.create(
            worker=psm,
            on=TODAY - datetime.timedelta(days=days),
            village=psm.village,
            activity_type="meeting",
            description="Rapat",
            status=status,
        )
        at = timezone.now() - datetime.timedelta(days=days, minutes=1)
        ActivityReport.objects.filter(pk=r.pk).update(submitted_at=at)
        return r

    late, _recent, _verified = sent(15), sent(13), sent(20, ReportStatus.VERIFIED)
    response = client_for(bantul_officer).get(
        reverse("cases:report_list"), {"status": "submitted", "late": "on"}
    )

    assert [r.pk for r in response.context["object_list"]] == [late.pk]
