"""Writing lists of records to CSV and XLSX with constant memory: the helpers every export uses.

- Every text cell is neutralised against spreadsheet formula injection: a value a spreadsheet
  would read as a formula (it starts with = + - @, a tab or a carriage return) gets a leading
  apostrophe, so a name typed as `=HYPERLINK(...)` stays text when the file is opened.
- CSV is streamed: rows go out in ~64 KiB chunks as they are read, so memory stays flat whatever the
  number of rows. It starts with a UTF-8 byte-order mark (Excel needs it to read UTF-8).
- XLSX cannot be streamed: an .xlsx file is a zip archive whose directory comes last, and
  xlsxwriter must close the workbook before the first byte is usable. It is written with
  `constant_memory` (each row is flushed to a temporary file as soon as it is complete) into an
  anonymous temporary file that is then sent with FileResponse and deleted when it is closed.
- Large exports run as background jobs: `save_export` writes the file to storage and
  `stored_file_response` sends it later.

Callers pass the columns (label, kind, width) and an iterable of row tuples; dates stay dates in
XLSX (a date cell), numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import xlsxwriter
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}

TEXT, DATE, NUMBER = "text", "date", "number"
CHUNK_CHARS = 64 * 1024
XLSX_DATE_FORMAT = "dd-mm-yyyy"


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (may be a lazy translation), kind and XLSX width."""

    label: object
    kind: str = TEXT
    width: int = 16


def neutralise(value: str) -> str:
    """Text a spreadsheet would run as a formula becomes plain text (leading apostrophe)."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _text(value) -> str:
    return neutralise("" if value is None else str(value))


def _csv_cell(value, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == DATE and isinstance(value, datetime.date):
        return value.isoformat()
    if column.kind == NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _text(value)


class _Echo:
    """A file-like object whose write() returns what it is given (csv.writer into a stream)."""

    def write(self, value):
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text, line by line: byte-order mark and header first, then one line per row."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([_text(c.label) for c in columns])
    for row in rows:
        yield writer.writerow([_csv_cell(v, c) for v, c in zip(row, columns, strict=True)])


def _chunks(lines: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[bytes]:
    """Join small lines into chunks of about `size` characters (fewer, larger writes)."""
    buffer, length = [], 0
    for line in lines:
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable[Sequence]):
    """A streamed CSV download; `rows` is consumed lazily while the response is sent."""
    response = StreamingHttpResponse(
        _chunks(csv_lines(columns, rows)), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def write_csv(target, columns: Sequence[Column], rows: Iterable[Sequence]) -> int:
    """Write the CSV to a binary file; returns the number of data rows written."""
    count = -2  # the byte-order mark and the header are not data rows
    for line in csv_lines(columns, rows):
        target.write(line.encode())
        count += 1
    return count


def write_xlsx(
    target, columns: Sequence[Column], rows: Iterable[Sequence], sheet_name: str = "Data"
) -> int:
    """Write an XLSX workbook to a filename or binary file; returns the number of data rows.

    `constant_memory` keeps one row in memory at a time, so rows must be written in order (they
    are). The string conversions xlsxwriter offers are switched off: text is always text."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    try:
        sheet = workbook.add_worksheet(sheet_name[:31])
        header = workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
        date_format = workbook.add_format({"num_format": XLSX_DATE_FORMAT})
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, _text(column.label), header)
        row_index = 0
        for row_index, row in enumerate(rows, start=1):
            for col_index, (value, column) in enumerate(zip(row, columns, strict=True)):
                if value is None or value == "":
                    continue
                if column.kind == DATE and isinstance(value, datetime.date):
                    sheet.write_datetime(row_index, col_index, value, date_format)
                elif (
                    column.kind == NUMBER
                    and isinstance(value, int | float)
                    and not isinstance(value, bool)
                ):
                    sheet.write_number(row_index, col_index, value)
                else:
                    sheet.write_string(row_index, col_index, _text(value))
        sheet.autofilter(0, 0, max(row_index, 1), len(columns) - 1)
    finally:
        workbook.close()
    return row_index


def xlsx_response(
    filename: str, columns: Sequence[Column], rows: Iterable[Sequence], sheet_name: str = "Data"
):
    """Write the workbook to an anonymous temporary file and answer it; returns (response, rows).

    The temporary file is removed when the response closes it (or at once on an error)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    try:
        count = write_xlsx(handle, columns, rows, sheet_name)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response, count


def save_export(
    fmt: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    storage=None,
    sheet_name: str = "Data",
) -> tuple[str, int]:
    """Write an export file to storage (for a background job); returns (stored name, rows).

    The stored name holds a random id, never the file's own name or anything from its rows."""
    storage = storage or default_storage
    with tempfile.TemporaryFile() as handle:
        if fmt == "xlsx":
            count = write_xlsx(handle, columns, rows, sheet_name)
        else:
            count = write_csv(handle, columns, rows)
        handle.seek(0)
        name = storage.save(f"private/exports/{uuid.uuid4().hex}.{fmt}", File(handle))
    return name, count


def stored_file_response(name: str, filename: str, fmt: str, storage=None):
    storage = storage or default_storage
    response = FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "no-store"
    return response
