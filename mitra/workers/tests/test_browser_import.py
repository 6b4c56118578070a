"""End to end in Debian's Chromium: a regency officer imports a spreadsheet with one bad row,
reads the per-row report, confirms, and only the valid rows are written."""

import pytest
from playwright.sync_api import expect

from mitra.testing_browser import login_as
from mitra.workers.models import Worker
from mitra.workers.tests.importfiles import person, write_csv

pytestmark = pytest.mark.browser


def test_an_officer_imports_a_file_with_a_bad_row(page, live_server, bantul_officer, tmp_path):
    good_a, good_b = person(1), person(2)
    bad = person(3, NIK="3.40209E+15")
    path = write_csv(
        tmp_path / "psm-bantul.csv",
        [good_a, bad, good_b],
        title_rows=["DAFTAR PSM KABUPATEN BANTUL"],
    )
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    login_as(page, live_server, bantul_officer)

    page.goto(live_server.url + "/pekerja/impor/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload and read the columns").click()
    page.get_by_role("button", name="Check every row").click()

    # The report names the bad row (row 4: a title row and the header come first) and why.
    report = page.locator("main")
    expect(report).to_contain_text("scientific notation", timeout=30000)
    expect(report).to_contain_text("4")
    assert Worker.objects.count() == 0  # nothing is written before the officer confirms

    page.get_by_role("button", name="Write 2 workers").click()
    expect(page.locator("main")).to_contain_text("2", timeout=30000)
    names = set(Worker.objects.values_list("full_name", flat=True))
    assert names == {good_a["Nama Lengkap"], good_b["Nama Lengkap"]}
