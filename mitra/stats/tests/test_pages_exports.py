"""Exports of the dashboard's tables: exactly the in-scope rows, the same figures as the page, CSV
and XLSX, one access-log row per download, 404 outside the scope and 403 without the permission."""

import csv
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from mitra.core.models import AccessLog
from mitra.regions.models import District
from mitra.stats.indicators import INDICATORS, Filters, dashboard
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def export(code, table, fmt):
    return reverse("stats:export", args=[code, table, fmt])


def rows_of(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def workers(regions):
    build_worker(village="3402092004", full_name="Siti", status=Status.ACTIVE)
    build_worker(village="3402092004", full_name="Rahayu", sex="L", status=Status.ACTIVE)
    build_worker(village="3404012001", full_name="Warsini", status=Status.ACTIVE)


def test_child_table_csv_has_exactly_the_regencys_districts(bantul_officer, client_for, workers):
    response = client_for(bantul_officer).get(export("3402", "wilayah", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = rows_of(response)
    bantul = set(District.objects.filter(code__startswith="3402").values_list("code", flat=True))
    assert {row[0].replace(".", "") for row in rows} == bantul
    jetis = next(row for row in rows if row[1] == "Jetis")
    active = 2 + [i.key for i in INDICATORS].index("psm_active")
    assert jetis[active] == "2"
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert log.user == bantul_officer
    assert log.region_code == "3402" and log.row_count == len(bantul)


def test_xlsx_matches_the_dashboard(diy_officer, client_for, workers):
    response = client_for(diy_officer).get(export("34", "wilayah", "xlsx"))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    board = dashboard(diy_officer, "34", Filters.default())
    assert [row[1] for row in sheet[1:]] == [child["name"] for child in board.children]
    by_name = {row[1]: row for row in sheet[1:]}
    assert by_name["Kabupaten Bantul"][3] == 2 and by_name["Kabupaten Sleman"][3] == 1
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, row_count=5).exists()


def test_trend_and_breakdown_tables_follow_the_filters(bantul_officer, client_for, workers):
    client = client_for(bantul_officer)
    params = {"year_from": "2025", "month_from": "1", "year_to": "2025", "month_to": "6"}
    header, *rows = rows_of(client.get(export("3402", "tren", "csv"), params))
    assert len(rows) == 6 and len(header) > 3
    header, *rows = rows_of(client.get(export("3402", "workers_by_sex", "csv")))
    assert sorted((row[0], row[2]) for row in rows) == [("L", "1"), ("P", "1")]
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 2


def test_export_outside_scope_unknown_table_or_without_permission(
    bantul_officer, trimulyo_worker, client_for
):
    client = client_for(bantul_officer)
    assert client.get(export("3404", "wilayah", "csv")).status_code == 404
    assert client.get(export("3402", "nothing", "csv")).status_code == 404
    assert client.get(export("3402092004", "wilayah", "csv")).status_code == 404  # no children
    assert client.get(export("3402", "tren", "csv"), {"month_from": "13"}).status_code == 404
    assert client_for(trimulyo_worker).get(export("3402092004", "tren", "csv")).status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_every_table_on_the_page_has_its_download(bantul_officer, client_for, workers):
    client = client_for(bantul_officer)
    page = client.get(reverse("stats:dashboard", args=["3402"]))
    names = [name for name, _title in page.context["exports"]]
    assert names[:2] == ["wilayah", "tren"] and "cases_by_category" in names
    for name in names:
        assert client.get(export("3402", name, "xlsx")).status_code == 200, name
