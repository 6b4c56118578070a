"""Check 6: crash consistency of the worker import (`mitra import-workers`, the same writer as the
import pages' background job).

Ten runs, each killed with SIGKILL at a point drawn from a seeded random generator (after a random
number of written batches inside the transaction, or after a random delay anywhere from start-up to
the commit), leave either no imported row or every row, never part; re-running the import then
gives exactly the rows of an uninterrupted import. Two imports of the same file at the same time
create no duplicate. Extends mitra/workers/tests/test_import_cli.py (one kill point, one run).

Each run works on its own copy of a prepared database (a file copy on SQLite, a template copy on
PostgreSQL), never on the test database; the SQLite test run proves SQLite, the PostgreSQL run
PostgreSQL."""

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mitra.workers.tests.importfiles import person, write_csv
from mitra.workers.tests.test_import_cli import SETUP, _env

from .trust_databases import ScratchDatabases, run_python

# The prepared database is copied from the test database, which must therefore be set up.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
RUNS = 10
SEED = 20260131
ROWS = 2600  # two batches of the writer (2,000 each)
COLUMNS = "nik_hash, full_name, sex, birth_date, village_id, address, status, kind"
STORED_ROWS = f"SELECT {COLUMNS} FROM workers_worker ORDER BY nik_hash"  # noqa: S608 - constants


def _import(env, path, **extra) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [
            sys.executable,
            "-m",
            "mitra.cli",
            "import-workers",
            str(path),
            "--as-user",
            "crash.officer",
        ],
        env=dict(env, **extra),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_at(env, path, rng: random.Random) -> str:
    """Start an import and SIGKILL it at a random point; returns where."""
    if rng.random() < 0.5:
        batch = rng.randint(1, 2)
        proc = _import(env, path, MITRA_IMPORT_PAUSE_AFTER_BATCHES=str(batch))
        for line in proc.stderr:
            if line.startswith("import-pause:"):
                break
        where = f"after batch {batch} inside the transaction"
    else:
        delay = rng.uniform(0.2, 4.0)
        proc = _import(env, path)
        # A random kill point, not a timing assertion; no waiting past the import's end.
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=delay)
        where = f"{delay:.2f} s after start"
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    proc.stdout.close()
    proc.stderr.close()
    return where


def _complete(env, path) -> str:
    proc = _import(env, path)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, 1), err  # 1: nothing new to write (all there already)
    return out


class Databases:
    """A prepared database (a copy of the migrated test database plus SETUP), and a fresh copy of
    it for each run (a file copy on SQLite, a template copy on PostgreSQL)."""

    def __init__(self, scratch: ScratchDatabases):
        self.scratch = scratch
        self.var = scratch.dir / "var"
        self.base = scratch.migrated("mitra_crash_base")
        result = run_python(_env(self.base, self.var), "-c", SETUP)
        assert result.returncode == 0, result.stderr[-3000:]

    def copy(self, name) -> dict:
        self.current = self.scratch.copy(self.base, f"mitra_crash_{name}")
        return _env(self.current, self.var)

    def rows(self) -> list[tuple]:
        if self.current.startswith("sqlite:///"):
            # Opening the file recovers the WAL like any next user.
            with sqlite3.connect(self.current.removeprefix("sqlite:///")) as conn:
                return conn.execute(STORED_ROWS).fetchall()
        import psycopg

        with psycopg.connect(self.current) as conn:
            return conn.execute(STORED_ROWS).fetchall()


@pytest.fixture(scope="module")
def database(tmp_path_factory, django_db_setup, django_db_blocker):
    """Prepared once per module, on the test run's database vendor; each run takes a copy."""
    with django_db_blocker.unblock():
        scratch = ScratchDatabases(tmp_path_factory.mktemp("crash"))
        try:
            yield Databases(scratch)
        finally:
            scratch.close()


@pytest.fixture(scope="module")
def import_file(tmp_path_factory):
    return write_csv(
        tmp_path_factory.mktemp("file") / "psm.csv",
        [person(n, **{"No": n}) for n in range(1, ROWS + 1)],
    )


def test_an_import_killed_at_random_points_leaves_all_or_nothing_and_reruns_identically(
    database, import_file
):
    _complete(database.copy("reference"), import_file)
    reference = database.rows()
    assert len(reference) == ROWS

    rng = random.Random(SEED)
    seen = []
    for run in range(RUNS):
        env = database.copy(f"run{run}")
        where = _kill_at(env, import_file, rng)
        after_kill = database.rows()
        assert after_kill in ([], reference), f"run {run}, killed {where}: {len(after_kill)} rows"
        seen.append((where, len(after_kill)))
        _complete(env, import_file)
        assert database.rows() == reference, f"run {run}: the re-run differs from a clean import"
    # The seeded points reached inside the write at least once (else the test proves little).
    assert any("inside the transaction" in where for where, _n in seen)


def test_two_simultaneous_imports_of_one_file_create_no_duplicates(database, import_file):
    env = database.copy("twice")
    first, second = _import(env, import_file), _import(env, import_file)
    for proc in (first, second):
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode in (0, 1), err
    rows = database.rows()
    assert len(rows) == ROWS
    assert len({row[0] for row in rows}) == ROWS
