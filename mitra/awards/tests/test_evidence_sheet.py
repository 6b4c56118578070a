"""The evidence sheet: figures from the records of the evaluated period, the same for one worker
as in bulk, with a number of queries that does not grow with the number of workers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitra.awards.evidence import evidence_for_workers
from mitra.cases.models import (
    ActivityReport,
    Beneficiary,
    Case,
    CaseStatus,
    Referral,
    ReferralStatus,
    ReportStatus,
)
from mitra.core.models import PmksCategory
from mitra.regions.models import Village
from mitra.training.models import Batch, Certificate, Course, Enrolment, Result

from .builders import eligible_psm

pytestmark = pytest.mark.django_db
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
D = datetime.date


def report(worker, on, status=ReportStatus.VERIFIED, people=2):
    ActivityReport.objects.create(
        worker=worker,
        on=on,
        village=worker.village,
        activity_type="outreach",
        description="Kunjungan",
        reached_adults_m=people,
        status=status,
    )


def case(worker, opened, closed=None, reason="", categories=(8,)):
    person = Beneficiary.objects.create(
        full_name="Mbah Karto",
        sex="L",
        birth_date=D(1940, 1, 1),
        address="Dusun",
        consent_by="Mbah Karto",
        consent_relation="self",
        consent_on=opened,
        consent_method="verbal",
        village=Village.objects.get(code=worker.village_id),
    )
    c = Case.objects.create(
        beneficiary=person,
        worker=worker,
        opened_on=opened,
        closed_on=closed,
        status=CaseStatus.CLOSED if closed else CaseStatus.ASSISTING,
        closure_reason=reason,
    )
    c.categories.set(PmksCategory.objects.filter(number__in=categories))
    return c


def passed(worker, level, ends_on, certificate=True):
    course = Course.objects.filter(level=level).first()
    batch = Batch.objects.create(
        course=course,
        name="Angkatan I",
        organiser="BBPPKS Yogyakarta",
        region_code="34",
        venue=worker.village,
        starts_on=ends_on - datetime.timedelta(days=3),
        ends_on=ends_on,
        quota=30,
    )
    enrolment = Enrolment.objects.create(
        batch=batch, worker=worker, status="enrolled", result=Result.PASSED
    )
    if certificate:
        Certificate.objects.create(
            enrolment=enrolment, number=f"CERT/{enrolment.pk}", issued_on=ends_on
        )


def test_the_sheet_counts_only_what_the_period_and_the_rules_allow():
    worker = eligible_psm(years=6)
    report(worker, D(2025, 3, 1), people=4)
    report(worker, D(2025, 11, 1), people=3)
    report(worker, D(2024, 12, 31))  # before the period
    report(worker, D(2025, 5, 1), status=ReportStatus.SUBMITTED)  # not verified
    resolved = case(worker, D(2024, 10, 1), D(2025, 2, 1), "resolved", categories=(8, 24))
    case(worker, D(2025, 6, 1))  # still open
    case(worker, D(2023, 1, 1), D(2024, 6, 1), "resolved")  # closed before the period
    case(worker, D(2025, 4, 1), D(2025, 9, 1), "moved")
    Referral.objects.create(
        case=resolved,
        programme="pkh",
        status=ReferralStatus.SERVED,
        sent_on=D(2024, 11, 1),
        outcome_on=D(2025, 1, 20),
    )
    passed(worker, "dasar", D(2018, 5, 1))
    passed(worker, "lanjutan", D(2025, 8, 1), certificate=False)
    passed(worker, "lanjutan", D(2026, 2, 1))  # after the period

    sheet = evidence_for_workers([worker.pk], START, END)[worker.pk]
    assert sheet["verified_activities"] == 2 and sheet["people_reached"] == 7
    assert sheet["cases_handled"] == 3
    assert sheet["cases_by_outcome"] == {"resolved": 1, "open": 1, "moved": 1}
    assert sheet["cases_resolved"] == 1
    assert sheet["cases_by_category"] == {"8": 3, "24": 1}
    assert sheet["referrals_served"] == 1
    assert sheet["trainings_completed"] == 2
    assert sheet["trainings_by_level"] == {"dasar": 1, "lanjutan": 1}
    assert sheet["certificates"] == 1
    assert sheet["tenure_years"] >= 6


def test_bulk_gives_the_same_sheets_with_a_fixed_number_of_queries():
    workers = [eligible_psm() for _ in range(6)]
    for i, w in enumerate(workers):
        for day in range(i):
            report(w, D(2025, 2, day + 1))
        case(w, D(2025, 1, 5), D(2025, 3, 1) if i % 2 else None, "resolved" if i % 2 else "")
    ids = [w.pk for w in workers]
    with CaptureQueriesContext(connection) as one:
        single = evidence_for_workers(ids[:1], START, END)
    with CaptureQueriesContext(connection) as many:
        bulk = evidence_for_workers(ids, START, END)
    assert len(many) == len(one)
    assert bulk[ids[0]] == single[ids[0]]
    assert [bulk[w]["verified_activities"] for w in ids] == [0, 1, 2, 3, 4, 5]
    assert [bulk[w]["cases_resolved"] for w in ids] == [0, 1, 0, 1, 0, 1]


def test_the_evidence_is_frozen_when_the_stage_closes(bantul_officer):
    from mitra.awards.evidence import evidence_sheet, freeze_closed_stages

    from .builders import TODAY, make_cycle, nominate

    cycle = make_cycle(year=2026)
    nomination = nominate(cycle, eligible_psm(), bantul_officer)
    report(nomination.worker, D(2025, 4, 1))
    assert freeze_closed_stages(on=TODAY) == 0  # still open
    closed = TODAY + datetime.timedelta(days=21)
    assert freeze_closed_stages(on=closed) == 1
    report(nomination.worker, D(2025, 4, 2))  # verified late: not in the frozen sheet
    nomination.refresh_from_db()
    assert nomination.is_frozen and evidence_sheet(nomination)["verified_activities"] == 1
    assert freeze_closed_stages(on=closed) == 0
