"""What the worker profile's training tab shows: `worker_training(worker, user)`."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.workers.models import Worker

from ..models import Batch, Certificate, Enrolment, EnrolmentStatus, Level, Result
from .queries import EXPIRY_DAYS

# ---- the worker profile's training tab ------------------------------------------------------------

# Pages of the batch and certificate screens, linked when their routes exist (built separately).
BATCH_URL_NAMES = ("training:batch_detail",)
CERTIFICATE_URL_NAMES = ("training:certificate_detail",)
CERTIFICATE_PDF_URL_NAMES = ("training:certificate_pdf",)


def optional_url(names, *args) -> str | None:
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def certificate_state(certificate: Certificate, today: datetime.date) -> str:
    if certificate.revoked_at is not None:
        return "revoked"
    if certificate.valid_until is not None and certificate.valid_until < today:
        return "expired"
    if certificate.valid_until is not None and (
        certificate.valid_until <= today + datetime.timedelta(days=EXPIRY_DAYS)
    ):
        return "expiring"
    return "valid"


def worker_training(worker: Worker, user) -> dict:
    """What the worker profile's training tab shows: every enrolment (batch, course, dates,
    status, result, scores, attendance, certificate and its validity) and what the worker still
    needs. `worker` must be visible to `user` (404 otherwise); four queries whatever the number
    of enrolments."""
    if not Worker.objects.visible_to(user).filter(pk=worker.pk).exists():
        raise Http404
    today = timezone.localdate()
    enrolments = list(
        Enrolment.objects.filter(worker_id=worker.pk)
        .select_related("batch__course", "batch__venue", "certificate")
        .order_by("-batch__starts_on", "-pk")
    )
    batch_ids = {e.batch_id for e in enrolments}
    sessions = dict(
        Batch.objects.filter(pk__in=batch_ids).annotate(n=Count("sessions")).values_list("pk", "n")
    )
    # (sessions marked, sessions present) per enrolment: no attendance shown before any is kept.
    marked = {
        pk: (recorded, present)
        for pk, recorded, present in Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])
        .annotate(
            recorded=Count("attendance"),
            present=Count("attendance", filter=Q(attendance__present=True)),
        )
        .values_list("pk", "recorded", "present")
    }
    rows = []
    passed_basic, passed_advanced = [], []
    for enrolment in enrolments:
        batch, course = enrolment.batch, enrolment.batch.course
        certificate = getattr(enrolment, "certificate", None)
        total = sessions.get(batch.pk) or 0
        recorded, attended = marked.get(enrolment.pk, (0, 0))
        state = certificate_state(certificate, today) if certificate else None
        counted = enrolment.result == Result.PASSED and state != "revoked"
        if counted and course.completes_basic:
            passed_basic.append(enrolment)
        if counted and course.level == Level.ADVANCED:
            passed_advanced.append(enrolment)
        rows.append(
            {
                "enrolment": enrolment,
                "batch": batch,
                "course": course,
                "batch_url": optional_url(BATCH_URL_NAMES, batch.pk),
                "attendance": round(attended * 100 / total)
                if total and recorded and enrolment.status == EnrolmentStatus.ENROLLED
                else None,
                "certificate": certificate,
                "certificate_state": state,
                "certificate_url": optional_url(CERTIFICATE_URL_NAMES, certificate.pk)
                if certificate
                else None,
                "certificate_pdf_url": optional_url(CERTIFICATE_PDF_URL_NAMES, certificate.pk)
                if certificate
                else None,
            }
        )
    basic_done = worker.basic_training_on is not None
    basic_from_batch = any(e.batch.ends_on == worker.basic_training_on for e in passed_basic)
    open_places = [
        r
        for r in rows
        if r["enrolment"].status
        in (EnrolmentStatus.APPLIED, EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
        and r["batch"].ends_on >= today
    ]
    latest_by_course = {}  # rows are newest first: the first certificate of a course is its latest
    for r in rows:
        if r["certificate"] and r["certificate_state"] != "revoked":
            latest_by_course.setdefault(r["course"].pk, r)
    renewals = [
        r for r in latest_by_course.values() if r["certificate_state"] in ("expiring", "expired")
    ]
    needs = []
    if not basic_done:
        needs.append(
            {
                "key": "basic",
                "text": _("Basic training (bimtek dasar): required before appointment as a PSM."),
            }
        )
    if not passed_advanced:
        needs.append(
            {
                "key": "advanced",
                "text": _("Advanced training (pelatihan lanjutan).")
                if basic_done
                else _("Advanced training (pelatihan lanjutan), after the basic training."),
            }
        )
    for r in renewals:
        values = {
            "course": r["course"].title,
            "date": r["certificate"].valid_until.strftime("%d-%m-%Y"),
        }
        if r["certificate_state"] == "expired":
            text = _("Renew %(course)s: the certificate expired on %(date)s.") % values
        else:
            text = _("Renew %(course)s: the certificate expires on %(date)s.") % values
        needs.append({"key": "renewal", "text": text})
    return {
        "worker": worker,
        "rows": rows,
        "basic": {
            "done": basic_done,
            "on": worker.basic_training_on,
            "from_batch": basic_from_batch,
        },
        "advanced": {"done": bool(passed_advanced), "eligible": basic_done},
        "open_places": open_places,
        "needs": needs,
        "expiry_days": EXPIRY_DAYS,
    }
