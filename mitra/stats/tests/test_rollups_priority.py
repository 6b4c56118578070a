"""The rollup refresh never competes with the pages (ADR 0027): its own queue, taken by a
low-priority worker; chunks from each district's own first changed month; statements bounded in
time, a chunk that runs past the bound split, a district that still does left marked."""

import datetime
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, connections

from mitra import cli
from mitra.stats import priority, rollups
from mitra.stats.rollups_models import DirtyDistrict
from mitra.stats.tasks import refresh_rollups
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def test_the_refresh_has_its_own_queue_which_only_the_stats_worker_takes(settings):
    assert refresh_rollups.queue_name == "rollups"
    assert "rollups" in settings.TASKS["default"]["QUEUES"]
    worker, stats = cli.ALIASES["worker"], cli.ALIASES["stats-worker"]
    assert worker[worker.index("--queue-name") + 1] == "*"
    assert worker[worker.index("--exclude-queues") + 1] == "rollups"
    assert stats[stats.index("--queue-name") + 1] == "rollups"


def test_the_stats_worker_lowers_its_priority_before_it_starts(monkeypatch):
    calls = []
    monkeypatch.setattr(priority, "lower_priority", lambda: calls.append("lowered"))
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line",
        lambda argv: calls.append(argv),
    )
    cli.main(["stats-worker"])
    assert calls == ["lowered", ["mitra", *cli.ALIASES["stats-worker"]]]
    calls.clear()
    cli.main(["worker"])
    assert calls == [["mitra", *cli.ALIASES["worker"]]]  # the page-side worker keeps its priority


def _process(name):
    # A process whose command line starts with `name`, as a PostgreSQL backend's does.
    return subprocess.Popen(["/bin/bash", "-c", f"exec -a {name} sleep 30"])  # noqa: S603


def test_only_a_postgres_backend_is_lowered():
    backend, other = _process("postgres"), _process("python3")
    try:
        for _ in range(50):  # until exec has replaced bash
            if Path(f"/proc/{backend.pid}/cmdline").read_bytes().startswith(b"postgres"):
                break
            time.sleep(0.05)
        own = os.getpriority(os.PRIO_PROCESS, 0)  # tests may run under `nice` already
        lower = min(own + 3, 19)
        assert priority.lower_backend(backend.pid, lower)
        assert os.getpriority(os.PRIO_PROCESS, backend.pid) == lower
        assert not priority.lower_backend(other.pid, lower)
        assert os.getpriority(os.PRIO_PROCESS, other.pid) == own
    finally:
        backend.kill(), other.kill()
        backend.wait(), other.wait()


def test_the_stats_workers_database_backend_is_lowered_on_a_local_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs inside the (lowered) worker process itself")
    own = connections.create_connection("default")  # not the test's: it would stay lowered
    try:
        own.ensure_connection()
        with own.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        before = os.getpriority(os.PRIO_PROCESS, pid)
        priority._lower_backend(None, own)
        after = os.getpriority(os.PRIO_PROCESS, pid)
        if after == before and before < priority.NICE:
            pytest.skip("this user may not lower the database server's processes")
        assert after == max(before, priority.NICE)
    finally:
        own.close()


def _slow_for(code, monkeypatch):
    """`_rebuild` runs past the statement timeout whenever its chunk holds district `code`: a
    real timeout on PostgreSQL, the same error as the driver raises it on SQLite."""
    original = rollups._rebuild

    def rebuild(districts, *args, **kwargs):
        if code in districts:
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_sleep(2)")
            else:
                cause = Exception("canceling statement due to statement timeout")
                cause.sqlstate = rollups.QUERY_CANCELED
                raise OperationalError(str(cause)) from cause
        return original(districts, *args, **kwargs)

    monkeypatch.setattr(rollups, "_rebuild", rebuild)


def test_a_chunk_past_the_statement_timeout_is_split_and_the_slow_district_stays_marked(
    national_admin, monkeypatch, caplog
):
    rollups.rebuild_all()
    villages = ("3402092004", "3402082001", "3404012001", "3471011001")
    for village in villages:
        build_worker(village=village, status="active")
    marked = {v[:6] for v in villages}
    assert set(DirtyDistrict.objects.values_list("code", flat=True)) == marked
    monkeypatch.setattr(rollups, "STATEMENT_TIMEOUT_MS", 300)
    _slow_for("340209", monkeypatch)
    refreshed = rollups.refresh_dirty()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL statement_timeout = 0")  # the rest of this test's transaction
    assert refreshed == 3
    assert list(DirtyDistrict.objects.values_list("code", flat=True)) == ["340209"]
    assert "340209" in caplog.text and "nightly" in caplog.text
    from mitra.stats.rollups_models import WorkerSnapshot

    # The others' figures are in, the slow one's are not yet.
    counted = dict(
        WorkerSnapshot.objects.filter(grain=6, worker_kind="*").values_list("region_code", "total")
    )
    assert all(counted.get(code) == 1 for code in marked - {"340209"})
    assert counted.get("340209", 0) == 0
    assert rollups.as_of() <= DirtyDistrict.objects.get().marked_at  # held back by the mark


def test_another_database_error_is_not_taken_for_a_timeout(national_admin, monkeypatch):
    rollups.rebuild_all()
    build_worker(village="3402092004", status="active")

    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(rollups, "_rebuild", broken)
    with pytest.raises(OperationalError):
        rollups.refresh_dirty()


def test_each_district_is_refreshed_from_its_own_first_changed_month(national_admin, monkeypatch):
    rollups.rebuild_all()
    this_month = datetime.date.today().replace(day=1)
    old = datetime.date(2024, 3, 1)
    for code, since in (
        ("340209", this_month),
        ("340208", old),
        ("340401", None),
        ("347101", this_month),
    ):
        rollups.mark_dirty([code], enqueue=False, since=since)
    runs = []
    original = rollups._rebuild

    def spy(districts, regencies, provinces, today, since=None):
        runs.append((list(districts), since))
        return original(districts, regencies, provinces, today, since=since)

    monkeypatch.setattr(rollups, "_rebuild", spy)
    assert rollups.refresh_dirty() == 4
    assert runs == [(["340401"], None), (["340208"], old), (["340209", "347101"], this_month)]
    assert not DirtyDistrict.objects.exists()
