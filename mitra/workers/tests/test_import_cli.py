"""`mitra import-workers`: the summary, the report file, exit statuses, and what a process killed in
the middle of the write leaves behind (nothing)."""

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from mitra.workers.models import Worker

from .importfiles import HEADERS, person, write_csv

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def command(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import_workers", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue()


def failing(*args) -> CommandError:
    with pytest.raises(CommandError) as exc:
        command(*args)
    return exc.value


def test_summary_and_report_file(tmp_path, bantul_officer):
    rows = [person(1), person(2), person(3, **{"Nama Lengkap": ""}), person(1)]
    headers = [h if h != "Tanggal Lahir" else "-Tanggal Lahir-" for h in HEADERS]
    for row in rows:
        row["-Tanggal Lahir-"] = row["Tanggal Lahir"]
    rows[1]["-Tanggal Lahir-"] = "=1+1"
    path = write_csv(tmp_path / "psm.csv", rows, headers=headers, title_rows=["DATA PSM"])
    report = tmp_path / "report.csv"
    out = command(path, "--as-user", bantul_officer.username, "--report", report)
    assert "Rows read:         4" in out
    assert "Valid (new):       1" in out
    assert "Duplicates:        1" in out
    assert "Invalid:           2" in out
    assert "Written:           1" in out
    assert Worker.objects.count() == 1
    raw = report.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the file as UTF-8
    lines = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert lines[0] == ["Row", "Column", "Reason"]
    assert lines[1][:2] == ["4", "'-Tanggal Lahir- (F)"]  # formula-neutralised
    assert lines[1][2].startswith("“=1+1” is not a date")
    assert [line[0] for line in lines[1:]] == ["4", "5", "6"]


def test_dry_run_writes_nothing_and_needs_no_user(tmp_path, regions):
    path = write_csv(tmp_path / "psm.csv", [person(1)])
    out = command(path, "--dry-run", "--scope", "34.02")
    assert "Valid (new):       1" in out and "(dry run)" in out
    assert not Worker.objects.exists()


def test_nothing_written_exits_1_and_a_rerun_of_a_clean_file_exits_0(tmp_path, bantul_officer):
    bad = write_csv(tmp_path / "bad.csv", [person(1, **{"Kode Desa": "34.04.13.2005"})])
    assert failing(bad, "--as-user", bantul_officer.username).returncode == 1
    good = write_csv(tmp_path / "good.csv", [person(1)])
    command(good, "--as-user", bantul_officer.username)
    out = command(good, "--as-user", bantul_officer.username)  # already there: nothing to do
    assert "Unchanged:         1" in out


def test_the_author_and_area_are_checked(tmp_path, bantul_officer, jetis_supervisor):
    path = write_csv(tmp_path / "psm.csv", [person(1)])
    assert "--as-user" in str(failing(path))
    assert failing(path, "--as-user", "nobody").returncode == 2
    assert "may not import" in str(failing(path, "--as-user", jetis_supervisor.username))
    assert "outside" in str(failing(path, "--as-user", bantul_officer.username, "--scope", "3404"))
    assert failing(tmp_path / "missing.csv", "--dry-run").returncode == 2
    unreadable = tmp_path / "x.csv"
    unreadable.write_text("a;b\n1;2\n")
    assert failing(unreadable, "--dry-run").returncode == 2


def test_the_scope_may_narrow_the_area(tmp_path, bantul_officer):
    path = write_csv(tmp_path / "psm.csv", [person(1)])  # Trimulyo lies in Jetis, 34.02.09
    with pytest.raises(CommandError):
        command(path, "--as-user", bantul_officer.username, "--scope", "34.02.01")
    command(path, "--as-user", bantul_officer.username, "--scope", "34.02.09")
    assert Worker.objects.count() == 1


def test_map_corrects_a_column(tmp_path, bantul_officer):
    headers = [h if h != "Alamat" else "Domisili" for h in HEADERS]
    row = {**person(1), "Domisili": "Dusun Kanten"}
    path = write_csv(tmp_path / "psm.csv", [row], headers=headers)
    assert "Address" in str(failing(path, "--dry-run"))
    command(path, "--as-user", bantul_officer.username, "--map", "Domisili=address")
    assert Worker.objects.get().address == "Dusun Kanten"


def test_help_documents_the_author_option():
    from mitra.workers.management.commands.import_workers import Command

    parser = Command().create_parser("mitra", "import-workers")
    text = parser.format_help()
    assert "--as-user USERNAME" in text and "--dry-run" in text and "Exit status" in text


# ---- crash safety -----------------------------------------------------------------------------------

SETUP = """
import django; django.setup()
from mitra.regions.models import Province, Regency, District, Village
from mitra.accounts.models import User
Province.objects.create(code="34", name="DI Yogyakarta")
Regency.objects.create(code="3402", name="Bantul", province_id="34", kind="kabupaten")
District.objects.create(code="340209", name="Jetis", regency_id="3402")
Village.objects.create(code="3402092004", name="Trimulyo", district_id="340209", kind="desa")
User.objects.create_user("crash.officer", "unused-password-1", full_name="Crash", role="regency_officer", scope_code="3402")
"""


def _env(database_url, var_dir):
    env = dict(os.environ, DATABASE_URL=database_url, MITRA_VAR_DIR=str(var_dir), MITRA_TESTING="1")
    env.pop("MITRA_IMPORT_PAUSE_AFTER_BATCHES", None)
    return env


def _prepare(env):
    for args in (["-m", "mitra.cli", "migrate", "-v0"], ["-c", SETUP]):
        subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True, timeout=120)  # noqa: S603 - our own interpreter


def _kill_during_write(env, path):
    """Run the import until it has written its first batch inside the transaction, then SIGKILL."""
    env = dict(env, MITRA_IMPORT_PAUSE_AFTER_BATCHES="1", MITRA_IMPORT_PAUSE_SECONDS="60")
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [
            sys.executable,
            "-m",
            "mitra.cli",
            "import-workers",
            str(path),
            "--as-user",
            "crash.officer",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        for line in proc.stderr:
            if line.startswith("import-pause:"):
                break
            assert time.monotonic() < deadline, "the import never reached its write phase"
        else:
            pytest.fail(f"the import ended before the pause (exit {proc.wait()})")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()


def _crash_file(tmp_path):
    rows = [person(n, **{"No": n}) for n in range(1, 2601)]  # more than one batch of 2,000
    return write_csv(tmp_path / "psm.csv", rows)


def test_a_process_killed_during_the_write_leaves_no_rows_sqlite(tmp_path):
    db = tmp_path / "crash.sqlite3"
    env = _env(f"sqlite:///{db}", tmp_path / "var")
    _prepare(env)
    _kill_during_write(env, _crash_file(tmp_path))
    with sqlite3.connect(db) as conn:  # recovers the WAL as any next user of the file would
        assert conn.execute("SELECT count(*) FROM workers_worker").fetchone()[0] == 0
        assert (
            conn.execute(
                "SELECT count(*) FROM core_changelog WHERE action='create' AND object_label LIKE 'Impor%'"
            ).fetchone()[0]
            == 0
        )


def test_a_process_killed_during_the_write_leaves_no_rows_postgresql(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs when the tests run on PostgreSQL (DATABASE_URL)")
    import psycopg
    from psycopg import sql

    settings_db = connection.settings_dict
    admin_url = os.environ["DATABASE_URL"]
    name = f"mitra_crash_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        env = _env(url, tmp_path / "var")
        _prepare(env)
        _kill_during_write(env, _crash_file(tmp_path))
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM workers_worker").fetchone()[0] == 0
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    assert settings_db["NAME"]  # the test database itself was never touched
