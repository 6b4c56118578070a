"""The demo training records: consistent with the workers (every PSM's basic-training date is
explained by the batch they passed, and nothing else sets it), results that follow the course
rules, certificates for every pass, realistic rates, a batch open now with a waiting list, and a
second run that adds nothing."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from mitra.core.categories import WorkerKind
from mitra.training import demo, services
from mitra.training.models import (
    Attendance,
    Batch,
    BatchStatus,
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Level,
    Result,
    SeatQuota,
)
from mitra.workers.models import Status, Worker

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ACTIVE_PLACES = (EnrolmentStatus.APPLIED, EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)


@pytest.fixture
def seeded(regions):
    # The registry and training seeders alone: later seeders (awards) add people of their own
    # (past winners of other provinces, trained before Mitra), whose records these tests do not
    # describe.
    from mitra.accounts.demo import seed_demo_users
    from mitra.training.demo import seed_training
    from mitra.workers.demo import seed_workers

    for seeder in (seed_demo_users, seed_workers, seed_training):
        seeder(scale="demo")
    return Enrolment.objects.select_related("batch__course", "worker")


def _basic_passes():
    """Worker id -> last days of the batches in which they passed a basic course (certificate
    not revoked), from the training records alone."""
    passes = defaultdict(list)
    rows = Enrolment.objects.filter(
        result=Result.PASSED, batch__course__completes_basic=True
    ).values_list("worker_id", "batch__ends_on", "certificate__revoked_at")
    for worker_id, ends_on, revoked_at in rows:
        if revoked_at is None:
            passes[worker_id].append(ends_on)
    return passes


def test_every_psm_training_date_is_explained_by_the_basic_batch_they_passed(seeded):
    """The rule of services.apply_gate, both ways: a PSM's basic_training_on is the last day of
    their earliest basic pass, and a PSM without one has no date."""
    passes = _basic_passes()
    psm = Worker.objects.filter(kind=WorkerKind.PSM).values_list("pk", "basic_training_on")
    mismatched = [
        (pk, on, min(passes[pk]) if passes[pk] else None)
        for pk, on in psm
        if on != (min(passes[pk]) if passes[pk] else None)
    ]

    assert len(psm) > 400
    assert mismatched == []
    assert sum(1 for _pk, on in psm if on) > 0.7 * len(psm)


def test_most_active_psm_are_trained_a_minority_advanced_and_some_thematic(seeded):
    active = Worker.objects.filter(kind=WorkerKind.PSM, status=Status.ACTIVE)
    advanced = set(
        seeded.filter(result=Result.PASSED, batch__course__level=Level.ADVANCED).values_list(
            "worker_id", flat=True
        )
    )
    thematic = set(
        seeded.filter(result=Result.PASSED, batch__course__level=Level.THEMATIC).values_list(
            "worker_id", flat=True
        )
    )
    active_ids = set(active.values_list("pk", flat=True))

    assert active.filter(basic_training_on__isnull=False).count() > 0.8 * len(active_ids)
    assert 0.15 <= len(advanced & active_ids) / len(active_ids) <= 0.25
    assert 0.05 <= len(thematic & active_ids) / len(active_ids) <= 0.2


def test_pass_rates_are_realistic_and_results_follow_the_course_rules(seeded):
    finished = seeded.filter(batch__status=BatchStatus.FINISHED, status=EnrolmentStatus.ENROLLED)
    basic = Counter(finished.filter(batch__course__code="PSM-D").values_list("result", flat=True))
    rate = basic[Result.PASSED] / (basic[Result.PASSED] + basic[Result.FAILED])

    assert 0.85 <= rate <= 0.93, rate
    assert basic[Result.PENDING] == 0
    assert finished.filter(batch__course__code="PSM-L", result=Result.FAILED).exists()
    # The pass mark and the attendance minimum decide, as they do for recorded results.
    sample = list(finished.order_by("?")[:150]) + list(finished.filter(result=Result.FAILED)[:50])
    for enrolment in sample:
        assert services.decide_result(enrolment) == enrolment.result, enrolment.pk
        if enrolment.result == Result.FAILED:
            assert enrolment.result_note == services.result_reason(enrolment)
    assert seeded.filter(status=EnrolmentStatus.WITHDRAWN, result=Result.PENDING).exists()


def test_the_rules_of_enrolment_hold_in_the_seeded_history(seeded):
    """Prerequisites passed before, no course passed twice, no overlapping places, every
    participant inside the area the batch serves, rows scoped like their worker."""
    basic_end = defaultdict(list)
    passed = Counter()
    busy = defaultdict(list)
    enrolments = list(seeded.exclude(batch__status=BatchStatus.CANCELLED))
    for e in enrolments:
        assert e.region_code == e.worker.region_code
        assert e.worker.region_code.startswith(e.batch.region_code)
        if e.result == Result.PASSED:
            passed[(e.worker_id, e.batch.course_id)] += 1
            if e.batch.course.completes_basic:
                basic_end[e.worker_id].append(e.batch.ends_on)
        if e.status in ACTIVE_PLACES:
            busy[e.worker_id].append((e.batch.starts_on, e.batch.ends_on))
    assert max(passed.values()) == 1
    for e in enrolments:
        if not e.batch.course.completes_basic:
            assert basic_end[e.worker_id], e.pk
            assert min(basic_end[e.worker_id]) < e.batch.starts_on, e.pk
    for spans in busy.values():
        spans.sort()
        for (_s1, end), (start, _e2) in zip(spans, spans[1:], strict=False):
            assert end < start
    assert not Certificate.objects.exclude(region_code__startswith="34").exists()


def test_every_pass_has_a_numbered_certificate_with_the_course_validity(seeded):
    certificates = list(Certificate.objects.select_related("enrolment__batch__course"))
    by_batch = defaultdict(list)
    for c in certificates:
        batch = c.enrolment.batch
        by_batch[batch.pk].append(c.number)
        assert c.enrolment.result == Result.PASSED
        assert c.issued_on == batch.ends_on
        years = batch.course.validity_years
        assert c.valid_until == (
            batch.ends_on.replace(year=batch.ends_on.year + years) if years else None
        )
        assert c.region_code == c.enrolment.region_code
    for batch_id, numbers in by_batch.items():
        batch = Batch.objects.select_related("course").get(pk=batch_id)
        assert sorted(numbers) == [
            services.certificate_number(batch, n) for n in range(1, len(numbers) + 1)
        ]

    assert len(certificates) == seeded.filter(result=Result.PASSED).count()
    assert len({c.number for c in certificates}) == len(certificates)
    assert len({c.verify_code for c in certificates}) == len(certificates)
    assert 1 <= sum(1 for c in certificates if c.revoked_at) <= 4
    assert all(c.enrolment.batch.course.level != Level.BASIC for c in certificates if c.revoked_at)


def test_batches_span_the_years_organisers_and_states(seeded):
    batches = Batch.objects.select_related("course")
    years = {b.starts_on.year for b in batches}

    assert set(range(2019, 2027)) <= years
    assert {b.course.code for b in batches} == {
        "PSM-D",
        "PSM-L",
        "TEM-BENCANA",
        "TEM-KASUS",
        "TEM-LK3",
    }
    national = batches.filter(region_code="", organiser="BBPPKS Yogyakarta")
    assert national.exists()
    assert set(
        SeatQuota.objects.filter(batch__in=national).values_list("region_code", flat=True)
    ) == {"34"}
    assert batches.filter(region_code="34", organiser="Dinas Sosial DIY").exists()
    assert batches.filter(region_code="3402", organiser="Dinas Sosial Kabupaten Bantul").exists()
    assert Counter(b.status for b in batches) >= Counter(
        {
            BatchStatus.OPEN: 1,
            BatchStatus.RUNNING: 1,
            BatchStatus.PLANNED: 1,
            BatchStatus.CANCELLED: 1,
        }
    )
    assert not batches.filter(status=BatchStatus.FINISHED, ends_on__gte=TODAY).exists()
    assert (
        Attendance.objects.count()
        > 4 * seeded.filter(result__in=[Result.PASSED, Result.FAILED]).count()
    )


def test_the_open_batch_is_full_with_a_waiting_list_and_applications(seeded):
    batch = Batch.objects.get(status=BatchStatus.OPEN)
    places = Counter(batch.enrolments.values_list("status", flat=True))
    positions = sorted(
        batch.enrolments.filter(status=EnrolmentStatus.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
    )
    worker = Worker.objects.filter(kind=WorkerKind.PSM, basic_training_on__isnull=True).first()

    assert batch.starts_on > TODAY and batch.course.code == "PSM-D"
    assert places[EnrolmentStatus.ENROLLED] == batch.quota
    assert positions == list(range(1, len(positions) + 1)) and len(positions) >= 3
    assert places[EnrolmentStatus.APPLIED] >= 1
    assert not services.has_free_seat(batch, worker)
    running = Batch.objects.get(status=BatchStatus.RUNNING)
    assert running.starts_on <= TODAY <= running.ends_on
    assert set(running.enrolments.values_list("result", flat=True)) == {Result.PENDING}


def test_some_certificates_expire_within_90_days_and_the_demo_psm_has_a_story(seeded):
    needs = services.training_needs(Worker.objects.filter(region_code__startswith="34"))
    psm = Worker.objects.get(user__username=demo.DEMO_PSM_USERNAME)
    levels = set(
        psm.enrolments.filter(result=Result.PASSED).values_list("batch__course__level", flat=True)
    )

    assert needs["expiring"].exists()
    assert needs["without_basic"].exists() and needs["without_advanced"].exists()
    assert {Level.BASIC, Level.ADVANCED} <= levels


def test_seeding_twice_adds_nothing(seeded):
    before = (
        Batch.objects.count(),
        Enrolment.objects.count(),
        Certificate.objects.count(),
        Attendance.objects.count(),
        list(Worker.objects.order_by("pk").values_list("basic_training_on", flat=True)),
    )

    assert demo.seed_training("demo") == 0

    after = (
        Batch.objects.count(),
        Enrolment.objects.count(),
        Certificate.objects.count(),
        Attendance.objects.count(),
        list(Worker.objects.order_by("pk").values_list("basic_training_on", flat=True)),
    )
    assert after == before


def test_a_province_with_its_own_batch_is_skipped(regions):
    from mitra.training.tests.builders import make_batch

    make_batch(region="3402", status=BatchStatus.FINISHED, starts=datetime.date(2024, 5, 6))

    assert demo.province_has_training("34")
    assert demo.seed_training("demo") == 0
    assert Batch.objects.count() == 1
