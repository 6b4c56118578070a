"""The workforce rows of the rollups (WorkerSnapshot) at district grain; the grains above are
sums of these (`rollups._sum_up`)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Substr

from mitra.core.scope import prefix_q

from .aggregates import (
    AGE_BANDS,
    PIPELINE_BATCH,
    PIPELINE_ENROLMENT,
    TARGET_PER_VILLAGE,
    TENURE_BANDS,
)
from .dbfuncs import DayNumber
from .rollups_models import ALL_KINDS, WorkerSnapshot


def _in_prefixes(field: str, prefixes) -> Q:
    q = Q(pk__in=[])
    for p in prefixes:
        q |= prefix_q(field, p)
    return q


def _scoped(qs, field, prefixes):
    return qs if prefixes is None else qs.filter(_in_prefixes(field, prefixes))


def _cutoff(today: datetime.date, years: int) -> datetime.date:
    """The latest birth (or joining) date of someone at least `years` old (in service) today."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def build_workers(prefixes, today: datetime.date) -> None:
    """District rows of WorkerSnapshot for the districts under `prefixes` (None: all)."""
    from mitra.regions.models import District, Village
    from mitra.training.models import Enrolment
    from mitra.workers.models import Worker

    rows: dict[tuple[str, str], dict[str, int]] = {}
    districts = _scoped(District.objects.all(), "code", prefixes).values_list("code", flat=True)
    villages = dict(
        _scoped(Village.objects.all(), "code", prefixes)
        .annotate(g=Substr("code", 1, 6))
        .values_list("g")
        .order_by()
        .annotate(n=Count("pk"))
    )
    # Every district has an all-kinds row, which carries its villages (counted even where no
    # worker lives); a kind's row exists where that kind has workers.
    for d in districts:
        rows[(d, ALL_KINDS)] = {"villages": villages.get(d, 0)}
    active = Q(status="active")
    joined = active & Q(joined_on__isnull=False)
    bands = {}
    for i, (low, _high, _key) in enumerate(AGE_BANDS):
        upper = Q(birth_date__gt=_cutoff(today, AGE_BANDS[i][1])) if i < len(AGE_BANDS) - 1 else Q()
        bands[f"age_{i}"] = Count(
            "pk", filter=active & Q(birth_date__lte=_cutoff(today, low)) & upper
        )
    for i, (low, _high, _key) in enumerate(TENURE_BANDS):
        upper = (
            Q(joined_on__gt=_cutoff(today, TENURE_BANDS[i][1]))
            if i < len(TENURE_BANDS) - 1
            else Q()
        )
        bands[f"tenure_{i}"] = Count(
            "pk", filter=joined & Q(joined_on__lte=_cutoff(today, low)) & upper
        )
    workers = _scoped(Worker.objects.registered(), "region_code", prefixes)
    grouped = (
        workers.annotate(
            g=Substr("region_code", 1, 6),
            is_advanced=Exists(
                Enrolment.objects.filter(
                    worker=OuterRef("pk"), result="passed", batch__course__level="lanjutan"
                )
            ),
            is_pipeline=Exists(
                Enrolment.objects.filter(
                    worker=OuterRef("pk"),
                    status__in=PIPELINE_ENROLMENT,
                    result="pending",
                    batch__status__in=PIPELINE_BATCH,
                )
            ),
        )
        .values("g", "kind")
        .order_by()
        .annotate(
            total=Count("pk", filter=~Q(status="exited")),
            active=Count("pk", filter=active),
            female=Count("pk", filter=active & Q(sex="P")),
            birth_days_sum=Sum(DayNumber("birth_date"), filter=active),
            tenure_n=Count("pk", filter=joined),
            joined_days_sum=Sum(DayNumber("joined_on"), filter=joined),
            basic=Count("pk", filter=active & Q(basic_training_on__isnull=False)),
            advanced=Count("pk", filter=active & Q(is_advanced=True)),
            pipeline=Count("pk", filter=active & Q(is_pipeline=True)),
            **bands,
        )
    )
    for row in grouped:
        d, kind = row.pop("g"), row.pop("kind")
        for target in ((d, kind), (d, ALL_KINDS)):
            bucket = rows.setdefault(target, {})
            for name, value in row.items():
                bucket[name] = bucket.get(name, 0) + (value or 0)
    per_village: dict[str, dict[str, int]] = defaultdict(dict)
    for code, kind, n in (
        workers.filter(active).values_list("region_code", "kind").order_by().annotate(n=Count("pk"))
    ):
        per_village[code][kind] = n
    for code, by_kind in per_village.items():
        d = code[:6]
        for kind, n in [*by_kind.items(), (ALL_KINDS, sum(by_kind.values()))]:
            bucket = rows.setdefault((d, kind), {})
            bucket["villages_with_active"] = bucket.get("villages_with_active", 0) + 1
            bucket["capped5"] = bucket.get("capped5", 0) + min(n, TARGET_PER_VILLAGE)
    # Plain rows through executemany: model instances cost more than the queries here.
    columns = [
        *WorkerSnapshot.MEASURES,
        *WorkerSnapshot.AGE_COLUMNS,
        *WorkerSnapshot.TENURE_COLUMNS,
    ]
    table = WorkerSnapshot._meta.db_table
    names = ", ".join(["region_code", "grain", "worker_kind", *columns])
    marks = ", ".join(["%s"] * (3 + len(columns)))
    values = [(d, 6, kind, *(row.get(c, 0) for c in columns)) for (d, kind), row in rows.items()]
    with connection.cursor() as cur:
        for i in range(0, len(values), 5000):
            cur.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                values[i : i + 5000],
            )
