"""Errors and stage helpers the award services share."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LEVEL_ORDER, AwardCycle, Level, Stage


class Locked(ValidationError):
    """The score sheet was submitted: its marks can no longer change (API 409)."""


class StaleVersion(ValidationError):
    """Someone changed the row since the caller read it (API 409)."""


def _stale() -> StaleVersion:
    return StaleVersion(
        _(
            "Someone else changed this record while you were working on it. Reload the page "
            "and try again."
        ),
        code="conflict",
    )


def check_version(obj, expected: int | None) -> None:
    """The caller read an older version than the row's (None: not compared)."""
    if expected is not None and int(expected) != obj.version:
        raise _stale()


def bump_version(obj, expected: int | None) -> None:
    """Optimistic concurrency (ADR 0010): the change applies only to the version the caller read;
    None skips the comparison (internal callers) but still moves the version on."""
    model = type(obj)
    check_version(obj, expected)
    updated = model._base_manager.filter(pk=obj.pk, version=obj.version).update(
        version=F("version") + 1
    )
    if not updated:
        raise _stale()
    obj.version += 1


def stage_at(cycle: AwardCycle, level: str) -> Stage | None:
    return cycle.stages.filter(level=level).first()


def next_stage(stage: Stage) -> Stage | None:
    """The stage after `stage` in its cycle (None after the national stage)."""
    index = LEVEL_ORDER.index(Level(stage.level))
    if index + 1 >= len(LEVEL_ORDER):
        return None
    return stage_at(stage.cycle, LEVEL_ORDER[index + 1])


def current_stage(cycle: AwardCycle, on: datetime.date | None = None) -> Stage | None:
    """The stage open on `on` (today), else the last one that has opened, else the first."""
    on = on or timezone.localdate()
    stages = sorted(cycle.stages.all(), key=lambda s: LEVEL_ORDER.index(Level(s.level)))
    if not stages:
        return None
    started = [s for s in stages if s.opens_on <= on]
    return started[-1] if started else stages[0]
