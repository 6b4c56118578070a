"""The award over JSON, under /api/v1/awards/:

* cycles: GET /cycles, GET /cycles/{id} (stages and criteria);
* nominations: GET/POST /nominations (create = nominate: an ineligible worker answers 422 with the
  reasons), GET /nominations/{id} (with the evidence sheet; the read is logged), POST
  /nominations/{id}/withdraw;
* a juror's own score sheets: GET /sheets, GET/PUT /nominations/{id}/scores, POST
  /nominations/{id}/scores/submit (a submitted sheet is locked: changes answer 409);
* jury: GET/POST /stages/{id}/jury;
* rankings: GET /rankings (published), GET /rankings/{id}, GET /stages/{id}/preview?region=,
  POST /stages/{id}/publish;
* appeals: GET/POST /appeals, POST /appeals/{id}/decision;
* the good-practice library: GET /practices?q=.

Rows come from `visible_to(caller)` (outside = 404; a juror sees only the nominations assigned to
them), permissions decide actions (403), the services hold every rule (422). Fields a caller may
not set are refused by name (422). Changes to a score sheet, a withdrawal and an appeal decision
send the version they read (If-Match or `version`; stale = 409, missing = 428).
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Created
from ninja.errors import HttpError
from ninja.pagination import paginate

from mitra.api.pagination import Pagination
from mitra.cases.api_common import Body, expected_version, refuse_extra_fields, require
from mitra.cases.api_common import region_code as parse_region
from mitra.core.access import log_access
from mitra.core.models import AccessLog
from mitra.core.scope import prefix_q
from mitra.workers.models import Worker

from . import services
from .api_rankings import router as rankings_router
from .models import (
    AwardCycle,
    Nomination,
    NominationStatus,
    ScoreSheet,
    Source,
)

router = Router(tags=["awards"])
# The jury, rankings, appeals and the library live in api_rankings.py, on the same prefix.
router.add_router("", rankings_router)


def _locked(call, *args, **kwargs):
    """A locked sheet is a conflict with the state of the row, like a stale version: 409."""
    try:
        return call(*args, **kwargs)
    except services.Locked as exc:
        raise HttpError(409, " ".join(exc.messages)) from None


# ---- cycles -----------------------------------------------------------------------------------


class CriterionOut(Schema):
    key: str
    label: str
    weight: float
    source: str
    metric: str
    scale_min: int
    scale_max: int
    rubric: str


class StageOut(Schema):
    id: int
    level: str
    opens_on: datetime.date
    closes_on: datetime.date
    advance_count: int
    honourable_mentions: int
    appeal_days: int
    published_at: datetime.datetime | None
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())


class CycleOut(Schema):
    id: int
    year: int
    worker_kind: str
    title: str
    period_start: datetime.date
    period_end: datetime.date
    min_tenure_years: int
    exclusion_years: int


class CycleDetailOut(CycleOut):
    description: str
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj):
        return sorted(obj.stages.all(), key=lambda s: s.opens_on)


@router.get("/cycles", response=list[CycleOut], summary="Award cycles, newest first")
@paginate(Pagination)
def list_cycles(request):
    require(request.auth, "awards.view_cycle")
    return AwardCycle.objects.order_by("-year", "worker_kind")


@router.get("/cycles/{int:cycle_id}", response=CycleDetailOut, summary="A cycle with its stages")
def cycle_detail(request, cycle_id: int):
    require(request.auth, "awards.view_cycle")
    return get_object_or_404(AwardCycle.objects.prefetch_related("stages__criteria"), pk=cycle_id)


# ---- nominations ------------------------------------------------------------------------------


class NominationOut(Schema):
    id: uuid.UUID
    cycle_id: int
    stage_id: int
    level: str
    worker_id: uuid.UUID
    worker_name: str
    village_code: str
    previous_id: uuid.UUID | None
    nominated_at: datetime.datetime
    innovation_title: str
    innovation_summary: str
    status: str
    status_reason: str
    rank: int | None
    award: str
    version: int

    @staticmethod
    def resolve_level(obj):
        return obj.stage.level

    @staticmethod
    def resolve_worker_name(obj):
        return obj.worker.full_name

    @staticmethod
    def resolve_village_code(obj):
        return obj.region_code


class FileOut(Schema):
    id: int
    kind: str
    title: str
    url: str

    @staticmethod
    def resolve_url(obj):
        return obj.file.url if obj.file else ""


class NominationDetailOut(NominationOut):
    innovation_text: str
    testimony: str
    evidence: dict = Field(description="The evidence sheet (frozen once the ranking is out).")
    evidence_frozen_at: datetime.datetime | None
    files: list[FileOut]

    @staticmethod
    def resolve_evidence(obj):
        return services.evidence_sheet(obj)

    @staticmethod
    def resolve_files(obj):
        return list(obj.files.all())


class NominationFilters(Schema):
    cycle: int | None = None
    stage: int | None = None
    status: NominationStatus | None = None
    region: str | None = None


class NominationIn(Body):
    cycle: int
    worker: uuid.UUID
    innovation_title: str
    innovation_summary: str
    innovation_text: str
    testimony: str = ""


class WithdrawIn(Body):
    reason: str
    version: int | None = None


def _nominations(user):
    return Nomination.objects.visible_to(user).select_related("worker", "stage", "cycle")


def _nomination(request, nomination_id) -> Nomination:
    require(request.auth, "awards.view_nomination")
    return get_object_or_404(_nominations(request.auth), pk=nomination_id)


@router.get("/nominations", response=list[NominationOut], summary="Nominations you may see")
@paginate(Pagination)
def list_nominations(request, filters: Query[NominationFilters]):
    require(request.auth, "awards.view_nomination")
    qs = _nominations(request.auth)
    if filters.cycle:
        qs = qs.filter(cycle_id=filters.cycle)
    if filters.stage:
        qs = qs.filter(stage_id=filters.stage)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.region:
        qs = qs.filter(prefix_q("region_code", parse_region(filters.region)))
    return qs.order_by("stage_id", "region_code", "nominated_at", "pk")


@router.post("/nominations", response={201: NominationDetailOut}, summary="Nominate a worker")
def create_nomination(request, payload: NominationIn):
    user = request.auth
    require(user, "awards.nominate")
    refuse_extra_fields(payload)
    cycle = AwardCycle.objects.filter(pk=payload.cycle).first()
    if cycle is None:
        raise ValidationError({"cycle": _("No such award cycle.")})
    worker = Worker.objects.visible_to(user).filter(pk=payload.worker).first()
    if worker is None:
        raise ValidationError({"worker": _("No such worker in your area.")})
    nomination = services.nominate(
        cycle=cycle,
        worker=worker,
        by=user,
        innovation_title=payload.innovation_title,
        innovation_summary=payload.innovation_summary,
        innovation_text=payload.innovation_text,
        testimony=payload.testimony,
    )
    return Created(201, _nominations(user).get(pk=nomination.pk))


@router.get(
    "/nominations/{uuid:nomination_id}",
    response=NominationDetailOut,
    summary="One nomination with its evidence sheet (logged)",
)
def nomination_detail(request, nomination_id: uuid.UUID):
    nomination = _nomination(request, nomination_id)
    log_access(request, nomination, action=AccessLog.Action.API)
    return nomination


@router.post(
    "/nominations/{uuid:nomination_id}/withdraw",
    response=NominationOut,
    summary="Withdraw a nomination",
)
def withdraw(
    request,
    nomination_id: uuid.UUID,
    payload: WithdrawIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    nomination = _nomination(request, nomination_id)
    # The permission before the If-Match precondition: a caller who may not withdraw gets 403,
    # not "send If-Match" (the access matrix).
    require(request.auth, "awards.nominate")
    refuse_extra_fields(payload)
    expected = expected_version(if_match, payload.version)
    return services.withdraw_nomination(nomination, request.auth, payload.reason, expected)


# ---- score sheets -----------------------------------------------------------------------------


class ScoreOut(Schema):
    criterion: str
    value: float
    comment: str

    @staticmethod
    def resolve_criterion(obj):
        return obj.criterion.key


class SheetOut(Schema):
    id: int
    nomination_id: uuid.UUID
    submitted_at: datetime.datetime | None
    locked: bool
    version: int
    scores: list[ScoreOut]
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_locked(obj):
        return obj.is_locked

    @staticmethod
    def resolve_scores(obj):
        return list(obj.scores.select_related("criterion"))

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.nomination.stage.criteria.filter(source=Source.JUROR))


class MarkIn(Body):
    value: float | str
    comment: str = ""


class ScoresIn(Body):
    scores: dict[str, MarkIn]
    version: int | None = None


class SubmitIn(Body):
    version: int | None = None


def _my_sheet(request, nomination_id) -> ScoreSheet:
    require(request.auth, "awards.score")
    nomination = get_object_or_404(_nominations(request.auth), pk=nomination_id)
    return services.sheet_for(nomination, request.auth)


@router.get("/sheets", response=list[SheetOut], summary="Your score sheets (jurors)")
@paginate(Pagination)
def my_sheets(request):
    require(request.auth, "awards.score")
    return (
        ScoreSheet.objects.visible_to(request.auth)
        .filter(juror=request.auth)
        .select_related("nomination__stage")
        .order_by("submitted_at", "pk")
    )


@router.get(
    "/nominations/{uuid:nomination_id}/scores",
    response=SheetOut,
    summary="Your score sheet for a nomination (opened on first read)",
)
def get_scores(request, nomination_id: uuid.UUID):
    return _my_sheet(request, nomination_id)


@router.put(
    "/nominations/{uuid:nomination_id}/scores", response=SheetOut, summary="Save your marks"
)
def put_scores(
    request,
    nomination_id: uuid.UUID,
    payload: ScoresIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    sheet = _my_sheet(request, nomination_id)
    refuse_extra_fields(payload)
    for key, mark in payload.scores.items():
        extra = mark.model_extra or {}
        if extra:
            raise ValidationError(
                {f"{key}.{name}": _("This field cannot be set here.") for name in sorted(extra)}
            )
    expected = expected_version(if_match, payload.version)
    values = {k: {"value": m.value, "comment": m.comment} for k, m in payload.scores.items()}
    return _locked(services.save_scores, sheet, request.auth, values, expected)


@router.post(
    "/nominations/{uuid:nomination_id}/scores/submit",
    response=SheetOut,
    summary="Submit your sheet (then it is locked)",
)
def submit_scores(
    request,
    nomination_id: uuid.UUID,
    payload: SubmitIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    sheet = _my_sheet(request, nomination_id)
    refuse_extra_fields(payload)
    expected = expected_version(if_match, payload.version)
    return _locked(services.submit_sheet, sheet, request.auth, expected)
