"""Check 11: `mitra backup` / `mitra restore` bring back every table and every uploaded file exactly,
on SQLite and on PostgreSQL, into a fresh database; a damaged or refused restore says so.

The commands run as separate processes against their own databases (never the test database), as an
operator would run them. The source database is a copy of the migrated test database (see
trust_databases.py), the targets are new empty databases, both of the test run's vendor: the SQLite
run proves SQLite, the PostgreSQL run PostgreSQL."""

import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from mitra.core import backup as backup_module

from .trust_databases import ScratchDatabases, run_python

# The source database is copied from the test database, which must therefore be set up.
pytestmark = pytest.mark.django_db

SETUP = """
import django, datetime; django.setup()
from django.core.files.base import ContentFile
from mitra.core.current import acting_as
from mitra.regions.models import Province, Regency, District, Village
from mitra.accounts.models import User
from mitra.workers.models import Worker
Province.objects.create(code="34", name="DI Yogyakarta")
Regency.objects.create(code="3402", name="Bantul", province_id="34", kind="kabupaten")
District.objects.create(code="340209", name="Jetis", regency_id="3402")
Village.objects.create(code="3402092004", name="Trimulyo", district_id="340209", kind="desa")
officer = User.objects.create_user("backup.officer", "unused-password-1", full_name="Petugas",
                                   role="regency_officer", scope_code="3402")
with acting_as(officer):
    for n in range(1, 4):
        w = Worker(nik=f"34020957088500{n:02d}", full_name=f"Siti {n}", sex="P", birth_place="Bantul",
                   birth_date=datetime.date(1985, 8, 17), address="Dusun Kanten", village_id="3402092004")
        w.photo.save(f"foto-{n}.png", ContentFile(b"\\x89PNG\\r\\n\\x1a\\n" + bytes([n]) * 64), save=False)
        w.save()
"""


def run(env, *args, check=True):
    result = run_python(env, *args, timeout=300)
    assert not check or result.returncode == 0, result.stderr[-3000:]
    return result


def env_for(database_url: str, var_dir: Path) -> dict:
    return dict(
        os.environ, DATABASE_URL=database_url, MITRA_VAR_DIR=str(var_dir), MITRA_TESTING="1"
    )


def checksums_of(env) -> dict:
    """Every table's checksum, computed by a process of its own against that database."""
    code = (
        "import django, json; django.setup(); from mitra.core.backup import database_checksums; "
        "print(json.dumps(database_checksums()))"
    )
    return json.loads(run(env, "-c", code).stdout)


def media_of(var_dir: Path) -> dict:
    return backup_module.media_checksums(var_dir / "media")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        databases = ScratchDatabases(tmp_path_factory.mktemp("backup"))
        yield databases
        databases.close()


@pytest.fixture(scope="module")
def backed_up(scratch, django_db_blocker):
    """A filled source database and its backup archive, made once for the module."""
    with django_db_blocker.unblock():
        url = scratch.migrated("mitra_backup_source")
    var = scratch.dir / "source"
    source = env_for(url, var)
    run(source, "-c", SETUP)
    archive = scratch.dir / "mitra.tar.gz"
    out = run(source, "-m", "mitra.cli", "backup", str(archive)).stdout
    assert "Backup written" in out
    return source, archive


def test_backup_and_restore_round_trip(backed_up, scratch, django_db_blocker):
    source, archive = backed_up
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # the archive holds personal data
    before = checksums_of(source)

    with django_db_blocker.unblock():
        target = env_for(scratch.empty("mitra_backup_target"), scratch.dir / "target")
    out = run(target, "-m", "mitra.cli", "restore", str(archive)).stdout
    assert "every checksum matches" in out
    after = checksums_of(target)

    assert before == after
    assert before["workers_worker"]["rows"] == 3 and before["core_changelog"]["rows"] >= 3
    assert len(media_of(scratch.dir / "target")) == 3
    assert media_of(scratch.dir / "target") == media_of(scratch.dir / "source")
    # A second restore over the now-filled database is refused, and nothing changes.
    refused = run(target, "-m", "mitra.cli", "restore", str(archive), check=False)
    assert refused.returncode != 0 and "empty database" in refused.stderr
    assert checksums_of(target) == after

    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert sum(name.startswith("media/workers/photos/") for name in names) == 3
    assert ("db.pgdump" if connection.vendor == "postgresql" else "db.sqlite3") in names


def test_a_damaged_restore_is_reported_table_by_table(backed_up, scratch, django_db_blocker):
    """The verification is real: a backup whose manifest disagrees with its data fails restore."""
    _source, archive = backed_up
    manifest = backup_module.read_manifest(archive)
    manifest["tables"]["workers_worker"]["sha256"] = "0" * 64
    tampered = scratch.dir / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            if member.name == "manifest.json":
                data = json.dumps(manifest).encode()
                member.size = len(data)
                dst.addfile(member, io.BytesIO(data))
            else:
                dst.addfile(member, src.extractfile(member))
    with django_db_blocker.unblock():
        target = env_for(scratch.empty("mitra_backup_damaged"), scratch.dir / "damaged")
    result = run(target, "-m", "mitra.cli", "restore", str(tampered), check=False)
    assert result.returncode != 0
    assert "workers_worker" in result.stderr and "differ" in result.stderr


def test_restore_refuses_what_is_not_a_backup(scratch, django_db_blocker):
    bogus = scratch.dir / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive")
    with django_db_blocker.unblock():
        target = env_for(scratch.empty("mitra_backup_bogus"), scratch.dir / "bogus")
    result = run(target, "-m", "mitra.cli", "restore", str(bogus), check=False)
    assert result.returncode != 0 and "not a Mitra backup" in result.stderr
