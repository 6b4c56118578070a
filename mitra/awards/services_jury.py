"""The jury: assignments, score sheets and their locking, conflict of interest.

Conflict of interest is a property of the assignment: `home_region_code` is the juror's own
regency/city, and `Nomination.objects.assigned_to(juror)` (the same filter `visible_to` applies to
a juror) leaves its candidates out. `sheet_for` checks it again, so no code path can hand a juror a
sheet for a candidate from home.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from mitra.accounts.roles import Role
from mitra.core.scope import code_in_scope, normalize_code
from mitra.regions.models import Regency

from .models import (
    JuryAssignment,
    Nomination,
    NominationStatus,
    Score,
    ScoreSheet,
    Source,
    Stage,
)
from .services_base import Locked, bump_version


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _code(raw: str, field: str) -> str:
    try:
        return normalize_code(raw or "")
    except ValueError:
        raise ValidationError({field: _("Not a region code.")}) from None


def assign_juror(
    *, stage: Stage, juror, region_code: str, home_region_code: str, by
) -> JuryAssignment:
    """Appoint `juror` (role juror) to score `stage` in `region_code` ('' = national). Needs
    awards.assign_jury and the region inside `by`'s own area. `home_region_code` (4 digits) is the
    juror's own regency/city: its candidates are never theirs to score."""
    _require(by, "awards.assign_jury")
    region = _code(region_code, "region_code")
    home = _code(home_region_code, "home_region_code")
    errors = {}
    if juror.role != Role.JUROR or not juror.is_active:
        errors["juror"] = _("Choose an active user with the juror role.")
    if len(region) > stage.group_code_length:
        errors["region_code"] = _("At this stage a juror covers a whole %(level)s or more.") % {
            "level": stage.get_level_display()
        }
    if not code_in_scope(region, by.scope_code or "") or (by.scope_code and not region):
        errors["region_code"] = _("The region is outside your area.")
    if len(home) != 4 or not Regency.objects.filter(code=home).exists():
        errors["home_region_code"] = _("Give the juror's own regency/city (4 digits, e.g. 34.02).")
    if errors:
        raise ValidationError(errors)
    if JuryAssignment.objects.filter(stage=stage, juror=juror, region_code=region).exists():
        raise ValidationError(_("This juror is already assigned to this region."))
    assignment = JuryAssignment(stage=stage, juror=juror, region_code=region, home_region_code=home)
    assignment.save()
    return assignment


def remove_assignment(assignment: JuryAssignment, by) -> None:
    """Remove an assignment whose juror has not submitted any sheet under it."""
    _require(by, "awards.assign_jury")
    if not JuryAssignment.objects.managed_by(by).filter(pk=assignment.pk).exists():
        raise PermissionDenied
    submitted = (
        ScoreSheet.objects.submitted()
        .filter(juror=assignment.juror, nomination__stage=assignment.stage)
        .in_region(assignment.region_code)
    )
    if submitted.exists():
        raise ValidationError(_("The juror has already submitted score sheets here."))
    assignment.delete()


def nominations_for_juror(juror, stage: Stage | None = None):
    """Nominations assigned to `juror` (optionally in one stage), conflicts excluded."""
    qs = Nomination.objects.assigned_to(juror).exclude(status=NominationStatus.WITHDRAWN)
    if stage is not None:
        qs = qs.filter(stage=stage)
    return qs.select_related("worker", "stage", "cycle")


def sheets_waiting(juror, stage_id: int | None = None):
    """The juror's nominations still open for scoring (not published, not withdrawn) without a
    submitted sheet of theirs: the queue's "waiting" filter and the home's to-do count."""
    submitted = ScoreSheet.objects.filter(juror=juror, submitted_at__isnull=False)
    qs = (
        Nomination.objects.assigned_to(juror)
        .filter(status=NominationStatus.NOMINATED, evidence_frozen_at__isnull=True)
        .exclude(pk__in=submitted.values("nomination_id"))
    )
    return qs.filter(stage_id=stage_id) if stage_id else qs


def sheet_for(nomination: Nomination, juror) -> ScoreSheet:
    """The juror's sheet for the nomination, created on first use. Refuses (PermissionDenied)
    when the nomination is not assigned to the juror or is from their home region."""
    _require(juror, "awards.score")
    if not Nomination.objects.assigned_to(juror).filter(pk=nomination.pk).exists():
        raise PermissionDenied
    sheet = ScoreSheet.objects.filter(nomination=nomination, juror=juror).first()
    if sheet is None:
        if nomination.status == NominationStatus.WITHDRAWN:
            raise ValidationError(_("The nomination was withdrawn."))
        sheet = ScoreSheet(nomination=nomination, juror=juror, region_code=nomination.region_code)
        sheet.save()
    return sheet


def _check_writable(sheet: ScoreSheet, by) -> None:
    _require(by, "awards.score")
    if sheet.juror_id != by.pk:
        raise PermissionDenied
    # The assignment may have been removed, or the nomination moved out of it, since creation.
    if not Nomination.objects.assigned_to(by).filter(pk=sheet.nomination_id).exists():
        raise PermissionDenied
    if sheet.is_locked:
        raise Locked(_("This score sheet was submitted and is locked."), code="locked")
    nomination = sheet.nomination
    if nomination.status != NominationStatus.NOMINATED or nomination.is_frozen:
        raise Locked(_("The ranking of this stage is published: scores are closed."), code="locked")


def save_scores(sheet: ScoreSheet, by, values: dict, version: int | None = None) -> ScoreSheet:
    """Store marks: values = {criterion_key: {"value": number, "comment": str}}. Only juror
    criteria of the sheet's stage, each within its scale. Locked sheet -> Locked; stale version
    -> StaleVersion; only the sheet's juror may write."""
    _check_writable(sheet, by)
    criteria = {c.key: c for c in sheet.nomination.stage.criteria.filter(source=Source.JUROR)}
    errors, clean = {}, {}
    for key, item in (values or {}).items():
        criterion = criteria.get(key)
        if criterion is None:
            errors[key] = _("Not a criterion the jury scores at this stage.")
            continue
        item = item if isinstance(item, dict) else {"value": item}
        raw = item.get("value")
        try:
            value = Decimal(str(raw).replace(",", ".")) if raw not in (None, "") else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            errors[key] = _("Give a number.")
            continue
        if not criterion.scale_min <= value <= criterion.scale_max:
            errors[key] = _("The mark must be between %(min)s and %(max)s.") % {
                "min": number_format(criterion.scale_min),
                "max": number_format(criterion.scale_max),
            }
            continue
        if value != value.quantize(Decimal("0.01")):
            errors[key] = _("Use at most two decimals.")
            continue
        clean[key] = (value, str(item.get("comment") or "").strip())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the sheet row so a concurrent submit cannot slip in between check and write.
        locked = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.submitted_at is not None:
            raise Locked(_("This score sheet was submitted and is locked."), code="locked")
        bump_version(sheet, version)
        for key, (value, comment) in clean.items():
            Score.objects.update_or_create(
                sheet=sheet,
                criterion=criteria[key],
                defaults={"value": value, "comment": comment},
            )
        sheet.save()
    return sheet


def submit_sheet(sheet: ScoreSheet, by, version: int | None = None) -> ScoreSheet:
    """Submit (lock) the sheet: every juror criterion must have a mark. Locked -> Locked."""
    _check_writable(sheet, by)
    wanted = set(
        sheet.nomination.stage.criteria.filter(source=Source.JUROR).values_list("key", flat=True)
    )
    have = set(sheet.scores.values_list("criterion__key", flat=True))
    if wanted - have:
        raise ValidationError(
            _("Give a mark for every criterion before submitting (missing: %(keys)s).")
            % {"keys": ", ".join(sorted(wanted - have))}
        )
    with transaction.atomic():
        locked = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.submitted_at is not None:
            raise Locked(_("This score sheet was submitted and is locked."), code="locked")
        bump_version(sheet, version)
        sheet.submitted_at = timezone.now()
        sheet.save()
    return sheet
