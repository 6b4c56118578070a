"""Training rules: who may enrol (prerequisites, overlapping batches, quotas, waiting list), how a
result is decided (pass mark, attendance minimum), certificates (numbering, validity, revocation)
and the gate to appointment (a passed basic course completes the worker's requirement)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.workers.models import Status as WorkerStatus
from mitra.workers.models import Worker

from .models import (
    Attendance,
    Batch,
    BatchStatus,
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Result,
    TrainingSession,
)

HOLDS_SEAT = (EnrolmentStatus.ENROLLED,)
ACTIVE_PLACES = (EnrolmentStatus.APPLIED, EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


def _stale():
    _refuse(
        _(
            "Someone else changed this record while you were working on it. Reload the page "
            "and try again."
        ),
        "conflict",
    )


def check_version(enrolment: Enrolment, expected: int | None) -> None:
    """The caller's read is stale (ADR 0010): refuse before any other rule, so a late writer
    hears "someone else changed it", not a rule about the state the winner left behind."""
    if expected is not None and int(expected) != enrolment.version:
        _stale()


def bump_version(enrolment: Enrolment, expected: int | None = None) -> None:
    """Optimistic concurrency: the write applies only to the version the caller read; None (an
    internal step such as a promotion from the waiting list) skips the comparison but still moves
    the version on, so a form read before it is refused. Call inside the write's transaction."""
    check_version(enrolment, expected)
    if enrolment.pk is None:
        return
    updated = Enrolment.objects.filter(pk=enrolment.pk, version=enrolment.version).update(
        version=F("version") + 1
    )
    if not updated:
        _stale()
    enrolment.version += 1


def passed_course_ids(worker: Worker) -> set[int]:
    return set(
        Enrolment.objects.filter(worker=worker, result=Result.PASSED).values_list(
            "batch__course_id", flat=True
        )
    )


def check_can_enrol(batch: Batch, worker: Worker) -> None:
    """Raise ValidationError with the reason a worker may not take a place in a batch."""
    if batch.status not in (BatchStatus.PLANNED, BatchStatus.OPEN):
        _refuse(_("This batch is not open for enrolment."), "closed")
    if worker.merged_into_id or worker.status in (WorkerStatus.EXITED, WorkerStatus.SUSPENDED):
        _refuse(_("%(name)s is not an active worker.") % {"name": worker.full_name}, "worker")
    if batch.region_code and not worker.region_code.startswith(batch.region_code):
        _refuse(
            _("%(name)s lives outside the area this batch serves.") % {"name": worker.full_name},
            "area",
        )
    missing = [c for c in batch.course.prerequisites.all() if c.pk not in passed_course_ids(worker)]
    if missing:
        _refuse(
            _("%(name)s has not passed the prerequisite course(s): %(courses)s.")
            % {"name": worker.full_name, "courses": ", ".join(str(c) for c in missing)},
            "prerequisite",
        )
    if batch.course_id in passed_course_ids(worker):
        _refuse(
            _("%(name)s has already passed this course.") % {"name": worker.full_name}, "passed"
        )
    overlap = (
        Enrolment.objects.filter(worker=worker, status__in=ACTIVE_PLACES)
        .exclude(batch=batch)
        .filter(batch__starts_on__lte=batch.ends_on, batch__ends_on__gte=batch.starts_on)
        .exclude(batch__status=BatchStatus.CANCELLED)
        .select_related("batch__course")
        .first()
    )
    if overlap:
        _refuse(
            _("%(name)s is already in batch %(batch)s on overlapping dates.")
            % {"name": worker.full_name, "batch": overlap.batch},
            "overlap",
        )
    if Enrolment.objects.filter(batch=batch, worker=worker, status__in=ACTIVE_PLACES).exists():
        _refuse(
            _("%(name)s is already on this batch's list.") % {"name": worker.full_name}, "duplicate"
        )


def _seat_quota(batch: Batch, worker: Worker):
    """The seat quota that applies to this worker (their regency's, else their province's)."""
    quotas = {q.region_code: q.seats for q in batch.seat_quotas.all()}
    for code in (worker.region_code[:4], worker.region_code[:2]):
        if code in quotas:
            return code, quotas[code]
    return None, None


def has_free_seat(batch: Batch, worker: Worker) -> bool:
    taken = Enrolment.objects.filter(batch=batch, status__in=HOLDS_SEAT)
    if taken.count() >= batch.quota:
        return False
    code, seats = _seat_quota(batch, worker)
    if code is not None:
        return taken.filter(region_code__startswith=code).count() < seats
    return True


def _place(enrolment: Enrolment) -> None:
    """Enrolled if a seat is free, else last on the waiting list."""
    batch = Batch.objects.select_for_update().get(pk=enrolment.batch_id)
    if has_free_seat(batch, enrolment.worker):
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.waitlist_position = None
    else:
        last = Enrolment.objects.filter(batch=batch).aggregate(m=Max("waitlist_position"))["m"]
        enrolment.status = EnrolmentStatus.WAITLISTED
        enrolment.waitlist_position = (last or 0) + 1
    bump_version(enrolment)
    enrolment.save()


def nominate(batch: Batch, worker: Worker, user) -> Enrolment:
    """An officer puts a worker from their area into a batch (or on its waiting list)."""
    if not user.has_perm("training.enrol_worker"):
        raise PermissionDenied
    if not Worker.objects.visible_to(user).filter(pk=worker.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        check_can_enrol(batch, worker)
        enrolment = _reuse_or_new(batch, worker)
        _place(enrolment)
    return enrolment


def apply(batch: Batch, worker: Worker, user) -> Enrolment:
    """A PSM applies for a place; their officer approves it later."""
    if worker.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        check_can_enrol(batch, worker)
        enrolment = _reuse_or_new(batch, worker)
        enrolment.status = EnrolmentStatus.APPLIED
        bump_version(enrolment)
        enrolment.save()
    return enrolment


def _reuse_or_new(batch, worker) -> Enrolment:
    """A worker who withdrew or was rejected may come back: the same row, its history kept."""
    existing = Enrolment.objects.filter(batch=batch, worker=worker).first()
    return existing or Enrolment(batch=batch, worker=worker)


def decide_application(enrolment: Enrolment, user, approve: bool, reason: str = "") -> Enrolment:
    if not user.has_perm("training.enrol_worker"):
        raise PermissionDenied
    if enrolment.status != EnrolmentStatus.APPLIED:
        _refuse(_("This application was already decided."), "decided")
    with transaction.atomic():
        if approve:
            if enrolment.batch.status not in (BatchStatus.PLANNED, BatchStatus.OPEN):
                _refuse(_("This batch is not open for enrolment."), "closed")
            _place(enrolment)
        else:
            if not reason.strip():
                _refuse(_("Give a reason for refusing."), "reason")
            enrolment.status = EnrolmentStatus.REJECTED
            enrolment.result_note = reason.strip()[:255]
            bump_version(enrolment)
            enrolment.save()
    return enrolment


def withdraw(enrolment: Enrolment, user, reason: str = "") -> Enrolment | None:
    """Take a worker off a batch; a freed seat goes to the first on the waiting list who fits.
    Returns the promoted enrolment, if any."""
    if not (user.has_perm("training.enrol_worker") or enrolment.worker.user_id == user.pk):
        raise PermissionDenied
    if enrolment.status not in ACTIVE_PLACES:
        _refuse(_("This place was already given up."), "withdrawn")
    with transaction.atomic():
        held_seat = enrolment.status == EnrolmentStatus.ENROLLED
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.waitlist_position = None
        enrolment.result_note = reason.strip()[:255]
        bump_version(enrolment)
        enrolment.save()
        return promote_waitlist(enrolment.batch) if held_seat else None


def promote_waitlist(batch: Batch) -> Enrolment | None:
    """Give a free seat to the first waiting worker whose seat quota still has room."""
    waiting = (
        Enrolment.objects.filter(batch=batch, status=EnrolmentStatus.WAITLISTED)
        .order_by("waitlist_position")
        .select_related("worker")
    )
    for enrolment in waiting:
        if has_free_seat(batch, enrolment.worker):
            enrolment.status = EnrolmentStatus.ENROLLED
            enrolment.waitlist_position = None
            bump_version(enrolment)
            enrolment.save()
            return enrolment
    return None


# ---- attendance and results ------------------------------------------------------------------


def attendance_percent(enrolment: Enrolment) -> int | None:
    total = TrainingSession.objects.filter(batch_id=enrolment.batch_id).count()
    if not total:
        return None
    present = Attendance.objects.filter(enrolment=enrolment, present=True).count()
    return round(present * 100 / total)


def decide_result(enrolment: Enrolment) -> str:
    """Passed when the post-test reaches the pass mark and attendance the minimum."""
    course = enrolment.batch.course
    if enrolment.post_score is None:
        return Result.PENDING
    attended = attendance_percent(enrolment)
    if attended is None:
        return Result.PENDING
    if enrolment.post_score >= course.pass_mark and attended >= course.attendance_min:
        return Result.PASSED
    return Result.FAILED


def result_reason(enrolment: Enrolment) -> str:
    course = enrolment.batch.course
    attended = attendance_percent(enrolment)
    reasons = []
    if enrolment.post_score is not None and enrolment.post_score < course.pass_mark:
        reasons.append(
            _("post-test %(score)d below the pass mark %(mark)d")
            % {"score": enrolment.post_score, "mark": course.pass_mark}
        )
    if attended is not None and attended < course.attendance_min:
        reasons.append(
            _("attendance %(att)d%% below the minimum %(min)d%%")
            % {"att": attended, "min": course.attendance_min}
        )
    return "; ".join(reasons)


def record_results(
    enrolment: Enrolment,
    user,
    *,
    pre_score=None,
    post_score=None,
    present_session_ids=None,
    version: int | None = None,
) -> Enrolment:
    """Store attendance and scores, then decide the result; a pass of a basic course completes
    the worker's basic-training requirement. `version` is the one the writer read (the API and
    the grid send it); a stale one is refused with code "conflict" and nothing is written."""
    if not user.has_perm("training.assess_enrolment"):
        raise PermissionDenied
    check_version(enrolment, version)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        _refuse(_("Only enrolled participants are assessed."), "not_enrolled")
    for label, score in ((_("pre-test"), pre_score), (_("post-test"), post_score)):
        if score is not None and not 0 <= int(score) <= 100:
            _refuse(_("The %(what)s score must be between 0 and 100.") % {"what": label}, "score")
    with transaction.atomic():
        # First: a concurrent writer waits here on the row and, once the winner commits, finds
        # the version moved on, before it has touched the attendance.
        bump_version(enrolment, version)
        if present_session_ids is not None:
            sessions = list(TrainingSession.objects.filter(batch_id=enrolment.batch_id))
            present = {int(i) for i in present_session_ids}
            for session in sessions:
                Attendance.objects.update_or_create(
                    enrolment=enrolment,
                    session=session,
                    defaults={"present": session.pk in present},
                )
        if pre_score is not None:
            enrolment.pre_score = int(pre_score)
        if post_score is not None:
            enrolment.post_score = int(post_score)
        enrolment.result = decide_result(enrolment)
        enrolment.result_note = result_reason(enrolment)
        enrolment.save()
        apply_gate(enrolment)
    return enrolment


def apply_gate(enrolment: Enrolment) -> None:
    """A passed basic course sets the worker's basic-training date (the earliest pass counts).
    When the pass that set the date is lost (a corrected result, a revoked certificate), the date
    falls back to the next valid pass, or is cleared; a date an officer recorded for training done
    elsewhere is left alone."""
    if not enrolment.batch.course.completes_basic:
        return
    worker = Worker.objects.get(pk=enrolment.worker_id)
    passes = list(
        Enrolment.objects.filter(
            worker=worker, result=Result.PASSED, batch__course__completes_basic=True
        )
        .exclude(certificate__revoked_at__isnull=False)
        .order_by("batch__ends_on")
        .values_list("batch__ends_on", flat=True)
    )
    first = passes[0] if passes else None
    current = worker.basic_training_on
    earlier_pass = first is not None and (current is None or first < current)
    lost_its_pass = current == enrolment.batch.ends_on and current not in passes
    if not (earlier_pass or lost_its_pass):
        return
    worker.basic_training_on = first
    worker.save()


# ---- certificates ----------------------------------------------------------------------------


def certificate_number(batch: Batch, serial: int) -> str:
    return f"{batch.course.code}/{batch.ends_on:%Y}/{batch.pk:05d}/{serial:04d}"


def issue_certificate(enrolment: Enrolment, user=None, on: datetime.date | None = None):
    """The certificate of a passed enrolment (made once; later calls return the same one)."""
    if user is not None and not user.has_perm("training.issue_certificate"):
        raise PermissionDenied
    if enrolment.result != Result.PASSED:
        _refuse(_("Only a participant who passed gets a certificate."), "not_passed")
    batch = enrolment.batch
    issued = on or batch.ends_on
    years = batch.course.validity_years
    valid_until = None
    if years:
        try:
            valid_until = issued.replace(year=issued.year + years)
        except ValueError:
            valid_until = issued.replace(year=issued.year + years, day=28)
    with transaction.atomic():
        # The batch row lock serialises issuing, so the "already issued" check and the serial
        # below cannot race (certificates are never deleted, so the count is the last serial).
        Batch.objects.select_for_update().get(pk=batch.pk)
        existing = Certificate.objects.filter(enrolment=enrolment).first()
        if existing:
            return existing
        serial = Certificate.objects.filter(enrolment__batch=batch).count() + 1
        return Certificate.objects.create(
            enrolment=enrolment,
            number=certificate_number(batch, serial),
            issued_on=issued,
            valid_until=valid_until,
        )


def revoke_certificate(certificate: Certificate, user, reason: str) -> Certificate:
    if not user.has_perm("training.revoke_certificate"):
        raise PermissionDenied
    if certificate.revoked_at:
        _refuse(_("This certificate was already revoked."), "revoked")
    if not reason.strip():
        _refuse(_("Give a reason for revoking."), "reason")
    with transaction.atomic():
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = user
        certificate.revoked_reason = reason.strip()[:255]
        certificate.save()
        apply_gate(certificate.enrolment)
    return certificate


def training_needs(workers):
    """Split active workers (a scoped queryset) into who needs basic training, who lacks advanced
    training, and whose certificates expire within 90 days."""
    today = timezone.localdate()
    active = workers.filter(status=WorkerStatus.ACTIVE, merged_into__isnull=True)
    advanced = Enrolment.objects.filter(
        result=Result.PASSED, batch__course__level="lanjutan"
    ).values("worker_id")
    expiring = Certificate.objects.filter(
        revoked_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=90),
    ).values("enrolment__worker_id")
    return {
        "without_basic": active.filter(basic_training_on__isnull=True),
        "without_advanced": active.filter(basic_training_on__isnull=False).exclude(pk__in=advanced),
        "expiring": active.filter(Q(pk__in=expiring)),
    }


# ---- batch lifecycle and seats (added for the batch pages; the API may use them too) ----------

# (from, to): the steps a batch may take. A batch is cancelled at any step before it is finished.
BATCH_TRANSITIONS = {
    (BatchStatus.PLANNED, BatchStatus.OPEN),
    (BatchStatus.OPEN, BatchStatus.RUNNING),
    (BatchStatus.RUNNING, BatchStatus.FINISHED),
    (BatchStatus.PLANNED, BatchStatus.CANCELLED),
    (BatchStatus.OPEN, BatchStatus.CANCELLED),
    (BatchStatus.RUNNING, BatchStatus.CANCELLED),
}


def batch_transitions(batch: Batch) -> list[str]:
    """The statuses this batch may move to next, in the order of the batch's life."""
    order = list(BatchStatus.values)
    return sorted((to for frm, to in BATCH_TRANSITIONS if frm == batch.status), key=order.index)


def change_batch_status(batch: Batch, to: str, user) -> Batch:
    """Move a batch one step (open it, start it, finish it, cancel it). Only its organiser's
    area changes it: `managed_by`, never the wider areas a user may only see."""
    if not user.has_perm("training.change_batch"):
        raise PermissionDenied
    if not Batch.objects.managed_by(user).filter(pk=batch.pk).exists():
        raise PermissionDenied
    if (batch.status, to) not in BATCH_TRANSITIONS:
        _refuse(
            _("A batch that is “%(from)s” cannot become “%(to)s”.")
            % {"from": batch.get_status_display(), "to": BatchStatus(to).label},
            "transition",
        )
    if to == BatchStatus.RUNNING and not TrainingSession.objects.filter(batch=batch).exists():
        _refuse(
            _(
                "Add the sessions (days and topics) before starting: attendance is kept per session."
            ),
            "no_sessions",
        )
    with transaction.atomic():
        batch.status = to
        batch.save()
    return batch


def fill_free_seats(batch: Batch) -> list[Enrolment]:
    """After seats were added (a larger quota, changed seat quotas), give every seat that is now
    free to the waiting list, in order. Returns the promoted enrolments."""
    promoted = []
    with transaction.atomic():
        Batch.objects.select_for_update().get(pk=batch.pk)
        while (enrolment := promote_waitlist(batch)) is not None:
            promoted.append(enrolment)
    return promoted
