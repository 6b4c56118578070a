"""Every official output speaks Indonesian by default, so a Dinas Sosial officer can send it to
Kemensos as it is: the dashboard page, the monthly report (PDF, text extracted, and XLSX), the
table exports (XLSX and CSV) and the stats API.

The English looked for is taken from the source strings themselves: every indicator's name and
definition, every group, breakdown, table and worksheet title and every column header, rendered
under English. An indicator added later (to `INDICATORS`) is covered without touching this test.
"""

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from mitra.core.models import Job
from mitra.stats import reports
from mitra.stats.exports import (
    BREAKDOWN_LABELS,
    SHEET_TITLES,
    sheet_title,
    table,
    table_names,
    table_title,
)
from mitra.stats.indicators import INDICATORS, Filters, dashboard
from mitra.stats.models_reports import GeneratedReport, ReportKind
from mitra.stats.views import GROUP_LABELS

from . import test_reports

pytestmark = pytest.mark.django_db
# The report tests' data and media folder, shared (fixtures are found by their name here).
workers, _media, MAY = test_reports.workers, test_reports._media, test_reports.MAY
MAY_END = datetime.date(2026, 5, 31)


def _texts(board) -> list[str]:
    """The names the dashboard and its files give things, in the active language, in a fixed
    order (so that two languages pair up)."""
    out = [str(i.label) for i in INDICATORS] + [str(i.definition) for i in INDICATORS]
    for labels in (GROUP_LABELS, BREAKDOWN_LABELS, SHEET_TITLES):
        out += [str(label) for label in labels.values()]
    for name in table_names(board):
        out += [table_title(name), sheet_title(name)]
        out += [str(column.label) for column in table(board, name)[0]]
    return out


@pytest.fixture
def board(diy_officer, workers):
    return dashboard(diy_officer, "34", Filters(MAY, MAY_END))


@pytest.fixture
def english(board) -> set[str]:
    with translation.override("en"):
        return set(_texts(board))


def _leaks(text: str, english: set[str]) -> list[str]:
    """The English texts found in `text` as whole words (whitespace normalised: a PDF wraps)."""
    flat = " ".join(text.split())
    return sorted(
        e
        for e in english
        if re.search(r"(?<!\w)" + re.escape(" ".join(e.split())) + r"(?!\w)", flat)
    )


class _Visible(HTMLParser):
    """The text a user reads or hears: text nodes and the title and aria-label attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("title", "aria-label", "placeholder") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def test_every_name_the_outputs_use_has_its_own_indonesian(board):
    """Caught here: a string never marked, or marked so that makemessages misses it (the cause
    of the English indicators), or left untranslated in the catalogue."""
    with translation.override("en"):
        english = _texts(board)
    with translation.override("id"):
        indonesian = _texts(board)
    same = sorted({e for e, i in zip(english, indonesian, strict=True) if e == i})
    assert not same, f"shown in English under Indonesian: {same}"


def test_the_dashboard_page_shows_no_english_indicator_name(diy_officer, client_for, english):
    client = client_for(diy_officer)
    response = client.get(reverse("stats:dashboard", args=["34"]), {"month_from": 5})
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert not _leaks(text, english)
    for indicator in INDICATORS:  # shown, in Indonesian: cards, definitions, the picker
        assert str(indicator.label) in text and str(indicator.definition) in text


def test_the_report_pdf_shows_no_english_indicator_name(diy_officer, workers, english):
    report = reports.generate(diy_officer, "34", ReportKind.MONTHLY, MAY)
    assert report.language == "id"
    with default_storage.open(report.pdf_file, "rb") as handle:
        pdf = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert not _leaks(text, english)
    flat = " ".join(text.split())
    for indicator in INDICATORS:
        assert str(indicator.label) in flat
    assert "Mei 2026" in flat and "Laporan pekerja sosial" in flat


def _cells(book) -> list[str]:
    cells = list(book.sheet_names)
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            cells += [str(cell) for cell in row if isinstance(cell, str) and cell]
    return cells


def test_the_report_xlsx_shows_no_english_name_or_header(diy_officer, workers, english):
    report = reports.generate(diy_officer, "34", ReportKind.MONTHLY, MAY)
    with default_storage.open(report.xlsx_file, "rb") as handle:
        book = CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
    cells = _cells(book)
    assert not sorted(english & set(cells))
    assert not _leaks("\n".join(cells), english)
    assert book.sheet_names[0] == "Ringkasan"
    assert {str(i.label) for i in INDICATORS} <= set(cells)


def test_table_exports_have_indonesian_headers(diy_officer, client_for, board, english):
    client = client_for(diy_officer)
    params = {"year_from": 2026, "month_from": 5, "year_to": 2026, "month_to": 5}
    for name in table_names(board):
        columns = [str(c.label) for c in table(board, name)[0]]
        xlsx = client.get(reverse("stats:export", args=["34", name, "xlsx"]), params)
        book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(xlsx.streaming_content)))
        header = book.get_sheet_by_name(book.sheet_names[0]).to_python()[0]
        assert header == columns and not english & set(header), name
        assert book.sheet_names == [sheet_title(name)]
        response = client.get(reverse("stats:export", args=["34", name, "csv"]), params)
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert next(csv.reader(io.StringIO(body))) == columns, name


def test_worksheet_names_are_whole_in_every_language(board):
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names = [sheet_title(name) for name in table_names(board)]
        assert all(len(name) <= 31 for name in names), names
        assert len(set(names)) == len(names)


def test_the_stats_api_follows_the_request_language(diy_officer, client_for, english):
    client = client_for(diy_officer)
    body = client.get("/api/v1/stats/indicators").json()["indicators"]
    with translation.override("id"):
        assert [i["label"] for i in body] == [str(i.label) for i in INDICATORS]
    assert not english & ({i["label"] for i in body} | {i["definition"] for i in body})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/api/v1/stats/indicators").json()["indicators"]
    with translation.override("en"):
        assert [i["definition"] for i in body] == [str(i.definition) for i in INDICATORS]


def test_english_stays_one_switch_away_on_the_page(diy_officer, client_for):
    client = client_for(diy_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = _visible_text(client.get(reverse("stats:dashboard", args=["34"])).content.decode())
    with translation.override("en"):
        assert all(str(i.label) in text for i in INDICATORS)


def test_a_report_asked_for_in_english_is_english_and_keeps_the_indonesian_one(
    diy_officer, workers, client_for, django_capture_on_commit_callbacks, english
):
    official = reports.generate(diy_officer, "34", ReportKind.MONTHLY, MAY)
    client = client_for(diy_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {"region": "34", "kind": "monthly", "year": "2026", "month": "5"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("stats:report_generate"), data)
    job = Job.objects.get(kind="stats.report")
    assert job.status == Job.Status.DONE, job.message
    copy = GeneratedReport.objects.get(language="en")
    with default_storage.open(copy.pdf_file, "rb") as handle:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert "May 2026" in text and _leaks(text, english)
    official.refresh_from_db()
    assert official.language == "id" and default_storage.exists(official.pdf_file)
    assert GeneratedReport.objects.count() == 2


def test_figures_are_written_the_indonesian_way():
    from mitra.stats.charts import format_value

    with translation.override("id"):
        assert format_value(1234567) == "1.234.567"
        assert (
            format_value(45.25, "percent") == "45,2%" or format_value(45.25, "percent") == "45,3%"
        )
        assert format_value(1.46, "ratio") == "1,46"
        assert format_value(9.1, "ratio") == "9,1"  # years: never "9,10" (nine years ten months?)
        assert format_value(2.0, "ratio") == "2" and format_value(1234.0, "ratio") == "1.234"
    with translation.override("en"):
        assert format_value(1234.5, "ratio") == "1,234.5" and format_value(9.1, "ratio") == "9.1"
