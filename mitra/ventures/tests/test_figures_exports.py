"""The area figures (PSM running a venture, support per source, survival, income bands) and the
CSV/XLSX export: both count exactly the rows in the user's area."""

import datetime
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from mitra.core.models import AccessLog
from mitra.ventures.indicators import area_indicators, months_later, survival
from mitra.ventures.models import Venture

from .builders import build_result, build_support, build_venture

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 5)


def _story():
    running = build_venture(started_on=datetime.date(2024, 1, 10))
    build_support(running)
    build_support(running, source="bank", kind="credit", amount=10_000_000)
    build_result(running, income_band="3")
    build_venture(
        name="Ternak Lele",
        started_on=datetime.date(2024, 6, 1),
        status="stopped",
        stopped_on=datetime.date(2025, 2, 1),
        stop_reason="market",
    )
    build_venture(name="Sleman", village="3404012001", started_on=datetime.date(2023, 1, 1))
    return running


def test_survival_counts_ventures_not_stopped_that_many_months_after_their_start(regions):
    _story()
    bantul = Venture.objects.in_region("3402")
    assert survival(bantul, 12, TODAY) == (1, 2)  # Ternak Lele stopped after 8 months
    assert survival(bantul, 24, TODAY) == (1, 2)
    assert survival(bantul, 36, TODAY) == (0, 0)  # none started 36 months ago in Bantul
    assert months_later(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)


def test_the_area_figures_count_only_the_users_area(regions, bantul_officer, national_admin):
    _story()
    figures = area_indicators(bantul_officer, TODAY)
    assert figures["psm_running"] == 1
    assert figures["by_status"] == {"planned": 0, "running": 1, "stopped": 1}
    assert figures["support_total"] == 15_000_000
    assert dict(figures["bands"])["Rp 2,5 – 5 juta"] == 1
    assert area_indicators(national_admin, TODAY)["psm_running"] == 2


def test_the_summary_page_shows_the_figures_in_indonesian(regions, bantul_officer, client_for):
    _story()
    page = client_for(bantul_officer).get(reverse("ventures:summary"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "PSM dengan usaha berjalan" in text
    assert "Rp 15.000.000" in text


def test_the_export_holds_the_area_rows_with_indonesian_headers_and_is_logged(
    regions, bantul_officer, client_for
):
    _story()
    client = client_for(bantul_officer)
    response = client.get(reverse("ventures:export_csv"))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Nama usaha,PSM,NIK")
    assert len(lines) == 3
    assert "15000000" in "".join(lines)
    xlsx = client.get(reverse("ventures:export_xlsx"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(xlsx.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert len(rows) == 3 and rows[0][0] == "Nama usaha"
    assert AccessLog.objects.filter(action="export").count() == 2


def test_a_psm_may_not_export(regions, trimulyo_worker, client_for):
    assert client_for(trimulyo_worker).get(reverse("ventures:export_csv")).status_code == 403


def test_the_monthly_report_has_a_section_on_economic_self_reliance(regions, bantul_officer):
    from django.core.files.storage import default_storage
    from python_calamine import CalamineWorkbook

    from mitra.stats import reports
    from mitra.stats.models_reports import ReportKind

    _story()
    report = reports.generate(bantul_officer, "3402", ReportKind.MONTHLY, datetime.date(2026, 5, 1))
    with default_storage.open(report.xlsx_file, "rb") as handle:
        book = CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
    rows = book.get_sheet_by_name("Kemandirian ekonomi").to_python()
    values = {row[0]: row[1] for row in rows[1:]}
    assert values["PSM dengan usaha berjalan"] == "1"  # Bantul's, not Sleman's
    assert values["Seluruh dukungan yang diterima"] == "Rp 15.000.000"
