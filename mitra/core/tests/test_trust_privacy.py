"""Check 10: personal data hygiene.

Over the whole suite, `mitra/testing_privacy.py` fails any test during which a valid NIK appears in
a log record or a request URL; these tests prove that the watcher sees both, and that the change
history and the access log cannot be altered through the application (besides the model and
queryset guards tested in test_audit.py: no code path around them, no cascade that deletes them)."""

import logging
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from mitra import testing_privacy
from mitra.core.models import AppendOnlyModel, AppendOnlyQuerySet

ROOT = Path(__file__).resolve().parents[3]
NIK = "3402095708850003"  # valid: Jetis, a woman born 17-08-1985, serial 3


@pytest.fixture
def watcher():
    """Takes away what the plugin found so far in this test (so that this test still passes)."""

    def take() -> list[str]:
        with testing_privacy._lock:
            found = list(testing_privacy._findings)
            testing_privacy._findings.clear()
        return found

    take()
    return take


def test_the_watcher_recognises_valid_niks_only():
    assert testing_privacy.nik_in(f"saved {NIK} ok") == NIK
    assert testing_privacy.nik_in("/x/?q=3402095708850003&y=1") == NIK
    assert testing_privacy.nik_in("/x/?q=%33402095708850003") == NIK  # percent-encoded
    assert testing_privacy.nik_in("order 1234567890123456") is None  # month 90: no NIK
    assert testing_privacy.nik_in("3402095708850000") is None  # serial 0000
    assert testing_privacy.nik_in("34020957088500031") is None  # 17 digits


def test_a_nik_in_any_log_record_is_caught_before_any_filter(watcher):
    # A logger that does not propagate and has no handler: the record is still seen.
    quiet = logging.getLogger("mitra.trust.quiet")
    quiet.propagate = False
    quiet.setLevel(logging.INFO)
    quiet.info("looked up %s", NIK)
    found = watcher()
    assert any("log: NIK 3402********0003" in f for f in found)
    assert all(NIK not in f for f in found)  # the report itself masks it


@pytest.mark.django_db
def test_a_nik_in_a_request_url_is_caught(client, watcher):
    client.get(f"/wilayah/cari/?q={NIK}")
    found = watcher()
    assert any(f.startswith("url: NIK 3402********0003 in GET /wilayah/cari/") for f in found)


def test_every_configured_log_handler_masks_niks():
    """The safety net behind the watcher: production log lines mask 16-digit numbers."""
    handlers = settings.LOGGING["handlers"]
    assert handlers
    for name, handler in handlers.items():
        assert "redact_nik" in handler.get("filters", []), f"log handler {name!r} has no NIK filter"


# ---- the logs cannot be altered -----------------------------------------------------------------


def append_only_models():
    return [m for m in apps.get_models() if issubclass(m, AppendOnlyModel)]


def test_the_audit_and_access_logs_are_append_only_models():
    names = {m._meta.label for m in append_only_models()}
    assert {"core.ChangeLog", "core.AccessLog"} <= names


@pytest.mark.parametrize("model", append_only_models(), ids=lambda m: m._meta.label)
def test_every_manager_of_a_log_refuses_changes(model):
    """Every declared manager refuses. (Django's base manager is a plain one; no application code
    may use it on a log: see the scan below.)"""
    for manager in (model._default_manager, *model._meta.managers):
        assert isinstance(manager.all(), AppendOnlyQuerySet), (
            f"{model._meta.label}.{manager.name} hands out a queryset that can update/delete"
        )


@pytest.mark.parametrize("model", append_only_models(), ids=lambda m: m._meta.label)
def test_no_deletion_elsewhere_cascades_into_a_log(model):
    """Deleting a user, a content type or anything a log row points at must not take log rows
    with it: every foreign key of a log protects its target (or is kept)."""
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey):
            assert field.remote_field.on_delete in (models.PROTECT, models.DO_NOTHING), (
                f"{model._meta.label}.{field.name} would cascade"
            )


RAW_SQL_ON_A_LOG = re.compile(
    r"(UPDATE|DELETE\s+FROM|TRUNCATE)\s+\W?core_(changelog|accesslog)", re.I
)
AROUND_THE_MANAGER = re.compile(r"(ChangeLog|AccessLog)\S*\.(_base_manager|_raw_delete|raw\()")


def test_no_application_code_writes_around_the_log_guards():
    """No view, API, task or command reaches the log tables through raw SQL or the base manager;
    new code is scanned too."""
    offenders = []
    for path in sorted((ROOT / "mitra").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if (
            "/tests/" in relative
            or "/migrations/" in relative
            or relative.startswith(("mitra/testing_", "mitra/core/backup.py"))
        ):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if RAW_SQL_ON_A_LOG.search(line) or AROUND_THE_MANAGER.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
