"""The import as one call (the command line and the benchmark), and the inspection step the pages
share: find the header, guess the mapping, show the first rows."""

import contextlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from mitra.core.logging import redact

from . import engine, writer
from .columns import FIELDS, HEADER_SCAN_ROWS, find_header, guess_mapping, mapping_errors
from .sources import SPOOL, FileProblem, Table, file_for, file_sha256, open_table, sniff
from .values import text

PREVIEW_ROWS = 3


@dataclass
class Inspection:
    table: Table
    head: list[tuple[int, list]]
    mapping: engine.Mapping | None
    errors: list[str] = field(default_factory=list)

    def preview(self, n: int = PREVIEW_ROWS) -> list[list[str]]:
        """The first data rows under the header, shortened, with NIK-like numbers masked."""
        if self.mapping is None:
            return []
        rows = []
        for number, cells in self.head:
            if number <= self.mapping.header_row or not any(text(c) for c in cells):
                continue
            rows.append([redact(text(c))[:40] for c in cells])
            if len(rows) >= n:
                break
        return rows

    def table_info(self) -> dict:
        return {
            "kind": self.table.kind,
            "sheet": self.table.sheet,
            "encoding": self.table.encoding,
            "delimiter": self.table.delimiter,
        }


def inspect(path: Path, kind: str, *, sheet: str = "", header_row: int | None = None) -> Inspection:
    """Open the file's table and propose a mapping (from the detected or the given header row)."""
    table = open_table(path, kind, sheet)
    head = table.head(HEADER_SCAN_ROWS + PREVIEW_ROWS + 2)
    if not head:
        raise FileProblem(_("The file has no rows."))
    mapping = None
    if header_row:
        cells = next((c for n, c in head if n == header_row), None)
        if cells is not None:
            mapping = engine.Mapping(header_row, guess_mapping(cells), [text(c) for c in cells])
    else:
        found = find_header(head)
        if found:
            number, cells, guessed = found
            mapping = engine.Mapping(number, guessed, [text(c) for c in cells])
    errors = []
    if mapping is None:
        # Nothing recognised: propose the first row with several cells, unmapped, so that the
        # user can map the columns by hand (or pick another header row).
        number, cells = next(
            ((n, c) for n, c in head if sum(1 for x in c if text(x)) >= 2), head[0]
        )
        mapping = engine.Mapping(number, {}, [text(c) for c in cells], table.sheet)
        errors.append(
            _(
                "No header row was found in the first %(n)d rows: the file needs a row with column "
                "names such as Nama, NIK, Tanggal Lahir, Alamat, Desa."
            )
            % {"n": HEADER_SCAN_ROWS}
        )
    else:
        mapping.sheet = table.sheet
        errors = mapping_errors(mapping.columns)
    return Inspection(table, head, mapping, errors)


def apply_overrides(mapping: engine.Mapping, overrides: dict[str, str]) -> engine.Mapping:
    """Header text (or column letter) -> field, as the command line's --map gives them."""
    from .columns import column_letter, normalise_header

    columns = dict(mapping.columns)
    for header, field_name in overrides.items():
        if field_name not in FIELDS and field_name not in ("", "-"):
            raise FileProblem(
                _("Unknown field “%(field)s”; known fields: %(fields)s.")
                % {"field": field_name, "fields": ", ".join(FIELDS)}
            )
        wanted = normalise_header(header)
        matches = [
            i
            for i, h in enumerate(mapping.headers)
            if normalise_header(h) == wanted or column_letter(i) == header.upper()
        ]
        if not matches:
            raise FileProblem(_("The file has no column “%(name)s”.") % {"name": header})
        for i in list(columns):
            if columns[i] == field_name:
                del columns[i]
        if field_name in ("", "-"):
            columns.pop(matches[0], None)
        else:
            columns[matches[0]] = field_name
    return engine.Mapping(mapping.header_row, columns, mapping.headers, mapping.sheet)


@dataclass
class Outcome:
    """What `import_file` did."""

    inspection: Inspection
    check: engine.CheckResult
    written: writer.WriteResult | None


def import_file(
    path: Path,
    *,
    scope: str,
    actor,
    dry_run: bool = False,
    report_path: Path | None = None,
    overrides: dict[str, str] | None = None,
    progress=None,
) -> Outcome:
    """Check a file and, unless `dry_run`, write its valid rows: the command line's import."""
    path = Path(path)
    kind = sniff(path)
    inspection = inspect(path, kind)
    mapping = inspection.mapping
    if mapping is not None and overrides:
        mapping = apply_overrides(mapping, overrides)
        inspection.mapping = mapping
        inspection.errors = mapping_errors(mapping.columns)
    if inspection.errors:
        raise FileProblem(" ".join(inspection.errors))
    spool = None if dry_run else file_for(secrets.token_hex(16), SPOOL)
    try:
        result = engine.check(
            inspection.table,
            mapping,
            scope,
            report_path=report_path,
            spool_path=spool,
            progress=progress,
        )
        written = None
        if spool is not None and result.counts.valid:
            summary = {
                **result.counts.as_dict(),
                "file": path.name[:100],
                "sha256": file_sha256(path),
            }
            written = writer.write(spool, actor=actor, scope=scope, summary=summary)
            result.counts.written = written.written
        return Outcome(inspection, result, written)
    finally:
        if spool is not None:
            with contextlib.suppress(FileNotFoundError):
                spool.unlink()
