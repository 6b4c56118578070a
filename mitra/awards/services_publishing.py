"""Rankings: preview, publication with advancement, revisions, and appeals.

Who does what: the officer whose scope IS the ranking's region publishes it (the Bantul officer the
Bantul ranking, the DIY officer the DIY ranking, the national administrator the national one). An
appeal is filed by an officer whose own area holds the nominee, and decided by an officer of the
level above the ranking's region (the national administrator for province and national rankings).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.core.scope import prefix_q

from .evidence import freeze_evidence
from .models import (
    Appeal,
    AppealStatus,
    Award,
    Level,
    Nomination,
    NominationStatus,
    Ranking,
    RankingEntry,
    Stage,
)
from .ranking import RankingResult, compute_ranking, group_nominations
from .services_base import bump_version, check_version, next_stage

NATIONAL_RANKS = [Award.FIRST, Award.SECOND, Award.THIRD]


def ranking_groups(stage: Stage, user=None) -> list[str]:
    """The ranking regions of the stage that hold nominations (regency/province codes, or [''])."""
    qs = Nomination.objects.filter(stage=stage).exclude(status=NominationStatus.WITHDRAWN)
    if user is not None:
        qs = Nomination.objects.visible_to(user).filter(pk__in=qs.values("pk"))
    length = stage.group_code_length
    if length == 0:
        return [""] if qs.exists() else []
    codes = qs.annotate(group=Substr("region_code", 1, length)).values_list("group", flat=True)
    return sorted(set(codes.distinct().order_by()))


def preview_ranking(stage: Stage, region_code: str) -> RankingResult:
    """The ranking as it stands now (not stored); `problems` says what blocks publishing."""
    result = compute_ranking(stage, region_code)
    _mark_outcomes(stage, result.entries)
    if current_ranking(stage, region_code) is not None:
        result.problems.insert(0, _("This ranking is already published."))
    return result


def can_publish(user, stage: Stage, region_code: str) -> bool:
    """The responsible officer: awards.publish_ranking and scope == the ranking's region."""
    return (
        user is not None
        and user.is_authenticated
        and user.has_perm("awards.publish_ranking")
        and (user.scope_code or "") == region_code
        and len(region_code) == stage.group_code_length
    )


def current_ranking(stage: Stage, region_code: str) -> Ranking | None:
    return Ranking.objects.current().filter(stage=stage, region_code=region_code).first()


def ranking_history(stage: Stage, region_code: str):
    """Every revision, newest first."""
    return Ranking.objects.filter(stage=stage, region_code=region_code).order_by("-revision")


def _mark_outcomes(stage: Stage, entries) -> None:
    """Who advances (or wins, at the national stage) by rank."""
    for entry in entries:
        entry.advanced, entry.award = False, ""
        if stage.level == Level.NATIONAL:
            if entry.rank <= min(stage.advance_count, len(NATIONAL_RANKS)):
                entry.award = NATIONAL_RANKS[entry.rank - 1]
            elif entry.rank <= stage.advance_count + stage.honourable_mentions:
                entry.award = Award.HONOURABLE
        elif entry.rank <= stage.advance_count:
            entry.advanced = True


def _carry_forward(nomination: Nomination, stage: Stage) -> Nomination:
    """The nomination of the same worker at `stage`, created (or revived) from `nomination`."""
    existing = Nomination.objects.filter(stage=stage, worker=nomination.worker).first()
    if existing is not None:
        if existing.status == NominationStatus.WITHDRAWN:
            existing.status, existing.status_reason = NominationStatus.NOMINATED, ""
            existing.save()
        return existing
    carried = Nomination(
        cycle=nomination.cycle,
        stage=stage,
        worker=nomination.worker,
        region_code=nomination.region_code,
        previous=nomination,
        nominated_by=nomination.nominated_by,
        innovation_title=nomination.innovation_title,
        innovation_summary=nomination.innovation_summary,
        innovation_text=nomination.innovation_text,
        testimony=nomination.testimony,
        photo=nomination.photo.name if nomination.photo else "",
    )
    carried.save()
    for item in nomination.files.all():
        item.pk, item.nomination = None, carried
        item._state.adding = True
        item.save()
    return carried


def _apply(stage: Stage, result: RankingResult, ranking: Ranking) -> None:
    following = next_stage(stage)
    RankingEntry.objects.bulk_create(
        RankingEntry(
            ranking=ranking,
            nomination=e.nomination,
            rank=e.rank,
            total=e.total,
            juror_total=e.juror_total,
            computed_total=e.computed_total,
            components=e.components,
            advanced=e.advanced,
            award=e.award,
            region_code=e.nomination.region_code,
        )
        for e in result.entries
    )
    for e in result.entries:
        nom = e.nomination
        nom.rank, nom.award = e.rank, e.award
        if stage.level == Level.NATIONAL:
            nom.status = NominationStatus.WINNER if e.award else NominationStatus.ELIMINATED
        else:
            nom.status = NominationStatus.ADVANCED if e.advanced else NominationStatus.ELIMINATED
        nom.status_reason = ""
        nom.save()
        if following is None:
            continue
        if e.advanced:
            _carry_forward(nom, following)
        else:
            dropped = Nomination.objects.filter(
                stage=following, worker=nom.worker, status=NominationStatus.NOMINATED
            )
            for later in dropped:
                later.status = NominationStatus.WITHDRAWN
                later.status_reason = _("The ranking of the previous stage was revised.")
                later.save()


def _publish(stage: Stage, region_code: str, by, reason: str) -> Ranking:
    freeze_evidence(group_nominations(stage, region_code))
    result = compute_ranking(stage, region_code)
    if result.problems:
        raise ValidationError(result.problems)
    _mark_outcomes(stage, result.entries)
    last = Ranking.objects.filter(stage=stage, region_code=region_code).aggregate(
        n=Max("revision")
    )["n"]
    ranking = Ranking.objects.create(
        stage=stage,
        region_code=region_code,
        revision=(last or 0) + 1,
        method=result.method,
        published_by=by,
        reason=reason[:255],
    )
    _apply(stage, result, ranking)
    if set(ranking_groups(stage)) <= set(
        Ranking.objects.current().filter(stage=stage).values_list("region_code", flat=True)
    ):
        stage.published_at, stage.published_by = timezone.now(), by
        stage.save()
    return ranking


def publish_ranking(stage: Stage, region_code: str, by, reason: str = "") -> Ranking:
    """Freeze evidence, store the ranking with every component, set ranks and statuses, and carry
    the top stage.advance_count forward as new nominations on the next stage (national: award
    ranks I.. and honourable mentions). Refuses while problems remain or when already published."""
    if not can_publish(by, stage, region_code):
        raise PermissionDenied
    with transaction.atomic():
        # One publisher at a time per stage: the stage row is the lock.
        Stage.objects.select_for_update().get(pk=stage.pk)
        if current_ranking(stage, region_code) is not None:
            raise ValidationError(_("This ranking is already published."))
        return _publish(stage, region_code, by, reason)


def file_appeal(ranking: Ranking, nomination: Nomination, by, reason: str) -> Appeal:
    """The nominee's officer (awards.appeal, nomination in their own area) objects within
    stage.appeal_days days of publication; one pending appeal per nomination."""
    if not by.has_perm("awards.appeal"):
        raise PermissionDenied
    if not Nomination.objects.managed_by(by).filter(pk=nomination.pk).exists():
        raise PermissionDenied
    if not ranking.entries.filter(nomination=nomination).exists():
        raise ValidationError(_("The nomination is not in this ranking."))
    if ranking.superseded_at is not None:
        raise ValidationError(_("This ranking has been replaced by a newer revision."))
    if timezone.localdate() > ranking.appeal_deadline:
        raise ValidationError(_("The appeal window of this ranking has closed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("State the grounds of the appeal.")})
    if Appeal.objects.filter(
        ranking=ranking, nomination=nomination, status=AppealStatus.PENDING
    ).exists():
        raise ValidationError(_("An appeal for this nomination is already waiting."))
    appeal = Appeal(ranking=ranking, nomination=nomination, reason=reason.strip(), filed_by=by)
    appeal.save()
    return appeal


def may_decide(user, ranking: Ranking) -> bool:
    scope = user.scope_code or ""
    region = ranking.region_code
    above = (
        scope == "" if len(region) <= 2 else (len(scope) < len(region) and region.startswith(scope))
    )
    return user.has_perm("awards.decide_appeal") and above


def appeals_to_decide(user):
    """The pending appeals `user` decides: `may_decide` as a queryset (the national
    administrator decides every appeal; a province officer those against its regencies'
    rankings; nobody else). The award home lists them and the home page counts them."""
    if not user.has_perm("awards.decide_appeal"):
        return Appeal.objects.none()
    scope = user.scope_code or ""
    qs = Appeal.objects.visible_to(user).filter(status=AppealStatus.PENDING)
    if not scope:
        return qs
    if len(scope) != 2:
        return qs.none()
    return qs.filter(prefix_q("ranking__region_code", scope)).exclude(ranking__region_code=scope)


def decide_appeal(
    appeal: Appeal, by, *, upheld: bool, reason: str, version: int | None = None
) -> Appeal:
    """Record the decision (awards.decide_appeal; the officer above the ranking's region, the
    national administrator for province and national rankings). Upheld: the evidence is
    recomputed, the ranking republished as a new revision (the old one kept, superseded) and
    advancement corrected."""
    ranking = appeal.ranking
    if not may_decide(by, ranking):
        raise PermissionDenied
    # Stale before decided: a late writer hears "someone else changed it" (409), not a rule
    # about the state the winner left behind.
    check_version(appeal, version)
    if appeal.status != AppealStatus.PENDING:
        raise ValidationError(_("This appeal has already been decided."))
    if not (reason or "").strip():
        raise ValidationError({"decision_reason": _("Give the reason for the decision.")})
    stage = ranking.stage
    with transaction.atomic():
        Stage.objects.select_for_update().get(pk=stage.pk)
        bump_version(appeal, version)
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.decided_by, appeal.decided_at = by, timezone.now()
        appeal.decision_reason = reason.strip()
        if upheld:
            appeal.new_ranking = _republish(appeal, by)
        appeal.save()
    return appeal


def _republish(appeal: Appeal, by) -> Ranking:
    ranking = appeal.ranking
    stage = ranking.stage
    if ranking.superseded_at is not None:
        raise ValidationError(_("This ranking has been replaced by a newer revision."))
    following = next_stage(stage)
    if following is not None:
        carried = Nomination.objects.filter(
            stage=following, previous__ranking_entries__ranking=ranking
        )
        if carried.exclude(evidence_frozen_at=None).exists():
            raise ValidationError(
                _("The next stage's ranking is already published: this appeal cannot be upheld.")
            )
    ranking.superseded_at = timezone.now()
    ranking.save(update_fields=["superseded_at"])
    nominations = list(group_nominations(stage, ranking.region_code))
    freeze_evidence(nominations, refresh=True)
    return _publish(
        stage,
        ranking.region_code,
        by,
        _("Appeal upheld: %(reason)s") % {"reason": appeal.decision_reason},
    )
