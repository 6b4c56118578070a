"""The field-work demo seed: consistent (children with a parent's or guardian's consent; each
open case's next_follow_up_on is its earliest open follow-up; region codes filled), proportions
plausible, and running it again adds nothing."""

import datetime

import pytest
from django.db.models import Count, Min, Q

from mitra.cases.demo import seed_cases
from mitra.cases.models import ActivityReport, Beneficiary, Case, CaseStatus, ReportStatus
from mitra.cases.services import age_of
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers(regions):
    villages = ["3402092004", "3402012001", "3404012001", "3471011001"]
    return [
        build_worker(village=v, full_name=f"PSM {i}", status=Status.ACTIVE)
        for i, v in enumerate(villages * 5)
    ]


def test_seed_is_consistent_and_idempotent(workers):
    written = seed_cases("demo")
    assert written >= 40
    people = list(Beneficiary.objects.all())
    children = [b for b in people if (age_of(b) or 99) < 18]
    assert children, "the seed should hold some children"
    assert all(b.consent_relation in ("parent", "guardian") for b in children)
    assert all(b.region_code == b.village_id and b.name_key for b in people)
    assert all(b.nik_hash and b.nik_masked for b in people if b.nik)
    expected = dict(
        Case.objects.annotate(
            m=Min(
                "interventions__next_follow_up_on",
                filter=Q(interventions__follow_up_done=False),
            )
        ).values_list("pk", "m")
    )
    for case in Case.objects.all():
        want = None if case.status == CaseStatus.CLOSED else expected[case.pk]
        assert case.next_follow_up_on == want, case.pk
        assert case.region_code == case.beneficiary.region_code
    assert not Case.objects.annotate(n=Count("categories")).filter(n=0).exists()
    # A case still "identified" has had nothing done but its identification (issue 13).
    identified = Case.objects.filter(status=CaseStatus.IDENTIFIED)
    assert identified.exists()
    assert not identified.filter(~Q(interventions__kind="identification")).exists()
    today = datetime.date.today()
    assert Case.objects.open().filter(next_follow_up_on__lt=today).exists()
    statuses = set(ActivityReport.objects.values_list("status", flat=True))
    assert ReportStatus.VERIFIED in statuses
    verified = ActivityReport.objects.filter(status=ReportStatus.VERIFIED).count()
    assert verified > ActivityReport.objects.count() / 2
    counts = (Beneficiary.objects.count(), Case.objects.count(), ActivityReport.objects.count())
    assert seed_cases("demo") == 0
    assert counts == (
        Beneficiary.objects.count(),
        Case.objects.count(),
        ActivityReport.objects.count(),
    )
