"""The district rows of VentureSnapshot (the grains above are sums of these, rollups._sum_up),
counted by `ventures.indicators.venture_measures`, the function the raw reference
(aggregates.RawSource) and the ventures' summary page count with too."""

from __future__ import annotations

import datetime

from .rollups_models import VentureSnapshot


def build_ventures(prefixes, today: datetime.date) -> None:
    """District rows of VentureSnapshot for the districts under `prefixes` (None: all)."""
    from django.db.models.functions import Substr

    from mitra.ventures.indicators import venture_measures
    from mitra.ventures.models import Support, Venture
    from mitra.workers.models import Worker

    from .rollups_workers import _scoped

    measures = venture_measures(
        _scoped(Worker.objects.all(), "region_code", prefixes),
        _scoped(Venture.objects.all(), "region_code", prefixes),
        _scoped(Support.objects.all(), "region_code", prefixes),
        lambda field: Substr(field, 1, 6),
        today,
    )
    VentureSnapshot.objects.bulk_create(
        VentureSnapshot(region_code=code, grain=6, **values)
        for code, values in measures.items()
        if len(code) == 6 and any(values.values())
    )
