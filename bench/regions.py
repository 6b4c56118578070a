"""Benchmark: loading every region into an empty database, Mitra's loader vs a row-at-a-time loop.

    .venv/bin/python bench/regions.py [--db sqlite|postgres|both] [--pg-url URL]
                                      [--repeat N] [--baseline-repeat M]

For each database kind the script creates a fresh, separate database (SQLite: a file in a temporary
directory; PostgreSQL: a new database named mitra_bench_regions, dropped afterwards) and runs itself
in a child process pointed at it through DATABASE_URL, because Django reads its settings once per
process. The child migrates, then times:

* Mitra's load_regions() into the empty region tables, N times (emptied before each run);
* load_regions() again on the full database (the idempotent re-run: nothing new, nothing renamed);
* the baseline: the same four CSV files read with the csv module and saved one Model(...).save()
  at a time in autocommit mode, which is what a first, naive import would look like.

Goals from the issue: a full load under 3 s on SQLite, and at least 20x faster than the baseline.
"""

import argparse
import csv
import hashlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "mitra_bench_regions"
SQLITE_GOAL_SECONDS = 3.0
RATIO_GOAL = 20.0


# --- child: runs inside one database ------------------------------------------------------------


def log(message: str) -> None:
    """Progress goes to stderr (passed through by the parent); stdout carries only the result."""
    print(message, file=sys.stderr, flush=True)


def region_levels():
    """(model, CSV file, parent column in the file, kind function or None), parents first."""
    from mitra.regions.loader import regency_kind, village_kind
    from mitra.regions.models import District, Province, Regency, Village

    return [
        (Province, "provinces.csv", None, None),
        (Regency, "regencies.csv", "province_code", regency_kind),
        (District, "districts.csv", "regency_code", None),
        (Village, "villages.csv", "district_code", village_kind),
    ]


def rows_in_files() -> dict[str, int]:
    """Data rows per file: what a complete load must leave in each table."""
    from mitra.regions.loader import DATA_DIR

    counts = {}
    for model, filename, _parent, _kind in region_levels():
        with (DATA_DIR / filename).open(newline="", encoding="utf-8") as fh:
            counts[model._meta.model_name] = sum(1 for _ in csv.DictReader(fh))
    return counts


def stored_counts() -> dict[str, int]:
    return {model._meta.model_name: model.objects.count() for model, *_ in region_levels()}


def verify_counts(expected: dict[str, int], what: str) -> int:
    """Fail loudly unless every table holds exactly the rows of its file; return the total."""
    stored = stored_counts()
    if stored != expected:
        raise SystemExit(f"{what}: stored rows {stored} differ from the files {expected}")
    return sum(stored.values())


def fingerprint() -> str:
    """A digest of every stored region row, to check that both loaders store the same data."""
    digest = hashlib.sha256()
    for model, *_ in region_levels():
        columns = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("code").values_list(*columns):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def empty_region_tables() -> None:
    """Empty the four region tables and give their space back, so each load starts as on a new
    database rather than over the dead rows the previous one left behind."""
    from django.db import connection

    tables = [connection.ops.quote_name(m._meta.db_table) for m, *_ in reversed(region_levels())]
    with connection.cursor() as cursor:
        # Villages first, provinces last, for the foreign keys. A plain DELETE rather than TRUNCATE
        # because other apps' tables reference the regions, and TRUNCATE would have to cascade.
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        # Both run in autocommit (no transaction is open here).
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM {', '.join(tables)}")
        else:
            cursor.execute("VACUUM")


def baseline_load() -> None:
    """The row-at-a-time baseline: one ORM save per row, each committed on its own.

    A plain save() of a model whose primary key has no default issues an UPDATE and then, as
    nothing matched, an INSERT: two statements and two autocommits per row. That is what the
    naive code costs, so it is measured as is.
    """
    from django.db import connection

    from mitra.regions.loader import DATA_DIR

    if not connection.get_autocommit() or connection.in_atomic_block:
        raise SystemExit("the baseline must run in autocommit mode, outside any transaction")
    for model, filename, parent_column, kind in region_levels():
        parent_field = None
        if parent_column:
            parent_field = next(f.attname for f in model._meta.concrete_fields if f.is_relation)
        with (DATA_DIR / filename).open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code = row["code"].replace(".", "").strip()
                values = {"code": code, "name": row["name"].strip()}
                if parent_field:
                    values[parent_field] = row[parent_column].replace(".", "").strip()
                if kind:
                    values["kind"] = kind(code)
                model(**values).save()


def timed(func) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def run_child(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "mitra.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mitra.regions.loader import load_regions

    label = args.label
    call_command("migrate", verbosity=0, interactive=False)
    expected = rows_in_files()
    if any(stored_counts().values()):
        raise SystemExit(f"{label}: the region tables are not empty after migrate")
    journal = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]

    mitra_runs = []
    for run in range(1, args.repeat + 1):
        empty_region_tables()
        seconds, summary = timed(load_regions)
        total = verify_counts(expected, f"{label}: Mitra load {run}")
        if summary.created != total:
            raise SystemExit(f"{label}: load_regions() reported {summary.created} new, not {total}")
        mitra_runs.append(seconds)
        log(f"  {label}: load_regions(), empty tables, {run}/{args.repeat}: {seconds:.3f} s")
    mitra_digest = fingerprint()

    # The database is full now: a re-run must find nothing to insert or rename.
    rerun_runs, rerun_created = [], 0
    for run in range(1, args.repeat + 1):
        seconds, summary = timed(load_regions)
        verify_counts(expected, f"{label}: re-run {run}")
        if summary.created or summary.renamed:
            raise SystemExit(f"{label}: re-run changed data: {summary.as_text()}")
        rerun_created += summary.created
        rerun_runs.append(seconds)
        log(f"  {label}: load_regions(), full tables, {run}/{args.repeat}: {seconds:.3f} s")

    baseline_runs = []
    for run in range(1, args.baseline_repeat + 1):
        empty_region_tables()
        log(f"  {label}: baseline, one save() per row, {run}/{args.baseline_repeat}…")
        seconds, _ = timed(baseline_load)
        verify_counts(expected, f"{label}: baseline {run}")
        baseline_runs.append(seconds)
        log(f"  {label}: baseline, {run}/{args.baseline_repeat}: {seconds:.3f} s")
    if fingerprint() != mitra_digest:
        raise SystemExit(f"{label}: the baseline stored different rows than load_regions()")

    result = {
        "label": label,
        "vendor": connection.vendor,
        "server_version": connection.pg_version if connection.vendor == "postgresql" else None,
        "sqlite_version": sqlite3.sqlite_version if connection.vendor == "sqlite" else None,
        "journal_mode": journal,
        "rows": expected,
        "mitra": mitra_runs,
        "rerun": rerun_runs,
        "rerun_created": rerun_created,
        "baseline": baseline_runs,
    }
    print(json.dumps(result), flush=True)


# --- parent: prepares the databases, runs a child per kind, prints the table ----------------------


class Skipped(Exception):
    """The database kind cannot be measured here (PostgreSQL not reachable)."""


def hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def spawn(label: str, database_url: str, args: argparse.Namespace) -> dict | None:
    """Run the measurements in a child process; return its result, or None if it failed."""
    env = dict(os.environ)
    # The dev secret and data keys are enough here; DEBUG would record every query in memory and
    # slow the baseline down, and a test flag would change the settings.
    env.update(DATABASE_URL=database_url, MITRA_DEMO="1", DEBUG="0")
    env.pop("MITRA_TESTING", None)
    env["MITRA_VAR_DIR"] = args.var_dir
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--label",
        label,
        "--database-url",
        database_url,
        "--repeat",
        str(args.repeat),
        "--baseline-repeat",
        str(args.baseline_repeat),
    ]
    proc = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        print(f"!! {label}: the benchmark failed (exit status {proc.returncode})", file=sys.stderr)
        return None
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def bench_sqlite(args: argparse.Namespace) -> dict | None:
    with tempfile.TemporaryDirectory(prefix="mitra-bench-sqlite-") as tmp:
        path = Path(tmp) / "regions.sqlite3"
        print(f"SQLite: fresh database file {path}", flush=True)
        return spawn("sqlite", f"sqlite:///{path}", args)


def bench_postgres(args: argparse.Namespace) -> dict | None:
    import psycopg
    from psycopg import sql

    try:
        admin = psycopg.connect(args.pg_url, connect_timeout=3, autocommit=True)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Skipped(
            f"PostgreSQL not reachable at {hide_password(args.pg_url)} ({reason})"
        ) from None
    name = sql.Identifier(PG_BENCH_DB)
    with admin:
        # A run that was killed may have left the database behind.
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        try:
            print(f"PostgreSQL: fresh database {PG_BENCH_DB}", flush=True)
            return spawn("postgresql", with_database(args.pg_url, PG_BENCH_DB), args)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def report(results: list[dict], load_before: float) -> None:
    files = results[0]["rows"]
    print()
    # Timings taken on a busy machine are not comparable to those taken on a quiet one.
    print(
        f"Machine: {os.cpu_count()} CPUs, 1-minute load average {load_before:.2f} before the run,"
        f" {os.getloadavg()[0]:.2f} after"
    )
    print(
        f"Regions: {sum(files.values()):,} rows ({files['province']:,} provinces,"
        f" {files['regency']:,} regencies, {files['district']:,} districts,"
        f" {files['village']:,} villages)"
    )
    print("Mitra    = load_regions() into empty tables (one transaction), median of the runs")
    print("baseline = csv + Model(...).save() per row in autocommit (an UPDATE, then an INSERT)")
    print("re-run   = load_regions() again on the full tables (idempotent: nothing new)")
    print()
    table = [
        ("database", "Mitra s", "baseline s", "ratio", "rows", "re-run", "< 3 s", ">= 20x"),
    ]
    for r in results:
        mitra = statistics.median(r["mitra"])
        baseline = statistics.median(r["baseline"])
        ratio = baseline / mitra
        fast = "n/a"  # the 3 s goal is SQLite's
        if r["vendor"] == "sqlite":
            fast = "yes" if mitra < SQLITE_GOAL_SECONDS else "NO"
        table.append(
            (
                r["label"],
                f"{mitra:.3f}",
                f"{baseline:.2f}",
                f"{ratio:.1f}x",
                f"{sum(r['rows'].values()):,}",
                f"{statistics.median(r['rerun']):.3f} s, {r['rerun_created']} new",
                fast,
                "yes" if ratio >= RATIO_GOAL else "NO",
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for n, row in enumerate(table):
        # The first column is text, the others numbers and verdicts: right-aligned.
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for r in results:
        if r["server_version"]:
            detail = f"PostgreSQL {r['server_version'] // 10000}.{r['server_version'] % 10000}"
        else:
            detail = f"SQLite {r['sqlite_version']}, journal_mode={r['journal_mode']}"
        print(
            f"{r['label']} ({detail}): Mitra runs {', '.join(f'{s:.3f}' for s in r['mitra'])} s;"
            f" re-runs {', '.join(f'{s:.3f}' for s in r['rerun'])} s;"
            f" baseline runs {', '.join(f'{s:.2f}' for s in r['baseline'])} s"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="server to create the database on")
    parser.add_argument("--repeat", type=int, default=3, help="runs of Mitra's loader (median)")
    parser.add_argument("--baseline-repeat", type=int, default=1, help="runs of the slow baseline")
    # Internal: the per-database child process.
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeat < 1 or args.baseline_repeat < 1:
        parser.error("--repeat and --baseline-repeat must be at least 1")
    if args.child:
        run_child(args)
        return 0

    results, failed = [], False
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mitra-bench-var-") as var_dir:
        # Nothing the settings might write (static, media) should land in the project's var/.
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
