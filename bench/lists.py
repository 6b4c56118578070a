"""Benchmark: the widest lists (activity reports, cases, beneficiaries, workers) opened by a
national and a province officer on the national dataset, with the capped count
(`mitra.core.paging.CappedPaginator`) against Django's `Paginator` counting every row in reach
(the baseline), in the same run.

    nice .venv/bin/python bench/lists.py [--pg-url URL] [--samples 20]

Needs the national PostgreSQL database `mitra_bench_dashboard` that
`bench/dashboard.py --scale national --keep` (or `--build-only`) builds (420,000 workers,
1,000,000 beneficiaries and cases, 2,500,000 activity reports); it is migrated, never rebuilt.
Users: `bench.lists.nasional` (national admin) and `bench.lists.prov.33` (Jawa Tengah), made once.

For each list and user, the first request after a restart-like reset (`DISCARD ALL` and a new
connection: PostgreSQL's own cache stays warm, the OS page cache too, so "first" is not a true cold
start) and then `--samples` requests through Django's test client, alternating the two paginators
so that both see the same machine. Prints p50/p95 in ms per variant and the baseline/capped ratio
at p95. Goal (issue 16 item 4): reads p95 < 300 ms.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import DEFAULT_PG_URL, admin, log, pct, setup_django, with_database  # noqa: E402

NAME = "mitra_bench_dashboard"
GOAL_P95_MS = 300.0
# (label, URL, the modules whose paginator the baseline swaps)
LISTS = (
    ("activity reports", "/kasus/laporan-kegiatan/", ("mitra.cases.reports_views",)),
    ("cases (open)", "/kasus/daftar/", ("mitra.cases.views_lists",)),
    ("beneficiaries", "/kasus/penerima/", ("mitra.cases.views_lists",)),
    ("workers", "/pekerja/", ("mitra.workers.views",)),
)


def users():
    from mitra.accounts.models import User

    def account(username, role, scope):
        return User.objects.get_or_create(
            username=username, defaults={"role": role, "scope_code": scope}
        )[0]

    return {
        "national": account("bench.lists.nasional", "national_admin", ""),
        "province 33": account("bench.lists.prov.33", "province_officer", "33"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    import psycopg

    try:
        admin(with_database(args.pg_url, NAME), "SELECT 1")
    except psycopg.OperationalError:
        print(f"no database {NAME}: build it with bench/dashboard.py --scale national --keep")
        return 2
    setup_django(with_database(args.pg_url, NAME))
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.urls import resolve

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    clients = {}
    for label, user in users().items():
        clients[label] = Client()
        clients[label].force_login(user)

    def timed(client, url, baseline, modules):
        patches = (
            [mock.patch(f"{m}.CappedPaginator", Paginator) for m in modules] if baseline else []
        )
        for p in patches:
            p.start()
        try:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            for p in patches:
                p.stop()
        assert response.status_code == 200, (url, response.status_code)
        return elapsed

    print(f"{'list':18} {'user':12} {'variant':9} {'first':>8} {'p50':>8} {'p95':>8}  ratio@p95")
    worst = 0.0
    for label, url, modules in LISTS:
        resolve(url)
        for who, client in clients.items():
            results = {}
            for baseline in (True, False):
                connection.close()  # a new server connection: its caches start empty
                with connection.cursor() as cur:
                    cur.execute("DISCARD ALL")
                first = timed(client, url, baseline, modules)
                results[baseline] = (first, [])
            for i in range(args.samples * 2):
                baseline = bool(i % 2)
                results[baseline][1].append(timed(client, url, baseline, modules))
            base_p95 = pct(results[True][1], 0.95)
            for baseline in (True, False):
                first, samples = results[baseline]
                name = "baseline" if baseline else "capped"
                ratio = f"  {base_p95 / pct(samples, 0.95):.1f}x" if not baseline else ""
                print(
                    f"{label:18} {who:12} {name:9} {first:8.0f} {pct(samples, 0.5):8.0f} "
                    f"{pct(samples, 0.95):8.0f}{ratio}",
                    flush=True,
                )
            worst = max(worst, pct(results[False][1], 0.95))
    log(f"worst capped p95: {worst:.0f} ms (goal < {GOAL_P95_MS:.0f} ms)")
    print(f"goal reads p95 < {GOAL_P95_MS:.0f} ms: {'met' if worst < GOAL_P95_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
