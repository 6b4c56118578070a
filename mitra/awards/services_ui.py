"""What the award pages need beyond the award's rules (services*.py): setting up a cycle with its
stages and criteria, the "what can I do now" summary of the award home, who may read which
ranking, and the evidence sheet turned into labelled rows for people to read.

The rules of nominating, scoring, ranking and appeals stay in services*.py; this file only reads
them or stores a cycle's set-up, which no other rule depends on until the stage opens."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitra.accounts.roles import Role
from mitra.cases.models import ActivityType, ClosureReason
from mitra.core.models import PmksCategory
from mitra.core.scope import code_in_scope
from mitra.training.filters import area_label
from mitra.training.models import Level as TrainingLevel

from . import services
from .models import (
    LEVEL_ORDER,
    AppealStatus,
    AwardCycle,
    Criterion,
    JuryAssignment,
    Level,
    Metric,
    Nomination,
    Ranking,
    RankingEntry,
    ScoreSheet,
    Source,
    Stage,
)
from .services_base import bump_version, check_version

WEIGHT_TOTAL = Decimal("100")
NATIONAL_SLUG = "nasional"

# A new stage starts from these criteria (the officer changes them): the examples.
DEFAULT_CRITERIA = [
    (gettext_lazy("Length of service"), 10, Source.COMPUTED, Metric.TENURE_YEARS),
    (gettext_lazy("Verified activities"), 15, Source.COMPUTED, Metric.VERIFIED_ACTIVITIES),
    (gettext_lazy("Cases handled and their outcomes"), 15, Source.COMPUTED, Metric.CASES_RESOLVED),
    (gettext_lazy("Training completed"), 10, Source.COMPUTED, Metric.TRAININGS_COMPLETED),
    (gettext_lazy("Innovation"), 20, Source.JUROR, ""),
    (gettext_lazy("Community testimony"), 10, Source.JUROR, ""),
    (gettext_lazy("Interview and presentation"), 10, Source.JUROR, ""),
    (gettext_lazy("Field visit"), 10, Source.JUROR, ""),
]
DEFAULT_RUBRIC = gettext_lazy(
    "1-3: little or no evidence; 4-6: some results, limited reach; 7-8: clear results that the "
    "community confirms; 9-10: outstanding results that others have copied."
)


# ---- stages: where each stands -----------------------------------------------------------------


class StageState:
    UPCOMING = "upcoming"
    OPEN = "open"
    REVIEW = "review"
    PUBLISHED = "published"


STATE_LABELS = {
    StageState.UPCOMING: gettext_lazy("not open yet"),
    StageState.OPEN: gettext_lazy("open"),
    StageState.REVIEW: gettext_lazy("closed: ranking under review"),
    StageState.PUBLISHED: gettext_lazy("results published"),
}


def stage_state(stage: Stage, on: datetime.date | None = None) -> str:
    on = on or timezone.localdate()
    if stage.published_at:
        return StageState.PUBLISHED
    if on < stage.opens_on:
        return StageState.UPCOMING
    if on <= stage.closes_on:
        return StageState.OPEN
    return StageState.REVIEW


def ordered_stages(cycle: AwardCycle) -> list[Stage]:
    return sorted(cycle.stages.all(), key=lambda s: LEVEL_ORDER.index(Level(s.level)))


def region_slug(code: str) -> str:
    """A ranking region in a URL: its digits, or 'nasional' for the national ranking."""
    return code or NATIONAL_SLUG


def region_from_slug(slug: str) -> str | None:
    """The region code of a URL part, or None when it cannot be a ranking region."""
    if slug == NATIONAL_SLUG:
        return ""
    if slug.isdigit() and len(slug) in (2, 4):
        return slug
    return None


def group_label(code: str) -> str:
    return area_label(code)


# ---- the award home: what the user can do now ---------------------------------------------------


@dataclass
class Action:
    label: str
    url_name: str
    args: tuple = ()
    count: int | None = None
    primary: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.args)


@dataclass
class StageView:
    stage: Stage
    state: str
    state_label: str
    nominations: int = 0
    actions: list[Action] = field(default_factory=list)


def home_stages(user, cycle: AwardCycle, on: datetime.date | None = None) -> list[StageView]:
    """Each stage of the cycle with its state and the things this user can do in it now."""
    on = on or timezone.localdate()
    rows = []
    visible = Nomination.objects.visible_to(user).active()
    for stage in ordered_stages(cycle):
        state = stage_state(stage, on)
        view = StageView(stage, state, str(STATE_LABELS[state]))
        if user.has_perm("awards.view_nomination"):
            view.nominations = visible.filter(stage=stage).count()
        view.actions = _stage_actions(user, stage, state, view.nominations)
        rows.append(view)
    return rows


def _stage_actions(user, stage: Stage, state: str, count: int) -> list[Action]:
    actions = []
    if (
        stage.level == Level.REGENCY
        and state == StageState.OPEN
        and user.has_perm("awards.nominate")
        and len(user.scope_code or "") == 4
    ):
        actions.append(
            Action(_("Nominate a worker"), "awards:nominate", (stage.cycle_id,), None, True)
        )
    if user.has_perm("awards.view_nomination") and count:
        actions.append(Action(_("Nominations"), "awards:stage_nominations", (stage.pk,), count))
    if user.has_perm("awards.score"):
        mine = services.nominations_for_juror(user, stage)
        todo = mine.exclude(sheets__juror=user, sheets__submitted_at__isnull=False).count()
        if mine.exists():
            actions.append(
                Action(_("Score my candidates"), "awards:jury_queue", (), todo, bool(todo))
            )
    if user.has_perm("awards.assign_jury") and state in (StageState.UPCOMING, StageState.OPEN):
        actions.append(Action(_("Jury"), "awards:jury", (stage.pk,)))
    if user.has_perm("awards.view_nomination") and state in (
        StageState.OPEN,
        StageState.REVIEW,
        StageState.PUBLISHED,
    ):
        label = _("Results") if state == StageState.PUBLISHED else _("Review the ranking")
        actions.append(
            Action(label, "awards:rankings", (stage.pk,), None, state == StageState.REVIEW)
        )
    if user.has_perm("awards.manage_cycle") and not stage_is_used(stage):
        actions.append(Action(_("Criteria"), "awards:criteria", (stage.pk,)))
    return actions


def appeals_open_for(user, on: datetime.date | None = None) -> list[tuple[Ranking, Nomination]]:
    """Nominations of the user's own area in a current ranking whose appeal window is still
    open, with no appeal waiting yet (one query, whatever the number of rankings)."""
    if not user.has_perm("awards.appeal"):
        return []
    on = on or timezone.localdate()
    longest = max(Stage.objects.values_list("appeal_days", flat=True), default=0)
    since = timezone.now() - datetime.timedelta(days=longest + 1)
    entries = (
        RankingEntry.objects.filter(
            ranking__superseded_at__isnull=True,
            ranking__published_at__gte=since,
            nomination__in=Nomination.objects.managed_by(user),
        )
        .exclude(nomination__appeals__status=AppealStatus.PENDING)
        .select_related("ranking__stage__cycle", "nomination__worker")
        .order_by("ranking__published_at", "rank")
    )
    return [(e.ranking, e.nomination) for e in entries if e.ranking.appeal_deadline >= on]


# ---- cycle set-up --------------------------------------------------------------------------------


def stage_is_used(stage: Stage) -> bool:
    """Criteria are fixed once a juror has marked or a ranking has been published."""
    return (
        ScoreSheet.objects.filter(nomination__stage=stage).exists()
        or Ranking.objects.filter(stage=stage).exists()
    )


def save_cycle(
    cycle: AwardCycle, stage_rows: dict[str, dict], by, version: int | None = None
) -> AwardCycle:
    """Store a cycle and its three stages (level -> dates and counts) in one transaction; a new
    stage starts with the default criteria. An edit states the `version` it read: a stale one
    raises StaleVersion and nothing is written."""
    if not by.has_perm("awards.manage_cycle"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if cycle.pk:
        check_version(cycle, version)
    _check_stage_order(stage_rows)
    with transaction.atomic():
        if cycle.pk:
            # The stages are written after the row: a concurrent editor waits here and then
            # finds the version moved on, before touching them.
            bump_version(cycle, version)
        cycle.save()
        for level in LEVEL_ORDER:
            row = stage_rows[level]
            stage = cycle.stages.filter(level=level).first() or Stage(cycle=cycle, level=level)
            creating = stage.pk is None
            for name, value in row.items():
                setattr(stage, name, value)
            stage.save()
            if creating:
                _default_criteria(stage)
    return cycle


def _check_stage_order(stage_rows: dict[str, dict]) -> None:
    previous = None
    for level in LEVEL_ORDER:
        row = stage_rows[level]
        if row["closes_on"] < row["opens_on"]:
            raise ValidationError(
                _("The %(stage)s stage closes before it opens.") % {"stage": Level(level).label}
            )
        if previous and row["opens_on"] <= previous["closes_on"]:
            raise ValidationError(
                _("The %(stage)s stage must open after the stage before it closes.")
                % {"stage": Level(level).label}
            )
        previous = row


def _default_criteria(stage: Stage) -> None:
    Criterion.objects.bulk_create(
        Criterion(
            stage=stage,
            key=slugify(str(label))[:40] or f"c{i}",
            label=str(label),
            weight=Decimal(weight),
            source=source,
            metric=metric,
            rubric="" if source == Source.COMPUTED else str(DEFAULT_RUBRIC),
            position=i,
        )
        for i, (label, weight, source, metric) in enumerate(DEFAULT_CRITERIA)
    )


def save_criteria(stage: Stage, rows: list[dict], by) -> list[Criterion]:
    """Replace the stage's criteria with `rows` (dicts of Criterion fields without key/position).
    The weights must add up to 100; refused once the stage has marks or a published ranking."""
    if not by.has_perm("awards.manage_cycle"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if stage_is_used(stage):
        raise ValidationError(
            _(
                "Jurors have already marked this stage or its ranking was published: its criteria can no longer change."
            )
        )
    if not rows:
        raise ValidationError(_("A stage needs at least one criterion."))
    total = sum((Decimal(r["weight"]) for r in rows), Decimal(0))
    if total != WEIGHT_TOTAL:
        raise ValidationError(
            _("The weights add up to %(total)s; they must add up to exactly 100.")
            % {"total": _number(total)},
            code="weights",
        )
    keys = set()
    built = []
    for i, row in enumerate(rows):
        key = _unique_key(slugify(row["label"])[:36] or f"c{i}", keys)
        built.append(Criterion(stage=stage, key=key, position=i, **row))
    with transaction.atomic():
        stage.criteria.all().delete()
        Criterion.objects.bulk_create(built)
    return built


def _unique_key(base: str, taken: set) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def _number(value) -> str:
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


# ---- who may read which ranking -----------------------------------------------------------------


def ranking_access(user, stage: Stage, region: str) -> str | None:
    """'preview' (the region is inside the user's area: the live ranking), 'published' (an
    ancestor of the user's area: only its published ranking), or None (not theirs: 404)."""
    if region and len(region) != stage.group_code_length:
        return None
    if not region and stage.level != Level.NATIONAL:
        return None
    if user.role == Role.JUROR:
        # ADR 0021: a juror follows the published ranking of their own panels only, never the
        # live ranking of every region their national scope would otherwise reach.
        panels = stage.jury.filter(juror=user).values_list("region_code", flat=True)
        return "published" if any(region.startswith(p) for p in panels) else None
    scope = user.scope_code or ""
    if code_in_scope(region, scope):
        return "preview"
    if scope.startswith(region):
        return "published"
    return None


def groups_for(user, stage: Stage) -> list[str]:
    """The ranking regions of the stage the user may open: those holding nominations they see,
    plus the region above their area at this stage (a regency officer follows the province)."""
    groups = set(services.ranking_groups(stage, user))
    scope = user.scope_code or ""
    own = scope[: stage.group_code_length]
    if len(scope) >= stage.group_code_length:
        groups.add(own)
    return sorted(g for g in groups if ranking_access(user, stage, g))


def check_conflict(region_code: str, home_region_code: str) -> None:
    """A juror from the regency they would score would have no candidate at all: every one is a
    conflict of interest. Refused before the assignment is stored, with the reason."""
    if home_region_code and (region_code or "").startswith(home_region_code):
        raise ValidationError(
            {
                "home_region_code": _(
                    "Conflict of interest: this juror is from %(home)s, so they may not score its "
                    "candidates. Choose a juror from another regency/city."
                )
                % {"home": group_label(home_region_code)}
            }
        )


def assignments_for(user, stage: Stage):
    return (
        JuryAssignment.objects.visible_to(user)
        .filter(stage=stage)
        .select_related("juror")
        .order_by("region_code", "juror__full_name")
    )


# ---- the evidence sheet, readable -----------------------------------------------------------------


def evidence_for_worker(cycle: AwardCycle, worker) -> dict:
    """A worker's evidence sheet for the cycle's period, before any nomination exists."""
    from .evidence import evidence_for_workers

    return evidence_for_workers([worker.pk], cycle.period_start, cycle.period_end).get(
        worker.pk, {}
    )


def readable_evidence(sheet: dict) -> dict:
    """The sheet's figures with labels: headline figures, and labelled breakdowns."""
    if not sheet:
        return {}
    categories = dict(PmksCategory.objects.values_list("number", "name"))
    by_category = sorted(
        (
            (f"{int(number)}. {categories.get(int(number), '?')}", n)
            for number, n in (sheet.get("cases_by_category") or {}).items()
        ),
        key=lambda row: -row[1],
    )
    outcome_labels = dict(ClosureReason.choices) | {"open": _("still open")}
    activity_labels = dict(ActivityType.choices)
    level_labels = dict(TrainingLevel.choices)
    return {
        "period": [_date(d) for d in sheet.get("period") or []],
        "headline": [
            (_("Years of service"), sheet.get("tenure_years")),
            (_("Verified activity reports"), sheet.get("verified_activities")),
            (_("People reached"), sheet.get("people_reached")),
            (_("Cases handled"), sheet.get("cases_handled")),
            (_("Cases resolved or referred and accepted"), sheet.get("cases_resolved")),
            (_("Referrals served"), sheet.get("referrals_served")),
            (_("Training courses passed"), sheet.get("trainings_completed")),
            (_("Training certificates"), sheet.get("certificates")),
            (_("Productive ventures running"), sheet.get("ventures_running", 0)),
        ],
        "joined_on": _date(sheet.get("joined_on")),
        "basic_training_on": _date(sheet.get("basic_training_on")),
        "by_category": by_category,
        "by_outcome": [
            (str(outcome_labels.get(k, k)), n)
            for k, n in (sheet.get("cases_by_outcome") or {}).items()
            if n
        ],
        "by_activity": [
            (str(activity_labels.get(k, k)), n)
            for k, n in (sheet.get("activities_by_type") or {}).items()
            if n
        ],
        "by_training": [
            (str(level_labels.get(k, k)), n)
            for k, n in (sheet.get("trainings_by_level") or {}).items()
            if n
        ],
    }


def _date(value):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
