"""bench/sync.py's second comparison: over HTTP against a real server (gunicorn on 127.0.0.1, as
`mitra run` serves), for a sample of devices: one push of 30 entries against the same 30 entries
posted one by one through the regular API, each its own request with the device's token (as the
bench's API clients do; no session, so no CSRF), on a new connection each (the server keeps none
alive, as in production).

These requests commit. They run as dedicated devices, `bench.sync.http.NNNN` (other PSM than the
in-process part's), and everything they wrote is taken out afterwards, in raw SQL on the bench
database (the logs refuse deletes through the models): the rows they created (people, cases,
visits, referrals, reports, case events, receipts, change history, access log, all by these
users), and their cases and open follow-ups are put back as they were before the run (a copy of
those rows is taken first). Their districts are then marked for a full rollup refresh, so the
dashboards recount them without the removed rows. If the run is killed half-way, the next run's
cleanup of the created rows still happens (same users); only the cases' earlier state is lost.

With `link="3g"` the timed requests (the push, the 30 API requests) go through bench/relay.py, a
user-space latency relay in a process of its own in front of the server (this kernel has no
netem): WebPageTest's "3G" profile, 150 ms each way per chunk, paced to 1.6 Mbit/s down and
768 kbit/s up (see that file for what it does not model). The untimed first pull goes straight
to the server. Only the phone<->server link is slowed; PostgreSQL on 127.0.0.1 stays local.
"""

import subprocess
import sys
import time
from pathlib import Path

from load import server_env
from relay import PROFILES

HTTP_PREFIX = "bench.sync.http."
TOKEN_NAME = "bench-sync-http"
CREATED = (  # (table, column naming the bench user), children first
    ("sync_syncreceipt", "user_id"),
    ("core_changelog", "actor_id"),
    ("core_accesslog", "user_id"),
    ("cases_caseevent", "by_id"),
    ("cases_referral", "created_by_id"),
    ("cases_intervention", "created_by_id"),
    ("cases_activityreport", "created_by_id"),
)


def _start(env: dict, port: int, root) -> subprocess.Popen:
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "mitra.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--keep-alive", "0", "--graceful-timeout", "10"],
        env=env, cwd=root,
    )  # fmt: skip
    import urllib.request

    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/masuk/", timeout=5)  # noqa: S310
            return web
        except OSError:
            time.sleep(0.5)
    web.terminate()
    raise SystemExit("the server did not answer on /masuk/")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _snapshot(cur, worker_ids) -> tuple[list, list, list]:
    cur.execute("SELECT * FROM cases_case WHERE worker_id = ANY(%s)", [worker_ids])
    columns = [c.name for c in cur.description]
    cases = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    cur.execute(
        "SELECT id FROM cases_intervention WHERE case_id = ANY(%s) AND NOT follow_up_done",
        [[c["id"] for c in cases]],
    )
    return columns, cases, [row[0] for row in cur.fetchall()]


def cleanup(user_ids, snapshot=None) -> None:
    """Take out what the HTTP devices wrote; put their cases back as in `snapshot`."""
    from django.db import connection, transaction

    from mitra.stats.rollups import mark_dirty

    with transaction.atomic(), connection.cursor() as cur:
        for table, column in CREATED:
            cur.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [user_ids])  # noqa: S608
        for parent, link in (("case", "case_id"), ("beneficiary", "beneficiary_id")):
            mine = f"SELECT id FROM cases_{parent} WHERE created_by_id = ANY(%s)"  # noqa: S608
            cur.execute(
                f"DELETE FROM cases_{parent}_categories WHERE {link} IN ({mine})", [user_ids]
            )
            if parent == "case":
                for child in ("cases_intervention", "cases_referral", "cases_caseevent"):
                    cur.execute(f"DELETE FROM {child} WHERE case_id IN ({mine})", [user_ids])  # noqa: S608
            cur.execute(f"DELETE FROM cases_{parent} WHERE created_by_id = ANY(%s)", [user_ids])  # noqa: S608
        if snapshot:
            columns, cases, open_follow_ups = snapshot
            sets = ", ".join(f'"{c}" = %s' for c in columns if c != "id")
            for case in cases:
                values = [case[c] for c in columns if c != "id"]
                cur.execute(f"UPDATE cases_case SET {sets} WHERE id = %s", [*values, case["id"]])  # noqa: S608
            cur.execute(
                "UPDATE cases_intervention SET follow_up_done = false WHERE id = ANY(%s)",
                [open_follow_ups],
            )
            mark_dirty({c["region_code"] for c in cases}, enqueue=False)


def _start_relay(port: int, link: str) -> tuple[subprocess.Popen, int]:
    relay = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("relay.py")), "--profile", link,
         "--target", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    return relay, int(relay.stdout.readline())  # its port, once it listens


def run(pairs, entries, today, log, db_url: str, root, link: str = "") -> tuple[list, list]:
    """(push ms, baseline ms) per device over HTTP; cleans up afterwards."""
    import requests
    from django.db import connection

    from mitra.accounts.models import ApiToken

    users = [u for u, _w in pairs]
    user_ids = [u.pk for u in users]
    cleanup(user_ids)  # the rows of a run killed half-way, if any
    ApiToken.objects.filter(user__in=users, name=TOKEN_NAME).delete()
    tokens = {u.pk: ApiToken.issue(u, TOKEN_NAME)[1] for u in users}
    with connection.cursor() as cur:
        snapshot = _snapshot(cur, [w.pk for _u, w in pairs])
    port = _free_port()
    web = _start(server_env(db_url), port, root)
    direct = base = f"http://127.0.0.1:{port}/api/v1"
    relay = None
    push_ms, base_ms = [], []
    try:
        if link:
            relay, relay_port = _start_relay(port, link)
            base = f"http://127.0.0.1:{relay_port}/api/v1"
            for _ in range(3):  # the relay seen working on a real page first (printed)
                t0 = time.perf_counter()
                requests.get(f"http://127.0.0.1:{relay_port}/masuk/", timeout=60)
                log(f"GET /masuk/ via the relay: {(time.perf_counter() - t0) * 1000:.0f} ms")
            log(f"HTTP through the relay ({PROFILES[link]['label']})")
        for i, (user, worker) in enumerate(pairs):
            auth = {"Authorization": f"Bearer {tokens[user.pk]}"}
            first = requests.get(f"{direct}/sync/pull", headers=auth, timeout=60)
            assert first.status_code == 200, first.text[:300]
            ws = first.json()["working_set"]
            batch = entries(ws, worker, today, f"{i}h")
            t0 = time.perf_counter()
            pushed = requests.post(
                f"{base}/sync/push", json={"entries": batch}, headers=auth, timeout=120
            )
            push_ms.append((time.perf_counter() - t0) * 1000)
            assert pushed.status_code == 200, pushed.text[:300]
            assert {r["status"] for r in pushed.json()["results"]} == {"applied"}, pushed.text
            base_ms.append(_one_by_one(requests, base, auth, entries(ws, worker, today, f"{i}k")))
            if (i + 1) % 10 == 0:
                log(f"HTTP: {i + 1} devices")
    finally:
        for process in (relay, web):
            if process:
                process.terminate()
                process.wait(timeout=30)
        ApiToken.objects.filter(user__in=users, name=TOKEN_NAME).delete()
        cleanup(user_ids, snapshot)
    return push_ms, base_ms


def _one_by_one(requests, base, auth, batch) -> float:
    ids, elapsed = {}, 0.0
    for item in batch:
        data, kind = dict(item["data"]), item["kind"]
        if kind == "beneficiary":
            url = f"{base}/cases/beneficiaries"
        elif kind == "case":
            data["beneficiary"] = ids[data.pop("beneficiary_ref")]
            url = f"{base}/cases/"
        elif kind in ("intervention", "referral"):
            case = ids[data.pop("case_ref")] if "case_ref" in data else data.pop("case")
            url = f"{base}/cases/{case}/{kind}s"
        else:
            url = f"{base}/cases/reports"
        t0 = time.perf_counter()
        response = requests.post(url, json=data, headers=auth, timeout=120)
        elapsed += time.perf_counter() - t0
        assert response.status_code == 201, (url, response.status_code, response.text[:300])
        ids[item["uuid"]] = response.json()["id"]
    return elapsed * 1000
