"""The shared export writers: formula neutralisation, streamed CSV, constant-memory XLSX with real
dates, and files stored for background exports."""

import csv
import datetime
import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from mitra.core.exports import (
    DATE,
    NUMBER,
    Column,
    csv_lines,
    csv_response,
    neutralise,
    save_export,
    stored_file_response,
    write_xlsx,
    xlsx_response,
)

COLUMNS = [Column("Nama", width=30), Column("Tanggal lahir", DATE, 13), Column("Jumlah", NUMBER)]
ROWS = [
    ("Siti Rahayu", datetime.date(1985, 8, 17), 3),
    ('=HYPERLINK("http://evil")', None, 0),
    ("Budi", datetime.date(1970, 1, 2), None),
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+62812", "'+62812"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Siti = Rahayu", "Siti = Rahayu"),
        ("081234", "081234"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value, expected):
    assert neutralise(value) == expected


def _parse_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_header_iso_dates_numbers_and_neutralised_text():
    rows = _parse_csv("".join(csv_lines(COLUMNS, ROWS)))

    assert rows == [
        ["Nama", "Tanggal lahir", "Jumlah"],
        ["Siti Rahayu", "1985-08-17", "3"],
        ['\'=HYPERLINK("http://evil")', "", "0"],
        ["Budi", "1970-01-02", ""],
    ]


def test_csv_response_streams_rows_as_they_are_read():
    consumed = []

    def rows():
        for row in ROWS:
            consumed.append(row)
            yield row

    response = csv_response("daftar.csv", COLUMNS, rows())

    assert response.streaming
    assert consumed == [], "rows were read before the response was sent"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="daftar.csv"'
    body = b"".join(response.streaming_content).decode()
    assert len(consumed) == 3
    assert _parse_csv(body)[1][0] == "Siti Rahayu"


def test_csv_chunks_are_large_not_one_per_line():
    many = [(f"Nama {i}", datetime.date(1980, 1, 1), i) for i in range(5000)]
    chunks = list(csv_response("x.csv", COLUMNS, many).streaming_content)

    assert 1 < len(chunks) < 10
    assert len(_parse_csv(b"".join(chunks).decode())) == 5001


def test_xlsx_keeps_dates_as_dates_numbers_as_numbers_and_text_as_neutral_text(tmp_path):
    path = tmp_path / "x.xlsx"

    count = write_xlsx(str(path), COLUMNS, ROWS, sheet_name="Pekerja")

    assert count == 3
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Pekerja").to_python()
    assert sheet[0] == ["Nama", "Tanggal lahir", "Jumlah"]
    assert sheet[1][:2] == ["Siti Rahayu", datetime.date(1985, 8, 17)]
    assert sheet[1][2] == 3
    assert sheet[2][0] == '\'=HYPERLINK("http://evil")'
    assert sheet[3][1] == datetime.date(1970, 1, 2)


def test_xlsx_has_column_widths_a_frozen_header_and_no_formulas(tmp_path):
    path = tmp_path / "x.xlsx"
    write_xlsx(str(path), COLUMNS, ROWS)

    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'width="30.7109375"' in sheet_xml  # 30 characters wide
    assert '<pane ySplit="1"' in sheet_xml
    assert "<f>" not in sheet_xml, "a text cell was written as a formula"
    assert "<autoFilter" in sheet_xml


def test_xlsx_response_sends_a_temporary_file_and_reports_the_rows():
    response, count = xlsx_response("daftar.xlsx", COLUMNS, ROWS)

    assert count == 3
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="daftar.xlsx"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    response.file_to_stream.close()  # (response.close() would also signal the request's end)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 4


def test_an_empty_export_still_has_its_header(tmp_path):
    path = tmp_path / "x.xlsx"

    assert write_xlsx(str(path), COLUMNS, []) == 0
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python() == [
        ["Nama", "Tanggal lahir", "Jumlah"]
    ]
    assert _parse_csv("".join(csv_lines(COLUMNS, []))) == [["Nama", "Tanggal lahir", "Jumlah"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_saved_export_has_a_random_name_and_is_sent_back(fmt, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path

    name, count = save_export(fmt, COLUMNS, ROWS)

    assert count == 3
    assert name.startswith("private/exports/") and name.endswith("." + fmt)
    assert "3402" not in name and "pekerja" not in name
    response = stored_file_response(name, "pekerja-sosial-3402-20261128." + fmt, fmt)
    data = b"".join(response.streaming_content)
    response.file_to_stream.close()  # (response.close() would also signal the request's end)
    if fmt == "csv":
        assert _parse_csv(data.decode())[1][0] == "Siti Rahayu"
    else:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        assert sheet.to_python()[1][0] == "Siti Rahayu"
