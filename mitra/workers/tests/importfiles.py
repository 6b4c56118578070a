"""Building worker spreadsheets for the import tests: valid NIKs for a person, and files in each
format (csv, xlsx through xlsxwriter, ods written by hand: its XML is small)."""

import csv
import datetime
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HEADERS = [
    "No",
    "Nama Lengkap",
    "NIK",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Alamat",
    "Kode Desa",
    "No HP",
    "Pendidikan",
]


def nik_for(birth: datetime.date, sex: str = "L", serial: int = 1, district: str = "340209") -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def person(n: int = 1, **overrides) -> dict:
    """A valid row for Trimulyo (34.02.09.2004), Bantul."""
    birth = overrides.pop(
        "birth", datetime.date(1960, 1, 1) + datetime.timedelta(days=(37 * n) % 16000)
    )
    sex = overrides.pop("sex", "L" if n % 2 else "P")
    row = {
        "No": str(n),
        "Nama Lengkap": f"Warga Nomor {n}",
        "NIK": nik_for(birth, sex, serial=n),
        "Jenis Kelamin": sex,
        "Tempat Lahir": "Bantul",
        "Tanggal Lahir": birth.strftime("%d-%m-%Y"),
        "Alamat": f"Dusun Kanten RT {n:02d}",
        "Kode Desa": "34.02.09.2004",
        "No HP": "081234567890",
        "Pendidikan": "SMA",
    }
    row.update(overrides)
    return row


def write_csv(
    path: Path,
    rows: list[dict],
    *,
    headers=None,
    delimiter=";",
    encoding="utf-8",
    title_rows=(),
) -> Path:
    headers = headers or list(rows[0])
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        for title in title_rows:
            writer.writerow([title])
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])
    return path


def write_xlsx(path: Path, rows: list[dict], *, headers=None, title_rows=(), raw=None) -> Path:
    """Cells are written as given: str as text, int/float as numbers, dates as date cells.
    `raw` = {(row index, header): value} overrides single cells."""
    import xlsxwriter

    headers = headers or list(rows[0])
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Data PSM")
    date_format = book.add_format({"num_format": "dd-mm-yyyy"})
    r = 0
    for title in title_rows:
        sheet.write_string(r, 0, title)
        r += 1
    sheet.write_row(r, 0, headers)
    for i, row in enumerate(rows):
        r += 1
        for c, h in enumerate(headers):
            value = (raw or {}).get((i, h), row.get(h, ""))
            if isinstance(value, datetime.date):
                sheet.write_datetime(
                    r, c, datetime.datetime.combine(value, datetime.time()), date_format
                )
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, str(value))
    book.close()
    return path


def write_ods(path: Path, rows: list[dict], *, headers=None, title_rows=()) -> Path:
    headers = headers or list(rows[0])
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )

    def row_xml(cells):
        out = []
        for value in cells:
            if isinstance(value, datetime.date):
                out.append(
                    f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                    f"<text:p>{value.isoformat()}</text:p></table:table-cell>"
                )
            else:
                out.append(
                    f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                    "</text:p></table:table-cell>"
                )
        return "<table:table-row>" + "".join(out) + "</table:table-row>"

    body = [row_xml([t]) for t in title_rows] + [row_xml(headers)]
    body += [row_xml([row.get(h, "") for h in headers]) for row in rows]
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Data">'
        + "".join(body)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path
