"""Small builders for the award tests: a cycle with its stages and criteria, eligible PSM, jury
assignments and submitted score sheets."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from mitra.awards import services
from mitra.awards.models import AwardCycle, Criterion, Level, Metric, Source, Stage
from mitra.workers.models import Decree, Status
from mitra.workers.tests.builders import build_worker

TODAY = timezone.localdate()
TRIMULYO = "3402092004"  # Bantul
SLEMAN_VILLAGE = "3404012001"  # Gamping, Sleman
_names = itertools.count(1)

# (key, label, weight, source, metric, scale)
DEFAULT_CRITERIA = [
    ("activities", "Kegiatan terverifikasi", 20, Source.COMPUTED, Metric.VERIFIED_ACTIVITIES),
    ("resolved", "Kasus tuntas", 20, Source.COMPUTED, Metric.CASES_RESOLVED),
    ("tenure", "Masa pengabdian", 10, Source.COMPUTED, Metric.TENURE_YEARS),
    ("innovation", "Inovasi", 30, Source.JUROR, ""),
    ("interview", "Wawancara", 20, Source.JUROR, ""),
]


def make_cycle(year: int = 2026, criteria=None, advance: int = 1, **fields) -> AwardCycle:
    """A cycle whose regency stage is open today; the later stages follow it."""
    cycle = AwardCycle.objects.create(
        year=year,
        title=f"PSM Berprestasi {year}",
        period_start=datetime.date(year - 1, 1, 1),
        period_end=datetime.date(year - 1, 12, 31),
        **fields,
    )
    spans = {
        Level.REGENCY: (-10, 20),
        Level.PROVINCE: (21, 50),
        Level.NATIONAL: (51, 80),
    }
    for level, (start, end) in spans.items():
        stage = Stage.objects.create(
            cycle=cycle,
            level=level,
            opens_on=TODAY + datetime.timedelta(days=start),
            closes_on=TODAY + datetime.timedelta(days=end),
            advance_count=3 if level == Level.NATIONAL else advance,
            honourable_mentions=1 if level == Level.NATIONAL else 0,
        )
        for position, (key, label, weight, source, metric) in enumerate(
            criteria if criteria is not None else DEFAULT_CRITERIA
        ):
            Criterion.objects.create(
                stage=stage,
                key=key,
                label=label,
                weight=Decimal(weight),
                source=source,
                metric=metric,
                position=position,
            )
    return cycle


def stage(cycle: AwardCycle, level: str = Level.REGENCY) -> Stage:
    return cycle.stages.get(level=level)


def eligible_psm(village: str = TRIMULYO, years: int = 5, **fields):
    """An active PSM with basic training and a decree valid today, serving `years` years."""
    joined = TODAY - datetime.timedelta(days=int(365.25 * years) + 400)
    worker = build_worker(
        village=village,
        full_name=fields.pop("full_name", f"Calon {next(_names)}"),
        status=fields.pop("status", Status.ACTIVE),
        basic_training_on=fields.pop("basic_training_on", joined),
        joined_on=joined,
        ktp_checked=True,
        **fields,
    )
    Decree.objects.create(
        worker=worker,
        number=f"460/{worker.pk.hex[:6]}",
        issued_on=joined,
        office="Dinas Sosial",
    )
    return worker


def nominate(cycle, worker, officer, title: str = "Bank Sampah Peduli Lansia"):
    return services.nominate(
        cycle=cycle,
        worker=worker,
        by=officer,
        innovation_title=title,
        innovation_summary="Ringkasan inovasi.",
        innovation_text="Uraian lengkap inovasi.",
    )


def score(nomination, juror, submit: bool = True, **marks):
    sheet = services.sheet_for(nomination, juror)
    services.save_scores(sheet, juror, {k: {"value": v, "comment": ""} for k, v in marks.items()})
    if submit:
        services.submit_sheet(sheet, juror)
    return sheet
