"""Backup and restore: the whole database and the uploaded files in one archive, with a checksum
of every table so that a restore proves it brought back exactly what was saved.

The archive is a gzip'd tar holding `manifest.json` (format, database kind, per-table row counts and
SHA-256 checksums, per-file checksums of the uploads), the database (`db.sqlite3`, a copy taken with
SQLite's online backup API; or `db.pgdump`, pg_dump's custom format) and `media/` (MEDIA_ROOT).

Consistency: SQLite's backup API copies a consistent snapshot while the site runs, and the checksums
are computed from that copy. On PostgreSQL the checksums are computed inside a REPEATABLE READ
transaction whose snapshot pg_dump shares (`--snapshot`), so they describe exactly what was dumped.

A restore goes into an empty database only (a fresh SQLite file, or a PostgreSQL database without
tables): it never mixes a backup with live rows. It then recomputes every table's checksum and fails
when one differs from the manifest.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection as default_connection

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "db.sqlite3"
PG_MEMBER = "db.pgdump"
MEDIA_PREFIX = "media/"


class BackupError(RuntimeError):
    """A backup or restore cannot be done; the message says why."""


# ---- checksums ------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, memoryview | bytearray):
        return bytes(value).hex()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _table_checksum(cursor, quote: Callable[[str], str], table: str, order: list[str]) -> dict:
    order_sql = ", ".join(quote(c) for c in order)
    cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {order_sql}")  # noqa: S608 - names come from the catalogue
    digest, rows = hashlib.sha256(), 0
    while batch := cursor.fetchmany(2000):
        for row in batch:
            digest.update(repr(tuple(_plain(v) for v in row)).encode())
            digest.update(b"\n")
            rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def sqlite_checksums(conn: sqlite3.Connection) -> dict[str, dict]:
    """Row count and checksum of every table of a SQLite database."""
    cursor = conn.cursor()
    tables = [
        name
        for (name,) in cursor.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        ).fetchall()
    ]

    def quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    result = {}
    for table in tables:
        columns = [row[1] for row in cursor.execute(f"PRAGMA table_info({quote(table)})")]
        pk = [row[1] for row in cursor.execute(f"PRAGMA table_info({quote(table)})") if row[5]]
        result[table] = _table_checksum(cursor, quote, table, pk or columns)
    return result


def postgresql_checksums(cursor) -> dict[str, dict]:
    """Row count and checksum of every table in the public schema (a psycopg or Django cursor)."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    tables = [row[0] for row in cursor.fetchall()]

    def quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    result = {}
    for table in tables:
        cursor.execute(
            "SELECT a.attname, coalesce(i.indisprimary, false) FROM pg_attribute a "
            "LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
            "AND a.attnum = ANY(i.indkey) "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum",
            [quote(table)],
        )
        columns = cursor.fetchall()
        pk = [name for name, primary in columns if primary]
        result[table] = _table_checksum(cursor, quote, table, pk or [c for c, _p in columns])
    return result


def _pg_connect(params: dict):
    import psycopg

    options = {
        "dbname": params["NAME"],
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
    }
    conn = psycopg.connect(**{k: v for k, v in options.items() if v})
    conn.execute("SET TIME ZONE 'UTC'")
    conn.commit()
    return conn


def database_checksums(connection=default_connection) -> dict[str, dict]:
    """The checksums of the live database behind a Django connection."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        # A plain connection: Django's converts column types (dates, decimals) on the way out,
        # the backup's copy is read without them, and both must hash the same stored values.
        name = str(connection.settings_dict["NAME"])
        if Path(name).is_file():
            plain = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
        else:  # an in-memory database (tests): hash a copy
            plain = sqlite3.connect(":memory:")
            connection.connection.backup(plain)
        try:
            return sqlite_checksums(plain)
        finally:
            plain.close()
    if connection.vendor == "postgresql":
        # Its own plain connection, as in backup(): Django's cursor hands out JSON as text and
        # times in its own zone, and both sides must hash alike.
        with _pg_connect(connection.settings_dict) as conn, conn.cursor() as cursor:
            return postgresql_checksums(cursor)
    raise BackupError(f"Unsupported database: {connection.vendor}")


def media_checksums(root: Path) -> dict[str, str]:
    result = {}
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                while chunk := fh.read(1024 * 1024):
                    digest.update(chunk)
            result[path.relative_to(root).as_posix()] = digest.hexdigest()
    return result


# ---- backup ---------------------------------------------------------------------------------------


@dataclass
class Summary:
    vendor: str
    tables: int
    rows: int
    media_files: int


def _postgres_env(settings_dict: dict) -> tuple[list[str], dict]:
    """pg_dump/pg_restore connection options from Django's settings (password in the environment,
    never on the command line)."""
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found on PATH; install the PostgreSQL client programs "
            "(the same major version as the server or newer)."
        )
    return path


def _snapshot_sqlite(connection, workdir: Path) -> tuple[Path, dict]:
    connection.ensure_connection()
    copy = workdir / SQLITE_MEMBER
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)
        target.commit()
        checksums = sqlite_checksums(target)
    finally:
        target.close()
    return copy, checksums


def _snapshot_postgresql(connection, workdir: Path) -> tuple[Path, dict]:
    dump = workdir / PG_MEMBER
    with _pg_connect(connection.settings_dict) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        args, env = _postgres_env(connection.settings_dict)
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                _tool("pg_dump"),
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                str(connection.settings_dict["NAME"]),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        with conn.cursor() as cursor:
            checksums = postgresql_checksums(cursor)
        conn.rollback()
    return dump, checksums


def backup(
    archive: Path, *, connection=default_connection, media_root: Path | None = None
) -> Summary:
    """Write the database and the uploads to `archive` (a .tar.gz)."""
    media_root = Path(media_root or settings.MEDIA_ROOT)
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="mitra-backup-") as tmp:
        workdir = Path(tmp)
        if connection.vendor == "sqlite":
            db_file, checksums = _snapshot_sqlite(connection, workdir)
        elif connection.vendor == "postgresql":
            db_file, checksums = _snapshot_postgresql(connection, workdir)
        else:
            raise BackupError(f"Unsupported database: {connection.vendor}")
        media = media_checksums(media_root)
        manifest = {
            "format": FORMAT,
            "vendor": connection.vendor,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "tables": checksums,
            "media": media,
        }
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for relative in media:
                tar.add(media_root / relative, arcname=MEDIA_PREFIX + relative)
        os.chmod(partial, 0o600)  # the archive holds personal data
        partial.replace(archive)  # never leave a half-written archive under the final name
    return Summary(
        connection.vendor,
        len(checksums),
        sum(t["rows"] for t in checksums.values()),
        len(media),
    )


# ---- restore --------------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.load(member)
    except (tarfile.TarError, KeyError, OSError, ValueError) as exc:
        raise BackupError(f"{archive} is not a Mitra backup ({exc}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def compare(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """The tables whose rows differ between two checksum maps (empty when identical)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            problems.append(f"{table}: missing after restore")
        elif table not in expected:
            problems.append(f"{table}: not in the backup")
        elif expected[table] != actual[table]:
            problems.append(
                f"{table}: {expected[table]['rows']} rows backed up, {actual[table]['rows']} "
                "restored, or their contents differ"
            )
    return problems


def _is_empty(connection) -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _extract_media(tar: tarfile.TarFile, members: Iterable[tarfile.TarInfo], media_root: Path):
    media_root.mkdir(parents=True, exist_ok=True)
    for member in members:
        relative = member.name[len(MEDIA_PREFIX) :]
        member = member.replace(name=relative)
        tar.extract(member, media_root, filter="data")  # refuses ../ and absolute paths


def restore(
    archive: Path, *, connection=default_connection, media_root: Path | None = None
) -> Summary:
    """Load a backup into the (empty) database and MEDIA_ROOT, then verify every checksum."""
    manifest = read_manifest(archive)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"The backup is of a {manifest['vendor']} database; this installation uses "
            f"{connection.vendor}."
        )
    if not _is_empty(connection):
        raise BackupError(
            "The database already has tables. Restore into a new, empty database (a new "
            "DATABASE_URL), never over a live one."
        )
    with (
        tempfile.TemporaryDirectory(prefix="mitra-restore-") as tmp,
        tarfile.open(archive, "r:gz") as tar,
    ):
        workdir = Path(tmp)
        member = SQLITE_MEMBER if connection.vendor == "sqlite" else PG_MEMBER
        tar.extract(member, workdir, filter="data")
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(workdir / member)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            args, env = _postgres_env(connection.settings_dict)
            result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [
                    _tool("pg_restore"),
                    *args,
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(workdir / member),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        _extract_media(
            tar, [m for m in tar.getmembers() if m.name.startswith(MEDIA_PREFIX)], media_root
        )
    problems = compare(manifest["tables"], database_checksums(connection))
    media = media_checksums(media_root)
    problems += [
        f"media/{name}: differs"
        for name, sha in manifest["media"].items()
        if media.get(name) != sha
    ]
    if problems:
        raise BackupError("The restored data differs from the backup:\n" + "\n".join(problems))
    tables = manifest["tables"]
    return Summary(
        connection.vendor,
        len(tables),
        sum(t["rows"] for t in tables.values()),
        len(manifest["media"]),
    )
