"""End to end in Debian's Chromium: the national administrator drills from the map of provinces
down to a village; a Bantul officer sees only Bantul and gets the 404 page when editing the URL to
Sleman's dashboard. Screenshots go to /tmp/shots/stats-*.png (looked at while building the pages).
"""

import datetime
import itertools
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mitra.testing_browser import login_as

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir()) / "shots"
_names = itertools.count(1)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"stats-{name}.png"), full_page=True)


def build_field_work():
    """Active PSM in a few villages of several provinces, with cases over the last months."""
    from mitra.cases import services as case_services
    from mitra.cases.models import Beneficiary
    from mitra.core.models import PmksCategory
    from mitra.workers.models import Status
    from mitra.workers.tests.builders import build_worker

    today = timezone.localdate()
    villages = {
        "3402092004": 4,
        "3402092003": 2,
        "3402012001": 1,
        "3404012001": 3,
        "3471011001": 2,
        "3201011001": 2,
        "1101012001": 1,
        "5101012001": 1,
    }
    categories = list(PmksCategory.objects.filter(number__in=[8, 9, 24, 2]))
    for village, count in villages.items():
        for n in range(count):
            worker = build_worker(
                village=village,
                full_name=f"PSM {next(_names)}",
                sex="P" if n % 2 else "L",
                birth_date=datetime.date(1970 + n * 7, 3, 1),
                status=Status.ACTIVE,
                joined_on=today - datetime.timedelta(days=400 * (n + 1)),
                basic_training_on=today - datetime.timedelta(days=100) if n % 3 else None,
            )
            for m in range(n + 1):
                person = Beneficiary.objects.create(
                    full_name=f"Penerima {village} {n} {m}",
                    sex="P",
                    birth_date=datetime.date(1950, 5, 5),
                    village=worker.village,
                    address="Dusun",
                    consent_by="Ybs",
                    consent_relation="self",
                    consent_on=today.replace(day=1),
                    consent_method="verbal",
                )
                opened = (today.replace(day=1) - datetime.timedelta(days=31 * m)).replace(day=2)
                case_services.open_case(
                    person,
                    worker,
                    None,
                    [categories[(n + m) % len(categories)]],
                    opened_on=max(opened, today.replace(month=1, day=1)),
                )


def test_the_national_admin_drills_from_the_map_to_a_village(page, live_server, national_admin):
    build_field_work()
    login_as(page, live_server, national_admin)
    page.goto("/dasbor/")
    expect(page).to_have_url(re.compile(r"/dasbor/nasional/$"))
    expect(page.locator("h1")).to_contain_text("Indonesia")
    expect(page.locator(".map-box svg a rect")).to_have_count(38)
    shot(page, "national")

    steps = [
        ("34", "Daerah Istimewa Yogyakarta"),
        ("3402", "Kabupaten Bantul"),
        ("340209", "Jetis"),
        ("3402092004", "Trimulyo"),
    ]
    for code, name in steps:
        page.locator(f'.map-box a[href^="/dasbor/{code}/"] rect').first.click()
        expect(page).to_have_url(re.compile(rf"/dasbor/{code}/\?"))
        expect(page.locator("h1")).to_contain_text(name)
        shot(page, f"level-{len(code)}")
        if len(code) == 10:
            break
    # The village: its own figures, no map below it, breadcrumbs back up to Indonesia.
    expect(page.locator(".map-box")).to_have_count(0)
    expect(page.locator(".card.indicator[data-key=psm_active] .stat-value")).to_have_text("4")
    crumbs = page.locator("nav.breadcrumbs a")
    expect(crumbs.first).to_have_text("Indonesia")
    # The definition shows on hover and on keyboard focus.
    card = page.locator(".card.indicator[data-key=psm_per_village]")
    card.focus()
    expect(card.locator(".definition")).to_be_visible()


def test_a_regency_officer_sees_only_their_regency(page, live_server, bantul_officer):
    build_field_work()
    login_as(page, live_server, bantul_officer)
    page.locator(".sidebar a[href='/dasbor/']").click()
    expect(page).to_have_url(re.compile(r"/dasbor/3402/$"))
    expect(page.locator("h1")).to_contain_text("Kabupaten Bantul")
    # The table lists Bantul's districts only, and sorts by a column on click.
    rows = page.locator("table.child-table tbody tr")
    expect(rows).to_have_count(17)
    codes = rows.locator("th small").all_inner_texts()
    assert all(code.startswith("34.02.") for code in codes)
    page.locator("table.child-table thead th").nth(2).locator("button").click()
    page.locator("table.child-table thead th").nth(2).locator("button").click()
    expect(rows.first.locator("th a")).to_have_text("Jetis")
    # The ranked bars re-sort by name.
    page.locator("[data-sort-bars=name]").click()
    expect(page.locator("[data-sort-bars=name]")).to_have_attribute("aria-pressed", "true")
    shot(page, "bantul")
    # A filter error is shown in Indonesian.
    page.goto("/dasbor/3402/?year_from=2026&year_to=2020&month_from=1")
    expect(page.locator(".form-errors")).to_be_visible()
    shot(page, "filter-error")

    response = page.goto("/dasbor/3404/")
    assert response.status == 404
    expect(page.locator("h1")).not_to_contain_text("Sleman")
    shot(page, "sleman-404")


def test_an_officer_generates_a_monthly_report_and_downloads_it(page, live_server, bantul_officer):
    build_field_work()
    login_as(page, live_server, bantul_officer)
    page.goto("/dasbor/3402/")
    page.locator("a[href^='/dasbor/laporan/']").first.click()
    expect(page).to_have_url(re.compile(r"/dasbor/laporan/\?region=3402$"))
    expect(page.locator("#id_region")).to_have_value("34.02")
    shot(page, "reports-empty")
    page.locator("form.report-form button").click()
    expect(page).to_have_url(re.compile(r"/tugas-latar/"))
    expect(page.locator("#job-progress .status-done")).to_be_visible()
    page.locator("#job-progress a.button").click()
    rows = page.locator("table.reports tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kabupaten Bantul")
    with page.expect_download() as download:
        rows.first.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename.startswith("laporan-3402-")
    shot(page, "reports")
