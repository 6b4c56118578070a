"""Training over JSON: /api/v1/training.

The same rules as the pages, through the same functions: batches come from
`Batch.objects.visible_to(caller)` (the caller's area and the wider batches that serve it),
workers and enrolments from the caller's scope (outside it = 404), the role's permissions decide
actions (missing = 403), and the training rules (`services`) refuse with their Indonesian reason
(422, in `error.details[].message`). Bodies accept only the fields listed in their schema; any
other field (status, region_code, result, ...) is refused with 422 by name, never applied.

Recording results must send the enrolment's `version` the caller read (If-Match or `version` in
the body, ADR 0010): a stale one answers 409 and nothing is written, a missing one 428.

Enrolment lists show masked NIKs only (a list read writes no access-log row), and only the
participants the caller may see: a Bantul officer sees the Bantul participants of a DIY batch,
a PSM sees their own place.

`GET /certificates/verify/{code}` is public (no login): the code is the unguessable one printed as
the certificate's QR code; the answer says only whether the certificate is valid, revoked or
expired, the holder's masked name, the course and the dates: the facts of the public verification
page, from the same functions (`certificates.certificate_status`, `certificates.mask_name`).
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Created
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict

from mitra.api.pagination import Pagination
from mitra.cases.api_common import expected_version
from mitra.workers.models import Worker

from . import needs, services
from .certificates import certificate_status, mask_name
from .models import (
    Batch,
    BatchStatus,
    Certificate,
    Course,
    Enrolment,
    EnrolmentStatus,
)

router = Router(tags=["training"])

VIEW_COURSE = "training.view_course"
VIEW_BATCH = "training.view_batch"
VIEW_WORKER = "workers.view_worker"
ENROL = "training.enrol_worker"
ASSESS = "training.assess_enrolment"


# ---- schemas -----------------------------------------------------------------------------------


class CourseBriefOut(Schema):
    id: int
    code: str
    title: str
    level: str


class CourseOut(CourseBriefOut):
    hours: int
    competencies: str
    prerequisites: list[str] = Field(description="Codes of the courses to pass first.")
    pass_mark: int
    attendance_min: int
    validity_years: int | None
    organiser_type: str
    completes_basic: bool
    is_active: bool

    @staticmethod
    def resolve_prerequisites(obj):
        return sorted(c.code for c in obj.prerequisites.all())


class BatchSessionOut(Schema):
    id: int
    on: datetime.date
    title: str


class SeatQuotaOut(Schema):
    region_code: str
    seats: int


class BatchSummaryOut(Schema):
    id: int
    course: CourseBriefOut
    name: str
    organiser: str
    region_code: str = Field(description="The area the batch serves ('' = national).")
    venue_code: str
    venue_name: str
    starts_on: datetime.date
    ends_on: datetime.date
    quota: int
    status: str
    enrolled: int = Field(description="Seats taken (all participants, every region).")
    waitlisted: int

    @staticmethod
    def resolve_venue_code(obj):
        return obj.venue_id

    @staticmethod
    def resolve_venue_name(obj):
        return obj.venue.name


class BatchOut(BatchSummaryOut):
    venue_detail: str
    trainers: str
    signer_name: str
    signer_title: str
    sessions: list[BatchSessionOut]
    seat_quotas: list[SeatQuotaOut]

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.all())

    @staticmethod
    def resolve_seat_quotas(obj):
        return list(obj.seat_quotas.all())


class WorkerBriefOut(Schema):
    id: uuid.UUID
    full_name: str
    nik: str = Field(description="Always masked (3402********0001).")
    village_code: str

    @staticmethod
    def resolve_nik(obj):
        return obj.nik_masked

    @staticmethod
    def resolve_village_code(obj):
        return obj.village_id


class CertificateBriefOut(Schema):
    number: str
    issued_on: datetime.date
    valid_until: datetime.date | None
    revoked: bool
    valid: bool

    @staticmethod
    def resolve_revoked(obj):
        return obj.revoked_at is not None

    @staticmethod
    def resolve_valid(obj):
        return obj.is_valid()


class EnrolmentOut(Schema):
    id: int
    batch_id: int
    worker: WorkerBriefOut
    status: str
    waitlist_position: int | None
    pre_score: int | None
    post_score: int | None
    result: str
    result_note: str
    certificate: CertificateBriefOut | None
    version: int = Field(description="Send it back (or as If-Match) when recording results.")

    @staticmethod
    def resolve_certificate(obj):
        try:
            return obj.certificate
        except Certificate.DoesNotExist:
            return None


class BatchFilters(Schema):
    status: BatchStatus | None = Field(
        None, description="planned, open, running, finished or cancelled."
    )
    course: str | None = Field(None, description="Course id or code, e.g. PSM-D.")
    year: int | None = Field(None, ge=1900, le=2200, description="Year of the first day.")


class _Body(BaseModel):
    # Unknown fields are kept so they can be refused by name (see _refuse_extra_fields).
    model_config = ConfigDict(extra="allow")


class NominateIn(_Body):
    worker_id: uuid.UUID = Field(description="A worker in your area.")


class ResultsIn(_Body):
    pre_score: int | None = Field(None, description="0-100.")
    post_score: int | None = Field(None, description="0-100.")
    present_session_ids: list[int] | None = Field(
        None,
        description="Ids of the batch's sessions the participant attended (the others count as "
        "absent); leave out to keep the recorded attendance.",
    )
    version: int | None = Field(
        None, description="The enrolment's version you read (or send it as the If-Match header)."
    )


class EnrolmentWithdrawIn(_Body):
    reason: str = ""


class CertificateCheckOut(Schema):
    status: str = Field(description="valid, revoked or expired.")
    holder: str = Field(description="The holder's name, masked as on the public page: Sit* Rah***.")
    course: CourseBriefOut
    issued_on: datetime.date
    valid_until: datetime.date | None
    revoked_on: datetime.date | None


class NeedsFilters(Schema):
    region: str | None = Field(
        None, description="A region inside your area (34, 34.02, ...); default: your area."
    )


class NeedsCountsOut(Schema):
    active: int
    with_basic: int
    without_basic: int
    with_advanced: int
    without_advanced: int
    expiring: int


class NeedsChildOut(NeedsCountsOut):
    code: str
    name: str


class NeedsOut(Schema):
    region_code: str = Field(description="'' = national.")
    region_name: str
    level: str
    child_level: str | None
    totals: NeedsCountsOut
    children: list[NeedsChildOut]


# ---- helpers -----------------------------------------------------------------------------------


def _refuse_extra_fields(payload: _Body) -> None:
    """Mass assignment: a field the caller may not set is an error, never quietly applied."""
    extra = payload.model_extra or {}
    if extra:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(extra)})


def _require(user, *perms: str) -> None:
    if not all(user.has_perm(p) for p in perms):
        raise PermissionDenied


def _batches(user):
    return (
        Batch.objects.visible_to(user)
        .select_related("course", "venue")
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
            waitlisted=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)),
        )
    )


def _enrolments(user):
    """Enrolments of the workers the caller may see (a PSM: their own only)."""
    return Enrolment.objects.visible_to(user).select_related(
        "worker", "certificate", "batch__course"
    )


def _reload(enrolment: Enrolment) -> Enrolment:
    return Enrolment.objects.select_related("worker", "certificate").get(pk=enrolment.pk)


# ---- catalogue and batches ---------------------------------------------------------------------


@router.get("/courses", response=list[CourseOut], summary="The course catalogue")
@paginate(Pagination)
def list_courses(request):
    _require(request.auth, VIEW_COURSE)
    return Course.objects.prefetch_related("prerequisites").order_by("level", "code")


@router.get("/courses/{course_id}", response=CourseOut, summary="One course")
def course_detail(request, course_id: int):
    _require(request.auth, VIEW_COURSE)
    return get_object_or_404(Course.objects.prefetch_related("prerequisites"), pk=course_id)


@router.get("/batches", response=list[BatchSummaryOut], summary="Batches for your area (filtered)")
@paginate(Pagination)
def list_batches(request, filters: Query[BatchFilters]):
    _require(request.auth, VIEW_BATCH)
    qs = _batches(request.auth)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.course:
        course = filters.course.strip()
        qs = (
            qs.filter(course_id=int(course))
            if course.isdigit() and len(course) <= 9
            else qs.filter(course__code__iexact=course)
        )
    if filters.year:
        qs = qs.filter(
            starts_on__gte=datetime.date(filters.year, 1, 1),
            starts_on__lt=datetime.date(filters.year + 1, 1, 1),
        )
    return qs.order_by("-starts_on", "pk")


@router.get("/batches/{batch_id}", response=BatchOut, summary="One batch, with its sessions")
def batch_detail(request, batch_id: int):
    _require(request.auth, VIEW_BATCH)
    return get_object_or_404(
        _batches(request.auth).prefetch_related("sessions", "seat_quotas"), pk=batch_id
    )


# ---- enrolments --------------------------------------------------------------------------------


@router.get(
    "/batches/{batch_id}/enrolments",
    response=list[EnrolmentOut],
    summary="The batch's participants you may see",
)
@paginate(Pagination)
def list_enrolments(request, batch_id: int):
    user = request.auth
    _require(user, VIEW_BATCH, VIEW_WORKER)
    batch = get_object_or_404(Batch.objects.visible_to(user), pk=batch_id)
    return (
        _enrolments(user)
        .filter(batch=batch)
        .order_by("status", "waitlist_position", "worker__full_name", "pk")
    )


@router.post(
    "/batches/{batch_id}/enrolments",
    response={201: EnrolmentOut},
    summary="Nominate a worker (a seat, or the waiting list when the batch is full)",
)
def nominate(request, batch_id: int, payload: NominateIn):
    user = request.auth
    _require(user, ENROL)
    _refuse_extra_fields(payload)
    batch = get_object_or_404(Batch.objects.visible_to(user).select_related("course"), pk=batch_id)
    worker = get_object_or_404(Worker.objects.visible_to(user), pk=payload.worker_id)
    enrolment = services.nominate(batch, worker, user)
    return Created(201, _reload(enrolment))


@router.post(
    "/enrolments/{enrolment_id}/results",
    response=EnrolmentOut,
    summary="Record attendance and scores; the result follows the course's rules",
)
def record_results(
    request,
    enrolment_id: int,
    payload: ResultsIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    user = request.auth
    _require(user, ASSESS)
    _refuse_extra_fields(payload)
    enrolment = get_object_or_404(_enrolments(user), pk=enrolment_id)
    # Results are the organiser's to record, as on the grid page: seeing a participant is not
    # enough (a Bantul officer sees Bantul's people in a national batch but does not assess them).
    if not Batch.objects.managed_by(user).filter(pk=enrolment.batch_id).exists():
        raise PermissionDenied
    expected = expected_version(if_match, payload.version)
    services.record_results(
        enrolment,
        user,
        pre_score=payload.pre_score,
        post_score=payload.post_score,
        present_session_ids=payload.present_session_ids,
        version=expected,
    )
    return _reload(enrolment)


@router.post(
    "/enrolments/{enrolment_id}/withdraw",
    response=EnrolmentOut,
    summary="Give up a place; a freed seat goes to the waiting list",
)
def withdraw(request, enrolment_id: int, payload: EnrolmentWithdrawIn):
    user = request.auth
    _refuse_extra_fields(payload)
    enrolment = get_object_or_404(_enrolments(user), pk=enrolment_id)
    services.withdraw(enrolment, user, payload.reason)
    return _reload(enrolment)


# ---- certificates ------------------------------------------------------------------------------


@router.get(
    "/certificates/verify/{code}",
    response=CertificateCheckOut,
    auth=None,
    summary="Check a certificate by its QR code (public, no login)",
)
def verify_certificate(request, code: str):
    if len(code) > 64:
        raise Http404
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrolment__worker", "enrolment__batch__course"),
        verify_code=code,
    )
    return {
        "status": certificate_status(certificate),
        "holder": mask_name(certificate.enrolment.worker.full_name),
        "course": certificate.enrolment.batch.course,
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "revoked_on": timezone.localdate(certificate.revoked_at)
        if certificate.revoked_at
        else None,
    }


# ---- needs -------------------------------------------------------------------------------------


@router.get("/needs", response=NeedsOut, summary="Training needs counted per child region")
def training_needs(request, filters: Query[NeedsFilters]):
    user = request.auth
    _require(user, VIEW_BATCH, VIEW_WORKER)
    try:
        area = needs.resolve_area(user, filters.region or "")
    except needs.AboveScope:
        raise Http404 from None
    children, totals = needs.needs_counts(user, area)
    model = area.child_model
    return {
        "region_code": area.code,
        "region_name": area.name,
        "level": area.level,
        "child_level": model.level if model else None,
        "totals": totals,
        "children": [{"code": c.code, "name": c.name, **c.counts} for c in children],
    }
