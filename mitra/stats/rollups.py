"""Building and refreshing the rollup tables (ADR dashboard-rollups).

* `rebuild_all()`: every rollup row from the raw tables, set-based (INSERT ... SELECT over the
  same GROUP BY queries as the raw reference, built with the ORM so they run on SQLite and
  PostgreSQL alike). `mitra refresh-stats --full`; nightly from cron.
* `mark_dirty(codes)`: called by the signal handlers (rollups_signals.py) in the transaction of
  every change to a counted row; records the district as behind and, once committed, enqueues
  `tasks.refresh_rollups` unless one is already queued, to run REFRESH_DELAY later: on a busy
  day every change of that minute is refreshed by one run instead of one run per change (each
  costs about the same few seconds, however many districts it takes).
* `refresh_dirty()`: recomputes the districts marked dirty, their regencies and provinces;
  `mitra refresh-stats` (cron, every few minutes, as a safety net) and the task. It must never
  compete with the pages (ADR 0027): districts in chunks, each from the first month that changed
  in it, each chunk one transaction whose statements are bounded (STATEMENT_TIMEOUT: a chunk
  that exceeds it is split, a single district that still does stays marked for the nightly
  rebuild), on one core, run by the low-priority `mitra stats-worker` (queue "rollups").

The measures are those of `aggregates.RawSource` and the tests hold the two equal.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
import os
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Min, Subquery, Value
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from .rollups_models import (
    CaseSnapshot,
    CaseTotal,
    DirtyDistrict,
    FactMonth,
    ReferralMonth,
    RollupState,
    VentureSnapshot,
    WorkerSnapshot,
)
from .rollups_sources import _case_totals, _fact_sources
from .rollups_ventures import build_ventures
from .rollups_workers import _scoped
from .rollups_workers import build_workers as _build_workers

log_ = logging.getLogger(__name__)
CATEGORY_GRAINS = (2, 4)  # grains with per-category rows
CHUNK = 200  # districts per refresh statement
# How long a queued refresh waits for more changes (where the task backend can defer).
REFRESH_DELAY = datetime.timedelta(seconds=int(os.environ.get("MITRA_STATS_REFRESH_DELAY", "60")))
# A queued mark older than this is taken as lost (a worker killed before it ran the task).
QUEUED_STALE = REFRESH_DELAY + datetime.timedelta(minutes=10)
# Longest statement of a refresh (PostgreSQL): a chunk's statements run one core's worth of work
# beside the pages, and a runaway one would hold its transaction and that core.
STATEMENT_TIMEOUT_MS = int(os.environ.get("MITRA_STATS_STATEMENT_TIMEOUT_MS", "20000"))
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement_timeout


# --- helpers --------------------------------------------------------------------------------------


def _sql(qs) -> tuple[str, list]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _state() -> RollupState:
    state = RollupState.objects.filter(pk=1).first()
    return state or RollupState.objects.create(pk=1)


def rollups_ready() -> bool:
    return RollupState.objects.filter(pk=1, built_at__isnull=False).exists()


def as_of() -> datetime.datetime:
    """When the figures were complete: the last refresh, or the oldest change still waiting."""
    return ready_and_as_of()[1]


def ready_and_as_of() -> tuple[bool, datetime.datetime]:
    """`rollups_ready()` and `as_of()` in one query (the dashboard asks both on every request)."""
    oldest = DirtyDistrict.objects.order_by("marked_at").values("marked_at")[:1]
    row = (
        RollupState.objects.filter(pk=1)
        .annotate(oldest=Subquery(oldest))
        .values_list("built_at", "refreshed_at", "oldest")
        .first()
    )
    if row is None:
        oldest_mark = DirtyDistrict.objects.aggregate(m=Min("marked_at"))["m"]
        row = (None, None, oldest_mark)
    candidates = [t for t in row[1:] if t is not None]
    return row[0] is not None, min(candidates) if candidates else timezone.now()


def _grouped(
    qs, grain, month_field, kind, cat_path, by_category, measures, extra=(), region="region_code"
):
    qs = qs.annotate(g=Substr(region, 1, grain), k=kind)
    keys = ["g", "k"]
    if month_field:
        qs = qs.annotate(m=TruncMonth(month_field))
        keys.insert(1, "m")
    if by_category:
        qs = qs.annotate(c=F(cat_path)).filter(c__isnull=False)
    else:
        qs = qs.annotate(c=Value(0))
    keys.append("c")
    keys.extend(extra)
    return qs.values(*keys).order_by().annotate(**measures).values_list(*keys, *measures)


def _insert_union(model, grain: int, key_cols: list[str], parts: list[tuple], measures) -> None:
    """INSERT the sum over `parts` (querysets with key columns then some measures) per key."""
    if not parts:
        return
    selects, params = [], []
    for qs, names in parts:
        sql, p = _sql(qs)
        cols = ", ".join(key_cols + [(m if m in names else "0") + f" AS {m}" for m in measures])
        selects.append(f"SELECT {cols} FROM ({sql}) AS q{len(selects)}")  # noqa: S608
        params.extend(p)
    table = model._meta.db_table
    dest = ["region_code", "grain"] + [c for c in _DEST_KEYS[model] if c != "region_code"]
    src = ["g", str(grain)] + [_SRC_KEYS[model][c] for c in _DEST_KEYS[model] if c != "region_code"]
    sums = ", ".join(f"SUM({m})" for m in measures)
    group = ", ".join(c for c in key_cols)
    # Table and column names come from the models; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(dest + list(measures))}) "  # noqa: S608
        f"SELECT {', '.join(src)}, {sums} FROM ({' UNION ALL '.join(selects)}) AS u "
        f"GROUP BY {group}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)


_DEST_KEYS = {
    FactMonth: ["region_code", "month", "worker_kind", "category"],
    ReferralMonth: ["region_code", "month", "worker_kind", "category", "programme", "status"],
    CaseSnapshot: ["region_code", "worker_kind", "category"],
}
_SRC_KEYS = {
    FactMonth: {"month": "m", "worker_kind": "k", "category": "c"},
    ReferralMonth: {
        "month": "m",
        "worker_kind": "k",
        "category": "c",
        "programme": "p",
        "status": "s",
    },
    CaseSnapshot: {"worker_kind": "k", "category": "c"},
}


def _build_from_raw(grain: int, prefixes, today: datetime.date, since=None) -> None:
    """Fact, referral and overdue rows of `grain` for the regions under `prefixes` (None: all);
    the monthly ones from the month of `since` on (None: all months)."""
    from mitra.cases.models import Referral

    # The all-categories rows of a grain above the district are sums of district rows
    # (_sum_up); only the per-category rows come from the raw tables there.
    with_categories = (True,) if grain in CATEGORY_GRAINS else (False,)
    parts = []
    for factory, month_field, kind, cat_path, measures in _fact_sources():
        # An intervention counts where its case is (see aggregates.RawSource._interventions).
        region = (
            "case__region_code" if factory().model.__name__ == "Intervention" else "region_code"
        )
        for by_cat in with_categories:
            if by_cat and cat_path is None:
                continue
            qs = _scoped(factory(), region, prefixes)
            if since is not None:
                qs = qs.filter(**{f"{month_field}__gte": since})
            parts.append(
                (
                    _grouped(
                        qs, grain, month_field, kind, cat_path, by_cat, measures, region=region
                    ),
                    list(measures),
                )
            )
    _insert_union(FactMonth, grain, ["g", "m", "k", "c"], parts, FactMonth.MEASURES)
    parts = []
    for by_cat in with_categories:
        qs = _scoped(Referral.objects.all(), "region_code", prefixes).annotate(
            p=F("programme"), s=F("status")
        )
        if since is not None:
            qs = qs.filter(sent_on__gte=since)
        parts.append(
            (
                _grouped(
                    qs,
                    grain,
                    "sent_on",
                    F("case__worker__kind"),
                    "case__categories",
                    by_cat,
                    {"referrals": Count("pk")},
                    extra=("p", "s"),
                ),  # fmt: skip
                ["referrals"],
            )
        )
    _insert_union(ReferralMonth, grain, ["g", "m", "k", "c", "p", "s"], parts, ["referrals"])
    _build_overdue(grain, prefixes, today)


def _build_overdue(grain: int, prefixes, today: datetime.date) -> None:
    from mitra.cases.models import Case

    # The all-categories rows of a grain above the district are sums of district rows
    # (_sum_up); only the per-category rows come from the raw tables there.
    with_categories = (True,) if grain in CATEGORY_GRAINS else (False,)
    parts = []
    for by_cat in with_categories:
        qs = _scoped(
            Case.objects.exclude(status="closed").filter(next_follow_up_on__lt=today),
            "region_code",
            prefixes,
        )
        parts.append(
            (
                _grouped(
                    qs,
                    grain,
                    None,
                    F("worker__kind"),
                    "categories",
                    by_cat,
                    {"overdue_followups": Count("pk")},
                ),  # fmt: skip
                ["overdue_followups"],
            )
        )
    _insert_union(CaseSnapshot, grain, ["g", "k", "c"], parts, ["overdue_followups"])


def _sum_up(model, from_grain: int, to_grain: int, prefixes, since=None) -> None:
    """Rows of `to_grain` as sums of the `from_grain` rows under them (every measure is additive),
    of the months from `since` on (None: all)."""
    keys = [c for c in _DEST_KEYS.get(model, ["region_code", "worker_kind"]) if c != "region_code"]
    measures = _measure_columns(model)
    table = model._meta.db_table
    where, params = f"grain = {from_grain}", []
    if prefixes is not None:
        ranges = []
        for p in prefixes:
            from mitra.core.scope import prefix_upper_bound

            ranges.append("(region_code >= %s AND region_code < %s)")
            params += [p, prefix_upper_bound(p)]
        where += " AND (" + (" OR ".join(ranges) or "1 = 0") + ")"
    if since is not None:
        where += " AND month >= %s"
        params.append(since)
    cols = ", ".join(keys)
    sums = ", ".join(f"SUM({m})" for m in measures)
    sql = (
        f"INSERT INTO {table} (region_code, grain, {cols}, {', '.join(measures)}) "  # noqa: S608
        f"SELECT substr(region_code, 1, {to_grain}), {to_grain}, {cols}, {sums} FROM {table} "
        f"WHERE {where} GROUP BY substr(region_code, 1, {to_grain}), {cols}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _measure_columns(model) -> list[str]:
    if model is WorkerSnapshot:
        return [
            *WorkerSnapshot.MEASURES,
            *WorkerSnapshot.AGE_COLUMNS,
            *WorkerSnapshot.TENURE_COLUMNS,
        ]
    if model is FactMonth:
        return list(FactMonth.MEASURES)
    if model is ReferralMonth:
        return ["referrals"]
    if model is VentureSnapshot:
        return list(VentureSnapshot.MEASURES)
    return ["overdue_followups"]


_DEST_KEYS[WorkerSnapshot] = ["region_code", "worker_kind"]
_DEST_KEYS[VentureSnapshot] = ["region_code", "worker_kind"]


# --- rebuild and refresh --------------------------------------------------------------------------

MODELS = (FactMonth, ReferralMonth, CaseSnapshot, WorkerSnapshot, VentureSnapshot, CaseTotal)
SUMMED = (
    FactMonth,
    ReferralMonth,
    CaseSnapshot,
    WorkerSnapshot,
    VentureSnapshot,
)  # upper grains = sums of lower
MONTHLY = (FactMonth, ReferralMonth)  # rows per month: a refresh may start at a month


def _rebuild(districts, regencies, provinces, today, since=None) -> None:
    """Replace the rows of the given regions (None: all) at each grain; the monthly rows only
    from the month of `since` on (None: all months)."""
    for model in MODELS:
        for grain, codes in ((6, districts), (4, regencies), (2, provinces), (0, None)):
            qs = model.objects.filter(grain=grain)
            if codes is not None:
                qs = qs.filter(region_code__in=codes)
            if since is not None and model in MONTHLY:
                qs = qs.filter(month__gte=since)
            qs.delete()
    _build_from_raw(6, districts, today, since)
    _build_from_raw(4, regencies, today, since)
    _build_workers(districts, today)
    build_ventures(districts, today)
    for model in SUMMED:
        bound = since if model in MONTHLY else None
        _sum_up(model, 6, 4, regencies, bound)
        _sum_up(model, 4, 2, provinces, bound)
        _sum_up(model, 2, 0, None, bound)
    for grain, codes in ((6, districts), (4, regencies), (2, provinces), (0, None)):
        _case_totals(grain, codes)


def _analyze() -> None:
    """Fresh planner statistics after a rebuild: with stale ones PostgreSQL misjudges the small
    dashboard reads as large. VACUUM too (outside a transaction only): it marks the new pages
    all-visible, which the covering index's index-only scans need to skip the heap."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cur:
        for model in MODELS:
            cur.execute(f"{command} {model._meta.db_table}")


def rebuild_all(log=None) -> None:
    """Every rollup row from the raw tables, in one transaction (readers see old or new)."""
    started = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        _rebuild(None, None, None, today)
        DirtyDistrict.objects.filter(marked_at__lte=started).delete()
        RollupState.objects.update_or_create(
            pk=1,
            defaults={
                "refreshed_at": started,
                "built_at": started,
                "overdue_on": today,
                "workers_swept_at": started,
            },
        )
    _analyze()
    if log:
        log(f"rollups rebuilt: {describe_sizes()}")


def _refresh_overdue(today: datetime.date) -> None:
    CaseSnapshot.objects.all().delete()
    _build_overdue(6, None, today)
    _build_overdue(4, None, today)
    # Survival after 12 and 24 months changes with the date too.
    VentureSnapshot.objects.all().delete()
    build_ventures(None, today)
    for model in (CaseSnapshot, VentureSnapshot):
        for lower, upper in ((6, 4), (4, 2), (2, 0)):
            _sum_up(model, lower, upper, None)


def _bounded() -> None:
    """A refresh runs beside the web requests: on PostgreSQL it gets no parallel workers, so on
    a small server it takes one core at most instead of all of them (a full rebuild keeps them),
    and no statement of it runs past STATEMENT_TIMEOUT_MS (a full rebuild has no bound)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cur.execute(f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}")


def _timed_out(exc: Exception) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == QUERY_CANCELED or (
        getattr(cause, "pgcode", None) == QUERY_CANCELED
    )


def _refresh_chunk(chunk, dirty, today, since) -> list[str]:
    """Refresh `chunk` (districts) from the month of `since`; returns the districts left marked
    because even alone their refresh ran past the statement timeout."""
    try:
        with transaction.atomic():
            _bounded()
            _rebuild(
                chunk,
                sorted({c[:4] for c in chunk}),
                sorted({c[:2] for c in chunk}),
                today,
                since=since,
            )
            for code in chunk:
                # Marked again meanwhile (a later marked_at): left for the next run.
                DirtyDistrict.objects.filter(code=code, marked_at__lte=dirty[code]).delete()
    except OperationalError as exc:
        if not _timed_out(exc):
            raise
        if len(chunk) == 1:
            log_.error(
                "rollup refresh of district %s (from %s) ran past %s ms: left marked for the "
                "nightly `mitra refresh-stats --full`",
                chunk[0],
                since,
                STATEMENT_TIMEOUT_MS,
            )
            return list(chunk)
        # Smaller transactions: each half holds its statements for less time.
        half = len(chunk) // 2
        return _refresh_chunk(chunk[:half], dirty, today, since) + _refresh_chunk(
            chunk[half:], dirty, today, since
        )
    return []


def _groups(marks) -> list[tuple[datetime.date | None, list[str]]]:
    """The marked districts by the month their refresh starts at: those where any month may have
    changed (None) first, then one group per first changed month, so a district changed this
    month is not rebuilt from another district's older month."""
    by_month: dict = {}
    for code, _at, since in marks:
        by_month.setdefault(since, []).append(code)
    order = sorted(by_month, key=lambda m: (m is not None, m or datetime.date.min))
    return [(month, sorted(by_month[month])) for month in order]


def refresh_dirty() -> int:
    """Bring the dirty districts (and what the day's date changes) up to date; returns how many
    districts were refreshed. Safe to run concurrently: a district marked again while it is
    being refreshed stays marked."""
    from mitra.workers.models import Worker

    if not rollups_ready():
        rebuild_all()
        return 0
    started = timezone.now()
    today = timezone.localdate()
    # From here on a new change queues a new run: this one may read its mark or not.
    RollupState.objects.filter(pk=1).update(refresh_queued_at=None)
    state = _state()
    # Imports write workers without Model.save() (COPY): find them by their update time.
    if state.workers_swept_at:
        swept = (
            Worker.objects.filter(updated_at__gte=state.workers_swept_at)
            .values_list("region_code", flat=True)
            .order_by()
            .distinct()
        )
        mark_dirty(swept, enqueue=False)
    marks = list(DirtyDistrict.objects.values_list("code", "marked_at", "since"))
    dirty = {code: at for code, at, _since in marks}
    left: list[str] = []
    for since, codes_ in _groups(marks):
        for i in range(0, len(codes_), CHUNK):
            left += _refresh_chunk(codes_[i : i + CHUNK], dirty, today, since)
    codes = [code for code in dirty if code not in left]
    overdue_on = state.overdue_on
    if overdue_on != today:
        try:
            with transaction.atomic():
                _bounded()
                _refresh_overdue(today)
            overdue_on = today
        except OperationalError as exc:
            if not _timed_out(exc):
                raise
            log_.error(
                "the daily overdue rollup ran past %s ms: left to the nightly rebuild",
                STATEMENT_TIMEOUT_MS,
            )
    RollupState.objects.filter(pk=1).update(
        refreshed_at=started, overdue_on=overdue_on, workers_swept_at=started
    )
    return len(codes)


_batch = contextvars.ContextVar("mitra_rollup_marks", default=None)


@contextmanager
def batched_marks():
    """Collect the marks of a batch of writes (a sync push) and write them once at its end, each
    district with its earliest month (None wins), as `mark_dirty` merges them. A mark of a write
    rolled back since (a refused entry) is written all the same: one district refreshed for
    nothing, never one left behind. Call it inside the batch's transaction."""
    marks: dict = {}
    token = _batch.set(marks)
    try:
        yield
    finally:
        _batch.reset(token)
    by_month: dict = {}
    for code, (since, enqueue) in marks.items():
        by_month.setdefault((since, enqueue), []).append(code)
    for (since, enqueue), codes in sorted(by_month.items(), key=str):
        mark_dirty(codes, enqueue=enqueue, since=since)


def _collect(marks: dict, districts, enqueue: bool, since) -> None:
    for code in districts:
        month, queue = since, enqueue
        if code in marks:
            was, queued = marks[code]
            month = None if was is None or since is None else min(was, since)
            queue = enqueue or queued
        marks[code] = (month, queue)


def mark_dirty(region_codes, enqueue: bool = True, since: datetime.date | None = None) -> None:
    """Record the districts of `region_codes` as behind from the month of `since` on (None: in
    every month), in the current transaction; after commit, ask the task worker to refresh them.
    A district marked again keeps the earlier of the two months (None wins)."""
    districts = sorted({c[:6] for c in region_codes if c and len(c) >= 6})
    if not districts:
        return
    since = since.replace(day=1) if since else None
    marks = _batch.get()
    if marks is not None:
        _collect(marks, districts, enqueue, since)
        return
    now = timezone.now()
    table = DirtyDistrict._meta.db_table
    # One statement, the same on SQLite and PostgreSQL, so concurrent writers merge, not race.
    sql = (
        f"INSERT INTO {table} (code, marked_at, since) VALUES "  # noqa: S608
        + ", ".join(["(%s, %s, %s)"] * len(districts))
        + f" ON CONFLICT (code) DO UPDATE SET marked_at = excluded.marked_at, since = CASE "
        f"WHEN {table}.since IS NULL OR excluded.since IS NULL THEN NULL "
        f"WHEN excluded.since < {table}.since THEN excluded.since ELSE {table}.since END"
    )
    # Through the fields, so SQLite stores the text Django's own lookups compare against.
    at = DirtyDistrict._meta.get_field("marked_at").get_db_prep_save(now, connection)
    month = DirtyDistrict._meta.get_field("since").get_db_prep_save(since, connection)
    params = []
    for code in districts:
        params += [code, at, month]
    with connection.cursor() as cur:
        cur.execute(sql, params)
    if enqueue:
        _enqueue_once()


def _enqueue_once() -> None:
    """One refresh request per committed transaction, however many rows it changed, and none
    while a queued one has not started yet (it will read this transaction's marks)."""
    conn = transaction.get_connection()
    marker = id(conn.atomic_blocks[0]) if conn.in_atomic_block else None
    if marker is not None and getattr(conn, "_stats_refresh_for", None) == marker:
        return
    conn._stats_refresh_for = marker
    transaction.on_commit(_enqueue_refresh)


def _enqueue_refresh() -> None:
    from django.db.models import Q

    from .tasks import refresh_rollups

    now = timezone.now()
    claimed = RollupState.objects.filter(
        Q(refresh_queued_at__isnull=True) | Q(refresh_queued_at__lt=now - QUEUED_STALE), pk=1
    ).update(refresh_queued_at=now)
    if not claimed and RollupState.objects.filter(pk=1).exists():
        return  # a refresh is queued and has not started: it takes these marks too
    task = refresh_rollups
    if task.get_backend().supports_defer and REFRESH_DELAY:
        task = task.using(run_after=now + REFRESH_DELAY)
    try:
        task.enqueue()
    except Exception:  # noqa: BLE001 - the cron run picks the marks up
        RollupState.objects.filter(pk=1, refresh_queued_at=now).update(refresh_queued_at=None)
        log_.warning("could not enqueue the rollup refresh", exc_info=True)


def describe_sizes() -> str:
    return ", ".join(f"{m.__name__} {m.objects.count():,} rows" for m in MODELS)
