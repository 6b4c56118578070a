"""Benchmark: printing a batch's certificates with the batch job vs one request per certificate.

    .venv/bin/python bench/certificates.py [--count 500] [--db sqlite|postgres|both] [--pg-url URL]

The parent creates a fresh, separate database (SQLite: a file in a temporary directory;
PostgreSQL: a new database named mitra_bench_certificates, dropped afterwards) and runs itself in
a child process pointed at it through DATABASE_URL (Django reads its settings once per process).
The child migrates, loads the region tree, and builds two finished batches of the basic course
whose participants all passed: one of --count/2 and one of --count workers (villages all over
DI Yogyakarta, valid NIKs). Then it times, in this order:

* batch, first run: the job as the worker runs it (`mitra.core.jobs.run_job`, called in-process),
  on the large batch: it issues all --count certificates (services.issue_certificate) and prints
  them into one ZIP under MEDIA_ROOT/certificates/;
* batch, re-run: the same job again: the certificates exist, it prints only;
* the baseline: the same --count certificates downloaded one by one through the single
  certificate view (GET /pelatihan/sertifikat/<id>/pdf/) with Django's test client, logged in as
  the officer: each request loads the session and the user, reads its certificate, renders one
  PDF and writes its access-log row, as a browser's clicks would.

Both paths render with the same code and the same warm font caches; the difference is what a
batch does once instead of per certificate (one query for all participants, no request, no
per-certificate access-log row: the ZIP's download writes one). PDFs per second for each, and the
ratio (goal: the batch path at least 3x the baseline).

Memory: the child's peak RSS (resource.getrusage maxrss) before the batch runs, after printing the
small batch and after printing the large one; then, untimed, the Python heap's peak (tracemalloc)
while printing the small and the large batch. PDFs go into the ZIP as they are rendered and the
participants are read with an iterator, so neither should grow with the count.
"""

import argparse
import datetime
import gc
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "mitra_bench_certificates"
RATIO_GOAL = 3.0
_serials = itertools.count(1)  # NIK serials, never twice in one run
FIRST_NAMES = ["Siti", "Budi", "Ani", "Dewi", "Eko", "Sri", "Agus", "Rina", "Joko", "Wahyu",
               "Endang", "Bambang", "Lestari", "Yohanes", "Nur", "Made", "Putu", "Rahmat"]  # fmt: skip
LAST_NAMES = ["Rahayu", "Santoso", "Wijaya", "Lestari", "Prasetyo", "Wulandari", "Hidayat",
              "Kusuma", "Saputra", "Anggraini", "Nugroho", "Setiawan", "Pratiwi", "Susanto"]  # fmt: skip


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def traced_peaks(jobs) -> list[float]:
    """Peak Python heap (tracemalloc, MB) of each job, one after the other (slow: not timed)."""
    import tracemalloc

    peaks = []
    tracemalloc.start()
    try:
        for job in jobs:
            gc.collect()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            job()
            peaks.append((tracemalloc.get_traced_memory()[1] - base) / 2**20)
    finally:
        tracemalloc.stop()
    return peaks


# --- child ----------------------------------------------------------------------------------------


def build_batch(count: int, name: str, officer, villages):
    """A finished basic-course batch in DIY whose `count` participants all passed."""
    from mitra.core.current import acting_as
    from mitra.regions.models import Village
    from mitra.training.models import Batch, BatchStatus, Course, Enrolment, EnrolmentStatus, Result
    from mitra.workers.models import Worker
    from mitra.workers.tests.factories import nik_for

    starts = datetime.date(2026, 3, 2)
    with acting_as(officer):
        batch = Batch.objects.create(
            course=Course.objects.get(code="PSM-D"),
            name=name,
            organiser="BBPPKS Yogyakarta",
            region_code="34",
            venue=Village.objects.get(code="3402092004"),
            venue_detail="Balai Desa Trimulyo",
            starts_on=starts,
            ends_on=starts + datetime.timedelta(days=4),
            quota=count,
            status=BatchStatus.FINISHED,
            signer_name="Dra. Sri Lestari, M.Si.",
            signer_title="Kepala BBPPKS Yogyakarta",
        )
        names = itertools.cycle(itertools.product(FIRST_NAMES, LAST_NAMES))
        enrolments = []
        for i in range(count):
            first, last = next(names)
            sex = "P" if i % 2 else "L"
            birth = datetime.date(1965 + i % 35, 1 + i % 12, 1 + i % 28)
            village = villages[i % len(villages)]
            worker = Worker(
                nik=nik_for(village.code[:6], sex, birth, serial=next(_serials)),
                full_name=f"{first} {last} {i + 1}",
                sex=sex,
                birth_place="Bantul",
                birth_date=birth,
                address=f"Dusun {i % 40 + 1} RT 0{i % 9 + 1}",
                village=village,
            )
            worker.save()
            enrolments.append(
                Enrolment(
                    batch=batch,
                    worker=worker,
                    status=EnrolmentStatus.ENROLLED,
                    result=Result.PASSED,
                    pre_score=55,
                    post_score=85,
                    region_code=worker.region_code,
                )
            )
        Enrolment.objects.bulk_create(enrolments)
    return batch


def run_batch_job(batch, officer) -> tuple[float, dict]:
    """The job exactly as the worker runs it, called in this process."""
    from mitra.core.jobs import run_job
    from mitra.core.models import Job
    from mitra.training import certificates

    job = Job.objects.create(
        kind=certificates.JOB_KIND,
        title=f"bench {batch.name}",
        created_by=officer,
        region_code=officer.scope_code,
        params={
            "func": certificates.JOB_FUNC,
            "batch_id": batch.pk,
            "base_url": "https://mitra.example.go.id",
            "language": "id",
        },
    )
    started, cpu = time.perf_counter(), time.process_time()
    run_job.call(str(job.pk))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    job.refresh_from_db()
    if job.status != Job.Status.DONE:
        raise SystemExit(f"the job failed: {job.message}")
    path = certificates.storage_path(job.result["file"])
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if len(members) != job.result["printed"]:
        raise SystemExit(f"the ZIP holds {len(members)} PDFs, not {job.result['printed']}")
    result = dict(job.result, zip_mb=path.stat().st_size / 2**20, pdfs=len(members), cpu=cpu)
    path.unlink()
    return seconds, result


def run_baseline(batch, officer) -> tuple[float, float, int, int]:
    """One GET of the single-certificate view per certificate, as a logged-in officer."""
    from django.test import Client
    from django.urls import reverse

    from mitra.core.models import AccessLog
    from mitra.training.models import Certificate

    client = Client()
    client.force_login(officer)
    ids = list(
        Certificate.objects.filter(enrolment__batch=batch)
        .order_by("number")
        .values_list("pk", flat=True)
    )
    logged_before = AccessLog.objects.count()
    total_bytes = 0
    started, cpu = time.perf_counter(), time.process_time()
    for pk in ids:
        response = client.get(reverse("training:certificate_pdf", args=[pk]))
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise SystemExit(f"certificate {pk}: HTTP {response.status_code}")
        total_bytes += len(response.content)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    logged = AccessLog.objects.count() - logged_before
    if logged != len(ids):
        raise SystemExit(f"the baseline wrote {logged} access-log rows for {len(ids)} PDFs")
    return seconds, cpu, len(ids), total_bytes


def run_child(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "mitra.settings"
    sys.path.insert(0, str(ROOT))
    # The database is prepared by other processes, so that this one's memory is the printing's.
    for command in (
        ["-m", "mitra.cli", "migrate", "-v0"],
        ["-m", "mitra.cli", "load-regions"],
    ):
        subprocess.run([sys.executable, *command], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    import django

    django.setup()
    from django.db import connection

    from mitra.accounts.tests.factories import UserFactory
    from mitra.regions.models import Village
    from mitra.training import certificates

    label, count = args.label, args.count
    officer = UserFactory(username="bench.diy", role="province_officer", scope_code="34")
    villages = list(Village.objects.filter(code__startswith="34").order_by("code")[:400])
    log(f"  {label}: building two batches ({count // 2} and {count} participants)…")
    started = time.perf_counter()
    small = build_batch(count // 2, "Angkatan kecil", officer, villages)
    large = build_batch(count, "Angkatan besar", officer, villages)
    log(f"  {label}: built in {time.perf_counter() - started:.1f} s")

    result = {"label": label, "vendor": connection.vendor, "count": count}
    if connection.vendor == "postgresql":
        result["server_version"] = connection.pg_version
    # Warm up what both paths share (fonts, subset caches, templates, URL resolver): one
    # certificate of each path before anything is timed.
    certificates.certificate_fonts()
    gc.collect()
    result["maxrss_start_mb"] = maxrss_mb()

    seconds, small_result = run_batch_job(small, officer)
    result["small"] = {"seconds": seconds, **small_result, "maxrss_mb": maxrss_mb()}
    log(f"  {label}: batch job, {count // 2} participants (issue + print): {seconds:.2f} s,"
        f" maxrss {result['small']['maxrss_mb']:.1f} MB")  # fmt: skip

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    seconds, first = run_batch_job(large, officer)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    result["first"] = {"seconds": seconds, **first, "maxrss_mb": maxrss_mb()}
    log(f"  {label}: batch job, {count} participants (issue + print): {seconds:.2f} s,"
        f" maxrss {result['first']['maxrss_mb']:.1f} MB")  # fmt: skip

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    seconds, rerun = run_batch_job(large, officer)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    result["rerun"] = {"seconds": seconds, **rerun, "maxrss_mb": maxrss_mb()}
    log(f"  {label}: batch job again (print only): {seconds:.2f} s")

    seconds, cpu, downloads, size = run_baseline(large, officer)
    result["baseline"] = {
        "seconds": seconds,
        "cpu": cpu,
        "pdfs": downloads,
        "mb": size / 2**20,
        "maxrss_mb": maxrss_mb(),
    }
    log(f"  {label}: baseline, {downloads} requests: {seconds:.2f} s")

    # Memory by count, without the noise of the process's earlier peak: the Python heap's peak
    # while printing the small and then the large batch (both issued already: print only).
    result["heap_peaks_mb"] = traced_peaks(
        [lambda: run_batch_job(small, officer), lambda: run_batch_job(large, officer)]
    )
    log(f"  {label}: heap peaks {result['heap_peaks_mb']}")
    print(json.dumps(result), flush=True)


# --- parent ---------------------------------------------------------------------------------------


class Skipped(Exception):
    pass


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def spawn(label: str, database_url: str, args) -> dict | None:
    env = dict(os.environ)
    # DEBUG would keep every query in memory; the demo flag gives the dev keys.
    env.update(DATABASE_URL=database_url, MITRA_DEMO="1", DEBUG="0", MITRA_VAR_DIR=args.var_dir)
    env.pop("MITRA_TESTING", None)
    env.setdefault("LOG_LEVEL", "WARNING")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--label",
        label,
        "--database-url",
        database_url,
        "--count",
        str(args.count),
        *(["--profile"] if args.profile else []),
    ]
    proc = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        print(f"!! {label}: the benchmark failed (exit status {proc.returncode})", file=sys.stderr)
        return None
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def bench_sqlite(args) -> dict | None:
    with tempfile.TemporaryDirectory(prefix="mitra-bench-sqlite-") as tmp:
        path = Path(tmp) / "certificates.sqlite3"
        print(f"SQLite: fresh database file {path}", flush=True)
        return spawn("sqlite", f"sqlite:///{path}", args)


def bench_postgres(args) -> dict | None:
    import psycopg
    from psycopg import sql

    try:
        admin = psycopg.connect(args.pg_url, connect_timeout=3, autocommit=True)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Skipped(f"PostgreSQL not reachable ({reason})") from None
    name = sql.Identifier(PG_BENCH_DB)
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        try:
            print(f"PostgreSQL: fresh database {PG_BENCH_DB}", flush=True)
            return spawn("postgresql", with_database(args.pg_url, PG_BENCH_DB), args)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def report(results: list[dict], load_before: float) -> None:
    print()
    print(
        f"Machine: {os.cpu_count()} CPUs, 1-minute load average {load_before:.2f} before the run,"
        f" {os.getloadavg()[0]:.2f} after"
    )
    print("batch    = the job (run_job in-process): one query for all participants, each PDF")
    print(
        "           written into the ZIP as it is rendered; `first` also issues every certificate"
    )
    print(
        "baseline = GET /pelatihan/sertifikat/<id>/pdf/ per certificate (test client, logged in):"
    )
    print("           session, user, certificate, one PDF and one access-log row per request")
    print()
    table = [
        ("database", "PDFs", "", "batch re-run", "batch first", "baseline", "ratio", ">= 3x"),
    ]
    for r in results:
        n = r["count"]
        for clock, key in (("wall", "seconds"), ("CPU", "cpu")):
            rerun = n / r["rerun"][key]
            first = n / r["first"][key]
            base = r["baseline"]["pdfs"] / r["baseline"][key]
            ratio = rerun / base
            table.append(
                (
                    r["label"],
                    f"{n}",
                    f"per {clock} s",
                    f"{rerun:.0f}/s",
                    f"{first:.0f}/s",
                    f"{base:.0f}/s",
                    f"{ratio:.1f}x ({first / base:.1f}x)",
                    "yes" if ratio >= RATIO_GOAL else "NO",
                )
            )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for i, row in enumerate(table):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("(ratio: batch re-run / baseline; in brackets the first run, which also issues them.")
    print(" CPU = this process's CPU time: steadier than the wall clock on a busy machine; with")
    print(" PostgreSQL it leaves out the server's share)")
    print()
    for r in results:
        n = r["count"]
        small, first, rerun = r["small"], r["first"], r["rerun"]
        print(
            f"{r['label']}: ZIP of {first['pdfs']} PDFs {first['zip_mb']:.1f} MB"
            f" ({first['zip_mb'] * 1024 / first['pdfs']:.0f} KB each); {first['issued']} issued"
            f" by the first run, {rerun['issued']} by the re-run"
        )
        print(
            f"{r['label']}: peak memory (maxrss) {r['maxrss_start_mb']:.1f} MB before,"
            f" {small['maxrss_mb']:.1f} MB after {n // 2} PDFs, {first['maxrss_mb']:.1f} MB after"
            f" {n}, {rerun['maxrss_mb']:.1f} MB after the re-run"
            f" (growth {n // 2}->{n}: {first['maxrss_mb'] - small['maxrss_mb']:+.1f} MB);"
            f" {r['baseline']['maxrss_mb']:.1f} MB after the baseline"
        )
        small_peak, large_peak = r["heap_peaks_mb"]
        print(
            f"{r['label']}: Python heap peak while printing (tracemalloc, print only):"
            f" {small_peak:.1f} MB for {n // 2} PDFs, {large_peak:.1f} MB for {n}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="participants of the large batch")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--profile", action="store_true", help="profile the batch re-run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count < 2:
        parser.error("--count must be at least 2")
    if args.child:
        run_child(args)
        return 0
    results, failed = [], False
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mitra-bench-var-") as var_dir:
        args.var_dir = var_dir
        kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        for kind in kinds:
            try:
                result = bench_sqlite(args) if kind == "sqlite" else bench_postgres(args)
            except Skipped as exc:
                print(f"!! {exc}: SKIPPED.", flush=True)
                continue
            if result is None:
                failed = True
            else:
                results.append(result)
    if results:
        report(results, load_before)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
