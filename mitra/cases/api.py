"""Field work over JSON, under /api/v1/cases/:

* beneficiaries: /beneficiaries (list, record, read, correct), in `api_people`;
* cases: GET/POST "" (list with status/category/overdue filters; create through services.open_case),
  GET /{id}, POST /{id}/status, /{id}/interventions, /{id}/referrals,
  /{id}/referrals/{referral_id}/outcome, /{id}/transfer; GET /due (the due-and-overdue list);
* activity reports: GET/POST /reports, GET /reports/{id}, POST /reports/{id}/submit and
  /reports/{id}/verify.

The same rules as the pages: rows come from `visible_to(caller)` (outside = 404), permissions decide
actions (403), the services hold every rule (422 with the reason). A field a caller may not set is
refused by name (422), never silently dropped. NIKs are always masked in the API (a data-subject
export is the way to the full record); sensitive details (disability, health, violence, household
notes, intervention notes and assessments) are shown only with `cases.view_sensitive`.
Case status changes and report verification must send the version they read (If-Match or
`version`): a stale one answers 409, a missing one 428.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Created
from ninja.pagination import paginate

from mitra.api.openapi import form_choice
from mitra.api.pagination import Pagination
from mitra.core.access import log_access
from mitra.core.atomic import atomic
from mitra.core.models import AccessLog
from mitra.core.scope import prefix_q
from mitra.workers.forms import visible_village
from mitra.workers.models import Worker

from . import services
from .api_common import (
    Body,
    expected_version,
    may_see_sensitive,
    not_in_future,
    pmks_categories,
    refuse_extra_fields,
    region_code,
    require,
)
from .api_people import router as people_router
from .models import (
    ActivityReport,
    ActivityType,
    Case,
    CaseStatus,
    ClosureReason,
    InterventionKind,
    Priority,
    Programme,
    ReferralStatus,
)
from .reports_forms import REACHED_FIELDS, ReportFilterForm, filtered_reports

router = Router(tags=["cases"])
router.add_router("/beneficiaries", people_router)


# ---- cases -----------------------------------------------------------------------------------------


class CaseSummaryOut(Schema):
    id: uuid.UUID
    beneficiary_id: uuid.UUID
    beneficiary_name: str
    nik: str = Field(description="Always masked.")
    worker_id: uuid.UUID
    worker_name: str
    worker_village: str = Field(description="The worker's village: tells two namesakes apart.")
    region_code: str
    status: str
    priority: str
    categories: list[int]
    opened_on: datetime.date
    closed_on: datetime.date | None
    next_follow_up_on: datetime.date | None
    overdue: bool
    version: int

    @staticmethod
    def resolve_beneficiary_name(obj):
        return obj.beneficiary.full_name

    @staticmethod
    def resolve_nik(obj):
        return obj.beneficiary.nik_masked

    @staticmethod
    def resolve_worker_name(obj):
        return obj.worker.full_name

    @staticmethod
    def resolve_worker_village(obj):
        return obj.worker.village.name

    @staticmethod
    def resolve_categories(obj):
        return sorted(c.number for c in obj.categories.all())

    @staticmethod
    def resolve_overdue(obj):
        return bool(
            obj.status != CaseStatus.CLOSED
            and obj.next_follow_up_on
            and obj.next_follow_up_on < timezone.localdate()
        )


class InterventionOut(Schema):
    id: int
    kind: str
    on: datetime.date
    place: str
    notes: str | None = Field(description="Only with cases.view_sensitive.")
    assessment: str | None = Field(description="Only with cases.view_sensitive.")
    next_follow_up_on: datetime.date | None
    follow_up_done: bool
    worker_id: uuid.UUID

    @staticmethod
    def resolve_notes(obj, context):
        return obj.notes if may_see_sensitive(context) else None

    @staticmethod
    def resolve_assessment(obj, context):
        return obj.assessment if may_see_sensitive(context) else None


class ReferralOut(Schema):
    id: int
    programme: str
    target_detail: str
    status: str
    sent_on: datetime.date
    outcome_on: datetime.date | None
    notes: str


class CaseEventOut(Schema):
    kind: str
    at: datetime.datetime
    from_status: str
    to_status: str
    from_worker_id: uuid.UUID | None
    to_worker_id: uuid.UUID | None
    reason: str


class CaseOut(CaseSummaryOut):
    closure_reason: str
    closure_note: str
    interventions: list[InterventionOut]
    referrals: list[ReferralOut]
    events: list[CaseEventOut]

    @staticmethod
    def resolve_interventions(obj):
        return list(obj.interventions.all())

    @staticmethod
    def resolve_referrals(obj):
        return list(obj.referrals.all())

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())


class CaseFilters(Schema):
    status: CaseStatus | None = None
    category: int | None = Field(None, description="PMKS number.")
    overdue: bool | None = Field(None, description="Only open cases with an overdue follow-up.")
    region: str | None = None


class CaseIn(Body):
    beneficiary: uuid.UUID
    worker: uuid.UUID | None = Field(None, description="Responsible worker; default: yourself.")
    categories: list[int] = Field(min_length=1)
    priority: Priority = Priority.NORMAL
    opened_on: datetime.date | None = None


class StatusIn(Body):
    to: CaseStatus
    reason: ClosureReason | None = Field(None, description="Required when closing.")
    note: str = ""
    on: datetime.date | None = None
    version: int | None = None


class InterventionIn(Body):
    kind: InterventionKind
    on: datetime.date
    place: str = Field("", max_length=200)
    notes: str = ""
    assessment: str = ""
    next_follow_up_on: datetime.date | None = None


class ReferralIn(Body):
    programme: Programme
    sent_on: datetime.date
    target_detail: str = Field("", max_length=200)
    notes: str = Field("", max_length=255)


class OutcomeIn(Body):
    status: ReferralStatus
    on: datetime.date | None = None


class TransferIn(Body):
    worker: uuid.UUID
    reason: str = ""


def _cases(user):
    return (
        Case.objects.visible_to(user)
        .select_related("beneficiary", "worker__village")
        .prefetch_related("categories")
    )


def _case(request, case_id, perm="cases.view_case") -> Case:
    require(request.auth, perm)
    return get_object_or_404(_cases(request.auth), pk=case_id)


def _case_detail(case_id) -> Case:
    return (
        Case.objects.select_related("beneficiary", "worker__village")
        .prefetch_related("categories", "interventions", "referrals", "events")
        .get(pk=case_id)
    )


def _own_worker(user):
    return getattr(user, "worker", None) if user.role == "worker" else None


@router.get("", response=list[CaseSummaryOut], summary="Cases in your area (filtered)")
@paginate(Pagination)
def list_cases(request, filters: Query[CaseFilters]):
    require(request.auth, "cases.view_case")
    qs = _cases(request.auth)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(categories__number=filters.category)
    if filters.region:
        qs = qs.filter(prefix_q("region_code", region_code(filters.region)))
    if filters.overdue:
        qs = services.overdue_cases(qs)
    return qs.order_by("-opened_on", "pk")


@router.get("/due", response=list[CaseSummaryOut], summary="Follow-ups due within 7 days or late")
@paginate(Pagination)
def due_list(request, days: int = Query(7, ge=0, le=90)):
    require(request.auth, "cases.view_case")
    return services.due_cases(_cases(request.auth), horizon_days=days).order_by(
        "next_follow_up_on", "pk"
    )


@router.post("", response={201: CaseOut}, summary="Open a case for a person")
def create_case(request, payload: CaseIn):
    case = open_case_for(request.auth, payload)
    return Created(201, _case_detail(case.pk))


def open_case_for(user, payload: CaseIn, person=None) -> Case:
    """The operation's rules without its answer (also the sync's, with the person it read)."""
    require(user, "cases.add_case")
    refuse_extra_fields(payload)
    if person is None or person.pk != payload.beneficiary:
        person = services.visible_people(user).filter(pk=payload.beneficiary).first()
    if person is None:
        raise ValidationError({"beneficiary": _("No such person in your area.")})
    if payload.worker:
        worker = Worker.objects.visible_to(user).filter(pk=payload.worker).first()
        if worker is None:
            raise ValidationError({"worker": _("No such worker in your area.")})
        if user.role == "worker" and worker != _own_worker(user):
            raise PermissionDenied
    else:
        worker = _own_worker(user)
        if worker is None:
            raise ValidationError({"worker": _("Choose the responsible worker.")})
    not_in_future("opened_on", payload.opened_on)
    return services.open_case(
        person,
        worker,
        user,
        pmks_categories(payload.categories),
        priority=payload.priority,
        opened_on=payload.opened_on,
    )


@router.get("/{uuid:case_id}", response=CaseOut, summary="One case with its history (logged)")
def case_detail(request, case_id: uuid.UUID):
    require(request.auth, "cases.view_case")
    # One read with everything the answer shows (not the scoped row, then the same row again).
    detail = _cases(request.auth).prefetch_related("interventions", "referrals", "events")
    case = get_object_or_404(detail, pk=case_id)
    log_access(request, case, action=AccessLog.Action.API)
    return case


@router.post("/{uuid:case_id}/status", response=CaseOut, summary="Move a case in its lifecycle")
def change_status(
    request,
    case_id: uuid.UUID,
    payload: StatusIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    case = _case(request, case_id)
    refuse_extra_fields(payload)
    expected = expected_version(if_match, payload.version)
    not_in_future("on", payload.on)
    services.change_case_status(
        case,
        payload.to,
        request.auth,
        reason=payload.reason or "",
        note=payload.note,
        on=payload.on,
        expected_version=expected,
    )
    return _case_detail(case.pk)


@router.post(
    "/{uuid:case_id}/interventions", response={201: InterventionOut}, summary="Record a visit"
)
def add_intervention(request, case_id: uuid.UUID, payload: InterventionIn):
    return Created(201, record_intervention(request.auth, _case(request, case_id), payload))


def record_intervention(user, case: Case, payload: InterventionIn):
    """The operation's rules on a case already found in the caller's scope (also the sync's)."""
    refuse_extra_fields(payload)
    return services.add_intervention(
        case,
        user,
        kind=payload.kind,
        on=payload.on,
        place=payload.place,
        notes=payload.notes,
        next_follow_up_on=payload.next_follow_up_on,
        assessment=payload.assessment,
    )


@router.post("/{uuid:case_id}/referrals", response={201: ReferralOut}, summary="Refer a case")
def add_referral(request, case_id: uuid.UUID, payload: ReferralIn):
    return Created(201, record_referral(request.auth, _case(request, case_id), payload))


def record_referral(user, case: Case, payload: ReferralIn):
    """The operation's rules on a case already found in the caller's scope (also the sync's)."""
    refuse_extra_fields(payload)
    not_in_future("sent_on", payload.sent_on)
    return services.refer(
        case,
        user,
        programme=payload.programme,
        sent_on=payload.sent_on,
        target_detail=payload.target_detail,
        notes=payload.notes,
    )


@router.post(
    "/{uuid:case_id}/referrals/{int:referral_id}/outcome",
    response=ReferralOut,
    summary="Record what became of a referral",
)
def referral_outcome(request, case_id: uuid.UUID, referral_id: int, payload: OutcomeIn):
    case = _case(request, case_id)
    refuse_extra_fields(payload)
    not_in_future("on", payload.on)
    referral = get_object_or_404(case.referrals.select_related("case"), pk=referral_id)
    return services.record_referral_outcome(referral, request.auth, payload.status, payload.on)


@router.post("/{uuid:case_id}/transfer", response=CaseOut, summary="Hand a case to another worker")
def transfer(request, case_id: uuid.UUID, payload: TransferIn):
    case = _case(request, case_id)
    refuse_extra_fields(payload)
    require(request.auth, "cases.transfer_case")
    to = Worker.objects.visible_to(request.auth).filter(pk=payload.worker).first()
    if to is None:
        raise ValidationError({"worker": _("No such worker in your area.")})
    services.transfer_case(case, to, request.auth, reason=payload.reason)
    return _case_detail(case.pk)


# ---- activity reports ------------------------------------------------------------------------------


class ReportOut(Schema):
    id: int
    worker_id: uuid.UUID
    worker_name: str
    on: datetime.date
    village_code: str
    activity_type: str
    description: str
    reached_children_m: int
    reached_children_f: int
    reached_adults_m: int
    reached_adults_f: int
    reached_elderly_m: int
    reached_elderly_f: int
    people_reached: int
    status: str
    submitted_at: datetime.datetime | None
    verified_at: datetime.datetime | None
    return_reason: str
    version: int

    @staticmethod
    def resolve_worker_name(obj):
        return obj.worker.full_name

    @staticmethod
    def resolve_village_code(obj):
        return obj.village_id


class ReportFilters(Schema):
    status: str | None = form_choice(ReportFilterForm, "status")
    type: str | None = form_choice(ReportFilterForm, "type", "Activity type.")
    month: str | None = Field(None, description="YYYY-MM.", examples=["2026-05"])
    region: str | None = None


# The largest number a count column holds (PositiveIntegerField on PostgreSQL): beyond it the
# database refuses the row (a server error) instead of the schema refusing the value.
MAX_COUNT = 2**31 - 1


class ReportIn(Body):
    on: datetime.date
    village: str | None = Field(None, description="Village code; default: your own.")
    activity_type: ActivityType
    description: str = Field(min_length=1)
    reached_children_m: int = Field(0, ge=0, le=MAX_COUNT)
    reached_children_f: int = Field(0, ge=0, le=MAX_COUNT)
    reached_adults_m: int = Field(0, ge=0, le=MAX_COUNT)
    reached_adults_f: int = Field(0, ge=0, le=MAX_COUNT)
    reached_elderly_m: int = Field(0, ge=0, le=MAX_COUNT)
    reached_elderly_f: int = Field(0, ge=0, le=MAX_COUNT)
    submit: bool = Field(False, description="Submit for verification at once.")


class VerifyIn(Body):
    approve: bool
    reason: str = ""
    version: int | None = None


def _report(request, report_id, perm="cases.view_activityreport") -> ActivityReport:
    require(request.auth, perm)
    qs = ActivityReport.objects.visible_to(request.auth).select_related("worker")
    return get_object_or_404(qs, pk=report_id)


@router.get("/reports", response=list[ReportOut], summary="Activity reports in your area")
@paginate(Pagination)
def list_reports(request, filters: Query[ReportFilters]):
    require(request.auth, "cases.view_activityreport")
    params = {k: v for k, v in filters.model_dump().items() if v not in (None, "")}
    form, qs = filtered_reports(request.auth, params)
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return qs


@router.post("/reports", response={201: ReportOut}, summary="Write a report (a PSM)")
def create_report(request, payload: ReportIn):
    return Created(201, write_report(request.auth, payload))


def write_report(user, payload: ReportIn) -> ActivityReport:
    """The operation's rules without its answer (also the sync's)."""
    require(user, "cases.add_activityreport")
    refuse_extra_fields(payload)
    worker = _own_worker(user)
    if worker is None:
        raise PermissionDenied
    not_in_future("on", payload.on)
    try:
        village = visible_village(region_code(payload.village or worker.village_id), user)
    except ValidationError as exc:
        raise ValidationError({"village": exc.messages}) from None
    report = ActivityReport(
        worker=worker,
        village=village,
        on=payload.on,
        activity_type=payload.activity_type,
        description=payload.description.strip(),
        **{name: getattr(payload, name) for name in REACHED_FIELDS},
    )
    with atomic():
        report.save()
        if payload.submit:
            services.submit_report(report, user)
    return report


@router.get("/reports/{int:report_id}", response=ReportOut, summary="One activity report")
def report_detail(request, report_id: int):
    return _report(request, report_id)


@router.post("/reports/{int:report_id}/submit", response=ReportOut, summary="Submit a report")
def submit_report(request, report_id: int):
    report = _report(request, report_id, "cases.add_activityreport")
    return services.submit_report(report, request.auth)


@router.post(
    "/reports/{int:report_id}/verify", response=ReportOut, summary="Verify or return a report"
)
def verify_report(
    request,
    report_id: int,
    payload: VerifyIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    report = _report(request, report_id, "cases.verify_report")
    refuse_extra_fields(payload)
    expected = expected_version(if_match, payload.version)
    return services.verify_report(
        report, request.auth, payload.approve, payload.reason, expected_version=expected
    )
