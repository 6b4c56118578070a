"""Scores to a ranking: per-juror normalisation, computed criteria scaled across the nominees,
weights, and the stated tie-break (docs/adr/0013-award-scoring.md).

`score_group` is pure (plain values in, results out) so that the worked example in the tests and
the bench exercise exactly the code the publication uses; `compute_ranking` loads one stage's
region with a fixed number of queries and calls it.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Criterion, Nomination, NominationStatus, ScoreSheet, Source, Stage
from .models import JuryAssignment as Assignment

PLACES = 4


def method_text() -> str:
    return _(
        "Jury marks are normalised per juror and criterion: each mark becomes a z-score within "
        "the marks that juror gave for that criterion in this ranking, mapped back onto the "
        "scale with the mean and spread of the whole panel's marks for it (so a harsh or a "
        "lenient juror neither sinks nor lifts a candidate; with one juror the marks stay as "
        "given). A candidate's mark for the criterion is the mean of their normalised marks, "
        "expressed as 0-1 of the scale. Criteria computed from Mitra's data are scaled 0-1 "
        "between the lowest and the highest figure among this ranking's candidates (equal "
        "figures all count 1, or 0 when all are zero). Total = sum of weight x value, divided "
        "by the sum of the weights, times 100. Ties are broken by the higher jury part, then "
        "more verified activity reports in the evaluated period, then the earlier nomination."
    )


@dataclasses.dataclass
class EntryResult:
    nomination: object
    rank: int
    total: Decimal  # 0-100
    juror_total: Decimal  # the part of `total` from juror criteria
    computed_total: Decimal  # the part from computed criteria
    components: dict  # {criterion_key: {...raw, normalised, weight, contribution...}}
    tie_break: tuple = ()
    advanced: bool = False
    award: str = ""


@dataclasses.dataclass
class RankingResult:
    stage: object
    region_code: str
    method: str  # the method in words, for the ranking page
    criteria: list
    entries: list[EntryResult]
    problems: list[str]  # why it cannot be published yet (empty = ready)


class Mark(NamedTuple):
    nomination_id: object
    juror_id: int
    juror: str
    criterion: str
    value: float


def _dec(x: float) -> Decimal:
    return Decimal(f"{x:.{PLACES}f}")


def _mean_sd(values: list[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _normalise(marks: list[tuple], scale_min: float, scale_max: float) -> dict:
    """{(candidate, juror): normalised mark} for one criterion's (candidate, juror, value)."""
    if not marks:
        return {}
    panel_mean, panel_sd = _mean_sd([m[2] for m in marks])
    by_juror = defaultdict(list)
    for m in marks:
        by_juror[m[1]].append(m)
    out = {}
    for juror_marks in by_juror.values():
        mean, sd = _mean_sd([m[2] for m in juror_marks])
        for candidate, juror, value in juror_marks:
            z = (value - mean) / sd if sd > 0 else 0.0
            out[(candidate, juror)] = min(scale_max, max(scale_min, panel_mean + z * panel_sd))
    return out


def normalise_marks(marks: list[Mark], scale_min: float, scale_max: float) -> dict:
    """{(nomination_id, juror_id): normalised mark} for one criterion's marks (see method_text)."""
    return _normalise([(m.nomination_id, m.juror_id, m.value) for m in marks], scale_min, scale_max)


def _jury_part(c: Criterion, marks: list[tuple], count: int) -> list[dict]:
    """Each candidate's part for one jury criterion; `marks` are (candidate index, juror id,
    juror name, value) tuples, candidates numbered 0..count-1."""
    lo, hi = float(c.scale_min), float(c.scale_max)
    normal = _normalise([(i, j, v) for i, j, _n, v in marks], lo, hi)
    own_by = defaultdict(list)
    for m in marks:
        own_by[m[0]].append(m)
    parts = []
    for i in range(count):
        own = own_by.get(i, [])
        if own:
            mean_norm = sum(normal[(i, m[1])] for m in own) / len(own)
            raw = round(sum(m[3] for m in own) / len(own), PLACES)
            mark, value = round(mean_norm, PLACES), (mean_norm - lo) / (hi - lo)
        else:
            raw, mark, value = None, None, 0.0
        listed = [
            {"juror_id": j, "juror": name, "raw": v, "normalised": round(normal[(i, j)], PLACES)}
            for _i, j, name, v in own
        ]
        parts.append({"raw": raw, "mark": mark, "normalised": value, "marks": listed})
    return parts


def score_group(
    criteria: list[Criterion], nominations: list, evidence: dict, marks: list[Mark]
) -> list[EntryResult]:
    """Rank one group. `nominations` need .pk and .nominated_at; `evidence` {pk: sheet}."""
    weight_sum = float(sum(c.weight for c in criteria)) or 1.0
    # Candidates are numbered once: hashing small ints beats hashing UUIDs in the inner loops.
    index = {n.pk: i for i, n in enumerate(nominations)}
    count = len(nominations)
    sheets = [evidence.get(n.pk) or {} for n in nominations]
    by_criterion = defaultdict(list)
    for m in marks:
        i = index.get(m.nomination_id)
        if i is not None:
            by_criterion[m.criterion].append((i, m.juror_id, m.juror, m.value))
    parts: list[dict] = [{} for _ in range(count)]
    for c in criteria:
        weight = float(c.weight)
        if c.source == Source.COMPUTED:
            raws = [float(sheet.get(c.metric) or 0) for sheet in sheets]
            lo, hi = (min(raws), max(raws)) if raws else (0.0, 0.0)
            # Equal figures cannot order anyone: all count 1 (0 when all are zero).
            flat = 1.0 if hi > 0 else 0.0
            column = [
                {"raw": raw, "normalised": (raw - lo) / (hi - lo) if hi > lo else flat,
                 "metric": c.metric}
                for raw in raws
            ]  # fmt: skip
        else:
            column = _jury_part(c, by_criterion.get(c.key, []), count)
        label = str(c.label)
        for i, part in enumerate(column):
            part.update(
                label=label,
                source=c.source,
                weight=weight,
                contribution=100.0 * weight * part["normalised"] / weight_sum,
            )
            parts[i][c.key] = part
    results = []
    for i, n in enumerate(nominations):
        comp = parts[i]
        juror = sum(p["contribution"] for p in comp.values() if p["source"] == Source.JUROR)
        computed = sum(p["contribution"] for p in comp.values() if p["source"] != Source.JUROR)
        for p in comp.values():
            p["normalised"] = round(p["normalised"], 6)
            p["contribution"] = round(p["contribution"], PLACES)
        total, juror_total = _dec(juror + computed), _dec(juror)
        activities = int(sheets[i].get("verified_activities") or 0)
        results.append(
            EntryResult(
                nomination=n,
                rank=0,
                total=total,
                juror_total=juror_total,
                computed_total=_dec(computed),
                components=comp,
                tie_break=(-total, -juror_total, -activities, n.nominated_at, str(n.pk)),
            )
        )
    results.sort(key=lambda e: e.tie_break)
    for i, entry in enumerate(results, start=1):
        entry.rank = i
    return results


def group_nominations(stage: Stage, region_code: str):
    return (
        Nomination.objects.filter(stage=stage)
        .in_region(region_code)
        .exclude(status=NominationStatus.WITHDRAWN)
        .select_related("worker", "cycle")
    )


def load_marks(stage: Stage, nominations) -> list[Mark]:
    rows = ScoreSheet.objects.filter(
        nomination__in=[n.pk for n in nominations], submitted_at__isnull=False
    ).values_list(
        "nomination_id", "juror_id", "juror__full_name", "scores__criterion__key", "scores__value"
    )
    return [
        Mark(nom, juror, name, key, float(value))
        for nom, juror, name, key, value in rows
        if key is not None
    ]


def missing_sheets(stage: Stage, nominations) -> int:
    """Sheets an assigned juror still owes (not created or not submitted) for these nominations."""
    assignments = list(Assignment.objects.filter(stage=stage))
    submitted = set(
        ScoreSheet.objects.filter(
            nomination__in=[n.pk for n in nominations], submitted_at__isnull=False
        ).values_list("nomination_id", "juror_id")
    )
    missing = 0
    for n in nominations:
        jurors = {
            a.juror_id
            for a in assignments
            if n.region_code.startswith(a.region_code)
            and not (a.home_region_code and n.region_code.startswith(a.home_region_code))
        }
        missing += len({j for j in jurors if (n.pk, j) not in submitted})
    return missing


def compute_ranking(stage: Stage, region_code: str) -> RankingResult:
    from .evidence import evidence_for_nominations

    criteria = list(stage.criteria.all())
    nominations = list(group_nominations(stage, region_code))
    evidence = evidence_for_nominations(nominations)
    marks = load_marks(stage, nominations)
    entries = score_group(criteria, nominations, evidence, marks)
    problems = []
    if not nominations:
        problems.append(_("There are no nominations to rank."))
    if not criteria:
        problems.append(_("The stage has no criteria."))
    if any(c.source == Source.JUROR for c in criteria):
        owed = missing_sheets(stage, nominations)
        if owed:
            problems.append(
                ngettext(
                    "%(count)d score sheet of the assigned jurors is not submitted yet.",
                    "%(count)d score sheets of the assigned jurors are not submitted yet.",
                    owed,
                )
                % {"count": owed}
            )
        scored = {m.nomination_id for m in marks}
        for n in nominations:
            if n.pk not in scored:
                problems.append(
                    _("%(name)s has no submitted score sheet.") % {"name": n.worker.full_name}
                )
    return RankingResult(stage, region_code, method_text(), criteria, entries, problems)


class Candidate(NamedTuple):
    """A nomination as the stage overview needs it (a light row, not a model instance)."""

    pk: object
    nominated_at: object
    region_code: str
    worker_id: object
    worker_name: str


def compute_stage_rankings(stage: Stage) -> dict[str, RankingResult]:
    """Every region's ranking of a stage at once ({group code: result}), with a fixed number of
    queries whatever the number of regions: the stage overview, and the national-scale bench.
    The entries' `nomination` is a `Candidate` row; publishing uses `compute_ranking`."""
    from django.db.models.functions import Substr

    from mitra.accounts.models import User

    from .evidence import evidence_for_workers

    criteria = list(stage.criteria.all())
    keys = {c.pk: c.key for c in criteria}
    cycle = stage.cycle
    length = stage.group_code_length
    running = Nomination.objects.filter(stage=stage).exclude(status=NominationStatus.WITHDRAWN)
    # Light rows, not model instances: at ten thousand candidates, building whole objects costs
    # more than the arithmetic.
    nominations = [
        Candidate(*row)
        for row in running.values_list(
            "id", "nominated_at", "region_code", "worker_id", "worker__full_name"
        )
    ]
    frozen = dict(running.filter(evidence_frozen_at__isnull=False).values_list("pk", "evidence"))
    live = running.filter(evidence_frozen_at__isnull=True)
    sheets = (
        evidence_for_workers(live.values("worker_id"), cycle.period_start, cycle.period_end)
        if len(frozen) < len(nominations)
        else {}
    )
    evidence = {n.pk: frozen.get(n.pk) or sheets.get(n.worker_id) or {} for n in nominations}
    rows = list(
        ScoreSheet.objects.filter(
            nomination__stage=stage, submitted_at__isnull=False, scores__isnull=False
        )
        .exclude(nomination__status=NominationStatus.WITHDRAWN)
        .annotate(group=Substr("nomination__region_code", 1, length))
        .values_list("group", "nomination_id", "juror_id", "scores__criterion_id", "scores__value")
    )
    names = dict(User.objects.filter(pk__in={r[2] for r in rows}).values_list("pk", "full_name"))
    marks_by = defaultdict(list)
    for group, nom, juror, criterion, value in rows:
        if criterion in keys:
            marks_by[group if length else ""].append(
                Mark(nom, juror, names.get(juror, ""), keys[criterion], float(value))
            )
    groups = defaultdict(list)
    for n in nominations:
        groups[n.region_code[:length]].append(n)
    results = {}
    for code, members in sorted(groups.items()):
        entries = score_group(criteria, members, evidence, marks_by[code])
        results[code] = RankingResult(stage, code, method_text(), criteria, entries, [])
    return results
