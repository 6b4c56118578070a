"""How the rollups follow changes: marks in the writing transaction, the task after commit, the
command for cron, the sweep for imports that bypass the models."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from mitra.stats import rollups
from mitra.stats.indicators import Filters, dashboard
from mitra.stats.rollups_models import DirtyDistrict, WorkerSnapshot
from mitra.workers.models import Worker
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def _active(user, code):
    return dashboard(user, code, Filters.default()).values["psm_active"]


def test_a_committed_change_is_refreshed_by_the_task(
    diy_officer, django_capture_on_commit_callbacks
):
    rollups.rebuild_all()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        build_worker(village="3402092004", status="active")
        build_worker(village="3402092003", status="active")
    # One refresh request for the transaction, however many rows it changed.
    assert len(callbacks) == 1
    assert not DirtyDistrict.objects.exists()
    assert dashboard(diy_officer, "34", Filters.default()).source == "rollups"
    assert _active(diy_officer, "34") == 2


def _new_transaction():
    """The test's writes share its one outer transaction; each block here stands for a request."""
    from django.db import connection

    connection._stats_refresh_for = None


def test_changes_while_a_deferred_refresh_is_queued_ride_on_it(
    settings, django_capture_on_commit_callbacks
):
    """With a task backend that defers (the database one in production), the first change queues
    one refresh REFRESH_DELAY later; the changes before it starts queue nothing more, and once it
    has run, the next change queues a new one."""
    from django.tasks import task_backends

    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "rollups"],
        }
    }
    rollups.rebuild_all()
    backend = task_backends["default"]
    for village in ("3402092004", "3402092003", "3404012001"):
        _new_transaction()
        with django_capture_on_commit_callbacks(execute=True):
            build_worker(village=village, status="active")
    assert len(backend.results) == 1
    queued = backend.results[0]
    assert queued.task.name == "refresh_rollups"
    assert queued.task.queue_name == "rollups"  # the low-priority stats worker takes it
    assert queued.task.run_after >= timezone.now() + rollups.REFRESH_DELAY / 2
    assert DirtyDistrict.objects.count() == 2

    rollups.refresh_dirty()  # the queued run, as the worker starts it
    assert not DirtyDistrict.objects.exists()
    _new_transaction()
    with django_capture_on_commit_callbacks(execute=True):
        build_worker(village="3402092004", status="active")
    assert len(backend.results) == 2


def test_a_queued_refresh_that_never_started_does_not_block_later_ones(
    settings, django_capture_on_commit_callbacks
):
    from django.tasks import task_backends

    from mitra.stats.rollups_models import RollupState

    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "rollups"],
        }
    }
    rollups.rebuild_all()
    lost = timezone.now() - rollups.QUEUED_STALE - datetime.timedelta(seconds=1)
    RollupState.objects.update(refresh_queued_at=lost)  # its worker was killed
    _new_transaction()
    with django_capture_on_commit_callbacks(execute=True):
        build_worker(village="3402092004", status="active")
    assert len(task_backends["default"].results) == 1


def test_a_transfer_marks_both_districts(national_admin):
    worker = build_worker(village="3402092004", status="active")
    rollups.rebuild_all()
    worker.village_id = "3404012001"
    worker.save()
    assert set(DirtyDistrict.objects.values_list("code", flat=True)) == {"340209", "340401"}
    rollups.refresh_dirty()
    assert _active(national_admin, "3402") == 0
    assert _active(national_admin, "3404") == 1


def test_workers_written_without_save_are_found_by_the_sweep(national_admin):
    rollups.rebuild_all()
    template = build_worker(village="3402092004", status="inactive", save=False)
    template.save()
    DirtyDistrict.objects.all().delete()  # as if written by COPY: no signal, no mark
    Worker.objects.filter(pk=template.pk).update(status="active", updated_at=timezone.now())
    rollups.refresh_dirty()
    assert _active(national_admin, "34") == 1


def test_refresh_command_rebuilds_and_refreshes(national_admin, capsys):
    build_worker(village="3402092004", status="active")
    call_command("refresh_stats", "--full")
    assert (
        WorkerSnapshot.objects.filter(grain=2, region_code="34", worker_kind="*").get().active == 1
    )
    build_worker(village="3471011001", status="active")
    call_command("refresh_stats")
    assert "1 districts refreshed" in capsys.readouterr().out
    assert _active(national_admin, "34") == 2


def test_overdue_follow_ups_follow_the_date_without_any_change(national_admin, monkeypatch):
    from mitra.cases.models import Beneficiary, Case

    worker = build_worker(village="3402092004", status="active")
    person = Beneficiary.objects.create(
        full_name="Warga", sex="P", estimated_age=70, village_id="3402092004", address="Dusun",
        consent_by="Warga", consent_relation="self", consent_on=datetime.date(2025, 1, 1),
        consent_method="verbal",
    )  # fmt: skip
    today = timezone.localdate()
    Case.objects.create(
        beneficiary=person, worker=worker, status="assisting", opened_on=datetime.date(2025, 1, 1),
        next_follow_up_on=today + datetime.timedelta(days=1),
    )  # fmt: skip
    rollups.rebuild_all()
    assert dashboard(national_admin, "", Filters.default()).values["overdue_followups"] == 0
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + datetime.timedelta(days=2))
    rollups.refresh_dirty()
    assert dashboard(national_admin, "", Filters.default()).values["overdue_followups"] == 1


def test_a_bulk_worker_import_marks_the_districts_it_wrote(bantul_officer, tmp_path, settings):
    from mitra.workers.importing.service import import_file
    from mitra.workers.tests.importfiles import person, write_csv

    settings.MEDIA_ROOT = tmp_path / "media"
    rollups.rebuild_all()
    path = write_csv(tmp_path / "psm.csv", [person(1), person(2)])
    outcome = import_file(path, scope=bantul_officer.scope_code, actor=bantul_officer)
    assert outcome.written.written == 2
    # COPY bypasses the signals: the writer itself marks Trimulyo's district, nothing else.
    assert set(DirtyDistrict.objects.values_list("code", flat=True)) == {"340209"}
