"""Builders for tests of the ventures section: a running venture of a PSM, a support, a result."""

import datetime
from decimal import Decimal

from mitra.workers.tests.builders import build_worker

from ..models import Support, Venture, VentureKind, VentureResult


def national_kind(name="Warung sembako") -> VentureKind:
    # get_or_create: a transactional test (the live server) flushes the migration's national list.
    return VentureKind.objects.get_or_create(name=name, region_code="")[0]


def build_venture(worker=None, village="3402092004", **fields) -> Venture:
    worker = worker or build_worker(village=village, full_name="PSM Usaha", status="active")
    values = {
        "name": "Warung Makmur",
        "kind": national_kind(),
        "status": "running",
        "started_on": datetime.date(2024, 3, 1),
        "village": worker.village if village == worker.village_id else None,
    }
    values.update(fields)
    if values["village"] is None:
        from mitra.regions.models import Village

        values["village"] = Village.objects.get(code=village)
    return Venture.objects.create(worker=worker, **values)


def build_support(venture, **fields) -> Support:
    values = {
        "kind": "capital",
        "source": "kemensos",
        "programme": "PENA Kemensos",
        "amount": Decimal(5_000_000),
        "received_on": datetime.date(2024, 4, 1),
    }
    values.update(fields)
    return Support.objects.create(venture=venture, **values)


def build_result(venture, **fields) -> VentureResult:
    values = {
        "period_kind": "quarter",
        "period_start": datetime.date(2025, 1, 1),
        "turnover": Decimal(4_500_000),
        "income_band": "2",
        "people_working": 2,
    }
    values.update(fields)
    return VentureResult.objects.create(venture=venture, **values)
