"""Benchmark: the offline field app's sync (issue 14) on the national dataset: 1,000 PSM devices
each pushing 30 entries and pulling, against the named baseline "the same entries posted one by
one through the regular API".

    nice .venv/bin/python bench/sync.py [--pg-url URL] [--devices 1000] [--baseline-every 10]
                                        [--http-devices 50] [--link 3g]

Needs the national PostgreSQL database `mitra_bench_dashboard` that
`bench/dashboard.py --scale national --keep` (or `--build-only`) builds; it is migrated (the
receipts table), never rebuilt. The dataset's PSM have no logins: the first run gives `--devices`
active PSM with open cases (a fixed pseudo-random choice) a login each, `bench.sync.psm.NNNN`
(role worker, scoped to their village), and later runs reuse them.

Per device, as its app does: a first pull (no cursor: the whole working set), a push of 30
entries made from that pull, then a pull with the cursor the push answered (unchanged: the
cheap path). The 30 entries: 2 new people, a case for each (`beneficiary_ref`) and a visit on each
(`case_ref`), 14 visits and 4 referrals on the PSM's open cases (with the pulled version as
`base_version`) and 6 activity reports. Every `--baseline-every`-th device also sends 30 entries of
the same make one by one through the regular API (POST /cases/beneficiaries, /cases/,
/cases/{id}/interventions, /cases/{id}/referrals, /cases/reports), the case of a new person
after the person's answer named its id, as a client must.

Fair comparison: both sides go through Django's test client in this process (the whole request:
middleware, session, authentication, JSON, the handlers, the same PostgreSQL), one after the other
on the same machine; no network, so the baseline's 30 round trips cost it nothing here that a
phone on 3G would pay (that is printed apart, as a model, never mixed into the measured ratio).
Each device's work runs in a transaction rolled back at the end, so the shared national dataset
stays as built: the commits (30 per device on both sides) are therefore not in the figures.

Then, over HTTP (bench/sync_http.py): `--http-devices` devices of their own against a real
gunicorn server on a free port, the push of 30 against the same 30 entries as 30 API requests
(token auth); these commit, and what they wrote is taken out afterwards (see that file). With
`--link 3g` the timed requests go through bench/relay.py, a user-space latency
relay in front of the server (WebPageTest's "3G" profile: 150 ms each way per chunk, so 300 ms
RTT, paced to 1.6 Mbit/s down, 768 kbit/s up; this kernel has no netem) instead of the bare
loopback: the 3G figure measured through the relay, not modelled. Each baseline device then costs
30 round trips of the link: use a small sample.

Prints p50/p95 of a push of 30 entries (goal < 300 ms), of a pull of an unchanged working set
(goal < 50 ms) and of a first pull, and the baseline/sync ratio per device at p50 and p95 (goal
>= 10x), in-process and over HTTP, each against its named baseline.
"""

import argparse
import json
import os
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import DEFAULT_PG_URL, admin, log, pct, setup_django, with_database  # noqa: E402

NAME = "mitra_bench_dashboard"
GOAL_PUSH_MS, GOAL_PULL_MS, GOAL_RATIO = 300.0, 50.0, 10.0
PREFIX = "bench.sync.psm."
RTT_3G_MS = 300  # the modelled round trip of a phone on slow 3G (printed apart)


def devices(n: int, prefix: str = PREFIX) -> list:
    """(user, worker) for n active PSM with open cases, each with a login (made once)."""
    from django.db import connection

    from mitra.accounts.models import User
    from mitra.workers.models import Worker

    have = list(User.objects.filter(username__startswith=prefix).order_by("username"))
    if len(have) < n:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT w.id FROM workers_worker w WHERE w.kind = 'psm' AND w.status = 'active' "
                "AND w.user_id IS NULL AND EXISTS (SELECT 1 FROM cases_case c WHERE "
                "c.worker_id = w.id AND c.status <> 'closed') ORDER BY md5(w.id::text) LIMIT %s",
                [n - len(have)],
            )
            ids = [row[0] for row in cur.fetchall()]
        for i, worker in enumerate(Worker.objects.filter(pk__in=ids), start=len(have)):
            user = User.objects.create(
                username=f"{prefix}{i:04d}",
                full_name=worker.full_name,
                role="worker",
                scope_code=worker.village_id,
            )
            Worker.objects.filter(pk=worker.pk).update(user=user)
        have = list(User.objects.filter(username__startswith=prefix).order_by("username"))
    users = have[:n]
    workers = {w.user_id: w for w in Worker.objects.filter(user__in=users)}
    return [(u, workers[u.pk]) for u in users]


def entries(ws: dict, worker, today, tag: str) -> list[dict]:
    """30 entries of the field app made from the pulled working set."""
    cases = ws["cases"]
    day = today.isoformat()
    out = []

    def add(kind, data, **extra):
        out.append({"uuid": str(uuid.uuid4()), "kind": kind, "data": data, **extra})
        return out[-1]["uuid"]

    for n in range(2):
        person = add(
            "beneficiary",
            {
                "full_name": f"Warga Bench {tag} {n}",
                "sex": "P" if n else "L",
                "estimated_age": 60 + n,
                "village": worker.village_id,
                "address": "Dusun Bench RT 01",
                "health_notes": "catatan kesehatan",
                "categories": [8],
                "consent_by": f"Warga Bench {tag} {n}",
                "consent_relation": "self",
                "consent_on": day,
                "consent_method": "verbal",
            },
        )
        case = add("case", {"beneficiary_ref": person, "categories": [8]})
        add("intervention", {"case_ref": case, "kind": "home_visit", "on": day})
    follow = (today + timedelta(days=7)).isoformat()
    for n in range(14):
        c = cases[n % len(cases)]
        visit = {"case": c["id"], "kind": "home_visit", "on": day, "next_follow_up_on": follow}
        add("intervention", visit, base_version=c["version"])
    for n in range(4):
        c = cases[n % len(cases)]
        add(
            "referral",
            {"case": c["id"], "programme": "pkh", "sent_on": day},
            base_version=c["version"],
        )
    for n in range(6):
        add(
            "report",
            {"on": day, "activity_type": "outreach", "description": f"Penyuluhan {n}"},
        )
    return out


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def one_by_one(client, batch) -> float:
    """The baseline: the same entries through the regular API, one request each."""
    ids, elapsed = {}, 0.0
    for item in batch:
        data, kind = dict(item["data"]), item["kind"]
        if kind == "beneficiary":
            url = "/api/v1/cases/beneficiaries"
        elif kind == "case":
            data["beneficiary"] = ids[data.pop("beneficiary_ref")]
            url = "/api/v1/cases/"
        elif kind in ("intervention", "referral"):
            case = ids[data.pop("case_ref")] if "case_ref" in data else data.pop("case")
            url = f"/api/v1/cases/{case}/{kind}s"
        else:
            url = "/api/v1/cases/reports"
        started = time.perf_counter()
        response = post(client, url, data)
        elapsed += time.perf_counter() - started
        assert response.status_code == 201, (url, response.status_code, response.content[:300])
        ids[item["uuid"]] = response.json()["id"]
    return elapsed * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--baseline-every", type=int, default=10)
    parser.add_argument("--http-devices", type=int, default=50, help="0: no HTTP comparison")
    parser.add_argument(
        "--link", choices=["3g"], default="", help="the HTTP comparison through bench/relay.py"
    )
    args = parser.parse_args()
    import psycopg

    try:
        admin(with_database(args.pg_url, NAME), "SELECT 1")
    except psycopg.OperationalError:
        print(f"no database {NAME}: build it with bench/dashboard.py --scale national --keep")
        return 2
    setup_django(with_database(args.pg_url, NAME))
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    pairs = devices(args.devices)
    load_before = os.getloadavg()[0]
    today = timezone.localdate()
    push_ms, pull_ms, first_ms, sync_dev, base_dev, statuses = [], [], [], [], [], {}
    started_all = time.perf_counter()
    for i, (user, worker) in enumerate(pairs):
        client = Client()
        client.force_login(user)
        with transaction.atomic():
            t0 = time.perf_counter()
            first = client.get("/api/v1/sync/pull")
            first_ms.append((time.perf_counter() - t0) * 1000)
            assert first.status_code == 200, first.content[:300]
            ws = first.json()["working_set"]
            batch = entries(ws, worker, today, f"{i}s")
            t0 = time.perf_counter()
            pushed = post(client, "/api/v1/sync/push", {"entries": batch})
            push_ms.append((time.perf_counter() - t0) * 1000)
            assert pushed.status_code == 200, pushed.content[:300]
            answer = pushed.json()
            for result in answer["results"]:
                statuses[result["status"]] = statuses.get(result["status"], 0) + 1
            t0 = time.perf_counter()
            again = client.get("/api/v1/sync/pull", {"cursor": answer["cursor"]})
            pull_ms.append((time.perf_counter() - t0) * 1000)
            assert again.json()["changed"] is False
            if i % args.baseline_every == 0:
                sync_dev.append(push_ms[-1])
                base_dev.append(one_by_one(client, entries(ws, worker, today, f"{i}b")))
            transaction.set_rollback(True)
        if (i + 1) % 100 == 0:
            log(
                f"{i + 1} devices, {time.perf_counter() - started_all:.0f} s: push p95 "
                f"{pct(push_ms, 0.95):.0f} ms, unchanged pull p95 {pct(pull_ms, 0.95):.0f} ms"
            )
    ratios = sorted(b / s for b, s in zip(base_dev, sync_dev, strict=True))
    print(f"devices: {len(pairs)}, entries per push: 30, answers: {statuses}")
    print(
        f"load average (1 min) before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores; {time.perf_counter() - started_all:.0f} s"
    )
    print(f"{'':34} {'p50':>8} {'p95':>8}")
    for label, values in (
        ("push of 30 entries (ms)", push_ms),
        ("pull, unchanged working set (ms)", pull_ms),
        ("pull, first (whole set) (ms)", first_ms),
        (f"baseline: 30 API posts (ms, n={len(base_dev)})", base_dev),
        ("sync push, same devices (ms)", sync_dev),
    ):
        print(f"{label:34} {pct(values, 0.5):8.0f} {pct(values, 0.95):8.0f}")
    ratio50, ratio95 = pct(ratios, 0.5), pct(base_dev, 0.95) / pct(sync_dev, 0.95)
    print(
        f"in-process: baseline (30 API posts, test client) / sync push: {ratio50:.1f}x at p50, "
        f"{ratio95:.1f}x at p95"
    )
    http50 = None
    if args.http_devices:
        import sync_http

        http_pairs = devices(args.http_devices, sync_http.HTTP_PREFIX)
        log(f"HTTP comparison, {len(http_pairs)} devices of their own")
        db_url = with_database(args.pg_url, NAME)
        h_push, h_base = sync_http.run(http_pairs, entries, today, log, db_url, ROOT, args.link)
        where = sync_http.PROFILES[args.link]["label"] if args.link else "loopback"
        h_ratios = sorted(b / s for b, s in zip(h_base, h_push, strict=True))
        for label, values in (
            (f"HTTP: push of 30 (ms, n={len(h_push)})", h_push),
            ("HTTP: baseline, 30 API posts (ms)", h_base),
        ):
            print(f"{label:34} {pct(values, 0.5):8.0f} {pct(values, 0.95):8.0f}")
        http50 = pct(h_ratios, 0.5)
        print(
            f"over HTTP ({where}): baseline (30 API posts, one request each, token) / sync push: "
            f"{http50:.1f}x at p50, {pct(h_base, 0.95) / pct(h_push, 0.95):.1f}x at p95"
        )
    modelled = (pct(base_dev, 0.5) + 30 * RTT_3G_MS) / (pct(sync_dev, 0.5) + RTT_3G_MS)
    print(
        f"(model, not measured: with a {RTT_3G_MS} ms 3G round trip per request: {modelled:.0f}x)"
    )
    met = {
        f"push p95 < {GOAL_PUSH_MS:.0f} ms": pct(push_ms, 0.95) < GOAL_PUSH_MS,
        f"unchanged pull p95 < {GOAL_PULL_MS:.0f} ms": pct(pull_ms, 0.95) < GOAL_PULL_MS,
        f"baseline/sync >= {GOAL_RATIO:.0f}x (p50, in-process)": ratio50 >= GOAL_RATIO,
    }
    if http50 is not None:
        met[f"baseline/sync >= {GOAL_RATIO:.0f}x (p50, over HTTP, {where})"] = http50 >= GOAL_RATIO
    for goal, ok in met.items():
        print(f"goal {goal}: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
