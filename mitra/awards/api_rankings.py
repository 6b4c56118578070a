"""The award's jury, rankings, appeals and good-practice library over JSON (see api.py for the
rules every endpoint follows). Mounted on the awards router."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Created
from ninja.errors import HttpError
from ninja.pagination import paginate

from mitra.accounts.models import User
from mitra.api.pagination import Pagination
from mitra.cases.api_common import Body, expected_version, refuse_extra_fields, require
from mitra.cases.api_common import region_code as parse_region

from . import services
from .models import Appeal, Nomination, Ranking, Stage

router = Router(tags=["awards"])


def _nominations(user):
    return Nomination.objects.visible_to(user).select_related("worker", "stage", "cycle")


# ---- jury -------------------------------------------------------------------------------------


class AssignmentOut(Schema):
    id: int
    stage_id: int
    juror_id: int
    juror_name: str
    region_code: str
    home_region_code: str

    @staticmethod
    def resolve_juror_name(obj):
        return obj.juror.full_name


class AssignmentIn(Body):
    juror: int
    region: str = Field("", description="Region covered: '' (national), 34, 34.02 ...")
    home_region: str = Field(description="The juror's own regency/city, e.g. 34.02.")


def _stage(stage_id) -> Stage:
    return get_object_or_404(Stage.objects.select_related("cycle"), pk=stage_id)


@router.get("/stages/{int:stage_id}/jury", response=list[AssignmentOut], summary="The jury")
def list_jury(request, stage_id: int):
    require(request.auth, "awards.view_nomination")
    stage = _stage(stage_id)
    return list(
        stage.jury.visible_to(request.auth).select_related("juror").order_by("region_code", "pk")
    )


@router.post("/stages/{int:stage_id}/jury", response={201: AssignmentOut}, summary="Assign a juror")
def assign(request, stage_id: int, payload: AssignmentIn):
    require(request.auth, "awards.assign_jury")
    refuse_extra_fields(payload)
    stage = _stage(stage_id)
    juror = User.objects.filter(pk=payload.juror, role="juror", is_active=True).first()
    if juror is None:
        raise ValidationError({"juror": _("Choose an active user with the juror role.")})
    assignment = services.assign_juror(
        stage=stage,
        juror=juror,
        region_code=parse_region(payload.region),
        home_region_code=parse_region(payload.home_region),
        by=request.auth,
    )
    return Created(201, assignment)


# ---- rankings ---------------------------------------------------------------------------------


class EntryOut(Schema):
    nomination_id: uuid.UUID
    worker_name: str
    village_code: str
    rank: int
    total: float
    juror_total: float
    computed_total: float
    advanced: bool
    award: str
    components: dict


class RankingOut(Schema):
    id: int | None
    stage_id: int
    region_code: str
    revision: int | None
    published: bool
    published_at: datetime.datetime | None
    superseded_at: datetime.datetime | None
    reason: str
    method: str
    problems: list[str]
    entries: list[EntryOut]


def _entry(e, nomination) -> dict:
    return {
        "nomination_id": nomination.pk,
        "worker_name": nomination.worker.full_name,
        "village_code": nomination.region_code,
        "rank": e.rank,
        "total": float(e.total),
        "juror_total": float(e.juror_total),
        "computed_total": float(e.computed_total),
        "advanced": e.advanced,
        "award": e.award,
        "components": e.components,
    }


def _published(ranking: Ranking) -> dict:
    entries = ranking.entries.select_related("nomination__worker").order_by("rank")
    return {
        "id": ranking.pk,
        "stage_id": ranking.stage_id,
        "region_code": ranking.region_code,
        "revision": ranking.revision,
        "published": True,
        "published_at": ranking.published_at,
        "superseded_at": ranking.superseded_at,
        "reason": ranking.reason,
        "method": ranking.method,
        "problems": [],
        "entries": [_entry(e, e.nomination) for e in entries],
    }


class RankingFilters(Schema):
    stage: int | None = None
    region: str | None = None
    history: bool = Field(False, description="Include superseded revisions.")


class PublishIn(Body):
    region: str = ""
    reason: str = ""


@router.get("/rankings", response=list[RankingOut], summary="Published rankings you may see")
@paginate(Pagination)
def list_rankings(request, filters: Query[RankingFilters]):
    require(request.auth, "awards.view_nomination")
    qs = Ranking.objects.visible_to(request.auth).order_by("-published_at", "pk")
    if not filters.history:
        qs = qs.current()
    if filters.stage:
        qs = qs.filter(stage_id=filters.stage)
    if filters.region is not None:
        qs = qs.filter(region_code=parse_region(filters.region))
    return [_published(r) for r in qs[:500]]


@router.get("/rankings/{int:ranking_id}", response=RankingOut, summary="One published ranking")
def ranking_detail(request, ranking_id: int):
    require(request.auth, "awards.view_nomination")
    return _published(get_object_or_404(Ranking.objects.visible_to(request.auth), pk=ranking_id))


def _group(request, stage: Stage, raw: str) -> str:
    region = parse_region(raw)
    user = request.auth
    scope = user.scope_code or ""
    # Previews show every juror's marks: only officers whose area holds the whole group.
    if (
        len(region) != stage.group_code_length
        or not region.startswith(scope)
        or not (user.has_perm("awards.publish_ranking"))
    ):
        raise HttpError(404, _("Not found."))
    return region


@router.get(
    "/stages/{int:stage_id}/preview",
    response=RankingOut,
    summary="The ranking as it stands (officers of the region)",
)
def preview(request, stage_id: int, region: str = ""):
    stage = _stage(stage_id)
    group = _group(request, stage, region)
    result = services.preview_ranking(stage, group)
    return {
        "id": None,
        "stage_id": stage.pk,
        "region_code": group,
        "revision": None,
        "published": False,
        "published_at": None,
        "superseded_at": None,
        "reason": "",
        "method": result.method,
        "problems": result.problems,
        "entries": [_entry(e, e.nomination) for e in result.entries],
    }


@router.post(
    "/stages/{int:stage_id}/publish",
    response={201: RankingOut},
    summary="Publish the ranking of a region (the officer of that region)",
)
def publish(request, stage_id: int, payload: PublishIn):
    stage = _stage(stage_id)
    refuse_extra_fields(payload)
    group = _group(request, stage, payload.region)
    ranking = services.publish_ranking(stage, group, request.auth, payload.reason)
    return Created(201, _published(ranking))


# ---- appeals ----------------------------------------------------------------------------------


class AppealOut(Schema):
    id: int
    ranking_id: int
    nomination_id: uuid.UUID
    reason: str
    filed_at: datetime.datetime
    status: str
    decided_at: datetime.datetime | None
    decision_reason: str
    new_ranking_id: int | None
    version: int


class AppealIn(Body):
    ranking: int
    nomination: uuid.UUID
    reason: str


class DecisionIn(Body):
    upheld: bool
    reason: str
    version: int | None = None


@router.get("/appeals", response=list[AppealOut], summary="Appeals in your area")
@paginate(Pagination)
def list_appeals(request):
    require(request.auth, "awards.view_nomination")
    return Appeal.objects.visible_to(request.auth).order_by("-filed_at", "pk")


@router.post("/appeals", response={201: AppealOut}, summary="Appeal against a ranking")
def file_appeal(request, payload: AppealIn):
    require(request.auth, "awards.appeal")
    refuse_extra_fields(payload)
    nomination = _nominations(request.auth).filter(pk=payload.nomination).first()
    ranking = Ranking.objects.visible_to(request.auth).filter(pk=payload.ranking).first()
    if nomination is None or ranking is None:
        raise HttpError(404, _("Not found."))
    return Created(201, services.file_appeal(ranking, nomination, request.auth, payload.reason))


@router.post("/appeals/{int:appeal_id}/decision", response=AppealOut, summary="Decide an appeal")
def decide(
    request,
    appeal_id: int,
    payload: DecisionIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    require(request.auth, "awards.decide_appeal")
    appeal = get_object_or_404(Appeal.objects.visible_to(request.auth), pk=appeal_id)
    refuse_extra_fields(payload)
    expected = expected_version(if_match, payload.version)
    return services.decide_appeal(
        appeal, request.auth, upheld=payload.upheld, reason=payload.reason, version=expected
    )


# ---- the good-practice library ----------------------------------------------------------------


class PracticeOut(Schema):
    id: uuid.UUID
    year: int
    name: str
    regency_code: str
    innovation_title: str
    innovation_summary: str
    innovation_text: str
    national_award: str

    @staticmethod
    def resolve_year(obj):
        return obj.cycle.year

    @staticmethod
    def resolve_name(obj):
        return obj.worker.full_name

    @staticmethod
    def resolve_regency_code(obj):
        return obj.region_code[:4]

    @staticmethod
    def resolve_national_award(obj):
        return obj.national_award or ""


@router.get("/practices", response=list[PracticeOut], summary="Winners' good practices")
@paginate(Pagination)
def practices(request, q: str = ""):
    require(request.auth, "awards.view_practice")
    return services.practices(q[:200])
