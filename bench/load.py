"""Benchmark: the busiest day under load — locust (headless, as a library) against a real server.

    .venv/bin/python bench/load.py [--users 200] [--minutes 10] [--spawn-rate 10] [--web-workers 3]
                                   [--think 1,3] [--pg-url URL] [--db mitra_bench_dashboard] [--port 8765]

Needs the national dataset built by `bench/dashboard.py --scale national --keep` (database
`mitra_bench_dashboard`: 420,000 workers, 1,000,000 beneficiaries and cases, 10,000,000
interventions, 2,500,000 activity reports). It is never dropped or rebuilt here: the script runs
`migrate` on it, then creates (idempotently) bench accounts with a known password across many
regions — the national admin, 6 province officers, 24 regency officers, 24 district supervisors and
24 PSMs (linked to existing worker records) — and a fresh personal API token for each.

The server is gunicorn on 127.0.0.1 as `mitra run` starts it (WEB_WORKERS workers, default 3 as in
`mitra run`, plus the task worker for imports) with DEBUG=false, MITRA_DEMO=1 and MITRA_REQUIRE_2FA=false: officers need 2FA in
production and a load generator cannot type TOTP codes; everything else runs as in production.

Each simulated user logs in through the login page (session + CSRF) as one bench officer (a quarter
per tier: national, province, regency, district), then, 1-3 s apart (a busy officer, not a person
reading):
  70% reads: worker list/profile, case list/detail, beneficiary detail, training batches, API GETs
  20% dashboards: /dasbor/<code>/ at national, province, regency and district level (in scope)
  10% writes: API intervention on an open case, API activity report (as a PSM, by token), or a small
      worker import CSV uploaded through the import page (then cancelled, so no worker is written;
      the interventions and reports stay: a few thousand rows per run in a 10-million-row table)
The ramp-up (every user logging in: a deliberately slow password hash each) is reported on its
own line; then the counters are reset and the busy day is measured for --minutes. --think sets the
pause between a user's requests (default 1-3 s, a busy officer clicking on; 5-15 s is an officer
who reads what they opened). Prints throughput, p50/p95 per kind, errors, and the goals (0 errors,
reads p95 < 300 ms, dashboards p95 < 800 ms on the 2-core machine).
"""

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-load-2026"
TOKEN_NAME = "bench-load"
GOALS = {"read": 300.0, "dashboard": 800.0}
SAMPLE = 40
CSV_BODY = (
    "nama,nik,jenis kelamin,tanggal lahir,desa,telepon\n"
    "Siti Rahayu,3402094101800001,P,1980-01-01,3402092004,081234567890\n"
    "Budi Santoso,3402090202810002,L,1981-02-02,3402092004,081234567891\n"
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def server_env(db_url: str) -> dict:
    env = os.environ.copy()
    env.update(
        DATABASE_URL=db_url,
        DEBUG="false",
        MITRA_DEMO="1",
        MITRA_REQUIRE_2FA="false",
        MITRA_HTTPS="false",
        MITRA_VAR_DIR=os.environ.get("MITRA_VAR_DIR", "/tmp/mitra-bench-load"),
        DJANGO_SETTINGS_MODULE="mitra.settings",
    )
    return env


# ---- preparation (Django, in this process) ---------------------------------------------------------


def prepare(seed: int) -> dict:
    """Bench accounts, tokens and per-account samples of ids the simulated users will open."""
    from django.core.management import call_command
    from django.db import transaction

    from mitra.accounts.models import ApiToken, User
    from mitra.accounts.roles import Role
    from mitra.cases.models import Beneficiary, Case, CaseStatus
    from mitra.regions.models import District, Province, Regency
    from mitra.workers.models import Worker

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(seed)
    provinces = sorted(Province.objects.values_list("code", flat=True))
    regencies = sorted(Regency.objects.values_list("code", flat=True))
    districts = sorted(District.objects.values_list("code", flat=True))
    plan = [("bench.nasional", Role.NATIONAL_ADMIN, "")]
    plan += [(f"bench.prov.{c}", Role.PROVINCE_OFFICER, c) for c in rng.sample(provinces, 6)]
    plan += [(f"bench.kab.{c}", Role.REGENCY_OFFICER, c) for c in rng.sample(regencies, 24)]
    plan += [(f"bench.kec.{c}", Role.DISTRICT_SUPERVISOR, c) for c in rng.sample(districts, 24)]

    accounts, psms = [], []
    with transaction.atomic():
        for username, role, scope in plan:
            user = _account(User, username, role, scope)
            accounts.append({"username": username, "role": role, "scope": scope, "user": user})
        own = list(Worker.objects.filter(user__username__startswith="bench.psm.").order_by("pk"))
        if len(own) < 24:
            spare = Worker.objects.filter(user__isnull=True, status="active").order_by()[:400]
            for worker in rng.sample(list(spare), 24 - len(own)):
                user = _account(User, f"bench.psm.{worker.pk.hex}", Role.WORKER, worker.region_code)
                Worker.objects.filter(pk=worker.pk).update(user=user)
                own.append(worker)
        for worker in own:
            psms.append({"worker": worker, "user": User.objects.get(worker=worker)})
        bench_users = [a["user"] for a in accounts] + [p["user"] for p in psms]
        ApiToken.objects.filter(user__in=bench_users, name=TOKEN_NAME).delete()
        for entry in accounts + psms:
            entry["token"] = ApiToken.issue(entry["user"], TOKEN_NAME)[1]

    def ids(qs, scope):
        if scope:
            qs = qs.filter(region_code__startswith=scope)
        return [str(pk) for pk in qs.order_by().values_list("pk", flat=True)[:SAMPLE]]

    for entry in accounts:
        scope = entry["scope"]
        entry["workers"] = ids(Worker.objects.all(), scope)
        entry["cases"] = ids(Case.objects.exclude(status=CaseStatus.CLOSED), scope)
        entry["beneficiaries"] = ids(Beneficiary.objects.all(), scope)
        entry["dashboards"] = _dashboard_codes(entry["role"], scope, regencies, districts, rng)
        entry["can_import"] = entry["user"].has_perm("workers.import_worker")
        entry["can_intervene"] = entry["user"].has_perm("cases.change_case")
        del entry["user"]
    for entry in psms:
        entry["village"] = entry["worker"].village_id
        del entry["user"], entry["worker"]
    log(f"bench accounts: {len(accounts)} officers, {len(psms)} PSMs (password {PASSWORD})")
    return {"accounts": accounts, "psms": psms}


def _account(User, username, role, scope):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username, PASSWORD, full_name=f"Bench {username}", role=role, scope_code=scope
        )
    elif not user.check_password(PASSWORD) or not user.is_active:
        user.set_password(PASSWORD)
        user.is_active = True
        user.save()
    return user


def _dashboard_codes(role, scope, regencies, districts, rng):
    """Dashboards at the account's own level and the levels below it (all four levels overall)."""
    if not scope:
        return ["nasional", "nasional", rng.choice(regencies)[:2], rng.choice(regencies)]
    below = [c for c in (regencies if len(scope) == 2 else districts) if c.startswith(scope)]
    return [scope] + rng.sample(below, min(3, len(below)))


# ---- the server ------------------------------------------------------------------------------------


def start_server(env: dict, port: int, workers: int, threads: int = 1) -> list[subprocess.Popen]:
    """gunicorn plus the task worker, exactly as `mitra run` serves (after its preparation)."""
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "mitra.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--keep-alive", "0", "--graceful-timeout", "10"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    tasks = subprocess.Popen([sys.executable, "-m", "mitra.cli", "worker"], env=env, cwd=ROOT)
    stats = subprocess.Popen([sys.executable, "-m", "mitra.cli", "stats-worker"], env=env, cwd=ROOT)
    import urllib.request

    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/masuk/", timeout=5)  # noqa: S310
            return [web, tasks, stats]
        except OSError:
            time.sleep(0.5)
    stop_server([web, tasks, stats])
    raise SystemExit("the server did not answer on /masuk/")


def stop_server(children) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()


# ---- the simulated users -----------------------------------------------------------------------------


def user_class(data: dict, host: str, think=(1.0, 3.0)):
    from locust import HttpUser, between, task
    from locust.clients import HttpSession

    accounts, psms = data["accounts"], data["psms"]
    today = datetime.date.today().isoformat()

    class Officer(HttpUser):
        wait_time = between(*think)

        def on_start(self):
            # Each tier (national, province, regency, district) gets a quarter of the users.
            tier = random.choice(sorted({len(a["scope"]) for a in accounts}))
            self.account = random.choice([a for a in accounts if len(a["scope"]) == tier])
            self.api = {"Authorization": f"Bearer {self.account['token']}"}
            # API calls carry only the token: with the session cookie, the session (and CSRF) wins.
            self.api_client = HttpSession(host, self.environment.events.request, self)
            page = self.client.get("/masuk/", name="login: page")
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            self.client.post(
                "/masuk/",
                data={
                    "username": self.account["username"],
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": match.group(1) if match else "",
                },
                headers={"Referer": f"{host}/masuk/"},
                name="login: post",
            )

        def _get(self, kind, label, url, client=None, **kwargs):
            # Redirects count as errors: a read that bounces to the login page is a failure.
            with (client or self.client).get(
                url, name=f"{kind}: {label}", allow_redirects=False, catch_response=True, **kwargs
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")

        def _pick(self, key):
            return random.choice(self.account[key]) if self.account[key] else None

        @task(70)
        def read(self):
            choice = random.randrange(9)
            if choice == 0:
                self._get("read", "worker list", "/pekerja/")
            elif choice == 1 and (pk := self._pick("workers")):
                self._get("read", "worker profile", f"/pekerja/{pk}/")
            elif choice == 2:
                self._get("read", "case list", "/kasus/daftar/")
            elif choice == 3 and (pk := self._pick("cases")):
                self._get("read", "case detail", f"/kasus/{pk}/")
            elif choice == 4 and (pk := self._pick("beneficiaries")):
                self._get("read", "beneficiary detail", f"/kasus/penerima/{pk}/")
            elif choice == 5:
                self._get("read", "training batches", "/pelatihan/")
            elif choice == 6:
                self._get("read", "api cases", "/api/v1/cases/", self.api_client, headers=self.api)
            elif choice == 7 and (pk := self._pick("cases")):
                self._get(
                    "read", "api case", f"/api/v1/cases/{pk}", self.api_client, headers=self.api
                )
            else:
                self._get(
                    "read",
                    "api reports",
                    "/api/v1/cases/reports",
                    self.api_client,
                    headers=self.api,
                )

        @task(20)
        def dashboard(self):
            code = random.choice(self.account["dashboards"])
            level = {8: "nasional", 2: "province", 4: "regency", 6: "district"}[len(code)]
            self._get("dashboard", level, f"/dasbor/{code}/")

        @task(10)
        def write(self):
            choice = random.randrange(10)
            if choice < 5 and self.account["can_intervene"] and (pk := self._pick("cases")):
                self._post_json(
                    "intervention",
                    f"/api/v1/cases/{pk}/interventions",
                    {"kind": "home_visit", "on": today, "notes": "Kunjungan (uji beban)"},
                    self.api,
                )
            elif (choice < 8 or not self.account["can_import"]) and psms:
                psm = random.choice(psms)
                self._post_json(
                    "activity report",
                    "/api/v1/cases/reports",
                    {
                        "on": today,
                        "activity_type": "outreach",
                        "description": "Penjangkauan (uji beban)",
                        "reached_adults_f": 3,
                    },
                    {"Authorization": f"Bearer {psm['token']}"},
                )
            else:
                self._import()

        def _post_json(self, label, url, body, headers):
            with self.api_client.post(
                url, json=body, headers=headers, name=f"write: {label}", catch_response=True
            ) as response:
                if response.status_code != 201:
                    response.failure(f"HTTP {response.status_code}: {response.text[:200]}")

        def _import(self):
            page = self.client.get("/pekerja/impor/", name="write: import page")
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            with self.client.post(
                "/pekerja/impor/",
                data={"csrfmiddlewaretoken": match.group(1) if match else ""},
                files={"file": ("psm-uji-beban.csv", CSV_BODY.encode(), "text/csv")},
                headers={"Referer": f"{host}/pekerja/impor/"},
                allow_redirects=False,
                name="write: import upload",
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"HTTP {response.status_code}")
                    return
                job_url = response.headers["Location"]
            self._get("write", "import page", job_url)
            # Cancelled so the bench database does not grow imported workers run after run.
            self.client.post(
                f"{job_url.rstrip('/')}/batal/",
                data={"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
                headers={"Referer": f"{host}{job_url}"},
                name="write: import cancel",
            )

    return Officer


# ---- run and report --------------------------------------------------------------------------------


def run_load(data, host, users, spawn_rate, seconds, think=(1.0, 3.0), settle=0.0):
    import gevent
    from locust.env import Environment
    from locust.stats import StatsEntry, calculate_response_time_percentile

    env = Environment(user_classes=[user_class(data, host, think)], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=spawn_rate)
    # The ramp-up is every user logging in (a password hash each, by design slow): reported on
    # its own, then the counters start again for the busy day itself.
    ramp = time.perf_counter()
    logins = ("login: post", "POST")
    while time.perf_counter() - ramp < 300:
        gevent.sleep(2)
        entry = env.stats.entries.get(logins)
        if runner.user_count >= users and entry is not None and entry.num_requests >= users:
            break
    login = env.stats.entries.get(logins)
    log(
        f"ramp-up: {runner.user_count} users logged in in {time.perf_counter() - ramp:.0f} s; "
        f"{env.stats.total.num_requests} requests, {env.stats.total.num_failures} failures; "
        + (
            f"login p50 {login.get_response_time_percentile(0.5):.0f} ms, "
            f"p95 {login.get_response_time_percentile(0.95):.0f} ms"
            if login
            else ""
        )
    )
    for error in env.stats.errors.values():
        log(f"  ramp-up error x{error.occurrences}: {error.name}: {error.error}"[:240])
    env.stats.reset_all()
    started = time.perf_counter()
    before: dict = {}
    at_settle: dict | None = None
    while time.perf_counter() - started < seconds:
        gevent.sleep(30)
        total = env.stats.total
        # The p95 of the last 30 s alone: where in the run the tail comes from.
        window = {t: n - before.get(t, 0) for t, n in total.response_times.items()}
        count = sum(window.values())
        p95 = calculate_response_time_percentile(window, count, 0.95) if count else 0
        before = dict(total.response_times)
        log(
            f"{time.perf_counter() - started:5.0f}s  users {runner.user_count}  "
            f"requests {total.num_requests}  failures {total.num_failures}  "
            f"{total.current_rps:.1f} req/s  last 30 s: p95 {p95} ms"
        )
        if settle and at_settle is None and time.perf_counter() - started >= settle:
            at_settle = _by_kind(env.stats, StatsEntry)
    runner.quit()
    elapsed = time.perf_counter() - started
    kinds = _by_kind(env.stats, StatsEntry)
    # The same figures without the first --settle seconds (the logins' queue draining).
    settled = {}
    for kind, entry in kinds.items():
        early = at_settle.get(kind) if at_settle else None
        times = {
            t: n - (early.response_times.get(t, 0) if early else 0)
            for t, n in entry.response_times.items()
        }
        count = sum(times.values())
        settled[kind] = tuple(
            calculate_response_time_percentile(times, count, q) if count else 0 for q in (0.5, 0.95)
        ) + (count,)
    errors = {}
    for error in env.stats.errors.values():
        key = f"{error.name}: {error.error}"[:160]
        errors[key] = errors.get(key, 0) + error.occurrences
    return env.stats, kinds, errors, elapsed, settled if at_settle else None


def _by_kind(stats, StatsEntry) -> dict:
    kinds = {}
    for (name, _method), entry in stats.entries.items():
        kind = name.split(":")[0]
        merged = kinds.setdefault(kind, StatsEntry(stats, kind, ""))
        merged.extend(entry)
    return kinds


def report(stats, kinds, errors, elapsed, args) -> bool:
    total = stats.total
    print(
        f"\nload: {args.users} users, think {args.think} s, {elapsed / 60:.1f} min, "
        f"{args.web_workers} gunicorn workers x {args.threads} threads, "
        "DEBUG=false, MITRA_DEMO=1, MITRA_REQUIRE_2FA=false (a bot cannot type TOTP codes)"
    )
    print(
        f"total: {total.num_requests} requests, {total.num_requests / elapsed:.1f} req/s, "
        f"{total.num_failures} errors"
    )
    print(f"{'kind':<10} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>7}")
    for kind in ("read", "dashboard", "write"):
        entry = kinds.get(kind)
        if entry is None or not entry.num_requests:
            continue
        print(
            f"{kind:<10} {entry.num_requests:>9} {entry.num_requests / elapsed:>7.1f} "
            f"{entry.get_response_time_percentile(0.5):>7.0f} "
            f"{entry.get_response_time_percentile(0.95):>7.0f} {entry.num_failures:>7}"
        )
    print("\nper page (p50 / p95 ms):")
    for (name, _method), entry in sorted(stats.entries.items()):
        print(
            f"  {name:<32} {entry.num_requests:>7}  {entry.get_response_time_percentile(0.5):>6.0f}"
            f" / {entry.get_response_time_percentile(0.95):>6.0f}  errors {entry.num_failures}"
        )
    for key, count in sorted(errors.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  error x{count}: {key}")
    checks = [("0 errors", total.num_failures == 0, f"{total.num_failures} errors")]
    for kind, goal in GOALS.items():
        p95 = kinds[kind].get_response_time_percentile(0.95) if kind in kinds else float("nan")
        checks.append((f"{kind} p95 < {goal:.0f} ms", p95 < goal, f"{p95:.0f} ms"))
    print("\ngoals:")
    for label, ok, value in checks:
        print(f"  {'MET ' if ok else 'MISS'}  {label:<24} ({value})")
    return all(ok for _label, ok, _value in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--db", default="mitra_bench_dashboard")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--think",
        default="1,3",
        help="seconds between a user's requests, min,max (1,3: a busy officer clicking on; "
        "5,15: an officer reading what they opened)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="also report the figures without the first SETTLE seconds of the timing (the "
        "logins' queue draining; default 0: not reported)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("WEB_THREADS", "4")),
        help="threads per gunicorn worker (WEB_THREADS, as `mitra run`)",
    )
    parser.add_argument("--locust-data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.locust_data:
        return load_child(args)

    db_url = with_database(args.pg_url, args.db)
    env = server_env(db_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    data = prepare(args.seed)
    from django.db import connections

    connections.close_all()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(data, handle)
    children = start_server(env, args.port, args.web_workers, args.threads)
    try:
        # locust (gevent) must monkey-patch before anything else is imported: its own process.
        child = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--locust-data", handle.name]
        )
    finally:
        stop_server(children)
        os.unlink(handle.name)
    raise SystemExit(child.returncode)


def load_child(args) -> None:
    import locust  # noqa: F401

    with open(args.locust_data) as handle:
        data = json.load(handle)
    think = tuple(float(x) for x in args.think.split(","))
    stats, kinds, errors, elapsed, settled = run_load(
        data,
        f"http://127.0.0.1:{args.port}",
        args.users,
        args.spawn_rate,
        args.minutes * 60,
        think,
        args.settle,
    )
    report(stats, kinds, errors, elapsed, args)
    if settled:
        print(f"\nwithout the first {args.settle:.0f} s (the logins' queue draining):")
        for kind in ("read", "dashboard", "write"):
            if kind in settled:
                p50, p95, count = settled[kind]
                print(f"  {kind:<10} {count:>9} requests  p50 {p50:>6.0f}  p95 {p95:>6.0f} ms")


if __name__ == "__main__":
    main()
