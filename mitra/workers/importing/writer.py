"""Writing the checked rows: all of them in one transaction, or none.

The spool's rows go into the worker table with COPY on PostgreSQL and executemany on SQLite, and a
change-history entry summarising the import goes in the same transaction (bulk inserts bypass
AuditedModel.save(), see docs/adr/0005); created_by/updated_by of every row are the importer.
A database error, a crash or a killed process leaves no row of the import behind.
"""

import os
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.core.current import current_address
from mitra.core.models import ChangeLog
from mitra.stats.rollups import mark_dirty

from ..models import Status, Worker
from .engine import _HASH, ROW_COLUMNS, read_spool, stored_by_hash
from .sources import FileProblem

_REGION = ROW_COLUMNS.index("region_code")

# Test hook for the crash test: pause after this many written batches (inside the transaction).
PAUSE_ENV = "MITRA_IMPORT_PAUSE_AFTER_BATCHES"


@dataclass
class WriteResult:
    written: int = 0
    registered_meanwhile: int = 0
    seconds: float = 0.0
    districts: set[str] = field(default_factory=set)


def constant_columns(actor) -> tuple[list[str], list]:
    """The Worker columns that are the same for every imported row, ready for the database.

    Built from the model, so a column someone adds later with a default is filled too; a new
    required column without a default stops the import loudly instead of failing per row."""
    now = timezone.now()
    actor_id = actor.pk if actor is not None else None
    known = {
        "created_at": now,
        "updated_at": now,
        "created_by": actor_id,
        "updated_by": actor_id,
        "status": Status.APPLIED.value,
        "status_since": timezone.localdate(),
    }
    names, values = [], []
    for f in Worker._meta.concrete_fields:
        if f.attname in ROW_COLUMNS or f.name in ROW_COLUMNS:
            continue
        value = known[f.name] if f.name in known else f.get_default()
        if value is None and not f.null:
            raise RuntimeError(f"Worker.{f.name} needs a value the importer does not know.")
        if value is not None and not f.is_relation:
            value = f.get_db_prep_save(value, connection)
        names.append(f.column)
        values.append(value)
    return names, values


def _pause_hook(batches: int) -> None:
    raw = os.environ.get(PAUSE_ENV)
    if raw and batches == int(raw):
        print(f"import-pause: {batches} batches written", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("MITRA_IMPORT_PAUSE_SECONDS", "60")))


def write(
    spool_path: Path,
    *,
    actor,
    scope: str,
    summary: dict,
    record_id: str = "",
    progress: Callable[[int, int | None], None] | None = None,
) -> WriteResult:
    """Insert the spooled rows and the change-history summary in one transaction.

    Optimistic: the check has just looked every NIK up, so the rows go in without a second look.
    If the unique index on the NIK hash refuses one (someone registered it since the check), that
    transaction is rolled back whole and a second one re-checks each batch and skips the NIKs now
    registered."""
    started = time.perf_counter()
    constant_names, constants = constant_columns(actor)
    columns = [Worker._meta.get_field(n).column for n in ROW_COLUMNS] + constant_names
    for recheck in (False, True):
        result = WriteResult()
        try:
            with transaction.atomic():
                _insert_spool(
                    spool_path, columns, tuple(constants), result, summary, progress, recheck
                )
                _record(actor, scope, summary, record_id, result)
                # COPY bypasses the models' signals: mark the dashboards' districts behind here.
                mark_dirty(result.districts)
        except IntegrityError as exc:
            if recheck:
                raise FileProblem(
                    _("The database refused the rows (%(error)s); nothing was written.")
                    % {"error": str(exc).splitlines()[0][:200]}
                ) from None
            continue
        result.seconds = time.perf_counter() - started
        return result
    raise AssertionError("unreachable")


def _insert_spool(spool_path, columns, constants, result, summary, progress, recheck) -> None:
    quote = connection.ops.quote_name
    table = quote(Worker._meta.db_table)
    column_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The worker table's indexes outgrow SQLite's default 2 MB page cache within a few
            # ten thousand rows; a larger cache (for this connection) keeps the inserts fast.
            cursor.execute("PRAGMA cache_size = -65536")
        if recheck:
            # A query per batch, so a COPY per batch: no query can run while a COPY is open.
            for batches, batch in enumerate(read_spool(spool_path), start=1):
                taken = set(stored_by_hash([row[_HASH] for row in batch], []))
                rows = [tuple(row[:-1]) + constants for row in batch if row[_HASH] not in taken]
                result.registered_meanwhile += len(batch) - len(rows)
                result.districts.update(row[_REGION][:6] for row in rows)
                with _inserter(cursor, table, column_sql, len(columns)) as insert:
                    insert(rows)
                _inserted(result, len(rows), batches, summary, progress)
            return
        with _inserter(cursor, table, column_sql, len(columns)) as insert:
            for batches, batch in enumerate(read_spool(spool_path), start=1):
                rows = [tuple(row[:-1]) + constants for row in batch]
                insert(rows)
                result.districts.update(row[_REGION][:6] for row in rows)
                _inserted(result, len(rows), batches, summary, progress)


def _inserted(result, count, batches, summary, progress) -> None:
    result.written += count
    _pause_hook(batches)
    if progress:
        progress(result.written, summary.get("valid"))


@contextmanager
def _inserter(cursor, table: str, column_sql: str, width: int):
    """Rows into the worker table: one COPY for the whole import on PostgreSQL (psycopg's
    write_row), one executemany per batch on SQLite."""
    if connection.vendor == "postgresql":
        # COPY runs on the raw psycopg cursor: wrap_database_errors turns its errors into Django's
        # (an IntegrityError for a unique clash, raised when the COPY ends).
        sql = f"COPY {table} ({column_sql}) FROM STDIN"  # noqa: S608
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            write_row = copy.write_row

            def insert(rows):
                for row in rows:
                    write_row(row)

            yield insert
        return
    sql = f"INSERT INTO {table} ({column_sql}) VALUES ({', '.join(['%s'] * width)})"  # noqa: S608

    def insert(rows):
        if rows:
            cursor.executemany(sql, rows)

    yield insert


def _record(actor, scope, summary, record_id, result) -> None:
    """The change-history entry of the import (bulk inserts bypass AuditedModel.save())."""
    skipped_registered = (summary.get("registered") or 0) + result.registered_meanwhile
    ChangeLog.objects.create(
        actor=actor,
        address=current_address(),
        action=ChangeLog.Action.CREATE,
        content_type=ContentType.objects.get_for_model(Worker),
        object_id=record_id or uuid.uuid4().hex,
        object_label=(
            _("Import: %(n)d workers from %(file)s")
            % {"n": result.written, "file": summary.get("file", "")}
        )[:200],
        region_code=scope,
        changes={
            name: [None, value]
            for name, value in (
                ("file", summary.get("file", "")),
                ("sha256", summary.get("sha256", "")),
                ("rows_read", summary.get("read")),
                ("written", result.written),
                ("unchanged", summary.get("unchanged")),
                ("skipped_problems", summary.get("invalid")),
                ("skipped_registered", skipped_registered),
                ("skipped_duplicates", summary.get("duplicates")),
            )
        },
    )
