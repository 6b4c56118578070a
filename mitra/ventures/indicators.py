"""The area's economic self-reliance figures, from the rows the user sees (`visible_to`): PSM
with a running venture, support per source, survival after 12 and 24 months, income bands.
`venture_measures` counts them as additive measures per region: the dashboard's rollups
(stats.rollups_ventures) and its raw reference count with it, and so does the summary page.

Survival needs the date of every start and stop (a venture survives 12 months when it had not
stopped 12 months after its start), so it is counted in Python over the area's ventures: they are
few (about one PSM in several has one)."""

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Subquery, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IncomeBand, Support, SupportSource, Venture, VentureResult, VentureStatus
from .money import rupiah


def months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


SURVIVAL_MONTHS = (12, 24)
# The measures of one region (stats.rollups_models.VentureSnapshot has a column for each).
MEASURES = (
    "psm_running",
    "ventures_running",
    "support_given",
    "support_amount",
    *(f"{k}_{m}" for m in SURVIVAL_MONTHS for k in ("survived", "cohort")),
    *(f"income_{band}" for band in IncomeBand.values),
    *(f"support_{source}" for source in SupportSource.values),
)


def survives(started_on, stopped_on, months: int, today: datetime.date) -> bool | None:
    """Whether a venture started on `started_on` was still going `months` later; None when that
    day has not come yet (not in the cohort)."""
    mark = months_later(started_on, months)
    if mark > today:
        return None
    return stopped_on is None or stopped_on >= mark


def survival(ventures, months: int, today: datetime.date) -> tuple[int, int]:
    """(still going after `months`, started at least `months` ago)."""
    started = ventures.exclude(status=VentureStatus.PLANNED).filter(started_on__isnull=False)
    cohort = survived = 0
    for started_on, stopped_on in started.values_list("started_on", "stopped_on").iterator():
        alive = survives(started_on, stopped_on, months, today)
        if alive is not None:
            cohort += 1
            survived += alive
    return survived, cohort


def venture_measures(workers, ventures, supports, group, today) -> dict[str, dict[str, int]]:
    """{group key: VentureSnapshot measures} from the given querysets (already scoped);
    `group(field)` is the expression of the group key of a region code field."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    running = Venture.objects.filter(worker=OuterRef("pk"), status=VentureStatus.RUNNING)
    for row in (
        workers.filter(Exists(running))
        .annotate(g=group("region_code"))
        .values("g")
        .order_by()
        .annotate(n=Count("pk"))
    ):
        out[row["g"] or ""]["psm_running"] += row["n"]
    for row in (
        supports.annotate(g=group("region_code"))
        .values("g", "source")
        .order_by()
        .annotate(n=Count("pk"), total=Sum("amount"))
    ):
        bucket = out[row["g"] or ""]
        bucket["support_given"] += row["n"]
        amount = int(row["total"] or 0)
        bucket["support_amount"] += amount
        bucket[f"support_{row['source']}"] += amount
    latest = VentureResult.objects.filter(venture=OuterRef("pk")).order_by("-period_start", "-id")
    rows = (
        ventures.annotate(g=group("region_code"), band=Subquery(latest.values("income_band")[:1]))
        .values_list("g", "status", "started_on", "stopped_on", "band")
        .order_by()
    )
    for g, status, started_on, stopped_on, band in rows.iterator():
        bucket = out[g or ""]
        if status == VentureStatus.RUNNING:
            bucket["ventures_running"] += 1
            if band is not None:
                bucket[f"income_{band}"] += 1
        if status == VentureStatus.PLANNED or started_on is None:
            continue
        for months in SURVIVAL_MONTHS:
            survived = survives(started_on, stopped_on, months, today)
            if survived is not None:
                bucket[f"cohort_{months}"] += 1
                bucket[f"survived_{months}"] += survived
    return out


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def area_indicators(user, today: datetime.date | None = None, region_code: str = "") -> dict:
    """The figures of the user's area, or of `region_code` inside it (the reports)."""
    from mitra.workers.models import Worker

    today = today or timezone.localdate()
    ventures = Venture.objects.visible_to(user).in_region(region_code)
    supports = Support.objects.visible_to(user).in_region(region_code)
    m = venture_measures(
        Worker.objects.visible_to(user).in_region(region_code),
        ventures,
        supports,
        lambda field: Value(""),
        today,
    )[""]
    by_status = dict(ventures.values_list("status").annotate(n=Count("id")).order_by())
    sources = dict(SupportSource.choices)
    support = [
        {"source": sources[row["source"]], "count": row["n"], "total": row["total"] or 0}
        for row in supports.values("source")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("-total", "source")
    ]
    survival_rows = []
    for months in SURVIVAL_MONTHS:
        survived, cohort = m[f"survived_{months}"], m[f"cohort_{months}"]
        survival_rows.append(
            {"months": months, "survived": survived, "cohort": cohort,
             "percent": percent(survived, cohort)}
        )  # fmt: skip
    return {
        "psm_running": m["psm_running"],
        "by_status": {s: by_status.get(s, 0) for s in VentureStatus.values},
        "support": support,
        "support_total": m["support_amount"],
        "bands": [(label, m[f"income_{value}"]) for value, label in IncomeBand.choices],
        "no_result": m["ventures_running"] - sum(m[f"income_{v}"] for v in IncomeBand.values),
        "survival": survival_rows,
    }


def report_rows(user, region_code: str, today: datetime.date | None = None) -> list[tuple]:
    """(label, value as people read it) for the section of the monthly and yearly report:
    the state when the report is made, not a sum over the period."""
    f = area_indicators(user, today, region_code)
    rows = [
        (_("PSM with a running venture"), f"{f['psm_running']:,}".replace(",", ".")),
        (
            _("Ventures planned, running, stopped"),
            " / ".join(str(f["by_status"][s]) for s in VentureStatus.values),
        ),  # fmt: skip
        (_("Support received in all"), rupiah(f["support_total"])),
    ]
    rows += [
        (_("Support from %(source)s") % {"source": row["source"]},
         f"{rupiah(row['total'])} ({row['count']}x)")
        for row in f["support"]
    ]  # fmt: skip
    for row in f["survival"]:
        share = "" if row["percent"] is None else f" ({row['percent']}%)"
        rows.append(
            (_("Still running after %(n)s months") % {"n": row["months"]},
             f"{row['survived']} / {row['cohort']}{share}")
        )  # fmt: skip
    rows += [
        (_("Net income a month: %(band)s") % {"band": label}, str(n)) for label, n in f["bands"]
    ]
    return rows
