"""Checking a worker file row by row, and preparing the rows that passed for writer.write().

`check()` reads the table once, streaming: each row is validated into a compact tuple; every
`BATCH` rows, one query (an IN on nik_hash) finds the NIKs already registered, and the rows that are
new are prepared for the database (NIK encrypted, keyed hash, mask, name key) and appended to the
import's spool file, while problems go to the report file. Memory stays flat: only a set of the
file's NIKs (for duplicates within the file) grows with the file. rows.py checks one row.
"""

import csv
import hmac
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.core import crypto
from mitra.core.nik import mask
from mitra.core.scope import format_code

from ..models import Worker
from ..services import name_key
from .columns import column_letter, normalise_header
from .rows import (
    COMPARED,
    FIELD_LABELS,
    FILLS,
    R_ADDRESS,
    R_BIRTH,
    R_EDUCATION,
    R_JOINED,
    R_KIND,
    R_NAME,
    R_NIK,
    R_OCCUPATION,
    R_PHONE,
    R_PLACE,
    R_ROW,
    R_SEX,
    R_VILLAGE,
    clean_row,
    is_number_row,
)
from .values import (
    text,
)
from .villages import VillageResolver

BATCH = 2000
PROBLEMS_KEPT = 200

# Columns of Worker filled per row, in spool order; the rest of the table's columns are the same
# for every row of an import (see writer.constant_columns).
ROW_COLUMNS = [
    "id", "kind", "nik", "nik_hash", "nik_masked", "full_name", "name_key", "sex", "birth_place",
    "birth_date", "address", "village_id", "region_code", "phone", "education", "occupation",
    "joined_on",
]  # fmt: skip
_HASH = ROW_COLUMNS.index("nik_hash")


@dataclass
class Counts:
    """What happened to the rows of one file. read = valid + unchanged + registered + duplicates +
    invalid; written is filled by the write."""

    read: int = 0
    valid: int = 0  # new workers, ready to write
    unchanged: int = 0  # NIK already registered with the same data: nothing to do
    registered: int = 0  # NIK already registered with other data or elsewhere: not changed
    duplicates: int = 0  # NIK repeated within the file: the later rows are skipped
    invalid: int = 0  # a value cannot be used
    written: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Mapping:
    """Which column holds which field, under which header row (row numbers as shown)."""

    header_row: int
    columns: dict[int, str]
    headers: list[str] = field(default_factory=list)
    sheet: str = ""

    def as_dict(self) -> dict:
        return {
            "header_row": self.header_row,
            "columns": {str(k): v for k, v in self.columns.items()},
            "headers": self.headers,
            "sheet": self.sheet,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Mapping":
        return cls(
            header_row=int(data["header_row"]),
            columns={int(k): v for k, v in data["columns"].items() if v},
            headers=list(data.get("headers") or []),
            sheet=data.get("sheet") or "",
        )

    def label(self, index: int | None) -> str:
        """How the report names a column: its header as in the file, and its letter."""
        if index is None:
            return ""
        header = self.headers[index] if index < len(self.headers) else ""
        header = text(header)
        return f"{header} ({column_letter(index)})" if header else column_letter(index)

    def index_of(self, field_name: str) -> int | None:
        for index, name in self.columns.items():
            if name == field_name:
                return index
        return None


@dataclass
class CheckResult:
    counts: Counts
    problems: list[tuple[int, str, str]]  # the first PROBLEMS_KEPT (row, column, reason)
    problem_count: int
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "counts": self.counts.as_dict(),
            "problems": [list(p) for p in self.problems],
            "problem_count": self.problem_count,
            "seconds": round(self.seconds, 3),
        }


# ---- report and spool files ----------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    value = str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


class ReportWriter:
    """The per-row report: row number, column, reason; CSV with ';' and a BOM, as Excel in
    Indonesia opens it.

    Problems found while reading and those found when a batch is looked up in the database arrive
    out of order; they wait in a small buffer that `drain()` writes sorted by row, at each batch:
    the rows still to come all lie further down the file."""

    def __init__(self, path: Path | None):
        self.kept: list[tuple[int, str, str]] = []
        self.count = 0
        self.waiting: list[tuple[int, str, str]] = []
        self._fh = path.open("w", encoding="utf-8-sig", newline="") if path else None
        self._csv = csv.writer(self._fh, delimiter=";") if self._fh else None
        if self._csv:
            self._csv.writerow([_("Row"), _("Column"), _("Reason")])

    def add(self, row: int, column: str, reason: str) -> None:
        self.count += 1
        self.waiting.append((row, column, reason))

    def drain(self) -> None:
        self.waiting.sort(key=lambda problem: problem[0])  # stable: a row's columns keep order
        room = PROBLEMS_KEPT - len(self.kept)
        if room > 0:
            self.kept.extend(self.waiting[:room])
        if self._csv:
            self._csv.writerows(
                [row, neutralise(column), neutralise(reason)]
                for row, column, reason in self.waiting
            )
        self.waiting.clear()

    def close(self) -> None:
        if self._fh:
            self._fh.close()


def read_spool(path: Path) -> Iterator[list[list]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


# ---- checking ------------------------------------------------------------------------------------


def index_key():
    """The keyed hash of crypto.blind_index, with the key read once (a settings lookup per row
    costs more than the hash itself)."""
    key = settings.MITRA_INDEX_KEY.encode()

    def blind(value: str) -> str:
        return hmac.digest(key, value.encode(), "sha256").hex()

    return blind


def check(
    table,
    mapping: Mapping,
    scope: str,
    *,
    report_path: Path | None = None,
    spool_path: Path | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    total_hint: int | None = None,
) -> CheckResult:
    """Validate every data row of `table`; with `spool_path`, prepare the new rows for write()."""
    started = time.perf_counter()
    counts = Counts()
    report = ReportWriter(report_path)
    spool = SpoolWriter(spool_path)
    villages = VillageResolver(scope)
    cols = mapping.columns
    idx = {name: index for index, name in cols.items()}
    label = {index: mapping.label(index) for index in cols}
    blind = index_key()
    today = timezone.localdate()
    mapped_compare = sorted({i for f in idx for i in FILLS.get(f, ())} | {R_SEX, R_VILLAGE})
    seen: dict[int, int] = {}
    pending: list[tuple] = []
    header_nik = normalise_header(mapping.headers[idx["nik"]]) if "nik" in idx else ""

    def flush() -> None:
        if pending:
            _classify(pending, blind, villages, mapped_compare, idx, label, counts, report, spool)
            pending.clear()
        report.drain()
        if progress:
            progress(counts.read, total_hint or getattr(table, "row_count", None))

    rows = table.rows()
    try:
        for number, cells in rows:
            if number <= mapping.header_row:
                continue
            if not any(c not in ("", None) for c in cells):
                continue
            if number == mapping.header_row + 1 and is_number_row(cells):
                continue
            width = len(cells)
            values = {name: cells[i] for name, i in idx.items() if i < width}
            cell = values.get
            if header_nik:
                raw = values.get("nik")
                if (
                    isinstance(raw, str)
                    and raw[:1].isalpha()
                    and normalise_header(raw) == header_nik
                ):
                    continue  # the header repeated (a report printed page by page)
            counts.read += 1
            if len(report.waiting) >= BATCH:  # a file of mostly bad rows: keep the buffer small
                flush()
            problems: list[tuple[int | None, str]] = []
            clean = clean_row(number, cell, idx, villages, today, problems)
            nik = clean[R_NIK]
            if nik:
                key = int(nik)
                first = seen.get(key)
                if first is not None:
                    counts.duplicates += 1
                    report.add(
                        number,
                        label[idx["nik"]],
                        _(
                            "The same NIK is already in row %(row)d of this file; this row is skipped."
                        )
                        % {"row": first},
                    )
                    continue
                seen[key] = number
            if problems:
                counts.invalid += 1
                for index, reason in problems:
                    report.add(number, label.get(index, ""), reason)
                continue
            pending.append(clean)
            if len(pending) >= BATCH:
                flush()
        flush()
    finally:
        close = getattr(rows, "close", None)
        if close:
            close()  # let the reader release the file (and calamine's sheet) now
        report.close()
        spool.close()
    if progress:
        progress(counts.read, counts.read)
    return CheckResult(counts, report.kept, report.count, time.perf_counter() - started)


def _norm(value) -> str:
    """A stored or parsed value in one comparable form (dates as ISO text, None as '')."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def stored_by_hash(hashes: list[str], columns: list[str]) -> dict[str, tuple]:
    """The stored workers holding these NIK hashes: hash -> values of `columns` (one query, raw
    SQL: the ORM's IN with thousands of parameters costs more than the query itself)."""
    if not hashes:
        return {}
    quote = connection.ops.quote_name
    table = quote(Worker._meta.db_table)
    key = quote(Worker._meta.get_field("nik_hash").column)
    select = ", ".join([key] + [quote(Worker._meta.get_field(c).column) for c in columns])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {select} FROM {table} WHERE {key} = ANY(%s)", [hashes])  # noqa: S608
        else:
            marks = ", ".join(["%s"] * len(hashes))
            cursor.execute(f"SELECT {select} FROM {table} WHERE {key} IN ({marks})", hashes)  # noqa: S608
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _classify(pending, blind, villages, compared, idx, label, counts, report, spool) -> None:
    """Split a batch of valid rows into new / unchanged / registered with one query, and hand the
    new ones to the spool."""
    hashes = [blind(row[R_NIK]) for row in pending]
    stored = stored_by_hash(hashes, ["region_code", *(COMPARED[i] for i in compared)])
    nik_label = label.get(idx.get("nik"), "")
    new = []
    for row, digest in zip(pending, hashes, strict=True):
        found = stored.get(digest)
        if found is None:
            counts.valid += 1
            new.append((row, digest))
            continue
        region, values = found[0], found[1:]
        differing = [
            str(FIELD_LABELS[i])
            for i, value in zip(compared, values, strict=True)
            if _norm(value) != _norm(row[i])
        ]
        if not differing:
            counts.unchanged += 1
            continue
        counts.registered += 1
        if not region.startswith(villages.scope):
            reason = _(
                "This NIK is already registered in region %(code)s, outside your area. A NIK "
                "can be registered only once nationally; ask that region's officer."
            ) % {"code": format_code(region[:4])}
        else:
            reason = _(
                "This NIK is already registered (village %(code)s) with different data (%(fields)s). "
                "The import does not change stored workers: correct that worker's record instead."
            ) % {"code": format_code(region), "fields": ", ".join(differing)}
        report.add(row[R_ROW], nik_label, reason)
    spool.add(new)


def _prepare(row: tuple, digest: str) -> list:
    """A new row as the spool keeps it: Worker's per-row columns (the NIK's token comes later, from
    the encryption), then the row number."""
    nik = row[R_NIK]
    joined = row[R_JOINED]
    return [
        _uuid4_hex(),
        row[R_KIND],
        None,  # the encrypted NIK
        digest,
        mask(nik),
        row[R_NAME],
        name_key(row[R_NAME]),
        row[R_SEX],
        row[R_PLACE],
        row[R_BIRTH].isoformat(),
        row[R_ADDRESS],
        row[R_VILLAGE],
        row[R_VILLAGE],
        row[R_PHONE],
        row[R_EDUCATION],
        row[R_OCCUPATION],
        joined.isoformat() if joined else None,
        row[R_ROW],
    ]


_TOKEN = ROW_COLUMNS.index("nik")


def _uuid4_hex() -> str:
    """uuid.uuid4().hex without the UUID object (a noticeable share of a row's cost)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()


class SpoolWriter:
    """Appends new rows to the spool file, one JSON line per batch, with their NIKs encrypted
    (about 11 µs a NIK: cheap next to the checks). Without a path it only counts."""

    def __init__(self, path: Path | None):
        self._fh = path.open("w", encoding="utf-8") if path else None

    def add(self, new: list[tuple[tuple, str]]) -> None:
        if self._fh is None or not new:
            return
        rows = []
        for row, digest in new:
            prepared = _prepare(row, digest)
            prepared[_TOKEN] = crypto.encrypt(row[R_NIK])
            rows.append(prepared)
        self._fh.write(json.dumps(rows, separators=(",", ":")))
        self._fh.write("\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
