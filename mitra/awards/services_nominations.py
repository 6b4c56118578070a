"""Nominating a worker and keeping their portfolio."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .eligibility import check_eligibility
from .models import AwardCycle, FileKind, Level, Nomination, NominationFile, NominationStatus
from .services_base import bump_version, stage_at

PORTFOLIO_FIELDS = (
    "innovation_title",
    "innovation_summary",
    "innovation_text",
    "testimony",
    "photo",
)


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _check_portfolio(title: str, summary: str, text: str) -> None:
    errors = {}
    if not (title or "").strip():
        errors["innovation_title"] = _("Give the innovation a title.")
    if not (summary or "").strip():
        errors["innovation_summary"] = _("Summarise the innovation in a few sentences.")
    elif len(summary) > 500:
        errors["innovation_summary"] = _("The summary may have at most 500 characters.")
    if not (text or "").strip():
        errors["innovation_text"] = _("Describe the innovation.")
    if errors:
        raise ValidationError(errors)


def nominate(
    *,
    cycle: AwardCycle,
    worker,
    by,
    innovation_title: str,
    innovation_summary: str,
    innovation_text: str,
    testimony: str = "",
    photo=None,
    on: datetime.date | None = None,
) -> Nomination:
    """Nominate `worker` at the cycle's regency stage. Needs awards.nominate (PermissionDenied);
    an ineligible worker raises ValidationError({"worker": [reasons...]})."""
    _require(by, "awards.nominate")
    reasons = check_eligibility(cycle, worker, by, on)
    if reasons:
        raise ValidationError({"worker": reasons})
    _check_portfolio(innovation_title, innovation_summary, innovation_text)
    stage = stage_at(cycle, Level.REGENCY)
    with transaction.atomic():
        # A withdrawn nomination of the same worker is revived: one row per worker and stage.
        nomination = Nomination.objects.filter(stage=stage, worker=worker).first() or Nomination(
            cycle=cycle, stage=stage, worker=worker
        )
        nomination.region_code = worker.region_code
        nomination.nominated_by = by
        nomination.nominated_at = timezone.now()
        nomination.status, nomination.status_reason = NominationStatus.NOMINATED, ""
        nomination.innovation_title = innovation_title.strip()
        nomination.innovation_summary = innovation_summary.strip()
        nomination.innovation_text = innovation_text.strip()
        nomination.testimony = (testimony or "").strip()
        if photo:
            nomination.photo = photo
        nomination.save()
    return nomination


def _check_changeable(nomination: Nomination, by) -> None:
    _require(by, "awards.nominate")
    if not Nomination.objects.managed_by(by).filter(pk=nomination.pk).exists():
        raise PermissionDenied
    if nomination.status != NominationStatus.NOMINATED or nomination.is_frozen:
        raise ValidationError(_("The portfolio cannot change after the stage's ranking is out."))
    if nomination.stage.closes_on < timezone.localdate():
        raise ValidationError(_("The stage is closed: the portfolio cannot change any more."))


def update_portfolio(
    nomination: Nomination, by, *, version: int | None = None, **fields
) -> Nomination:
    """Change innovation_title/summary/text, testimony or photo while the nomination's stage is
    open and its evidence not frozen. Other field names raise ValidationError."""
    unknown = sorted(set(fields) - set(PORTFOLIO_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    _check_changeable(nomination, by)
    merged = {
        name: fields.get(name, getattr(nomination, name))
        for name in ("innovation_title", "innovation_summary", "innovation_text")
    }
    _check_portfolio(**{k.removeprefix("innovation_"): v for k, v in merged.items()})
    with transaction.atomic():
        bump_version(nomination, version)
        for name, value in fields.items():
            setattr(nomination, name, value.strip() if isinstance(value, str) else value)
        nomination.save()
    return nomination


def add_nomination_file(
    nomination: Nomination, by, *, title: str, file, kind: str = FileKind.DOCUMENT
) -> NominationFile:
    """Attach a document or photo to the portfolio (same conditions as update_portfolio)."""
    _check_changeable(nomination, by)
    if kind not in FileKind.values:
        raise ValidationError({"kind": _("Unknown file kind.")})
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the file a title.")})
    item = NominationFile(nomination=nomination, kind=kind, title=title.strip(), file=file)
    item.save()
    return item


def withdraw_nomination(
    nomination: Nomination, by, reason: str, version: int | None = None
) -> Nomination:
    """Withdraw a nomination that is still `nominated` (its officer; the reason is kept)."""
    _require(by, "awards.nominate")
    if not Nomination.objects.managed_by(by).filter(pk=nomination.pk).exists():
        raise PermissionDenied
    if nomination.status != NominationStatus.NOMINATED:
        raise ValidationError(_("Only a nomination still in the running can be withdrawn."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for withdrawing.")})
    with transaction.atomic():
        bump_version(nomination, version)
        nomination.status = NominationStatus.WITHDRAWN
        nomination.status_reason = reason.strip()[:255]
        nomination.save()
    return nomination
