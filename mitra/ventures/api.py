"""Ventures over JSON, under /api/v1/ventures/:

* GET "" (ventures you can see; ?status=), POST "" (record one), GET /kinds;
* GET /{id} (one venture with its support and results; the read is logged), PATCH /{id} (change
  it, with the `version` you read);
* POST /{id}/supports (support without its scan: the proof is uploaded on the page),
  POST /{id}/results (a month's or quarter's result; the PSM for their own venture).

The same rules as the pages, through the same services: rows from `visible_to(caller)` (outside =
404), permissions decide actions (403), broken rules answer 422 with the reason in Indonesian.
"""

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Created
from ninja.pagination import paginate

from mitra.api.pagination import Pagination
from mitra.cases.api_common import Body, refuse_extra_fields, require
from mitra.core.access import log_access
from mitra.core.models import AccessLog
from mitra.core.scope import normalize_code
from mitra.regions.models import Village
from mitra.training.models import Enrolment
from mitra.workers.models import Worker

from . import services
from .models import (
    IncomeBand,
    PeriodKind,
    StopReason,
    Support,
    SupportKind,
    SupportSource,
    Venture,
    VentureKind,
    VentureResult,
    VentureStatus,
)

router = Router(tags=["ventures"])
VIEW = "ventures.view_venture"
NOT_NULL = {"name", "kind", "is_group", "status", "description", "stop_note"}


class KindOut(Schema):
    id: int
    name: str
    region_code: str


class SupportOut(Schema):
    id: int
    kind: str
    source: str
    programme: str
    amount: Decimal | None
    received_on: datetime.date
    enrolment_id: int | None
    has_proof: bool
    note: str

    @staticmethod
    def resolve_has_proof(obj):
        return bool(obj.proof)


class ResultOut(Schema):
    id: int
    period_kind: str
    period_start: datetime.date
    turnover: Decimal
    income_band: str
    people_working: int
    beneficiaries_involved: int


class VentureSummaryOut(Schema):
    id: uuid.UUID
    name: str
    worker_id: uuid.UUID
    kind_id: int
    kind: str
    is_group: bool
    village_code: str = Field(alias="village_id")
    status: str
    started_on: datetime.date | None
    stopped_on: datetime.date | None
    stop_reason: str
    version: int

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.name


class VentureOut(VentureSummaryOut):
    stop_note: str
    description: str
    supports: list[SupportOut]
    results: list[ResultOut]

    @staticmethod
    def resolve_supports(obj):
        return list(obj.supports.all())

    @staticmethod
    def resolve_results(obj):
        return list(obj.results.all())


class VentureIn(Body):
    name: str = Field(min_length=1, max_length=120)
    worker: uuid.UUID
    kind: int
    village: str = Field("", description="Village code; empty: the PSM's own village.")
    is_group: bool = False
    status: VentureStatus = VentureStatus.PLANNED
    started_on: datetime.date | None = None
    description: str = Field("", max_length=2000)


class VenturePatch(Body):
    version: int
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: int | None = None
    is_group: bool | None = None
    status: VentureStatus | None = None
    started_on: datetime.date | None = None
    stopped_on: datetime.date | None = None
    stop_reason: StopReason | None = None
    stop_note: str | None = Field(None, max_length=255)
    description: str | None = Field(None, max_length=2000)


class SupportIn(Body):
    kind: SupportKind
    source: SupportSource
    programme: str = Field(min_length=1, max_length=150)
    amount: int | None = Field(None, ge=0, description="Whole rupiah.")
    received_on: datetime.date
    enrolment: int | None = None
    note: str = Field("", max_length=255)


class ResultIn(Body):
    period_kind: PeriodKind
    period_start: datetime.date = Field(description="Any day of the month or quarter.")
    turnover: int = Field(ge=0, description="Whole rupiah.")
    income_band: IncomeBand
    people_working: int = Field(ge=1, le=10000)
    beneficiaries_involved: int = Field(0, ge=0, le=10000)
    note: str = Field("", max_length=1000)


def _venture(request, venture_id, perm: str = VIEW) -> Venture:
    require(request.auth, perm)
    require(request.auth, VIEW)
    qs = Venture.objects.visible_to(request.auth).select_related("kind", "worker")
    return get_object_or_404(qs, pk=venture_id)


def _kind(user, pk) -> VentureKind:
    kind = VentureKind.objects.visible_to(user).filter(pk=pk).first()
    if kind is None:
        raise ValidationError({"kind": _("Unknown kind of business.")})
    return kind


@router.get("", response=list[VentureSummaryOut], summary="Ventures you can see")
@paginate(Pagination)
def list_ventures(request, status: VentureStatus | None = None):
    require(request.auth, VIEW)
    qs = Venture.objects.visible_to(request.auth).select_related("kind")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("name", "id")


@router.get("/kinds", response=list[KindOut], summary="Kinds of business you can choose")
def list_kinds(request):
    require(request.auth, VIEW)
    return list(VentureKind.objects.visible_to(request.auth))


@router.post("", response={201: VentureOut}, summary="Record a venture")
def create_venture(request, payload: VentureIn):
    refuse_extra_fields(payload)
    require(request.auth, "ventures.add_venture")
    worker = Worker.objects.visible_to(request.auth).filter(pk=payload.worker).first()
    if worker is None:
        raise ValidationError({"worker": _("This PSM is outside your area.")})
    village = worker.village
    if payload.village:
        try:
            code = normalize_code(payload.village)
        except ValueError:
            code = ""
        village = Village.objects.visible_to(request.auth).filter(code=code).first()
        if village is None or len(code) != 10:
            raise ValidationError({"village": _("Choose a village of your area.")})
    venture = Venture(
        name=payload.name,
        worker=worker,
        kind=_kind(request.auth, payload.kind),
        village=village,
        is_group=payload.is_group,
        status=payload.status,
        started_on=payload.started_on,
        description=payload.description,
    )
    services.create_venture(venture, request.auth)
    return Created(201, venture)


@router.get("/{uuid:venture_id}", response=VentureOut, summary="One venture")
def venture_detail(request, venture_id: uuid.UUID):
    venture = _venture(request, venture_id)
    log_access(request, venture, AccessLog.Action.API)
    return venture


@router.patch("/{uuid:venture_id}", response=VentureOut, summary="Change a venture")
def update_venture(request, venture_id: uuid.UUID, payload: VenturePatch):
    refuse_extra_fields(payload)
    venture = _venture(request, venture_id, "ventures.change_venture")
    if not services.may_manage(request.auth, venture):
        raise PermissionDenied
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "kind" in changes:
        changes["kind"] = _kind(request.auth, changes["kind"])
    for name, value in changes.items():
        if value is None and name in NOT_NULL:
            continue  # null means "leave it" for a field that cannot be empty
        setattr(venture, name, "" if value is None and name == "stop_reason" else value)
    services.update_venture(venture, request.auth, payload.version)
    return venture


@router.post(
    "/{uuid:venture_id}/supports", response={201: SupportOut}, summary="Record support received"
)
def add_support(request, venture_id: uuid.UUID, payload: SupportIn):
    refuse_extra_fields(payload)
    venture = _venture(request, venture_id, "ventures.add_support")
    enrolment = None
    if payload.enrolment is not None:
        enrolment = Enrolment.objects.visible_to(request.auth).filter(pk=payload.enrolment).first()
        if enrolment is None:
            raise ValidationError({"enrolment": _("This enrolment is not the venture's PSM's.")})
    support = Support(
        venture=venture,
        kind=payload.kind,
        source=payload.source,
        programme=payload.programme,
        amount=payload.amount,
        received_on=payload.received_on,
        enrolment=enrolment,
        note=payload.note,
    )
    services.add_support(support, request.auth)
    return Created(201, support)


@router.post(
    "/{uuid:venture_id}/results", response={201: ResultOut}, summary="Record a month or quarter"
)
def add_result(request, venture_id: uuid.UUID, payload: ResultIn):
    refuse_extra_fields(payload)
    venture = _venture(request, venture_id, "ventures.add_result")
    result = VentureResult(venture=venture, **payload.model_dump())
    services.add_result(result, request.auth)
    return Created(201, result)
