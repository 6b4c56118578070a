"""Benchmark: the dashboard at national, province, regency and district level, rollups vs GROUP BY.

    .venv/bin/python bench/dashboard.py --scale national [--pg-url URL] [--keep] [--reuse]
    .venv/bin/python bench/dashboard.py --scale province [--db sqlite|postgres] [--province 33]

national (PostgreSQL): a fresh database `mitra_bench_dashboard` with 420,000 workers, 1,000,000
beneficiaries and cases, 10,000,000 interventions, 250,000 referrals and 2,500,000 activity
reports over five years in all 83,762 villages, generated set-based by `mitra.stats.bulkseed`
(the build is timed). province: one province's share of the same (default 33, Jawa Tengah), on
SQLite (a temporary file) or PostgreSQL (`mitra_bench_dashboard_province`).

Then the rollups are rebuilt (timed) and, for each level, 50 requests are timed after a warm-up:

* new: the dashboard as a user sees it: the stats page through Django's test client when the page
  exists (`stats:dashboard`), else the service call `indicators.dashboard()` (the output says which);
* baseline: the same indicators computed with plain GROUP BY queries over the raw tables
  (`mitra.stats.aggregates.RawSource`, what the district and village levels use).

Each level's 50 requests go to 50 regions of that level (or the one nation) under the default
filters (this year). Prints p50/p95 in ms and the baseline/new ratio. Goals: p95 < 150 ms at every
level and >= 20x the baseline at national level.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SAMPLES = 50
GOAL_P95_MS, GOAL_RATIO = 150.0, 20.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def setup_django(url: str) -> None:
    """Django on the bench database, as a server runs it (no debug, demo mode for the keys)."""
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="mitra.settings",
        MITRA_DEMO="1",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        # Queued, not run: the template rows bulkseed saves through the ORM would otherwise
        # start a rollup refresh inside the timed build.
        MITRA_TASKS_IMMEDIATE="0",
        MITRA_VAR_DIR=tempfile.mkdtemp(prefix="mitra-bench-"),
    )
    os.environ.pop("MITRA_TESTING", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(scale: str, province: str) -> dict:
    from django.core.management import call_command

    from mitra.core.categories import PMKS
    from mitra.core.models import PmksCategory
    from mitra.regions.loader import load_regions
    from mitra.stats import bulkseed
    from mitra.training.catalogue import seed_courses
    from mitra.training.models import Course

    call_command("migrate", verbosity=0)
    load_regions()
    if not PmksCategory.objects.exists():
        PmksCategory.objects.bulk_create(PmksCategory(number=n, name=t) for n, t in PMKS)
    if not Course.objects.exists():
        seed_courses(Course)
    started = time.perf_counter()
    made = bulkseed.build(provinces=None if scale == "national" else [province], log=log)
    made["build_s"] = time.perf_counter() - started
    return made


def users_for(level: str, scale: str, province: str, rng: random.Random) -> list:
    """(user, region code) pairs: an officer whose scope is the region, as on the real site."""
    from mitra.accounts.models import User
    from mitra.core.scope import prefix_q
    from mitra.regions.models import District, Province, Regency

    role = {
        "national": "national_admin",
        "province": "province_officer",
        "regency": "regency_officer",
        "district": "district_supervisor",
    }[level]
    if level == "national":
        codes = [""]
    else:
        model = {"province": Province, "regency": Regency, "district": District}[level]
        qs = model.objects.all()
        if scale != "national":
            qs = qs.filter(prefix_q("code", province))
        codes = list(qs.values_list("code", flat=True))
    out = []
    for i in range(SAMPLES):
        code = codes[i % len(codes)] if len(codes) < SAMPLES else rng.choice(codes)
        user, _ = User.objects.get_or_create(
            username=f"bench.{level}.{code or 'id'}", defaults={"role": role, "scope_code": code}
        )
        out.append((user, code))
    return out


def page_available() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("stats:dashboard", kwargs={"code": "nasional"})
        return True
    except NoReverseMatch:
        return False


def timed(fn, pairs, warm: int = 3) -> list[float]:
    for user, code in pairs[:warm]:
        fn(user, code)  # warm-up
    times = []
    for user, code in pairs:
        started = time.perf_counter()
        fn(user, code)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=("national", "province"), default="province")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default=None)
    parser.add_argument("--province", default="33")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time again on a kept database")
    parser.add_argument("--build-only", action="store_true", help="build the data and stop")
    parser.add_argument(
        "--no-rebuild", action="store_true", help="with --reuse: time the rollups as they are"
    )
    parser.add_argument("--sqlite-path", default="", help="SQLite file (default: a temp file)")
    args = parser.parse_args()
    db = args.db or ("postgres" if args.scale == "national" else "sqlite")
    if args.scale == "national" and db != "postgres":
        parser.error("the national scale runs on PostgreSQL")
    name = "mitra_bench_dashboard" + ("" if args.scale == "national" else "_province")
    if db == "postgres":
        if not args.reuse:
            admin(args.pg_url, f"DROP DATABASE IF EXISTS {name}")
            admin(args.pg_url, f"CREATE DATABASE {name}")
        url = with_database(args.pg_url, name)
    else:
        path = args.sqlite_path or str(Path(tempfile.mkdtemp(prefix="mitra-bench-")) / "db.sqlite3")
        url = f"sqlite:///{path}"
    keep = args.keep or args.reuse or args.build_only
    try:
        setup_django(url)
        from django.core.management import call_command

        if args.reuse:
            call_command("migrate", verbosity=0)
            made = None
        else:
            log(f"building the {args.scale} dataset on {db}…")
            made = build(args.scale, args.province)
            log(f"dataset built in {made['build_s']:.0f} s")
            print(
                f"dataset ({args.scale}, {db}): {made['workers']:,} workers, "
                f"{made['beneficiaries']:,} beneficiaries and cases, "
                f"{made['interventions']:,} interventions, {made['referrals']:,} referrals, "
                f"{made['reports']:,} activity reports in {made['villages']:,} villages; "
                f"built in {made['build_s']:.0f} s ({made['timings']})"
            )
        if args.build_only:
            return 0
        return run_timings(args, db, name if db == "postgres" else url)
    finally:
        if not keep and db == "postgres":
            from django.db import connections

            connections.close_all()
            admin(args.pg_url, f"DROP DATABASE IF EXISTS {name}")


def run_timings(args, db: str, where: str) -> int:
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from mitra.stats import rollups
    from mitra.stats.aggregates import RawSource
    from mitra.stats.indicators import CHILD_LEN, Filters, dashboard

    if not args.no_rebuild or not rollups.rollups_ready():
        started = time.perf_counter()
        rollups.rebuild_all()
        print(f"rollups rebuilt in {time.perf_counter() - started:.1f} s")
    print(f"rollup sizes: {rollups.describe_sizes()}")
    filters = Filters.default()
    use_page = page_available()
    if use_page:
        from django.core.management import call_command

        # The page renders with the production static storage (a manifest): build it once.
        call_command("collectstatic", interactive=False, verbosity=0)
    clients: dict[int, Client] = {}

    def page(user, code):
        response = clients[user.pk].get(
            reverse("stats:dashboard", kwargs={"code": code or "nasional"})
        )
        assert response.status_code == 200, response.status_code

    def service(user, code):
        dashboard(user, code, filters)

    def baseline(user, code):
        level = {0: "", 2: "province", 4: "regency", 6: "district"}[len(code)]
        source = RawSource(user, code, CHILD_LEN[level], filters, timezone.localdate())
        source.measures()
        source.trends()
        source.breakdowns()

    rng = random.Random(2027)
    print(
        f"dashboard timings ({db}, {where}), default filters ({filters.date_from} to "
        f"{filters.date_to}); service = indicators.dashboard(); page = "
        f"{'the stats page through the test client' if use_page else 'not available (no stats:dashboard URL)'}"
        f"; baseline = the same measures by GROUP BY over the raw tables; {SAMPLES} requests per "
        "level (baseline: 10 at national and province level)."
    )
    ok = True
    for level in ("national", "province", "regency", "district"):
        if args.scale != "national" and level == "national":
            continue
        pairs = users_for(level, args.scale, args.province, rng)
        t_service = timed(service, pairs)
        t_page = None
        if use_page:
            for user, _code in pairs:
                if user.pk not in clients:
                    clients[user.pk] = Client()
                    clients[user.pk].force_login(user)
            t_page = timed(page, pairs)
        # The baseline takes seconds per request at the upper levels: fewer samples there.
        base_pairs = pairs[:10] if level in ("national", "province") else pairs
        t_base = timed(baseline, base_pairs, warm=1 if level in ("national", "province") else 3)
        if use_page:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                page(*pairs[0])
            page_queries = f", {len(queries.captured_queries)} queries per page"
        else:
            page_queries = ""
        t_new = t_page or t_service
        ratio = pct(t_base, 0.95) / pct(t_new, 0.95)
        meets = pct(t_new, 0.95) < GOAL_P95_MS and (level != "national" or ratio >= GOAL_RATIO)
        ok &= meets
        page_part = (
            f"page p50 {pct(t_page, 0.5):7.1f} p95 {pct(t_page, 0.95):7.1f} ms  |  "
            if t_page
            else ""
        )
        print(
            f"{level:9} service p50 {pct(t_service, 0.5):7.1f} p95 {pct(t_service, 0.95):7.1f} ms  |  "
            f"{page_part}baseline p50 {pct(t_base, 0.5):8.1f} p95 {pct(t_base, 0.95):8.1f} ms "
            f"(n={len(t_base)})  |  baseline/{'page' if t_page else 'service'} p95 {ratio:6.1f}x  "
            f"goal {'met' if meets else 'NOT met'}{page_queries}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
