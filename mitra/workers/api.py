"""The workforce registry over JSON: /api/v1/workers/ (list, create) and /api/v1/workers/{id}
(detail, PATCH) with /status, /decrees and /transfer below it.

The same rules as the pages: rows come from `Worker.objects.visible_to(caller)` (outside the scope =
404), the role's permissions decide actions (missing = 403), the list takes the list page's filters,
writes go through `validate_worker_fields` and the services. Only the fields a person may edit are
accepted; any other field in a body (status, region_code, version, user, ...) is refused with 422
rather than silently dropped, so a client learns at once that it cannot set it.

NIKs: lists always show the masked NIK (a list read writes no access-log row, so it must not carry
full NIKs in bulk); one record (GET /{id}, which is logged) shows the full NIK to callers with
`workers.view_nik`.

Auditors (ADR 0021): the address and the phone number are masked (`Jl. ****`, `0812****7890`) and
the birth date is null (the age stays), as on the profile before a reason is stated; the API offers no unmasked read for them (the profile
page's "Tampilkan data lengkap" does, with a reason written to the access log).

Optimistic concurrency: every record carries `version` (also sent as the ETag). PATCH must send the
version it read (If-Match header or `version` in the body); a stale one answers 409.
"""

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Created
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict

from mitra.api.openapi import form_choice
from mitra.api.pagination import Pagination
from mitra.core.access import log_access
from mitra.core.categories import WorkerKind
from mitra.core.models import AccessLog, PmksCategory
from mitra.core.reasons import masked_value, needs_reason
from mitra.core.scope import normalize_code

from . import services
from .filters import WorkerFilterForm, filtered_workers
from .forms import clean_phone, visible_village
from .models import Education, Status, Worker
from .validation import validate_worker_fields

router = Router(tags=["workers"])

VIEW = "workers.view_worker"
ADD = "workers.add_worker"
CHANGE = "workers.change_worker"
VERIFY = "workers.verify_worker"
APPOINT = "workers.appoint_worker"
TRANSFER = "workers.transfer_worker"
VIEW_NIK = "workers.view_nik"

EDITABLE_FIELDS = (
    "kind",
    "nik",
    "full_name",
    "sex",
    "birth_place",
    "birth_date",
    "address",
    "phone",
    "education",
    "occupation",
    "joined_on",
    "ktp_checked",
    "basic_training_on",
)
TEXT_FIELDS = {"nik", "full_name", "birth_place", "address", "phone", "occupation"}
REQUIRED_FIELDS = {"kind", "nik", "full_name", "sex", "birth_place", "birth_date", "address"}
VERIFICATION_FIELDS = ("ktp_checked", "basic_training_on")
FUTURE_MESSAGES = {
    "joined_on": lambda: _("The date of joining is in the future."),
    "basic_training_on": lambda: _("The training date is in the future."),
}


# ---- schemas -----------------------------------------------------------------------------------


class WorkerFilters(Schema):
    q: str | None = Field(None, description="Name, or a full 16-digit NIK.")
    region: str | None = Field(None, description="Region code, e.g. 34.02 or 3402092004.")
    kind: str | None = form_choice(WorkerFilterForm, "kind")
    status: str | None = form_choice(WorkerFilterForm, "status")
    trained: str | None = form_choice(WorkerFilterForm, "trained", "Basic training completed.")
    age: str | None = form_choice(WorkerFilterForm, "age", "Age band in years.")
    sex: str | None = form_choice(WorkerFilterForm, "sex")


class DecreeOut(Schema):
    id: int
    number: str
    issued_on: datetime.date
    office: str
    valid_until: datetime.date | None
    has_scan: bool

    @staticmethod
    def resolve_has_scan(obj):
        return bool(obj.scan)


def may_see_birth_date(user) -> bool:
    """A list gives birth dates only to who may read full NIKs: beside the sex and the masked NIK
    (3402********0001) a birth date gives back the hidden digits, and the district is in the row."""
    return user.has_perm(VIEW_NIK) and not needs_reason(user)


def _personal(obj, name: str, context) -> str:
    """A personal field as the caller may read it: masked for a role that must state a reason."""
    value = getattr(obj, name)
    return masked_value(name, value) if needs_reason(context["request"].auth) else value


class WorkerSummaryOut(Schema):
    id: uuid.UUID
    kind: str
    nik: str = Field(description="Masked (3402********0001) in lists.")
    full_name: str
    sex: str
    birth_date: datetime.date | None = Field(
        description="Only with workers.view_nik (and not for auditors): with sex and the masked "
        "NIK it would give the NIK's hidden digits. The age is always given."
    )
    age: int
    village_code: str
    village_name: str
    district_name: str
    regency_name: str
    status: str
    status_since: datetime.date
    basic_training_on: datetime.date | None
    version: int

    @staticmethod
    def resolve_nik(obj):
        return obj.nik_masked

    @staticmethod
    def resolve_birth_date(obj, context):
        return obj.birth_date if may_see_birth_date(context["request"].auth) else None

    @staticmethod
    def resolve_village_code(obj):
        return obj.village_id

    @staticmethod
    def resolve_village_name(obj):
        return obj.village.name

    @staticmethod
    def resolve_district_name(obj):
        return obj.village.district.name

    @staticmethod
    def resolve_regency_name(obj):
        return obj.village.district.regency.name


class WorkerOut(WorkerSummaryOut):
    nik: str = Field(description="Full NIK for callers with workers.view_nik, else masked.")
    birth_place: str
    address: str = Field(
        description="Home address; masked for auditors (Jl. ****): the village is in village_name."
    )
    phone: str = Field(description="Phone number; masked for auditors (0812****7890).")
    education: str
    occupation: str
    joined_on: datetime.date | None
    ktp_checked: bool
    focus_areas: list[int]
    merged_into: uuid.UUID | None
    decrees: list[DecreeOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_nik(obj, context):
        user = context["request"].auth
        return obj.nik if user.has_perm(VIEW_NIK) else obj.nik_masked

    @staticmethod
    def resolve_birth_date(obj, context):
        # One record, read on purpose and logged: the profile page shows the date too.
        return None if needs_reason(context["request"].auth) else obj.birth_date

    @staticmethod
    def resolve_address(obj, context):
        return _personal(obj, "address", context)

    @staticmethod
    def resolve_phone(obj, context):
        return _personal(obj, "phone", context)

    @staticmethod
    def resolve_focus_areas(obj):
        return sorted(c.number for c in obj.focus_areas.all())

    @staticmethod
    def resolve_merged_into(obj):
        return obj.merged_into_id

    @staticmethod
    def resolve_decrees(obj):
        return list(obj.decrees.all())


class _Body(BaseModel):
    # Unknown fields are kept so they can be refused by name (see _refuse_extra_fields). A plain
    # pydantic model: ninja's Schema reads input through a getter that drops unknown fields.
    model_config = ConfigDict(extra="allow")


class WorkerCreateIn(_Body):
    kind: WorkerKind = WorkerKind.PSM
    nik: str
    full_name: str
    sex: str = Field(description="L or P.")
    birth_place: str
    birth_date: datetime.date
    address: str
    village: str = Field(description="Village code (10 digits, dots allowed) inside your area.")
    phone: str = ""
    education: Education | None = None
    occupation: str = ""
    joined_on: datetime.date | None = None
    ktp_checked: bool = False
    basic_training_on: datetime.date | None = None
    focus_areas: list[int] = Field(default_factory=list, description="PMKS numbers (1-26).")
    confirm_duplicates: bool = Field(
        False, description="Save although records that look like the same person exist."
    )


class WorkerUpdateIn(_Body):
    version: int | None = Field(
        None, description="The version you read (or send it as the If-Match header)."
    )
    kind: WorkerKind | None = None
    nik: str | None = None
    full_name: str | None = None
    sex: str | None = None
    birth_place: str | None = None
    birth_date: datetime.date | None = None
    address: str | None = None
    phone: str | None = None
    education: Education | None = None
    occupation: str | None = None
    joined_on: datetime.date | None = None
    ktp_checked: bool | None = None
    basic_training_on: datetime.date | None = None
    focus_areas: list[int] | None = None


class WorkerStatusIn(_Body):
    to: Status
    reason: str = ""
    on: datetime.date | None = None
    version: int | None = None


class DecreeIn(_Body):
    number: str
    issued_on: datetime.date
    office: str
    valid_until: datetime.date | None = None
    activate: bool = Field(True, description="Activate a worker whose requirements are met.")


class WorkerTransferIn(_Body):
    village: str = Field(description="Code of the new village, inside your area.")
    reason: str = ""
    on: datetime.date | None = None
    version: int | None = None


# ---- helpers -----------------------------------------------------------------------------------

_HINTS = {
    "status": lambda: _("Change the status with POST /api/v1/workers/{id}/status."),
    "village": lambda: _(
        "Move a worker to another village with POST /api/v1/workers/{id}/transfer."
    ),
}


def _refuse_extra_fields(payload: _Body, hints: dict | None = None) -> None:
    """Mass assignment: a field the caller may not set is an error, never quietly applied."""
    extra = payload.model_extra or {}
    if extra:
        raise ValidationError(
            {
                name: (hints or {}).get(name, lambda: _("This field cannot be set here."))()
                for name in sorted(extra)
            }
        )


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _visible(user):
    return Worker.objects.visible_to(user).select_related("village__district__regency")


def _get_worker(request, worker_id, perm: str = VIEW, *, for_change: bool = False) -> Worker:
    user = request.auth
    _require(user, perm)
    qs = _visible(user)
    if not for_change:  # the services read decrees afresh; a prefetched list would go stale
        qs = qs.prefetch_related("focus_areas", "decrees")
    worker = get_object_or_404(qs, pk=worker_id)
    if for_change and worker.merged_into_id:
        raise ValidationError(
            _("This record was merged into another one; change that record instead."),
            code="merged",
        )
    return worker


def _reload(worker: Worker) -> Worker:
    return (
        Worker.objects.select_related("village__district__regency")
        .prefetch_related("focus_areas", "decrees")
        .get(pk=worker.pk)
    )


def _village_in_scope(raw: str, user, errors: dict):
    """The village a code names when it lies in the caller's area (the form's rule)."""
    try:
        return visible_village(normalize_code(raw), user)
    except ValueError:
        errors["village"] = _("Write a region code like 34, 34.02, 34.02.09 or 34.02.09.2004.")
    except ValidationError as exc:
        errors["village"] = " ".join(exc.messages)
    return None


def _focus_categories(numbers: list[int], errors: dict):
    wanted = set(numbers)
    found = list(PmksCategory.objects.filter(number__in=wanted))
    unknown = sorted(wanted - {c.number for c in found})
    if unknown:
        errors["focus_areas"] = _("Unknown PMKS category number: %(numbers)s.") % {
            "numbers": ", ".join(str(n) for n in unknown)
        }
    return found


def _apply(worker: Worker, values: dict[str, Any], errors: dict) -> None:
    """Set the sent fields, with the form's cleaning (phone, dates not in the future)."""
    for name, value in values.items():
        if value is None and name in REQUIRED_FIELDS:
            errors[name] = _("This field is required.")
            continue
        if name in TEXT_FIELDS:
            value = (value or "").strip()
        if name == "education":
            value = value or ""
        try:
            if name == "phone":
                value = clean_phone(value)
            elif name in FUTURE_MESSAGES and value and value > timezone.localdate():
                raise ValidationError(FUTURE_MESSAGES[name]())
        except ValidationError as exc:
            errors[name] = " ".join(exc.messages)
            continue
        setattr(worker, name, value)


def _verification_hints(user) -> dict:
    """The KTP check and basic training are recorded by those who verify workers (as on the
    form); for anyone else they are fields that cannot be set."""
    if user.has_perm(VERIFY):
        return {}
    return {
        name: lambda: _("Only an officer who verifies workers records this.")
        for name in VERIFICATION_FIELDS
    }


def _refuse_unverified_fields(payload: _Body, user) -> None:
    hints = _verification_hints(user)
    sent = {name for name in hints if name in payload.model_fields_set}
    if sent:
        raise ValidationError({name: hints[name]() for name in sorted(sent)})


def _validate(worker: Worker, errors: dict) -> None:
    """The form's rules (NIK, birth date, unique NIK), then the model's field rules."""
    try:
        validate_worker_fields(worker)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    services.fill_derived_fields(worker)
    exclude = {"nik", "nik_hash", "village", "photo", "status_since", *errors}
    try:
        worker.full_clean(exclude=sorted(exclude), validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)


def _expected_version(if_match: str | None, body_version: int | None) -> int | None:
    if if_match:
        text = if_match.strip().removeprefix("W/").strip('"')
        try:
            return int(text)
        except ValueError:
            raise ValidationError(
                {"If-Match": _('If-Match must hold the record\'s version, e.g. "3".')}
            ) from None
    return body_version


def _not_in_future(on, errors: dict) -> None:
    if on and on > timezone.localdate():
        errors["on"] = _("The date is in the future.")


# ---- endpoints ---------------------------------------------------------------------------------


def _filtered(request, filters: WorkerFilters):
    user = request.auth
    _require(user, VIEW)
    params = {k: v for k, v in filters.model_dump().items() if v not in (None, "")}
    form, qs = filtered_workers(user, params)
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors.as_data())
    # Region, then name: the order the (region_code, full_name) index serves for a scope range.
    return qs.select_related("village__district__regency").order_by(
        "region_code", "full_name", "pk"
    )


def _has_nik(text: str | None) -> bool:
    digits = "".join(ch for ch in text or "" if ch.isdigit())
    return len(digits) >= 16


@router.get("", response=list[WorkerSummaryOut], summary="Workers in your area (filtered)")
@paginate(Pagination)
def list_workers(request, filters: Query[WorkerFilters]):
    # A URL is kept by proxies, server logs and browser history: a NIK never goes in one.
    if _has_nik(filters.q):
        raise ValidationError(
            {"q": _("A NIK must not be sent in a URL: search with POST /api/v1/workers/search.")}
        )
    return _filtered(request, filters)


@router.post(
    "/search",
    response=list[WorkerSummaryOut],
    summary="Workers in your area, filters in the body (search by NIK here)",
)
@paginate(Pagination)
def search_workers(request, filters: WorkerFilters):
    return _filtered(request, filters)


@router.get(
    "/{worker_id}",
    response=WorkerOut,
    summary="One worker (the read is logged)",
    description=(
        "An auditor gets the address and the phone number masked and no birth date (ADR 0021)."
    ),
)
def worker_detail(request, worker_id: uuid.UUID, response: HttpResponse):
    worker = _get_worker(request, worker_id)
    log_access(request, worker, action=AccessLog.Action.API)
    response["ETag"] = f'"{worker.version}"'
    return worker


@router.post("", response={201: WorkerOut}, summary="Register a worker (status: application)")
def create_worker(request, payload: WorkerCreateIn):
    user = request.auth
    _require(user, ADD)
    _refuse_extra_fields(payload)
    _refuse_unverified_fields(payload, user)
    errors: dict = {}
    village = _village_in_scope(payload.village, user, errors)
    categories = _focus_categories(payload.focus_areas, errors)
    worker = Worker(status=Status.APPLIED, status_since=timezone.localdate())
    _apply(worker, payload.model_dump(include=set(EDITABLE_FIELDS)), errors)
    worker.village = village
    _validate(worker, errors)
    if not errors and not payload.confirm_duplicates:
        same = services.likely_duplicates(worker, Worker.objects.visible_to(user))
        if same:
            errors["confirm_duplicates"] = _(
                "%(count)d record(s) in your area look like the same person (same date of birth "
                "and a similar name in the same district). Check them; if this is a different "
                "person, send confirm_duplicates: true."
            ) % {"count": len(same)}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        worker.save()
        worker.focus_areas.set(categories)
    return Created(201, _reload(worker))


@router.patch("/{worker_id}", response=WorkerOut, summary="Change a worker's editable fields")
def update_worker(
    request,
    worker_id: uuid.UUID,
    payload: WorkerUpdateIn,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
):
    worker = _get_worker(request, worker_id, CHANGE, for_change=True)
    _refuse_extra_fields(payload, _HINTS)
    _refuse_unverified_fields(payload, request.auth)
    expected = _expected_version(if_match, payload.version)
    if expected is None:
        raise HttpError(
            428,
            _(
                "Send the version you last read, in the If-Match header or as `version`, so "
                "that you do not overwrite someone else's change."
            ),
        )
    values = payload.model_dump(include=set(EDITABLE_FIELDS), exclude_unset=True)
    errors: dict = {}
    categories = None
    if payload.focus_areas is not None:
        categories = _focus_categories(payload.focus_areas, errors)
    with transaction.atomic():
        locked = Worker.objects.select_for_update().get(pk=worker.pk)
        # A stale version is a conflict (409) before anything else; the version bump is undone
        # with the transaction if the new values turn out to be invalid.
        services.bump_version(locked, expected)
        _apply(locked, values, errors)
        _validate(locked, errors)
        if errors:
            raise ValidationError(errors)
        locked.save()
        if categories is not None:
            locked.focus_areas.set(categories)
    worker = _reload(locked)
    response["ETag"] = f'"{worker.version}"'
    return worker


@router.post("/{worker_id}/status", response=WorkerOut, summary="Move a worker in the lifecycle")
def change_status(
    request,
    worker_id: uuid.UUID,
    payload: WorkerStatusIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    user = request.auth
    worker = _get_worker(request, worker_id, CHANGE, for_change=True)
    _refuse_extra_fields(payload)
    errors: dict = {}
    _not_in_future(payload.on, errors)
    if errors:
        raise ValidationError(errors)
    services.change_status(
        worker,
        payload.to,
        user,
        reason=payload.reason,
        on=payload.on,
        expected_version=_expected_version(if_match, payload.version),
    )
    return _reload(worker)


@router.post(
    "/{worker_id}/decrees",
    response={201: DecreeOut},
    summary="Record a decree (SK); it activates a worker whose requirements are met",
)
def record_decree(request, worker_id: uuid.UUID, payload: DecreeIn):
    user = request.auth
    worker = _get_worker(request, worker_id, APPOINT, for_change=True)
    _refuse_extra_fields(payload)
    errors = {
        name: _("This field is required.")
        for name in ("number", "office")
        if not getattr(payload, name).strip()
    }
    if errors:
        raise ValidationError(errors)
    decree = services.record_decree(
        worker,
        user,
        number=payload.number,
        issued_on=payload.issued_on,
        office=payload.office,
        valid_until=payload.valid_until,
        activate=payload.activate,
    )
    return Created(201, decree)


@router.post(
    "/{worker_id}/transfer", response=WorkerOut, summary="Move a worker to another village"
)
def transfer_worker(
    request,
    worker_id: uuid.UUID,
    payload: WorkerTransferIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    user = request.auth
    worker = _get_worker(request, worker_id, TRANSFER, for_change=True)
    _refuse_extra_fields(payload)
    errors: dict = {}
    village = _village_in_scope(payload.village, user, errors)
    _not_in_future(payload.on, errors)
    if errors:
        raise ValidationError(errors)
    services.transfer(
        worker,
        village,
        user,
        reason=payload.reason,
        on=payload.on,
        expected_version=_expected_version(if_match, payload.version),
    )
    return _reload(worker)
