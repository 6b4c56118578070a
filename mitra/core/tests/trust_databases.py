"""Scratch databases for the checks that run `mitra` commands as separate processes (backup and
restore, killed imports), made without running the migrations again.

The test database is already migrated; a scratch copy of its committed state (the schema and the
migrations' own rows, never a test's data: tests roll back or flush; the region tree that
mitra/conftest.py loads is emptied again, as after `mitra migrate`) is made in a second or two: SQLite's online backup of the in-memory test database into a file, PostgreSQL's
`CREATE DATABASE ... TEMPLATE`. If the template is busy (another connection to it), the copy falls
back to `mitra migrate` in a subprocess, slower but the same schema."""

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
# Loaded into the test database by mitra/conftest.py, not by a migration (children first).
REGION_TABLES = ("regions_village", "regions_district", "regions_regency", "regions_province")


def run_python(env: dict, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


class ScratchDatabases:
    """Databases of the test database's vendor, each a URL for DATABASE_URL; all removed by
    close(). Use inside `django_db_blocker.unblock()` (the copy reads the test database)."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.vendor = connection.vendor
        self.created: list[str] = []

    # ---- PostgreSQL -------------------------------------------------------------------------------

    def _admin(self):
        import psycopg

        return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)

    def _pg_url(self, name: str) -> str:
        return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"

    def _pg_create(self, prefix: str, template: str | None = None) -> str:
        from psycopg import sql

        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self._admin() as admin:
            admin.execute(query)
        self.created.append(name)
        return name

    # ---- both ------------------------------------------------------------------------------------

    def empty(self, prefix: str) -> str:
        """A new database without any table (what a restore goes into)."""
        if self.vendor == "postgresql":
            return self._pg_url(self._pg_create(prefix))
        return f"sqlite:///{self.dir / f'{prefix}-{uuid.uuid4().hex[:8]}.sqlite3'}"

    def migrated(self, prefix: str) -> str:
        """A new database with the test database's schema and no test data."""
        if self.vendor == "postgresql":
            test_name = connection.settings_dict["NAME"]
            connection.close()  # a template must have no connection while it is copied
            try:
                url = self._pg_url(self._pg_create(prefix, template=test_name))
            except Exception:  # noqa: BLE001 - busy template: migrate instead (same schema)
                return self._migrate(self.empty(prefix))
            import psycopg

            with psycopg.connect(url, autocommit=True) as copy:
                copy.execute(f"TRUNCATE {', '.join(REGION_TABLES)} CASCADE")
            return url
        target = self.dir / f"{prefix}-{uuid.uuid4().hex[:8]}.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
            for table in REGION_TABLES:
                copy.execute(f"DELETE FROM {table}")  # noqa: S608 - constant names
        copy.execute("VACUUM")
        copy.close()
        return f"sqlite:///{target}"

    def copy(self, url: str, prefix: str) -> str:
        """A copy of a scratch database (no process may be connected to it)."""
        if self.vendor == "postgresql":
            return self._pg_url(self._pg_create(prefix, template=url.rsplit("/", 1)[-1]))
        target = self.dir / f"{prefix}-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(url.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}"

    def _migrate(self, url: str) -> str:
        env = dict(os.environ, DATABASE_URL=url, MITRA_TESTING="1")
        result = run_python(env, "-m", "mitra.cli", "migrate", "-v0")
        assert result.returncode == 0, result.stderr[-3000:]
        return url

    def close(self):
        if not self.created:
            return
        from psycopg import sql

        with self._admin() as admin:
            for name in reversed(self.created):
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.created.clear()
