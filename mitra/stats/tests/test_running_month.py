"""The running month in a trend chart is marked as unfinished (ADR 0020): a half month must not
read as a drop in the work (issue 13)."""

import datetime

from django.utils import translation

from mitra.stats import charts

MONTHS = [datetime.date(2026, m, 1) for m in (9, 10, 11, 12)]
SERIES = {"Kasus baru": list(zip(MONTHS, [40, 42, 41, 6], strict=True))}


def _svg(running):
    with translation.override("id"):
        return str(charts.to_svg(charts.line_chart(SERIES, "Kasus", running=running)))


def test_the_running_month_is_dashed_starred_and_explained():
    svg = _svg(datetime.date(2026, 12, 5))
    assert svg.count('stroke-dasharray="4 3"') == 1
    assert "Des*" in svg
    assert "Bulan berjalan: angka sampai 5 Des 2026" in svg


def test_a_finished_period_is_drawn_without_the_mark():
    svg = _svg(datetime.date(2027, 1, 10))
    assert "stroke-dasharray" not in svg and "Bulan berjalan" not in svg and "*" not in svg


def test_the_pdf_back_end_draws_the_dash_too():
    chart = charts.line_chart(SERIES, "Kasus", running=datetime.date(2026, 12, 5))
    assert [s.dash for s in chart.shapes if s.kind == "polyline"] == ["", "4 3"]
