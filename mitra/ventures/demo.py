"""Demo ventures for DI Yogyakarta, consistent with the rest: the demo PSM of Trimulyo
(psm.trimulyo) runs a grocery stall started with a Kemensos capital grant, mentored by the Dinas
Sosial, with a result for each of the last four quarters; about one active PSM in six elsewhere
in DIY has a venture (most running, some planned or stopped) with support and results.

Idempotent: a province that already has ventures is skipped. Rows are saved one by one (a few
hundred), so each has its change history like a venture recorded by hand."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from importlib import import_module

from django.db import transaction
from django.utils import timezone

from mitra.core.scope import prefix_q
from mitra.workers.demo import DEMO_PSM_USERNAME
from mitra.workers.models import Status as WorkerStatus
from mitra.workers.models import Worker

from .models import Support, Venture, VentureKind, VentureResult
from .services import period_start

PROVINCE = "34"
EVERY = 6
MAX_VENTURES = 150
NAMES = ["Berkah", "Makmur", "Sejahtera", "Mandiri", "Lestari", "Barokah", "Rukun", "Maju"]
PROGRAMMES = [
    ("kemensos", "capital", "PENA Kemensos"),
    ("dinas", "equipment", "Bantuan UEP Dinas Sosial"),
    ("bank", "credit", "KUR BRI"),
    ("csr", "capital", "CSR Bank Daerah"),
    ("dinas", "mentoring", "Pendampingan Dinas Sosial"),
]


def _quarters_back(today: datetime.date, n: int) -> list[datetime.date]:
    start = period_start("quarter", today)
    out = []
    for _ in range(n):
        start = period_start("quarter", start - datetime.timedelta(days=1))
        out.append(start)
    return out


def _results(venture, rng, today, quarters, band_low=1, band_high=3):
    for start in _quarters_back(today, quarters):
        if venture.started_on and start < period_start("quarter", venture.started_on):
            break
        if venture.stopped_on and start > venture.stopped_on:
            continue
        band = rng.randint(band_low, band_high)
        VentureResult.objects.create(
            venture=venture,
            period_kind="quarter",
            period_start=start,
            turnover=Decimal(rng.randrange(1_500_000, 15_000_000, 50_000)),
            income_band=str(band),
            people_working=rng.randint(1, 4),
        )


def _trimulyo(today, rng) -> int:
    worker = Worker.objects.filter(user__username=DEMO_PSM_USERNAME).first()
    if worker is None:
        return 0
    venture = Venture.objects.create(
        name="Warung Sembako Berkah",
        worker=worker,
        kind=VentureKind.objects.get_or_create(name="Warung sembako", region_code="")[0],
        village=worker.village,
        status="running",
        started_on=today - datetime.timedelta(days=600),
        description="Warung sembako di depan rumah; modal awal dari hibah PENA Kemensos.",
    )
    Support.objects.create(
        venture=venture,
        kind="capital",
        source="kemensos",
        programme="PENA Kemensos",
        amount=Decimal(5_000_000),
        received_on=venture.started_on,
    )
    Support.objects.create(
        venture=venture,
        kind="mentoring",
        source="dinas",
        programme="Pendampingan Dinas Sosial Kabupaten Bantul",
        received_on=venture.started_on + datetime.timedelta(days=60),
    )
    _results(venture, rng, today, 4, 2, 3)
    return 1


def seed_ventures(scale: str = "demo", stdout=None) -> int:
    if Venture.objects.filter(prefix_q("region_code", PROVINCE)).exists():
        if stdout:
            stdout.write(f"Ventures: province {PROVINCE} already has ventures, skipped.")
        return 0
    rng = random.Random(34_2015)
    today = timezone.localdate()
    # The national list comes with a migration; a flushed test database (the live server's) has
    # lost it, so the demo puts it back.
    names = import_module("mitra.ventures.migrations.0002_national_kinds").KINDS
    kinds = [VentureKind.objects.get_or_create(name=n, region_code="")[0] for n in names]
    count = 0
    with transaction.atomic():
        count += _trimulyo(today, rng)
        workers = (
            Worker.objects.filter(prefix_q("region_code", PROVINCE), status=WorkerStatus.ACTIVE)
            .exclude(user__username=DEMO_PSM_USERNAME)
            .order_by("region_code", "pk")
            .select_related("village")
        )
        for index, worker in enumerate(workers.iterator()):
            if index % EVERY or count >= MAX_VENTURES:
                continue
            kind = rng.choice(kinds)
            roll = rng.random()
            started = today - datetime.timedelta(days=rng.randint(90, 1200))
            fields = {"status": "running", "started_on": started}
            if roll < 0.1:
                fields = {"status": "planned", "started_on": None}
            elif roll < 0.3:
                stopped = started + datetime.timedelta(days=rng.randint(60, 500))
                fields.update(
                    status="stopped",
                    stopped_on=min(stopped, today),
                    stop_reason=rng.choice(["capital", "market", "health", "disaster"]),
                )
            venture = Venture.objects.create(
                name=f"{kind.name.split(' ')[0]} {rng.choice(NAMES)}",
                worker=worker,
                kind=kind,
                village=worker.village,
                is_group=rng.random() < 0.2,
                **fields,
            )
            count += 1
            if venture.status == "planned":
                continue
            source, support_kind, programme = rng.choice(PROGRAMMES)
            Support.objects.create(
                venture=venture,
                kind=support_kind,
                source=source,
                programme=programme,
                amount=None
                if support_kind == "mentoring"
                else Decimal(rng.randrange(1_000_000, 25_000_000, 500_000)),
                received_on=started,
            )
            _results(venture, rng, today, rng.randint(1, 4))
    if stdout:
        stdout.write(f"Ventures: {count} ventures in DIY (one run by {DEMO_PSM_USERNAME}).")
    return count
