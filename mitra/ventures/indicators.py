"""The area's economic self-reliance figures, from the rows the user sees (`visible_to`): PSM
with a running venture, support per source, survival after 12 and 24 months, income bands.
The summary page shows them; the dashboard and the award's evidence can read the same."""

import datetime

from django.db.models import Count, OuterRef, Subquery, Sum
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


def survival(ventures, months: int, today: datetime.date) -> tuple[int, int]:
    """(still going after `months`, started at least `months` ago): a venture counts as
    surviving when it had not stopped `months` after its start."""
    started = ventures.exclude(status=VentureStatus.PLANNED).filter(started_on__isnull=False)
    cohort = survived = 0
    for started_on, stopped_on in started.values_list("started_on", "stopped_on").iterator():
        mark = months_later(started_on, months)
        if mark > today:
            continue
        cohort += 1
        if stopped_on is None or stopped_on >= mark:
            survived += 1
    return survived, cohort


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def area_indicators(user, today: datetime.date | None = None, region_code: str = "") -> dict:
    """The figures of the user's area, or of `region_code` inside it (the reports)."""
    today = today or timezone.localdate()
    ventures = Venture.objects.visible_to(user).in_region(region_code)
    by_status = dict(ventures.values_list("status").annotate(n=Count("id")).order_by())
    psm_running = (
        ventures.filter(status=VentureStatus.RUNNING).values("worker_id").distinct().count()
    )
    sources = dict(SupportSource.choices)
    support = [
        {"source": sources[row["source"]], "count": row["n"], "total": row["total"] or 0}
        for row in Support.objects.visible_to(user)
        .in_region(region_code)
        .values("source")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("-total", "source")
    ]
    latest = VentureResult.objects.filter(venture=OuterRef("pk")).order_by("-period_start", "-id")
    band_counts = dict(
        ventures.filter(status=VentureStatus.RUNNING)
        .annotate(band=Subquery(latest.values("income_band")[:1]))
        .values_list("band")
        .annotate(n=Count("id"))
        .order_by()
    )
    bands = [(label, band_counts.get(value, 0)) for value, label in IncomeBand.choices]
    s12, c12 = survival(ventures, 12, today)
    s24, c24 = survival(ventures, 24, today)
    return {
        "psm_running": psm_running,
        "by_status": {s: by_status.get(s, 0) for s in VentureStatus.values},
        "support": support,
        "support_total": sum(row["total"] for row in support),
        "bands": bands,
        "no_result": band_counts.get(None, 0),
        "survival": [
            {"months": 12, "survived": s12, "cohort": c12, "percent": percent(s12, c12)},
            {"months": 24, "survived": s24, "cohort": c24, "percent": percent(s24, c24)},
        ],
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
