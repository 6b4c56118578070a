"""Benchmark: importing a worker spreadsheet with Mitra's importer vs django-import-export 4.

    .venv/bin/python bench/import_workers.py [--rows 100000] [--db sqlite|postgres|both]
        [--baseline-rows 5000] [--formats csv,xlsx] [--mitra-only] [--pg-url URL]

Needs the bench extra for the baseline: pip install -e '.[bench]' (django-import-export>=4,<5).

The parent generates one realistic national worker file (two title rows above the header, the
columns regencies use, villages all over Indonesia, valid NIKs whose district, sex and birth date
match the row; about 3% bad rows: NIKs in scientific notation or with 15 digits, unknown village
codes, impossible dates, missing names) as CSV and as xlsx (xlsxwriter), plus a plain CSV of its
first --baseline-rows rows for the baseline. For each database it creates a fresh database (SQLite:
a file in a temporary directory; PostgreSQL: mitra_bench_import, dropped afterwards) and runs
itself in a child process pointed at it through DATABASE_URL. The child migrates, loads the region
tree, and times:

* Mitra: service.import_file() as `mitra import-workers` runs it (check every row, then write the
  valid ones in one transaction), per format, into an empty worker table; rows read per second.
* the re-run: the same CSV again on the full table (idempotent: nothing written);
* the baseline: a django-import-export ModelResource for Worker through its documented
  import_data() path (stock options: one transaction, per-row savepoint, instance lookup by the
  NIK's keyed hash filled in before_import_row, Worker.save() filling the derived fields and the
  change history); rows per second over the --baseline-rows rows;
* PostgreSQL only: a bare COPY of the same prepared rows (already encrypted, every column filled,
  as COPY text) into the empty table, database constraints only: the floor of any importer.

Peak memory is the child's resource.getrusage maxrss, read before and after Mitra's CSV import.
--mitra-only --rows 1000000 --formats csv is the memory run (goal: under 500 MB).

Goals from the issue: Mitra at least 20x the baseline on both databases, PostgreSQL within 3x of
the bare COPY, peak memory under 500 MB for 1,000,000 rows.
"""

import argparse
import csv
import datetime
import gc
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "mitra_bench_import"
RATIO_GOAL, COPY_GOAL, MEMORY_GOAL_MB = 20.0, 3.0, 500
HEADERS = [
    "No", "Nama Lengkap", "NIK", "Jenis Kelamin", "Tempat Lahir", "Tanggal Lahir", "Alamat",
    "Kode Desa", "Desa/Kelurahan", "No HP", "Pendidikan", "Pekerjaan", "Tanggal Bergabung", "Jenis",
]  # fmt: skip
TITLES = ["DATA PEKERJA SOSIAL MASYARAKAT (PSM) DAN TKSK", "REKAPITULASI NASIONAL"]
BULAN = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
]  # fmt: skip


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the file -------------------------------------------------------------------------------------


def _names(n: int) -> tuple[list[str], list[str]]:
    from faker import Faker

    fake = Faker("id_ID")
    fake.seed_instance(2026)
    first = sorted({fake.first_name() for _ in range(n)})
    last = sorted({fake.last_name() for _ in range(n)})
    return first, last


def generate(directory: Path, rows: int, baseline_rows: int, formats: list[str], seed: int = 7):
    """Write the files; return what a correct import must find."""
    import xlsxwriter

    rng = random.Random(seed)
    villages = []
    with (ROOT / "mitra/regions/data/villages.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            villages.append((row["code"], row["name"]))
    villages = rng.sample(villages, 6000)
    first, last = _names(400)
    places = ["Bantul", "Sleman", "Yogyakarta", "Klaten", "Semarang", "Surabaya", "Medan",
              "Makassar", "Padang", "Kupang", "Ambon", "Jayapura", "Banjarmasin", "Mataram"]  # fmt: skip
    education = ["SD", "SMP", "SLTP", "SMA", "SLTA", "SMK", "D3", "S1", "S2"]
    jobs = ["Petani", "Wiraswasta", "Ibu Rumah Tangga", "Guru Honorer", "Pedagang", "Buruh", ""]
    start = datetime.date(1950, 1, 1).toordinal()
    span = datetime.date(2004, 12, 31).toordinal() - start
    seen: set[int] = set()
    expected = {"rows": rows, "valid": 0, "bad": 0, "baseline_rows": 0, "baseline_valid": 0}

    csv_path = directory / "workers.csv"
    base_path = directory / "workers-baseline.csv"
    fh = csv_path.open("w", encoding="utf-8", newline="")
    out = csv.writer(fh, delimiter=";")
    base_fh = base_path.open("w", encoding="utf-8", newline="")
    base = csv.writer(base_fh, delimiter=",")
    base.writerow(HEADERS)
    book = sheet = date_format = None
    if "xlsx" in formats:
        book = xlsxwriter.Workbook(str(directory / "workers.xlsx"), {"constant_memory": True})
        sheet = book.add_worksheet("Data PSM")
        date_format = book.add_format({"num_format": "dd-mm-yyyy"})
        for r, title in enumerate(TITLES):
            sheet.write_string(r, 0, title)
        sheet.write_row(len(TITLES), 0, HEADERS)
    for title in TITLES:
        out.writerow([title])
    out.writerow(HEADERS)

    for n in range(1, rows + 1):
        code, village = rng.choice(villages)
        sex = "P" if rng.random() < 0.55 else "L"
        birth = datetime.date.fromordinal(start + rng.randrange(span))
        day = birth.day + (40 if sex == "P" else 0)
        prefix = code.replace(".", "")[:6]
        while True:
            nik = f"{prefix}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randrange(1, 10000):04d}"
            if int(nik) not in seen:
                seen.add(int(nik))
                break
        joined = datetime.date.fromordinal(
            max(birth.toordinal() + 18 * 366, datetime.date(2000, 1, 1).toordinal())
            + rng.randrange(2000)
        )
        joined = min(joined, datetime.date(2025, 12, 31))
        style = rng.random()
        if style < 0.85:
            birth_text = birth.strftime("%d-%m-%Y")
        elif style < 0.95:
            birth_text = f"{birth.day} {BULAN[birth.month - 1]} {birth.year}"
        else:
            birth_text = birth.isoformat()
        row = [
            str(n),
            f"{rng.choice(first)} {rng.choice(last)}",
            nik,
            sex if rng.random() < 0.8 else ("Laki-laki" if sex == "L" else "Perempuan"),
            rng.choice(places),
            birth_text,
            f"Jl. {rng.choice(last)} No. {rng.randrange(1, 200)}, RT {rng.randrange(1, 20):02d}/RW {rng.randrange(1, 10):02d}",
            code,
            village,
            f"08{rng.randrange(10**9, 10**11)}",
            rng.choice(education),
            rng.choice(jobs),
            joined.strftime("%d-%m-%Y"),
            "PSM" if rng.random() < 0.9 else rng.choice(["TKSK", "Tagana"]),
        ]
        bad, kind = rng.random() < 0.03, None
        if bad:
            kind = rng.randrange(5)
            if kind == 0:
                row[2] = f"{int(nik) / 1e15:.5f}E+15"  # scientific notation
            elif kind == 1:
                row[2] = nik[1:]  # a lost digit
            elif kind == 2:
                row[7], row[8] = "34.02.99.9999", "Antah Berantah"  # no such village
            elif kind == 3:
                row[5] = f"31-02-{birth.year}"  # no 31 February
            else:
                row[1] = ""  # no name
            expected["bad"] += 1
        else:
            expected["valid"] += 1
        out.writerow(row)
        if n <= baseline_rows:
            # The baseline's DateWidget reads one format: give it that one (Mitra reads them all).
            plain = list(row)
            if not (bad and kind == 3):
                plain[5] = birth.strftime("%d-%m-%Y")
            base.writerow(plain)
            expected["baseline_rows"] += 1
            expected["baseline_valid"] += 0 if bad else 1
        if sheet is not None:
            r = len(TITLES) + n
            for c, value in enumerate(row):
                if c == 5 and not bad and style < 0.85:
                    sheet.write_datetime(
                        r, c, datetime.datetime.combine(birth, datetime.time()), date_format
                    )
                else:
                    sheet.write_string(r, c, value)
    fh.close()
    base_fh.close()
    if book is not None:
        book.close()
    return expected


# --- child: runs inside one database ----------------------------------------------------------------


def empty_workers() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM workers_worker")
        cursor.execute("DELETE FROM core_changelog WHERE object_label LIKE 'Impor%%'")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE workers_worker")
        else:
            cursor.execute("VACUUM")
    gc.collect()


def worker_count() -> int:
    from mitra.workers.models import Worker

    return Worker.objects.count()


def run_mitra(path: Path, admin, expected_valid: int, label: str) -> dict:
    from mitra.workers.importing.service import import_file

    started = time.perf_counter()
    outcome = import_file(path, scope="", actor=admin)
    seconds = time.perf_counter() - started
    counts = outcome.check.counts
    if counts.written != expected_valid or worker_count() != expected_valid:
        raise SystemExit(
            f"{label}: Mitra wrote {counts.written} rows ({worker_count()} stored), "
            f"expected {expected_valid}; counts {counts.as_dict()}"
        )
    return {
        "seconds": seconds,
        "rows": counts.read,
        "written": counts.written,
        "check_seconds": outcome.check.seconds,
        "write_seconds": outcome.written.seconds if outcome.written else 0.0,
        "problems": outcome.check.problem_count,
    }


def baseline_resource():
    """django-import-export's documented path: a ModelResource and import_data()."""
    from import_export import fields, resources, widgets

    from mitra.core import crypto
    from mitra.regions.models import Village
    from mitra.workers.models import Worker
    from mitra.workers.validation import check_nik

    class DottedCodeWidget(widgets.ForeignKeyWidget):
        def clean(self, value, row=None, **kwargs):
            try:
                return super().clean((value or "").replace(".", ""), row, **kwargs)
            except Village.DoesNotExist:
                raise ValueError("unknown village") from None

    class Lower(widgets.CharWidget):
        def clean(self, value, row=None, **kwargs):
            return (value or "").strip().lower()

    class SexWidget(widgets.CharWidget):
        def clean(self, value, row=None, **kwargs):
            return {"laki-laki": "L", "perempuan": "P"}.get((value or "").lower(), value)

    class WorkerResource(resources.ModelResource):
        full_name = fields.Field("full_name", "Nama Lengkap")
        nik = fields.Field("nik", "NIK")
        nik_hash = fields.Field("nik_hash", "nik_hash")
        sex = fields.Field("sex", "Jenis Kelamin", widget=SexWidget())
        birth_place = fields.Field("birth_place", "Tempat Lahir")
        birth_date = fields.Field(
            "birth_date", "Tanggal Lahir", widget=widgets.DateWidget(format="%d-%m-%Y")
        )
        address = fields.Field("address", "Alamat")
        village = fields.Field("village", "Kode Desa", widget=DottedCodeWidget(Village, "code"))
        phone = fields.Field("phone", "No HP")
        education = fields.Field("education", "Pendidikan", widget=Lower())
        occupation = fields.Field("occupation", "Pekerjaan")
        joined_on = fields.Field(
            "joined_on", "Tanggal Bergabung", widget=widgets.DateWidget(format="%d-%m-%Y")
        )
        kind = fields.Field("kind", "Jenis", widget=Lower())

        class Meta:
            model = Worker
            import_id_fields = ("nik_hash",)
            fields = (
                "full_name", "nik", "nik_hash", "sex", "birth_place", "birth_date", "address",
                "village", "phone", "education", "occupation", "joined_on", "kind",
            )  # fmt: skip
            clean_model_instances = True

        def before_import(self, dataset, **kwargs):
            # The lookup column the rows are matched on, filled per row below.
            dataset.append_col([""] * len(dataset), header="nik_hash")

        def before_import_row(self, row, **kwargs):
            # The derived lookup key; Worker.save() fills the other derived fields.
            row["NIK"] = check_nik(row["NIK"])  # a ValidationError makes the row invalid
            row["nik_hash"] = crypto.blind_index(row["NIK"])
            education = {"sltp": "smp", "slta": "sma", "smk": "sma"}
            level = (row.get("Pendidikan") or "").lower()
            row["Pendidikan"] = education.get(level, level)

    return WorkerResource()


def run_baseline(path: Path, admin, expected: dict, label: str) -> dict:
    import tablib

    from mitra.core.current import acting_as

    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    resource_ = baseline_resource()
    started = time.perf_counter()
    with acting_as(admin):
        result = resource_.import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - started
    stored = worker_count()
    if result.has_errors() or stored != expected["baseline_valid"]:
        errors = [str(e.error) for _n, row_errors in result.row_errors()[:3] for e in row_errors]
        raise SystemExit(
            f"{label}: baseline stored {stored}, expected {expected['baseline_valid']}; {errors}"
        )
    return {
        "seconds": seconds,
        "rows": len(dataset),
        "written": stored,
        "invalid": len(result.invalid_rows),
    }


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def prepare_copy(files: Path) -> None:
    """Write the rows Mitra writes as COPY text (files/copy.txt) and the statement (copy.sql).

    Runs in its own process (--prepare-copy), so that the text, as big as the table, does not
    count in the measuring child's peak memory."""
    from django.db import connection

    from mitra.accounts.models import User
    from mitra.workers.importing import engine, writer
    from mitra.workers.importing.service import inspect
    from mitra.workers.importing.sources import file_for
    from mitra.workers.models import Worker

    admin = User.objects.get(username="bench.admin")
    spool = file_for("b" * 32, ".spool")
    found = inspect(files / "workers.csv", "csv")
    engine.check(found.table, found.mapping, "", spool_path=spool)
    names, constants = writer.constant_columns(admin)
    columns = [Worker._meta.get_field(n).column for n in engine.ROW_COLUMNS] + names
    constants = [v.isoformat() if hasattr(v, "isoformat") else v for v in constants]
    with (files / "copy.txt").open("w", encoding="utf-8") as out:
        for batch in engine.read_spool(spool):
            for row in batch:
                out.write("\t".join(_copy_text(v) for v in [*row[:-1], *constants]) + "\n")
    spool.unlink()
    quote = connection.ops.quote_name
    (files / "copy.sql").write_text(
        f"COPY {quote(Worker._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    )


def run_bare_copy(files: Path, expected_valid: int) -> dict:
    """COPY the prepared rows into the empty table in one transaction: constraints only."""
    from django.db import connection, transaction

    sql = (files / "copy.sql").read_text()
    started = time.perf_counter()
    with (
        (files / "copy.txt").open("rb") as data,
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        while chunk := data.read(1 << 20):
            copy.write(chunk)
    seconds = time.perf_counter() - started
    if worker_count() != expected_valid:
        raise SystemExit(f"bare COPY stored {worker_count()}, expected {expected_valid}")
    return {"seconds": seconds, "rows": expected_valid}


CREATE_ADMIN = """
import django; django.setup()
from mitra.accounts.models import User
User.objects.create_user("bench.admin", "bench-password-2026", full_name="Bench", role="national_admin")
"""


def run_child(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "mitra.settings"
    sys.path.insert(0, str(ROOT))
    # The database is prepared by other processes, so that this one's peak memory is the import's.
    for command in (
        ["-m", "mitra.cli", "migrate", "-v0"],
        ["-m", "mitra.cli", "load-regions"],
        ["-c", CREATE_ADMIN],
    ):
        subprocess.run([sys.executable, *command], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    import django

    django.setup()
    from django.db import connection

    from mitra.accounts.models import User

    label = args.label
    files = Path(args.files)
    expected = json.loads((files / "expected.json").read_text())
    admin = User.objects.get(username="bench.admin")
    result = {"label": label, "vendor": connection.vendor, "formats": {}}
    if connection.vendor == "postgresql":
        result["server_version"] = connection.pg_version
    gc.collect()
    result["maxrss_before_mb"] = maxrss_mb()
    formats = args.formats.split(",")
    with_copy = connection.vendor == "postgresql" and not args.mitra_only and "csv" in formats
    if with_copy:
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--prepare-copy", str(files),
             "--database-url", args.database_url],
            check=True, cwd=ROOT,
        )  # fmt: skip
    # Mitra on CSV and the bare COPY alternate, --repeat times each, so that both see the same
    # machine (others' load comes and goes): the medians are compared.
    for fmt in formats:
        runs = args.repeat if fmt == "csv" else 1
        for n in range(1, runs + 1):
            empty_workers()
            log(f"  {label}: Mitra, {expected['rows']:,} rows from {fmt} ({n}/{runs})…")
            run = run_mitra(files / f"workers.{fmt}", admin, expected["valid"], label)
            run["maxrss_after_mb"] = maxrss_mb()
            result["formats"].setdefault(fmt, []).append(run)
            log(
                f"  {label}: Mitra {fmt}: {run['seconds']:.2f} s (check {run['check_seconds']:.2f} s,"
                f" write {run['write_seconds']:.2f} s), {run['rows'] / run['seconds']:,.0f} rows/s,"
                f" maxrss {run['maxrss_after_mb']:.0f} MB"
            )
            if fmt == "csv" and with_copy:
                empty_workers()
                c = run_bare_copy(files, expected["valid"])
                result.setdefault("copy", []).append(c)
                log(f"  {label}: bare COPY of {c['rows']:,} prepared rows: {c['seconds']:.2f} s")
    first = formats[0]
    started = time.perf_counter()
    from mitra.workers.importing.service import import_file

    again = import_file(files / f"workers.{first}", scope="", actor=admin)
    result["rerun"] = {
        "seconds": time.perf_counter() - started,
        "written": again.check.counts.written,
        "unchanged": again.check.counts.unchanged,
    }
    log(f"  {label}: re-run of the same {first}: {result['rerun']['seconds']:.2f} s, "
        f"{again.check.counts.written} written, {again.check.counts.unchanged:,} unchanged")  # fmt: skip
    if not args.mitra_only:
        empty_workers()
        log(f"  {label}: baseline (django-import-export), {expected['baseline_rows']:,} rows…")
        result["baseline"] = run_baseline(files / "workers-baseline.csv", admin, expected, label)
        b = result["baseline"]
        log(f"  {label}: baseline: {b['seconds']:.2f} s, {b['rows'] / b['seconds']:,.0f} rows/s")
    result["load_average"] = os.getloadavg()
    print(json.dumps(result), flush=True)


# --- parent ---------------------------------------------------------------------------------------


class Skipped(Exception):
    pass


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def spawn(label: str, database_url: str, args, files: Path) -> dict | None:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, MITRA_DEMO="1", DEBUG="0", MITRA_VAR_DIR=args.var_dir)
    env.pop("MITRA_TESTING", None)
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child", "--label", label,
        "--database-url", database_url, "--files", str(files), "--formats", args.formats,
        "--repeat", str(args.repeat),
    ] + (["--mitra-only"] if args.mitra_only else [])  # fmt: skip
    proc = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        print(f"!! {label}: the benchmark failed (exit status {proc.returncode})", file=sys.stderr)
        return None
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def bench_sqlite(args, files) -> dict | None:
    tmp = tempfile.mkdtemp(prefix="mitra-bench-")
    try:
        path = Path(tmp) / "import.sqlite3"
        print(f"SQLite: fresh database file {path}", flush=True)
        return spawn("sqlite", f"sqlite:///{path}", args, files)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_postgres(args, files) -> dict | None:
    import psycopg
    from psycopg import sql

    try:
        admin = psycopg.connect(args.pg_url, connect_timeout=3, autocommit=True)
    except psycopg.Error as exc:
        raise Skipped(f"PostgreSQL not reachable ({str(exc).strip().splitlines()[0]})") from None
    name = sql.Identifier(PG_BENCH_DB)
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        try:
            print(f"PostgreSQL: fresh database {PG_BENCH_DB}", flush=True)
            return spawn("postgresql", with_database(args.pg_url, PG_BENCH_DB), args, files)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def report(results: list[dict], expected: dict, args) -> None:
    print()
    print(
        f"File: {expected['rows']:,} rows ({expected['valid']:,} valid, {expected['bad']:,} bad),"
        f" 2 title rows, villages all over Indonesia, importer with national scope."
    )
    print("Mitra    = service.import_file() (what `mitra import-workers` runs): check every row,")
    print("           then write the valid ones in one transaction; rows read per second")
    if not args.mitra_only:
        print(
            f"baseline = django-import-export 4 ModelResource.import_data(), stock, over the first"
            f" {expected['baseline_rows']:,} rows only (rows/s; the whole file would take hours)"
        )
        print("bare COPY = the same prepared rows (encrypted, every column) COPYed into the empty")
        print("           table in one transaction: constraints and indexes only (PostgreSQL)")
    if not args.mitra_only:
        print(f"CSV runs: median of {args.repeat}, alternating with the bare COPY; xlsx: one run.")
    print()
    table = [("database", "format", "Mitra s", "Mitra rows/s", "check s", "write s", "peak MB")]
    for r in results:
        for fmt, runs in r["formats"].items():
            run = _median_run(runs)
            table.append((
                r["label"], fmt, f"{run['seconds']:.2f}", f"{run['rows'] / run['seconds']:,.0f}",
                f"{run['check_seconds']:.2f}", f"{run['write_seconds']:.2f}",
                f"{max(x['maxrss_after_mb'] for x in runs):.0f}",
            ))  # fmt: skip
    _print_table(table)
    print()
    for r in results:
        rr = r["rerun"]
        print(
            f"{r['label']}: re-run of the same file: {rr['seconds']:.2f} s, {rr['written']} written,"
            f" {rr['unchanged']:,} unchanged. Peak memory before the imports"
            f" {r['maxrss_before_mb']:.0f} MB. Load average at the end:"
            f" {', '.join(f'{x:.1f}' for x in r['load_average'])} ({os.cpu_count()} CPUs)."
        )
        for fmt, runs in r["formats"].items():
            if len(runs) > 1:
                print(
                    f"  {r['label']} {fmt} runs: {', '.join(f'{x["seconds"]:.2f}' for x in runs)} s"
                )
        if "copy" in r:
            print(
                f"  {r['label']} bare COPY runs: {', '.join(f'{x["seconds"]:.2f}' for x in r['copy'])} s"
            )
    if args.mitra_only:
        for r in results:
            peak = max(x["maxrss_after_mb"] for runs in r["formats"].values() for x in runs)
            verdict = "yes" if peak < MEMORY_GOAL_MB else "NO"
            print(
                f"{r['label']}: peak memory (maxrss of the child) {peak:.0f} MB for"
                f" {expected['rows']:,} rows: < {MEMORY_GOAL_MB} MB: {verdict}"
            )
        return
    print()
    table = [("database", "Mitra rows/s (csv)", "baseline rows/s", "ratio", ">= 20x",
              "bare COPY rows/s", "COPY / Mitra", "within 3x")]  # fmt: skip
    for r in results:
        run = _median_run(r["formats"].get("csv") or next(iter(r["formats"].values())))
        mitra = run["rows"] / run["seconds"]
        b = r["baseline"]
        baseline = b["rows"] / b["seconds"]
        ratio = mitra / baseline
        copy_cells = ("n/a", "n/a", "n/a")
        if "copy" in r:
            c = _median_run(r["copy"])
            copy_rate = c["rows"] / c["seconds"]
            slower = copy_rate / (run["written"] / run["seconds"])
            copy_cells = (
                f"{copy_rate:,.0f}",
                f"{slower:.1f}x",
                "yes" if slower <= COPY_GOAL else "NO",
            )
        table.append((r["label"], f"{mitra:,.0f}", f"{baseline:,.0f}", f"{ratio:.0f}x",
                      "yes" if ratio >= RATIO_GOAL else "NO", *copy_cells))  # fmt: skip
    _print_table(table)
    print("(COPY / Mitra compares rows stored per second: the valid rows over each one's time;")
    print(" Mitra's time includes reading and checking the file, COPY's does not.)")


def _print_table(table) -> None:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for n, row in enumerate(table):
        print(
            "  ".join(
                [row[0].ljust(widths[0])]
                + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--baseline-rows", type=int, default=5_000)
    parser.add_argument("--formats", default="csv,xlsx", help="csv, xlsx or csv,xlsx")
    parser.add_argument(
        "--mitra-only", action="store_true", help="no baseline, no COPY (memory run)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="Mitra CSV and COPY runs (median)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--prepare-copy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return 0
    if args.prepare_copy:
        os.environ["DATABASE_URL"] = args.database_url
        os.environ["DJANGO_SETTINGS_MODULE"] = "mitra.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        prepare_copy(Path(args.prepare_copy))
        return 0
    if args.generate:
        files = Path(args.generate)
        expected = generate(files, args.rows, args.baseline_rows, args.formats.split(","))
        (files / "expected.json").write_text(json.dumps(expected))
        return 0
    if not set(args.formats.split(",")) <= {"csv", "xlsx"}:
        parser.error("--formats takes csv, xlsx or csv,xlsx")
    if not args.mitra_only:
        try:
            import import_export  # noqa: F401
        except ImportError:
            parser.error("the baseline needs django-import-export: pip install -e '.[bench]'")
    results, failed = [], False
    with tempfile.TemporaryDirectory(prefix="mitra-bench-var-") as var_dir:
        args.var_dir = var_dir
        files = Path(var_dir) / "files"
        files.mkdir()
        started = time.perf_counter()
        # Generated in a separate process: on Linux a child's maxrss starts from what its parent
        # held when it was spawned, and the generator holds every NIK of the file.
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--generate", str(files),
             "--rows", str(args.rows), "--baseline-rows", str(min(args.baseline_rows, args.rows)),
             "--formats", args.formats],
            check=True, cwd=ROOT,
        )  # fmt: skip
        expected = json.loads((files / "expected.json").read_text())
        sizes = ", ".join(
            f"{p.name} {p.stat().st_size / 2**20:.1f} MB"
            for p in sorted(files.iterdir())
            if p.suffix != ".json"
        )
        print(f"Generated in {time.perf_counter() - started:.1f} s: {sizes}", flush=True)
        for kind in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
            try:
                result = (
                    bench_sqlite(args, files) if kind == "sqlite" else bench_postgres(args, files)
                )
            except Skipped as exc:
                print(f"!! {exc}: SKIPPED.", flush=True)
                continue
            if result is None:
                failed = True
            else:
                results.append(result)
    if results:
        report(results, expected, args)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
