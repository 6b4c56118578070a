"""Benchmark: a cold start — PostgreSQL restarted (its shared buffers empty), the app started
afresh, then the first request of each kind timed, one after the other.

    .venv/bin/python bench/coldstart.py --restart-postgres [--db mitra_bench_dashboard]

Needs the national dataset (bench/dashboard.py --scale national --keep) and the `bench` extra.
It prepares the bench accounts as bench/load.py does (before the restart), then, with
`--restart-postgres`, restarts the PostgreSQL cluster (`pg_ctlcluster --skip-systemctl-redirect
15 main restart`: every connection to the server is cut, other users' included), starts gunicorn
and the task workers as `mitra run` does, and times, for one account per tier (national, province,
regency, district), the login and then every page the load test reads, its dashboards and its
writes, each the first of its kind on a cold server. Goal: no request past 5 s.

What stays warm: the operating system's page cache, which this machine does not let us drop
(/proc/sys/vm/drop_caches needs privileges the sandbox does not give), so the database files are
read from memory, not from the disk; a cold start after a reboot reads them from the disk too.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (bench/load.py: the same accounts, server and environment)

LIMIT_MS = 5000.0


def restart_postgres(cluster: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        ["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "restart"], check=True
    )
    for _ in range(120):
        ready = subprocess.run(  # noqa: S603
            ["/usr/bin/pg_isready", "-h", "127.0.0.1", "-q"], check=False
        )
        if ready.returncode == 0:
            break
        time.sleep(0.5)
    return time.perf_counter() - started


def first_requests(data: dict, host: str) -> list[tuple[str, str, float, int]]:
    """(tier, request, ms, status) for the first request of each kind per tier."""
    import requests

    timings = []
    today = time.strftime("%Y-%m-%d")

    def timed(tier, label, method, url, **kwargs):
        started = time.perf_counter()
        response = method(url, timeout=120, allow_redirects=False, **kwargs)
        ms = (time.perf_counter() - started) * 1000
        timings.append((tier, label, ms, response.status_code))
        return response

    tiers = {}
    for account in data["accounts"]:
        tiers.setdefault(len(account["scope"]), account)
    psm = data["psms"][0]
    for size, account in sorted(tiers.items()):
        tier = {0: "national", 2: "province", 4: "regency", 6: "district"}[size]
        web = requests.Session()
        page = timed(tier, "login page", web.get, f"{host}/masuk/")
        token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[-1].split('"', 1)[0]
        timed(
            tier,
            "login post",
            web.post,
            f"{host}/masuk/",
            data={
                "username": account["username"],
                "password": load.PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{host}/masuk/"},
        )
        api = {"Authorization": f"Bearer {account['token']}"}
        case = account["cases"][0] if account["cases"] else None
        reads = [
            ("worker list", web.get, "/pekerja/", {}),
            ("worker profile", web.get, f"/pekerja/{account['workers'][0]}/", {}),
            ("case list", web.get, "/kasus/daftar/", {}),
            ("case detail", web.get, f"/kasus/{case}/", {}),
            ("beneficiary detail", web.get, f"/kasus/penerima/{account['beneficiaries'][0]}/", {}),
            ("training batches", web.get, "/pelatihan/", {}),
            ("api cases", requests.get, "/api/v1/cases/", {"headers": api}),
            ("api case", requests.get, f"/api/v1/cases/{case}", {"headers": api}),
            ("api reports", requests.get, "/api/v1/cases/reports", {"headers": api}),
        ]
        for code in dict.fromkeys(account["dashboards"]):
            reads.append((f"dashboard {code}", web.get, f"/dasbor/{code}/", {}))
        for label, method, url, kwargs in reads:
            timed(tier, label, method, f"{host}{url}", **kwargs)
        if account["can_intervene"] and case:
            timed(
                tier,
                "write: intervention",
                requests.post,
                f"{host}/api/v1/cases/{case}/interventions",
                json={"kind": "home_visit", "on": today, "notes": "Kunjungan (uji awal dingin)"},
                headers=api,
            )
    timed(
        "psm",
        "write: activity report",
        requests.post,
        f"{host}/api/v1/cases/reports",
        json={
            "on": today,
            "activity_type": "outreach",
            "description": "Penjangkauan (uji awal dingin)",
            "reached_adults_f": 3,
        },
        headers={"Authorization": f"Bearer {psm['token']}"},
    )
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--restart-postgres", action="store_true", help="restart the cluster")
    parser.add_argument("--cluster", default="15 main", help="pg_ctlcluster version and name")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", load.DEFAULT_PG_URL))
    parser.add_argument("--db", default="mitra_bench_dashboard")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()

    env = load.server_env(load.with_database(args.pg_url, args.db))
    os.environ.update(env)
    sys.path.insert(0, str(load.ROOT))
    import django

    django.setup()
    data = load.prepare(args.seed)
    from django.db import connections

    connections.close_all()
    if args.restart_postgres:
        took = restart_postgres(args.cluster.split())
        print(f"PostgreSQL restarted in {took:.1f} s (shared buffers empty; OS page cache kept)")
    else:
        print("PostgreSQL not restarted (--restart-postgres): only the app starts cold")
    started = time.perf_counter()
    children = load.start_server(env, args.port, args.web_workers, args.threads)
    print(f"server answering after {time.perf_counter() - started:.1f} s")
    try:
        timings = first_requests(data, f"http://127.0.0.1:{args.port}")
    finally:
        load.stop_server(children)
    print(f"\n{'tier':<9} {'first request':<28} {'ms':>8} status")
    for tier, label, ms, status in timings:
        print(f"{tier:<9} {label:<28} {ms:>8.0f} {status}")
    slowest = max(timings, key=lambda t: t[2])
    bad = [t for t in timings if t[3] >= 400]
    ok = slowest[2] < LIMIT_MS and not bad
    print(
        f"\nslowest: {slowest[0]} {slowest[1]} {slowest[2]:.0f} ms; errors: {len(bad)}\n"
        f"goal: no request past {LIMIT_MS / 1000:.0f} s after a cold start: "
        f"{'MET' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
