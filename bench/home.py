"""Benchmark: the home page ("My tasks") of every role on the national dataset, against the naive
page that counts each item by loading its list's rows.

    nice .venv/bin/python bench/home.py [--pg-url URL] [--samples 50] [--naive-samples 3]

Needs the national PostgreSQL database `mitra_bench_dashboard` that
`bench/dashboard.py --scale national --keep` (or `--build-only`) builds (420,000 workers,
1,000,000 cases, 250,000 referrals, 2,500,000 activity reports); it is migrated, never rebuilt.
The first run adds, once, what the home also counts and the bulk data lacks (marked by the award
cycle "Bench home 2090"): an award cycle whose regency stage is open with 5,000 nominations (half of
them scored by the bench juror, who covers the nation), 300 identity corrections waiting, a
training batch with 2,000 applications, 300,000 access-log rows over 60 days and a few imports
waiting; and bench users: the nation, 10 provinces, 20 regencies, 20 districts (TKSK), 20 PSM
linked to workers with open cases, the juror and an auditor (`bench.home.*`).

The tables the home reads are VACUUM ANALYZEd first (as autovacuum keeps a database in use). For
each role it times `--samples` GET / through Django's test client (each user logged in once, after
a warm-up), cycling over that role's users, against two baselines in the same run: the page before
the indexes this work added (`report_waiting`, `worker_registered_status`, dropped inside a
transaction that is rolled back) and the naive page, every `QuerySet.count()` replaced by `len()`
of the rows (what counting "the list's rows" costs when the list's queryset is evaluated;
`--naive-samples` requests per role, 1 at national and 2 at province level, where it takes
minutes). It prints p50/p95 in ms, each baseline's ratio at p95 and the queries one page makes.
Goal: p95 < 100 ms for every role.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import DEFAULT_PG_URL, admin, log, pct, setup_django, with_database  # noqa: E402

NAME = "mitra_bench_dashboard"
MARK_YEAR = 2090
GOAL_P95_MS = 100.0


def setup_data(rng: random.Random) -> None:
    """What the home counts beyond the bulk field work, added once (idempotent)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from mitra.awards.models import (
        AwardCycle,
        JuryAssignment,
        Level,
        Nomination,
        ScoreSheet,
        Stage,
    )
    from mitra.cases.models import Beneficiary, Case
    from mitra.core.models import AccessLog, Job
    from mitra.regions.models import Village
    from mitra.training.models import Batch, Course, Enrolment
    from mitra.workers.models import IdentityChangeRequest, Worker

    if AwardCycle.objects.filter(year=MARK_YEAR).exists():
        return
    started = time.perf_counter()
    today = timezone.localdate()
    users = bench_users(rng)
    active = list(
        Worker.objects.filter(status="active").order_by().values_list("pk", "region_code")
    )
    rng.shuffle(active)
    with transaction.atomic():
        cycle = AwardCycle.objects.create(
            year=MARK_YEAR,
            title=f"Bench home {MARK_YEAR}",
            period_start=today - datetime.timedelta(days=365),
            period_end=today,
        )
        stages = {}
        for level, start in ((Level.REGENCY, -10), (Level.PROVINCE, 21), (Level.NATIONAL, 51)):
            stages[level] = Stage.objects.create(
                cycle=cycle,
                level=level,
                opens_on=today + datetime.timedelta(days=start),
                closes_on=today + datetime.timedelta(days=start + 29),
            )
        regency = stages[Level.REGENCY]
        nominations = Nomination.objects.bulk_create(
            Nomination(
                cycle=cycle,
                stage=regency,
                worker_id=pk,
                region_code=code,
                innovation_title="Bank sampah",
                innovation_summary="Ringkasan",
                innovation_text="Uraian",
            )
            for pk, code in active[:5000]
        )
        juror = users["juror"][0]
        JuryAssignment.objects.create(
            stage=regency, juror=juror, region_code="", home_region_code="3471"
        )
        now = timezone.now()
        ScoreSheet.objects.bulk_create(
            ScoreSheet(nomination=n, juror=juror, region_code=n.region_code, submitted_at=now)
            for n in nominations[::2]
        )
        IdentityChangeRequest.objects.bulk_create(
            IdentityChangeRequest(
                worker_id=pk, changes_json='{"full_name": "Nama Baru"}', region_code=code
            )
            for pk, code in active[5000:5300]
        )
        batch = Batch.objects.create(
            course=Course.objects.order_by("pk").first(),
            name="Bench home",
            organiser="Bench",
            region_code="",
            venue=Village.objects.order_by("code").first(),
            starts_on=today + datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=34),
            quota=30,
            status="open",
        )
        Enrolment.objects.bulk_create(
            Enrolment(batch=batch, worker_id=pk, region_code=code, status="applied")
            for pk, code in active[6000:8000]
        )
        kinds = [
            (ContentType.objects.get_for_model(Beneficiary), "view", 50),
            (ContentType.objects.get_for_model(Case), "view", 20),
            (ContentType.objects.get_for_model(Worker), "view", 29),
            (ContentType.objects.get_for_model(Case), "export", 1),
        ]
        weighted = [(ct, action) for ct, action, w in kinds for _ in range(w)]
        reader = users["regency"][0]
        batch_rows = []
        for i in range(300_000):
            ct, action = weighted[i % len(weighted)]
            pk, code = active[i % len(active)]
            batch_rows.append(
                AccessLog(
                    at=now - datetime.timedelta(seconds=rng.randrange(60 * 86400)),
                    user=reader,
                    action=action,
                    content_type=ct,
                    object_id=str(pk),
                    region_code=code,
                )
            )
        AccessLog.objects.bulk_create(batch_rows, batch_size=5000)
        for user in [*users["national"], *users["regency"]]:
            for phase in ("inspect", "check", "write"):
                Job.objects.create(
                    kind="workers.import",
                    title=f"Impor {phase}",
                    status=Job.Status.DONE,
                    created_by=user,
                    region_code=user.scope_code,
                    params={"phase": phase, "name": f"{phase}.xlsx", "file": "x"},
                )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    log(f"bench data added in {time.perf_counter() - started:.1f} s")


def bench_users(rng: random.Random) -> dict:
    """The bench's users per role (made once, found again on later runs)."""
    from mitra.accounts.models import User
    from mitra.cases.models import Case
    from mitra.regions.models import District, Province, Regency
    from mitra.workers.models import Worker

    def account(username, role, scope):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"role": role, "scope_code": scope}
        )
        return user

    r = random.Random(2090)
    provinces = sorted(Province.objects.values_list("code", flat=True))
    regencies = sorted(Regency.objects.values_list("code", flat=True))
    districts = sorted(District.objects.values_list("code", flat=True))
    users = {
        "national": [account("bench.home.nasional", "national_admin", "")],
        "province": [
            account(f"bench.home.prov.{c}", "province_officer", c) for c in r.sample(provinces, 10)
        ],
        "regency": [
            account(f"bench.home.kab.{c}", "regency_officer", c) for c in r.sample(regencies, 20)
        ],
        "district": [
            account(f"bench.home.kec.{c}", "district_supervisor", c)
            for c in r.sample(districts, 20)
        ],
        "juror": [account("bench.home.juri", "juror", "")],
        "auditor": [account("bench.home.audit", "auditor", "")],
    }
    psms = list(User.objects.filter(username__startswith="bench.home.psm."))
    if len(psms) < 20:
        owners = (
            Case.objects.exclude(status="closed")
            .filter(worker__user__isnull=True)
            .order_by()
            .values_list("worker_id", flat=True)[:2000]
        )
        for worker in Worker.objects.filter(pk__in=r.sample(list(set(owners)), 20 - len(psms))):
            user = account(f"bench.home.psm.{worker.pk.hex}", "worker", worker.region_code)
            Worker.objects.filter(pk=worker.pk).update(user=user)
            psms.append(user)
    users["worker"] = psms
    return users


# Indexes this work added for the home's counts: the "before" page runs without them.
NEW_INDEXES = ["report_waiting", "worker_registered_status"]
# The naive page loads hundreds of thousands of rows at the upper levels (minutes): fewer samples.
NAIVE_CAP = {"national": 1, "province": 2}


def vacuum() -> None:
    """VACUUM ANALYZE the tables the home reads, as autovacuum keeps a database in use (the bulk
    build only ANALYZEs: without the visibility map no count is index-only)."""
    from django.db import connection

    tables = [
        "cases_activityreport",
        "cases_case",
        "cases_referral",
        "cases_intervention",
        "workers_worker",
        "core_accesslog",
        "awards_nomination",
        "awards_scoresheet",
        "training_enrolment",
    ]
    started = time.perf_counter()
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"VACUUM (ANALYZE) {table}")
    log(f"vacuum analyze: {time.perf_counter() - started:.1f} s")


def naive_count(self):
    """QuerySet.count() the naive way: evaluate the list's queryset and count its rows."""
    return len(list(self))


def timed(get, users, samples: int, warm: int = 3) -> list[float]:
    for i in range(warm):
        get(users[i % len(users)])
    times = []
    for i in range(samples):
        started = time.perf_counter()
        get(users[i % len(users)])
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--naive-samples", type=int, default=3)
    parser.add_argument("--roles", default="", help="comma-separated roles (default: all)")
    parser.add_argument(
        "--no-before",
        action="store_true",
        help="skip the before-the-indexes baseline (it locks two tables while it runs)",
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
    from django.db import connection
    from django.db.models.query import QuerySet
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    # The page renders with the production static storage (a manifest): build it once.
    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(2090)
    setup_data(rng)
    vacuum()
    users = bench_users(rng)
    clients = {}
    for role_users in users.values():
        for user in role_users:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)

    def get(user):
        response = clients[user.pk].get("/")
        assert response.status_code == 200, response.status_code

    def naive(user):
        with mock.patch.object(QuerySet, "count", naive_count):
            get(user)

    def without_new_indexes(fn, *a):
        """Run fn with this work's indexes dropped inside a transaction that is rolled back."""
        from django.db import transaction

        result = None
        with transaction.atomic():
            with connection.cursor() as cur:
                for name in NEW_INDEXES:
                    cur.execute(f"DROP INDEX IF EXISTS {name}")
            result = fn(*a)
            transaction.set_rollback(True)
        return result

    roles = [r for r in (args.roles or ",".join(users)).split(",") if r]
    print(
        f"home page timings (PostgreSQL, {NAME}): page = GET / through the test client, "
        f"{args.samples} requests per role over its users; naive = the same page with every "
        f"count() as len() of the rows ({args.naive_samples} requests per role)."
    )
    ok = True
    for role in roles:
        role_users = users[role]
        t_page = timed(get, role_users, args.samples)
        t_before = (
            [float("nan")]
            if args.no_before
            else without_new_indexes(timed, get, role_users, args.samples)
        )
        n_naive = min(args.naive_samples, NAIVE_CAP.get(role, args.naive_samples))
        t_naive = timed(naive, role_users, n_naive, warm=0 if role in NAIVE_CAP else 1)
        with CaptureQueriesContext(connection) as queries:
            get(role_users[0])
        p95 = pct(t_page, 0.95)
        meets = p95 < GOAL_P95_MS
        ok &= meets
        print(
            f"{role:9} ({len(role_users):2} users)  page p50 {pct(t_page, 0.5):6.1f} "
            f"p95 {p95:6.1f} ms  |  before the indexes p50 {pct(t_before, 0.5):6.1f} "
            f"p95 {pct(t_before, 0.95):6.1f} ({pct(t_before, 0.95) / p95:4.1f}x)  |  "
            f"naive p50 {pct(t_naive, 0.5):8.1f} p95 {pct(t_naive, 0.95):8.1f} ms "
            f"(n={len(t_naive)}, {pct(t_naive, 0.95) / p95:6.1f}x)  |  "
            f"{len(queries.captured_queries)} queries  goal {'met' if meets else 'NOT met'}",
            flush=True,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
