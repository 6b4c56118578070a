"""Field work over JSON, under /api/v1/cases/:

* beneficiaries: GET/POST /beneficiaries, GET /beneficiaries/{id} (the read is logged, action api);
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
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Created
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict

from mitra.api.pagination import Pagination
from mitra.core.access import log_access
from mitra.core.models import AccessLog, PmksCategory
from mitra.core.scope import normalize_code, prefix_q
from mitra.workers.forms import visible_village
from mitra.workers.models import Worker
from mitra.workers.validation import check_nik

from . import services
from .models import (
    ActivityReport,
    ActivityType,
    Beneficiary,
    Case,
    CaseStatus,
    ClosureReason,
    ConsentMethod,
    ConsentRelation,
    InterventionKind,
    Priority,
    Programme,
    ReferralStatus,
)
from .reports_forms import REACHED_FIELDS, filtered_reports

router = Router(tags=["cases"])

SENSITIVE = "cases.view_sensitive"


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _may_see_sensitive(context) -> bool:
    return context["request"].auth.has_perm(SENSITIVE)


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")


def _refuse_extra_fields(payload: _Body) -> None:
    extra = payload.model_extra or {}
    if extra:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(extra)})


def _expected_version(if_match: str | None, body_version: int | None) -> int:
    if if_match:
        try:
            return int(if_match.strip().removeprefix("W/").strip('"'))
        except ValueError:
            raise ValidationError(
                {"If-Match": _('If-Match must hold the record\'s version, e.g. "3".')}
            ) from None
    if body_version is None:
        raise HttpError(
            428,
            _(
                "Send the version you last read, in the If-Match header or as `version`, so "
                "that you do not overwrite someone else's change."
            ),
        )
    return body_version


def _categories(numbers: list[int], field: str = "categories") -> list[PmksCategory]:
    wanted = set(numbers)
    found = list(PmksCategory.objects.filter(number__in=wanted))
    unknown = sorted(wanted - {c.number for c in found})
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown PMKS category number: %(numbers)s.")
                % {"numbers": ", ".join(str(n) for n in unknown)}
            }
        )
    return found


def _not_in_future(field: str, value) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: _("The date is in the future.")})


# ---- beneficiaries ---------------------------------------------------------------------------------


class BeneficiarySummaryOut(Schema):
    id: uuid.UUID
    full_name: str
    nik: str = Field(description="Always masked (3402********0001).")
    sex: str
    birth_date: datetime.date | None
    age: int | None
    village_code: str
    categories: list[int]
    version: int

    @staticmethod
    def resolve_nik(obj):
        return obj.nik_masked

    @staticmethod
    def resolve_age(obj):
        return services.age_of(obj)

    @staticmethod
    def resolve_village_code(obj):
        return obj.village_id

    @staticmethod
    def resolve_categories(obj):
        return sorted(c.number for c in obj.categories.all())


class BeneficiaryOut(BeneficiarySummaryOut):
    estimated_age: int | None
    address: str
    consent_by: str
    consent_relation: str
    consent_on: datetime.date
    consent_method: str
    household_notes: str | None = Field(description="Only with cases.view_sensitive.")
    disability_type: str | None = Field(description="Only with cases.view_sensitive.")
    health_notes: str | None = Field(description="Only with cases.view_sensitive.")
    violence_details: str | None = Field(description="Only with cases.view_sensitive.")
    created_at: datetime.datetime

    @staticmethod
    def resolve_household_notes(obj, context):
        return obj.household_notes if _may_see_sensitive(context) else None

    @staticmethod
    def resolve_disability_type(obj, context):
        return obj.disability_type if _may_see_sensitive(context) else None

    @staticmethod
    def resolve_health_notes(obj, context):
        return obj.health_notes if _may_see_sensitive(context) else None

    @staticmethod
    def resolve_violence_details(obj, context):
        return obj.violence_details if _may_see_sensitive(context) else None


class BeneficiaryIn(_Body):
    full_name: str
    nik: str = ""
    sex: str = Field(description="L or P.")
    birth_date: datetime.date | None = None
    estimated_age: int | None = Field(None, ge=0, le=130)
    village: str = Field(description="Village code inside your area.")
    address: str
    household_notes: str = ""
    disability_type: str = ""
    health_notes: str = ""
    violence_details: str = ""
    categories: list[int] = Field(description="PMKS numbers (1-26).", min_length=1)
    consent_by: str
    consent_relation: ConsentRelation
    consent_on: datetime.date
    consent_method: ConsentMethod


class BeneficiaryFilters(Schema):
    region: str | None = Field(None, description="Region code, e.g. 34.02.09.")
    category: int | None = Field(None, description="PMKS number.")


def _people(user):
    return services.visible_people(user).prefetch_related("categories")


def _region(raw: str | None) -> str:
    try:
        return normalize_code(raw or "")
    except ValueError:
        raise ValidationError(
            {"region": _("Write a region code like 34, 34.02, 34.02.09 or 34.02.09.2004.")}
        ) from None


@router.get("/beneficiaries", response=list[BeneficiarySummaryOut], summary="People in your area")
@paginate(Pagination)
def list_beneficiaries(request, filters: Query[BeneficiaryFilters]):
    _require(request.auth, "cases.view_beneficiary")
    qs = _people(request.auth)
    if filters.region:
        qs = qs.filter(prefix_q("region_code", _region(filters.region)))
    if filters.category:
        qs = qs.filter(categories__number=filters.category)
    return qs.order_by("region_code", "full_name", "pk")


@router.get(
    "/beneficiaries/{uuid:person_id}",
    response=BeneficiaryOut,
    summary="One person (the read is logged)",
)
def beneficiary_detail(request, person_id: uuid.UUID):
    _require(request.auth, "cases.view_beneficiary")
    person = get_object_or_404(_people(request.auth), pk=person_id)
    log_access(request, person, action=AccessLog.Action.API)
    return person


@router.post("/beneficiaries", response={201: BeneficiaryOut}, summary="Record a person")
def create_beneficiary(request, payload: BeneficiaryIn):
    user = request.auth
    _require(user, "cases.add_beneficiary")
    _refuse_extra_fields(payload)
    sensitive = {n for n in Beneficiary.SENSITIVE_FIELDS if getattr(payload, n)}
    if sensitive and not user.has_perm(SENSITIVE):
        raise PermissionDenied
    errors: dict = {}
    village = None
    try:
        village = visible_village(_region(payload.village), user)
    except ValidationError as exc:
        errors["village"] = " ".join(exc.messages)
    values = payload.model_dump(exclude={"village", "categories"})
    for name in ("full_name", "address", "consent_by"):
        values[name] = values[name].strip()
        if not values[name]:
            errors[name] = _("This field is required.")
    if payload.sex not in ("L", "P"):
        errors["sex"] = _("Write L or P.")
    if payload.birth_date is None and payload.estimated_age is None:
        errors["birth_date"] = _("Give the date of birth or an estimated age.")
    if values["nik"]:
        try:
            values["nik"] = check_nik(values["nik"], payload.sex, payload.birth_date)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        categories = _categories(payload.categories)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    person = Beneficiary(village=village, **values)
    services.check_consent(person)
    _not_in_future("birth_date", person.birth_date)
    services.fill_beneficiary_fields(person)
    if person.nik_hash and Beneficiary.objects.filter(nik_hash=person.nik_hash).exists():
        raise ValidationError({"nik": _("A person with this NIK is already recorded.")})
    with transaction.atomic():
        person.save()
        person.categories.set(categories)
    return Created(201, Beneficiary.objects.prefetch_related("categories").get(pk=person.pk))


# ---- cases -----------------------------------------------------------------------------------------


class CaseSummaryOut(Schema):
    id: uuid.UUID
    beneficiary_id: uuid.UUID
    beneficiary_name: str
    nik: str = Field(description="Always masked.")
    worker_id: uuid.UUID
    worker_name: str
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
        return obj.notes if _may_see_sensitive(context) else None

    @staticmethod
    def resolve_assessment(obj, context):
        return obj.assessment if _may_see_sensitive(context) else None


class ReferralOut(Schema):
    id: int
    programme: str
    target_detail: str
    status: str
    sent_on: datetime.date
    outcome_on: datetime.date | None
    notes: str


class EventOut(Schema):
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
    events: list[EventOut]

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


class CaseIn(_Body):
    beneficiary: uuid.UUID
    worker: uuid.UUID | None = Field(None, description="Responsible worker; default: yourself.")
    categories: list[int] = Field(min_length=1)
    priority: Priority = Priority.NORMAL
    opened_on: datetime.date | None = None


class StatusIn(_Body):
    to: CaseStatus
    reason: ClosureReason | None = Field(None, description="Required when closing.")
    note: str = ""
    on: datetime.date | None = None
    version: int | None = None


class InterventionIn(_Body):
    kind: InterventionKind
    on: datetime.date
    place: str = ""
    notes: str = ""
    assessment: str = ""
    next_follow_up_on: datetime.date | None = None


class ReferralIn(_Body):
    programme: Programme
    sent_on: datetime.date
    target_detail: str = ""
    notes: str = ""


class OutcomeIn(_Body):
    status: ReferralStatus
    on: datetime.date | None = None


class TransferIn(_Body):
    worker: uuid.UUID
    reason: str = ""


def _cases(user):
    return (
        Case.objects.visible_to(user)
        .select_related("beneficiary", "worker")
        .prefetch_related("categories")
    )


def _case(request, case_id, perm="cases.view_case") -> Case:
    _require(request.auth, perm)
    return get_object_or_404(_cases(request.auth), pk=case_id)


def _case_detail(case_id) -> Case:
    return (
        Case.objects.select_related("beneficiary", "worker")
        .prefetch_related("categories", "interventions", "referrals", "events")
        .get(pk=case_id)
    )


def _own_worker(user):
    return getattr(user, "worker", None) if user.role == "worker" else None


@router.get("", response=list[CaseSummaryOut], summary="Cases in your area (filtered)")
@paginate(Pagination)
def list_cases(request, filters: Query[CaseFilters]):
    _require(request.auth, "cases.view_case")
    qs = _cases(request.auth)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(categories__number=filters.category)
    if filters.region:
        qs = qs.filter(prefix_q("region_code", _region(filters.region)))
    if filters.overdue:
        qs = qs.open().filter(next_follow_up_on__lt=timezone.localdate())
    return qs.order_by("-opened_on", "pk")


@router.get("/due", response=list[CaseSummaryOut], summary="Follow-ups due within 7 days or late")
@paginate(Pagination)
def due_list(request, days: int = Query(7, ge=0, le=90)):
    _require(request.auth, "cases.view_case")
    return services.due_cases(_cases(request.auth), horizon_days=days).order_by(
        "next_follow_up_on", "pk"
    )


@router.post("", response={201: CaseOut}, summary="Open a case for a person")
def create_case(request, payload: CaseIn):
    user = request.auth
    _require(user, "cases.add_case")
    _refuse_extra_fields(payload)
    person = services.visible_people(user).filter(pk=payload.beneficiary).first()
    if person is None:
        raise ValidationError({"beneficiary": _("No such person in your area.")})
    if payload.worker:
        worker = Worker.objects.visible_to(user).filter(pk=payload.worker).first()
        if worker is None:
            raise ValidationError({"worker": _("No such worker in your area.")})
        own = _own_worker(user)
        if user.role == "worker" and worker != own:
            raise PermissionDenied
    else:
        worker = _own_worker(user)
        if worker is None:
            raise ValidationError({"worker": _("Choose the responsible worker.")})
    _not_in_future("opened_on", payload.opened_on)
    case = services.open_case(
        person,
        worker,
        user,
        _categories(payload.categories),
        priority=payload.priority,
        opened_on=payload.opened_on,
    )
    return Created(201, _case_detail(case.pk))


@router.get("/{uuid:case_id}", response=CaseOut, summary="One case with its history (logged)")
def case_detail(request, case_id: uuid.UUID):
    case = _case(request, case_id)
    log_access(request, case, action=AccessLog.Action.API)
    return _case_detail(case.pk)


@router.post("/{uuid:case_id}/status", response=CaseOut, summary="Move a case in its lifecycle")
def change_status(
    request,
    case_id: uuid.UUID,
    payload: StatusIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    case = _case(request, case_id)
    _refuse_extra_fields(payload)
    expected = _expected_version(if_match, payload.version)
    _not_in_future("on", payload.on)
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
    case = _case(request, case_id)
    _refuse_extra_fields(payload)
    intervention = services.add_intervention(
        case,
        request.auth,
        kind=payload.kind,
        on=payload.on,
        place=payload.place,
        notes=payload.notes,
        next_follow_up_on=payload.next_follow_up_on,
        assessment=payload.assessment,
    )
    return Created(201, intervention)


@router.post("/{uuid:case_id}/referrals", response={201: ReferralOut}, summary="Refer a case")
def add_referral(request, case_id: uuid.UUID, payload: ReferralIn):
    case = _case(request, case_id)
    _refuse_extra_fields(payload)
    _not_in_future("sent_on", payload.sent_on)
    referral = services.refer(
        case,
        request.auth,
        programme=payload.programme,
        sent_on=payload.sent_on,
        target_detail=payload.target_detail,
        notes=payload.notes,
    )
    return Created(201, referral)


@router.post(
    "/{uuid:case_id}/referrals/{int:referral_id}/outcome",
    response=ReferralOut,
    summary="Record what became of a referral",
)
def referral_outcome(request, case_id: uuid.UUID, referral_id: int, payload: OutcomeIn):
    case = _case(request, case_id)
    _refuse_extra_fields(payload)
    _not_in_future("on", payload.on)
    referral = get_object_or_404(case.referrals.select_related("case"), pk=referral_id)
    return services.record_referral_outcome(referral, request.auth, payload.status, payload.on)


@router.post("/{uuid:case_id}/transfer", response=CaseOut, summary="Hand a case to another worker")
def transfer(request, case_id: uuid.UUID, payload: TransferIn):
    case = _case(request, case_id)
    _refuse_extra_fields(payload)
    _require(request.auth, "cases.transfer_case")
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
    status: str | None = None
    type: str | None = None
    month: str | None = Field(None, description="YYYY-MM.")
    region: str | None = None


class ReportIn(_Body):
    on: datetime.date
    village: str | None = Field(None, description="Village code; default: your own.")
    activity_type: ActivityType
    description: str = Field(min_length=1)
    reached_children_m: int = Field(0, ge=0)
    reached_children_f: int = Field(0, ge=0)
    reached_adults_m: int = Field(0, ge=0)
    reached_adults_f: int = Field(0, ge=0)
    reached_elderly_m: int = Field(0, ge=0)
    reached_elderly_f: int = Field(0, ge=0)
    submit: bool = Field(False, description="Submit for verification at once.")


class VerifyIn(_Body):
    approve: bool
    reason: str = ""
    version: int | None = None


def _report(request, report_id, perm="cases.view_activityreport") -> ActivityReport:
    _require(request.auth, perm)
    qs = ActivityReport.objects.visible_to(request.auth).select_related("worker")
    return get_object_or_404(qs, pk=report_id)


@router.get("/reports", response=list[ReportOut], summary="Activity reports in your area")
@paginate(Pagination)
def list_reports(request, filters: Query[ReportFilters]):
    _require(request.auth, "cases.view_activityreport")
    params = {k: v for k, v in filters.model_dump().items() if v not in (None, "")}
    form, qs = filtered_reports(request.auth, params)
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return qs


@router.post("/reports", response={201: ReportOut}, summary="Write a report (a PSM)")
def create_report(request, payload: ReportIn):
    user = request.auth
    _require(user, "cases.add_activityreport")
    _refuse_extra_fields(payload)
    worker = _own_worker(user)
    if worker is None:
        raise PermissionDenied
    _not_in_future("on", payload.on)
    try:
        village = visible_village(_region(payload.village or worker.village_id), user)
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
    with transaction.atomic():
        report.save()
        if payload.submit:
            services.submit_report(report, user)
    return Created(201, report)


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
    _refuse_extra_fields(payload)
    expected = _expected_version(if_match, payload.version)
    return services.verify_report(
        report, request.auth, payload.approve, payload.reason, expected_version=expected
    )
