"""Uploaded files: where they are kept, what they are, and reading their rows.

An upload is stored under MEDIA_ROOT/imports/ with a random name (the user's file name never becomes
part of a path), owner-only permissions, a size cap, and a zip-bomb check for the zip-based formats
(xlsx, ods) that adds up the uncompressed sizes of the entries before anything parses them. Every
file of an import shares its random token: `<token>.upload` (the file), `<token>.spool` (the
checked rows, ready to write), `<token>.report.csv` (the per-row report). They are deleted when the
import ends or is cancelled (the report stays until `cleanup_stale` removes it), and files of
abandoned imports are removed after a day.

Reading: CSV with the csv module (delimiter ; , or tab and encoding utf-8, utf-8 with BOM, cp1252
detected); xlsx, xls and ods with python-calamine. Rows come out as (row number as the spreadsheet
shows it, list of cell values), one at a time. Calamine holds one sheet in memory while it is read
(hence the unpacked-size cap, see max_uncompressed_bytes); CSV is streamed, any size.
"""

import codecs
import csv
import hashlib
import logging
import os
import re
import secrets
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .columns import HEADER_SCAN_ROWS, find_header

logger = logging.getLogger(__name__)
MiB = 1024 * 1024
STALE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_DELIMITERS = (";", ",", "\t")


class FileProblem(ValueError):
    """The file cannot be imported at all (format, size, damage); the message says why."""


def max_upload_bytes() -> int:
    return getattr(settings, "MITRA_IMPORT_MAX_BYTES", 50 * MiB)


def max_uncompressed_bytes() -> int:
    """The zip-bomb guard's limit, and the memory guard of the workbook formats: calamine holds a
    whole sheet in memory, about twice its unpacked XML (100,000 rows of 14 columns: ~75 MB
    unpacked, ~200 MB held). 256 MB unpacked is about 300,000 rows; bigger lists come as CSV,
    which is read as a stream."""
    return getattr(settings, "MITRA_IMPORT_MAX_UNCOMPRESSED_BYTES", 256 * MiB)


def max_zip_entries() -> int:
    return getattr(settings, "MITRA_IMPORT_MAX_ZIP_ENTRIES", 10_000)


# ---- storage -------------------------------------------------------------------------------------


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def file_for(token: str, suffix: str) -> Path:
    """The path of one of an import's files; the token is checked, so no path can be smuggled in."""
    if not _TOKEN.match(token or ""):
        raise ValueError("bad import token")
    return import_dir() / f"{token}{suffix}"


UPLOAD, SPOOL, REPORT = ".upload", ".spool", ".report.csv"


@dataclass
class StoredFile:
    token: str
    path: Path
    size: int
    sha256: str
    kind: str


def store_upload(uploaded) -> StoredFile:
    """Keep an uploaded file (a Django UploadedFile) for the import; refuse it if too big or not a
    spreadsheet."""
    limit = max_upload_bytes()
    if uploaded.size is not None and uploaded.size > limit:
        raise FileProblem(
            _("The file is too big (%(size)s MB); the limit is %(max)s MB.")
            % {"size": _mb(uploaded.size), "max": _mb(limit)}
        )
    token = secrets.token_hex(16)
    path = file_for(token, UPLOAD)
    digest, size = hashlib.sha256(), 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in uploaded.chunks():
                size += len(chunk)
                if size > limit:  # the declared size may lie
                    raise FileProblem(
                        _("The file is too big; the limit is %(max)s MB.") % {"max": _mb(limit)}
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise FileProblem(_("The file is empty."))
        kind = sniff(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredFile(token, path, size, digest.hexdigest(), kind)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def discard(token: str, *, keep_report: bool = True) -> None:
    """Delete an import's files (the report stays for download unless asked)."""
    suffixes = [UPLOAD, SPOOL] + ([] if keep_report else [REPORT])
    for suffix in suffixes:
        try:
            file_for(token, suffix).unlink(missing_ok=True)
        except ValueError:
            return


def cleanup_stale(max_age: int = STALE_SECONDS) -> int:
    """Remove import files older than `max_age` seconds (abandoned uploads, old reports)."""
    cutoff, removed = time.time() - max_age, 0
    for path in import_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _mb(size: int) -> str:
    return f"{size / MiB:.1f}".rstrip("0").rstrip(".")


# ---- what kind of file ---------------------------------------------------------------------------


def sniff(path: Path) -> str:
    """'xlsx', 'ods', 'xls' or 'csv' from the file's content (never from its name)."""
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if head.startswith(b"PK\x03\x04"):
        names = check_zip(path)
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names and "mimetype" in names:
            with zipfile.ZipFile(path) as zf:
                mimetype = zf.read("mimetype")[:100]
            if b"opendocument.spreadsheet" in mimetype:
                return "ods"
        raise FileProblem(
            _("This zip file is not a spreadsheet. Upload an xlsx, xls, ods or csv file.")
        )
    if head.startswith(OLE_MAGIC):
        _check_workbook_opens(path)  # a Word document or a Windows installer is OLE too
        return "xls"
    if b"\x00" in head:
        raise FileProblem(
            _("This file is not a spreadsheet. Upload an xlsx, xls, ods or csv file.")
        )
    _check_text_table(head)
    return "csv"


# What a text file that is no CSV starts with: web pages, SVG pictures, XML, PDF, pictures, RTF.
NOT_CSV = (b"<", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")


def _check_text_table(head: bytes) -> None:
    """A CSV is refused before an import is created unless it reads as a table: markup (an HTML
    page or an SVG picture used to become an import session), a picture or a PDF named .csv, or
    text with no line of two columns split by ; , or tab."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(NOT_CSV):
        raise FileProblem(
            _(
                "This file is a web page, picture or document, not a spreadsheet. Upload an "
                "xlsx, xls, ods or csv file."
            )
        )
    lines = text.decode("latin-1").splitlines()[:HEADER_SCAN_ROWS]
    if not any(len(re.split(r"[;,\t]", line)) > 1 for line in lines):
        raise FileProblem(
            _(
                "This file has no columns (separated by ; , or tab). Upload an xlsx, xls, ods "
                "or csv file with one row per worker."
            )
        )


def _check_workbook_opens(path: Path) -> None:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            workbook.sheet_names  # noqa: B018 - reading the names parses the workbook's index
    except (CalamineError, OSError, ValueError):
        raise FileProblem(
            _("This file is not a spreadsheet. Upload an xlsx, xls, ods or csv file.")
        ) from None


def check_zip(path: Path) -> set[str]:
    """The zip-bomb guard: refuse before parsing when the entries would unpack to too much."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileProblem(_("The file is damaged (not a readable zip/xlsx file).")) from None
    if len(infos) > max_zip_entries():
        raise FileProblem(_("The file holds too many parts to be a spreadsheet."))
    if any(info.filename.lower().endswith("vbaproject.bin") for info in infos):
        # Never run here, but a macro workbook is passed on to other officers' computers.
        raise FileProblem(
            _("This workbook contains macros. Save it without macros (.xlsx) or as CSV.")
        )
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed_bytes():
        raise FileProblem(
            _(
                "The file would unpack to %(size)s MB, more than the %(max)s MB allowed. Save it "
                "as CSV (read row by row, without this limit) or split it into smaller files."
            )
            % {"size": _mb(total), "max": _mb(max_uncompressed_bytes())}
        )
    return {info.filename for info in infos}


# ---- reading rows --------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """utf-8-sig (with a BOM), utf-8 when the whole file decodes as such, else cp1252 (Excel's
    "CSV" on Windows), else latin-1 (every byte is a character)."""
    with path.open("rb") as fh:
        if fh.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(MiB):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


@dataclass
class Table:
    """One readable table: a CSV file, or one sheet of a workbook."""

    path: Path
    kind: str
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ""
    row_count: int | None = None  # known once a sheet is loaded (a progress bar's total)
    _loaded: object = field(default=None, repr=False, compare=False)

    def rows(self) -> Iterator[tuple[int, list]]:
        if self.kind == "csv":
            return self._csv_rows()
        return self._sheet_rows()

    def head(self, n: int = HEADER_SCAN_ROWS) -> list[tuple[int, list]]:
        rows = []
        for row in self.rows():
            rows.append(row)
            if len(rows) >= n:
                break
        return rows

    def _csv_rows(self) -> Iterator[tuple[int, list]]:
        with self.path.open(encoding=self.encoding, newline="") as fh:
            first = fh.readline()
            if not re.match(r"^sep=.\r?\n?$", first):  # Excel's "sep=;" hint line
                fh.seek(0)
            reader = csv.reader(fh, delimiter=self.delimiter)
            number = 0
            try:
                for number, cells in enumerate(reader, start=1):  # noqa: B007
                    yield number, cells
            except csv.Error as exc:
                logger.info("CSV unreadable after row %d: %s", number, type(exc).__name__)
                raise FileProblem(
                    _(
                        "The CSV file cannot be read after row %(row)d: it is damaged or not "
                        "a CSV file."
                    )
                    % {"row": number}
                ) from None

    def _sheet_rows(self) -> Iterator[tuple[int, list]]:
        from python_calamine import CalamineError, CalamineWorkbook

        sheet = self._loaded
        try:
            if sheet is None:
                with CalamineWorkbook.from_path(str(self.path)) as workbook:
                    sheet = workbook.get_sheet_by_name(self.sheet)
                # Kept for the next pass: finding the header and then reading every row should
                # not parse the whole sheet twice. A complete pass lets it go.
                self._loaded = sheet
            start = sheet.start
            offset = start[1] if start else 0
            self.row_count = sheet.total_height
            for index, cells in enumerate(sheet.iter_rows()):
                yield index + 1, ([""] * offset + cells) if offset else cells
        except CalamineError as exc:
            raise unreadable(exc) from None
        self._loaded = None


def unreadable(exc: Exception) -> FileProblem:
    """The reader's own message is English and names its internals: the person gets a sentence in
    their language, the log only the kind of failure (a message may quote the file's cells)."""
    logger.info("Spreadsheet unreadable: %s", type(exc).__name__)
    return FileProblem(
        _(
            "The spreadsheet cannot be read: it is damaged, protected with a password or not a "
            "spreadsheet. Open it, save it again as .xlsx and upload it again."
        )
    )


def open_table(path: Path, kind: str, sheet: str = "") -> Table:
    """The table to import from a file: for CSV the delimiter and encoding are detected; for a
    workbook the given sheet, or the first visible sheet that has a header row."""
    if kind == "csv":
        encoding = detect_encoding(path)
        best = None
        for delimiter in CSV_DELIMITERS:
            table = Table(path, kind, encoding=encoding, delimiter=delimiter)
            head = table.head()
            found = find_header(head)
            score = (len(set(found[2].values())) if found else 0, _width(head))
            if best is None or score > best[0]:
                best = (score, table)
        return best[1]
    if kind in ("xlsx", "xls", "ods"):
        from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

        try:
            with CalamineWorkbook.from_path(str(path)) as workbook:
                names = [
                    m.name
                    for m in workbook.sheets_metadata
                    if m.visible == SheetVisibleEnum.Visible
                ] or list(workbook.sheet_names)
        except CalamineError as exc:
            raise unreadable(exc) from None
        if not names:
            raise FileProblem(_("The spreadsheet has no sheets."))
        if sheet:
            if sheet not in names:
                raise FileProblem(
                    _("The spreadsheet has no sheet named “%(name)s”.") % {"name": sheet}
                )
            return Table(path, kind, sheet=sheet)
        for name in names:
            table = Table(path, kind, sheet=name)
            if find_header(table.head()):
                return table
        return Table(path, kind, sheet=names[0])
    raise FileProblem(_("Unknown file format."))


def _width(rows: list[tuple[int, list]]) -> int:
    return max((sum(1 for c in cells if c not in ("", None)) for _n, cells in rows), default=0)
