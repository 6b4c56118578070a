"""Loads the bundled official region files into the four region tables.

Idempotent: a row that is already stored with the same name is left alone, a renamed one is updated,
a new one inserted; codes missing from the file are kept (rows elsewhere may still point to them) and
counted. The whole load is one transaction. New rows go in through one multi-row statement per
batch (COPY on PostgreSQL) instead of an ORM save per row: the ORM loop is what bench/regions.py
compares against.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from .models import District, Province, Regency, Village

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LevelSummary:
    read: int = 0
    created: int = 0
    renamed: int = 0
    missing_from_file: int = 0


@dataclass
class LoadSummary:
    levels: dict[str, LevelSummary] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return sum(s.created for s in self.levels.values())

    @property
    def renamed(self) -> int:
        return sum(s.renamed for s in self.levels.values())

    def as_text(self) -> str:
        return "; ".join(
            f"{name}: {s.read} read, {s.created} new, {s.renamed} renamed"
            + (f", {s.missing_from_file} not in file" if s.missing_from_file else "")
            for name, s in self.levels.items()
        )


class RegionFileError(ValueError):
    """The region files are not in the expected shape (names the file and line)."""


def _digits(dotted: str) -> str:
    return dotted.replace(".", "").strip()


def regency_kind(code: str) -> str:
    return Regency.Kind.KOTA if int(code[2:4]) >= 71 else Regency.Kind.KABUPATEN


def village_kind(code: str) -> str:
    return Village.Kind.KELURAHAN if code[6] == "1" else Village.Kind.DESA


# (model, file, parent column, expected code length, extra columns builder)
LEVELS = [
    (Province, "provinces.csv", None, 2, lambda code: []),
    (Regency, "regencies.csv", "province_code", 4, lambda code: [regency_kind(code)]),
    (District, "districts.csv", "regency_code", 6, lambda code: []),
    (Village, "villages.csv", "district_code", 10, lambda code: [village_kind(code)]),
]


def _read_rows(path: Path, parent_column: str | None, length: int) -> Iterator[tuple]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        for line_no, row in enumerate(reader, start=2):
            code = _digits(row.get("code") or "")
            name = (row.get("name") or "").strip()
            if len(code) != length or not code.isdigit() or not name:
                raise RegionFileError(f"{path.name} line {line_no}: bad code or name")
            parent = _digits(row[parent_column]) if parent_column else None
            if parent_column and not code.startswith(parent):
                raise RegionFileError(f"{path.name} line {line_no}: code not under its parent")
            yield code, name, parent


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # noqa: S608
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        # SQLite caps bound variables per statement; batches keep each insert under the cap.
        per_statement = max(1, (connection.features.max_query_params or 999) // len(columns))
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            values = ", ".join([f"({placeholders})"] * len(batch))
            flat = [v for row in batch for v in row]
            cursor.execute(f"INSERT INTO {table} ({cols}) VALUES {values}", flat)  # noqa: S608


def load_regions(
    data_dir: Path = DATA_DIR, progress: Callable[[int, int], None] | None = None
) -> LoadSummary:
    summary = LoadSummary()
    with transaction.atomic():
        for step, (model, filename, parent_column, length, extra) in enumerate(LEVELS, start=1):
            level = LevelSummary()
            stored = dict(model.objects.values_list("code", "name"))
            parent_field = None
            if parent_column:
                parent_field = next(f.attname for f in model._meta.concrete_fields if f.is_relation)
            columns = ["code", "name"] + ([parent_field] if parent_field else [])
            if model in (Regency, Village):
                columns.append("kind")
            new_rows, renamed, seen = [], [], set()
            for code, name, parent in _read_rows(data_dir / filename, parent_column, length):
                level.read += 1
                if code in seen:
                    raise RegionFileError(f"{filename}: code {code} appears twice")
                seen.add(code)
                if code not in stored:
                    new_rows.append(
                        (code, name, *([parent] if parent_column else []), *extra(code))
                    )
                elif stored[code] != name:
                    renamed.append((code, name))
            _insert(model, columns, new_rows)
            for code, name in renamed:
                model.objects.filter(code=code).update(name=name)
            level.created = len(new_rows)
            level.renamed = len(renamed)
            level.missing_from_file = len(stored.keys() - seen)
            summary.levels[model._meta.model_name] = level
            if progress:
                progress(step, len(LEVELS))
    return summary
