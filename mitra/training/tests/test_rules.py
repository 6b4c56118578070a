"""Each training rule, checked below the pages: prerequisites, overlapping batches, quotas and
the waiting list, pass mark, attendance minimum, certificates, revocation and the gate to
appointment."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.training import services
from mitra.training.models import EnrolmentStatus, Result, SeatQuota
from mitra.training.tests.builders import make_batch
from mitra.workers.models import Worker
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def _code(call):
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.code


def _pass(batch, worker, officer, post=85):
    enrolment = services.nominate(batch, worker, officer)
    ids = list(batch.sessions.values_list("pk", flat=True))
    return services.record_results(
        enrolment, officer, pre_score=50, post_score=post, present_session_ids=ids
    )


def test_advanced_course_needs_the_basic_course_first(bantul_officer):
    worker = build_worker()
    advanced = make_batch("PSM-L")
    assert _code(lambda: services.nominate(advanced, worker, bantul_officer)) == "prerequisite"
    _pass(make_batch("PSM-D", starts=datetime.date(2025, 5, 5)), worker, bantul_officer)
    assert services.nominate(advanced, worker, bantul_officer).status == EnrolmentStatus.ENROLLED


def test_a_worker_cannot_sit_in_two_overlapping_batches(bantul_officer):
    worker = build_worker()
    services.nominate(make_batch("PSM-D", name="A"), worker, bantul_officer)
    overlapping = make_batch("TEM-LK3", starts=datetime.date(2026, 3, 5), name="B")
    overlapping.course.prerequisites.clear()
    assert _code(lambda: services.nominate(overlapping, worker, bantul_officer)) == "overlap"


def test_a_full_batch_puts_workers_on_the_waiting_list_and_promotes_in_order(bantul_officer):
    batch = make_batch(quota=1)
    first, second, third = (build_worker(full_name=n) for n in ("Ani", "Budi", "Citra"))
    e1 = services.nominate(batch, first, bantul_officer)
    e2 = services.nominate(batch, second, bantul_officer)
    e3 = services.nominate(batch, third, bantul_officer)
    assert e1.status == EnrolmentStatus.ENROLLED
    assert (e2.status, e2.waitlist_position) == (EnrolmentStatus.WAITLISTED, 1)
    assert (e3.status, e3.waitlist_position) == (EnrolmentStatus.WAITLISTED, 2)
    promoted = services.withdraw(e1, bantul_officer, "sakit")
    assert promoted == e2
    e2.refresh_from_db()
    assert e2.status == EnrolmentStatus.ENROLLED and e2.waitlist_position is None


def test_a_regency_seat_quota_limits_that_regency_only(bantul_officer, sleman_officer):
    batch = make_batch(quota=10)
    SeatQuota.objects.create(batch=batch, region_code="3402", seats=1)
    a = services.nominate(batch, build_worker(full_name="Ani"), bantul_officer)
    b = services.nominate(batch, build_worker(full_name="Budi"), bantul_officer)
    sleman = build_worker(village="3404012001", full_name="Citra")
    c = services.nominate(batch, sleman, sleman_officer)
    assert [a.status, b.status, c.status] == [
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.WAITLISTED,
        EnrolmentStatus.ENROLLED,
    ]


def test_an_officer_cannot_nominate_a_worker_outside_their_area(sleman_officer):
    with pytest.raises(PermissionDenied):
        services.nominate(make_batch(), build_worker(), sleman_officer)


def test_a_batch_for_another_province_refuses_the_worker(bantul_officer):
    batch = make_batch(region="33")
    assert _code(lambda: services.nominate(batch, build_worker(), bantul_officer)) == "area"


def test_pass_mark_and_attendance_minimum_both_decide(bantul_officer):
    batch = make_batch()  # pass mark 70, attendance 80%, 4 sessions
    ids = list(batch.sessions.values_list("pk", flat=True))
    low_score = services.nominate(batch, build_worker(full_name="Ani"), bantul_officer)
    low_score = services.record_results(
        low_score, bantul_officer, post_score=69, present_session_ids=ids
    )
    absent = services.nominate(batch, build_worker(full_name="Budi"), bantul_officer)
    absent = services.record_results(
        absent, bantul_officer, post_score=95, present_session_ids=ids[:3]
    )  # 75%
    good = services.nominate(batch, build_worker(full_name="Citra"), bantul_officer)
    good = services.record_results(
        good, bantul_officer, post_score=70, present_session_ids=ids[1:]
    )  # exactly 75%? no: 3/4
    assert low_score.result == Result.FAILED and "70" in low_score.result_note
    assert absent.result == Result.FAILED and "80%" in absent.result_note
    assert good.result == Result.FAILED
    good = services.record_results(good, bantul_officer, present_session_ids=ids)
    assert good.result == Result.PASSED


def test_scores_outside_0_to_100_are_refused(bantul_officer):
    enrolment = services.nominate(make_batch(), build_worker(), bantul_officer)
    assert (
        _code(lambda: services.record_results(enrolment, bantul_officer, post_score=101)) == "score"
    )


def test_passing_the_basic_course_completes_the_requirement_and_revoking_undoes_it(
    bantul_officer,
):
    worker = build_worker()
    batch = make_batch()
    enrolment = _pass(batch, worker, bantul_officer)
    assert Worker.objects.get(pk=worker.pk).basic_training_on == batch.ends_on
    cert = services.issue_certificate(enrolment, bantul_officer)
    assert cert.valid_until is None  # the basic course certificate does not expire
    services.revoke_certificate(cert, bantul_officer, "Data peserta tidak benar")
    assert Worker.objects.get(pk=worker.pk).basic_training_on is None
    assert not cert.is_valid()


def test_a_basic_training_recorded_by_an_officer_survives_revocation(bantul_officer):
    worker = build_worker(basic_training_on=datetime.date(2020, 1, 10))
    enrolment = _pass(make_batch(), worker, bantul_officer)
    cert = services.issue_certificate(enrolment, bantul_officer)
    services.revoke_certificate(cert, bantul_officer, "salah input")
    assert Worker.objects.get(pk=worker.pk).basic_training_on == datetime.date(2020, 1, 10)


def test_certificates_are_numbered_per_batch_and_only_for_a_pass(bantul_officer):
    batch = make_batch("PSM-D")
    passed = _pass(batch, build_worker(full_name="Ani"), bantul_officer)
    failed = _pass(batch, build_worker(full_name="Budi"), bantul_officer, post=10)
    cert = services.issue_certificate(passed, bantul_officer)
    assert cert.number == f"PSM-D/2026/{batch.pk:05d}/0001"
    assert services.issue_certificate(passed, bantul_officer) == cert
    assert _code(lambda: services.issue_certificate(failed, bantul_officer)) == "not_passed"


def test_advanced_certificate_expires_after_its_validity(bantul_officer):
    worker = build_worker()
    _pass(make_batch("PSM-D", starts=datetime.date(2025, 1, 6)), worker, bantul_officer)
    batch = make_batch("PSM-L")
    cert = services.issue_certificate(_pass(batch, worker, bantul_officer), bantul_officer)
    assert cert.valid_until == batch.ends_on.replace(year=batch.ends_on.year + 5)


def test_revocation_needs_a_reason_and_the_permission(bantul_officer, jetis_supervisor):
    cert = services.issue_certificate(_pass(make_batch(), build_worker(), bantul_officer))
    with pytest.raises(PermissionDenied):
        services.revoke_certificate(cert, jetis_supervisor, "x")
    assert _code(lambda: services.revoke_certificate(cert, bantul_officer, " ")) == "reason"


def test_a_psm_applies_and_the_officer_approves_into_a_seat(bantul_officer, trimulyo_worker):
    worker = build_worker(user=trimulyo_worker)
    enrolment = services.apply(make_batch(), worker, trimulyo_worker)
    assert enrolment.status == EnrolmentStatus.APPLIED
    services.decide_application(enrolment, bantul_officer, approve=True)
    assert enrolment.status == EnrolmentStatus.ENROLLED


def test_training_needs_split_active_workers(bantul_officer):
    from mitra.workers.models import Status

    untrained = build_worker(full_name="Ani", status=Status.ACTIVE)
    trained = build_worker(
        full_name="Budi", status=Status.ACTIVE, basic_training_on=datetime.date(2022, 2, 2)
    )
    needs = services.training_needs(Worker.objects.visible_to(bantul_officer))
    assert list(needs["without_basic"]) == [untrained]
    assert list(needs["without_advanced"]) == [trained]
