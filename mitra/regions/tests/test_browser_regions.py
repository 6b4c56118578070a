"""End to end in Debian's Chromium: officers log in through the real form and walk the region tree.

The UI may still be in English (no Indonesian catalogue yet), so these tests look at region names,
codes, URLs and the page language, not at translated labels.
"""

import re

import pytest
from playwright.sync_api import expect

from mitra.testing_browser import login_as

pytestmark = pytest.mark.browser


def path_is(live_server, path: str) -> re.Pattern:
    """The page URL is exactly `path` on the live server (query string allowed)."""
    return re.compile(rf"^{re.escape(live_server.url + path)}(\?.*)?$")


def test_regency_officer_walks_from_home_down_to_a_village_and_back_up(
    page, live_server, bantul_officer
):
    login_as(page, live_server, bantul_officer)

    # Home page ("Tugas saya"), greeting the officer by name; their area is Bantul.
    expect(page).to_have_url(path_is(live_server, "/"))
    expect(page.locator(".home-greeting")).to_contain_text(bantul_officer.full_name)
    expect(page.locator("main")).to_contain_text("Kabupaten Bantul")

    # The regions menu item takes a regency officer straight to their own regency.
    page.locator(".sidebar").locator('a[href="/wilayah/"]').click()
    expect(page).to_have_url(path_is(live_server, "/wilayah/3402/"))
    expect(page.locator("h1")).to_have_text("Kabupaten Bantul")
    expect(page.locator("main")).to_contain_text("34.02")
    districts = page.locator("#region-children tbody tr")
    expect(districts).to_have_count(17)

    # Down to the district of Jetis, which lists its four villages with Trimulyo among them.
    page.locator("#region-children").get_by_role("link", name="Jetis", exact=True).click()
    expect(page).to_have_url(path_is(live_server, "/wilayah/340209/"))
    expect(page.locator("h1")).to_have_text("Jetis")
    villages = page.locator("#region-children tbody tr")
    expect(villages).to_have_count(4)
    trimulyo = villages.filter(has_text="Trimulyo")
    expect(trimulyo).to_have_count(1)
    expect(trimulyo).to_contain_text("34.02.09.2004")
    expect(villages.filter(has_text="Patalan")).to_have_count(1)

    # Typing in the list filter narrows the table in place (htmx), without leaving the page.
    page.locator("input.filter").press_sequentially("Trimu", delay=30)
    expect(villages).to_have_count(1)
    expect(villages.first).to_contain_text("Trimulyo")
    expect(villages.first).to_contain_text("34.02.09.2004")
    expect(page.locator("#region-children")).not_to_contain_text("Patalan")
    expect(page).to_have_url(path_is(live_server, "/wilayah/340209/"))
    expect(page.locator("h1")).to_have_text("Jetis")

    # Clearing the filter brings the whole list back.
    page.locator("input.filter").fill("")
    expect(villages).to_have_count(4)

    # The breadcrumbs lead back up: Indonesia > DI Yogyakarta > Kabupaten Bantul > Jetis.
    crumbs = page.locator("nav.breadcrumbs")
    expect(crumbs).to_contain_text("Daerah Istimewa Yogyakarta")
    expect(crumbs).to_contain_text("Kabupaten Bantul")
    expect(crumbs).to_contain_text("Jetis")
    expect(crumbs.get_by_role("link", name="Jetis", exact=True)).to_have_count(0)

    crumbs.get_by_role("link", name="Kabupaten Bantul", exact=True).click()
    expect(page).to_have_url(path_is(live_server, "/wilayah/3402/"))
    expect(page.locator("h1")).to_have_text("Kabupaten Bantul")

    # The province lies on the path to Bantul: it opens, but lists only what the officer may open.
    page.locator("nav.breadcrumbs").get_by_role(
        "link", name="Daerah Istimewa Yogyakarta", exact=True
    ).click()
    expect(page).to_have_url(path_is(live_server, "/wilayah/34/"))
    expect(page.locator("h1")).to_have_text("Daerah Istimewa Yogyakarta")
    regencies = page.locator("#region-children tbody tr")
    expect(regencies).to_have_count(1)
    expect(regencies.first).to_contain_text("Kabupaten Bantul")
    expect(page.locator("#region-children")).not_to_contain_text("Sleman")

    # "Indonesia", the top of the trail, brings a regency officer back to their own regency.
    page.locator("nav.breadcrumbs").get_by_role("link").first.click()
    expect(page).to_have_url(path_is(live_server, "/wilayah/3402/"))


def test_national_admin_finds_a_village_by_name_with_its_parents(page, live_server, national_admin):
    login_as(page, live_server, national_admin)

    page.goto(f"{live_server.url}/wilayah/cari/?q=Trimulyo")
    expect(page.locator("#q")).to_have_value("Trimulyo")
    row = page.locator("#search-results tr").filter(has_text="34.02.09.2004")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Trimulyo")
    expect(row).to_contain_text("Jetis")
    expect(row).to_contain_text("Kabupaten Bantul")
    expect(row).to_contain_text("Daerah Istimewa Yogyakarta")
    # A national admin sees the other Trimulyos of Indonesia too (e.g. in Lampung, 18.01.05).
    expect(page.locator("#search-results tr").filter(has_text="18.01.05.2010")).to_have_count(1)

    # The village's link opens the district that holds it.
    row.get_by_role("link", name="Trimulyo").click()
    expect(page).to_have_url(path_is(live_server, "/wilayah/340209/"))
    expect(page.locator("h1")).to_have_text("Jetis")
    expect(page.locator("#region-children")).to_contain_text("34.02.09.2004")

    # Typing in the search box searches as you type and keeps the query in the address bar.
    page.goto(f"{live_server.url}/wilayah/cari/")
    page.locator("#q").press_sequentially("34.02.09.20", delay=30)
    expect(page.locator("#search-results tr").filter(has_text="34.02.09.2004")).to_have_count(1)
    expect(page.locator("#search-results")).to_contain_text("Trimulyo")
    expect(page).to_have_url(re.compile(r"/wilayah/cari/\?q=34\.02\.09\.20$"))


def test_language_switch_changes_the_page_language_and_back(page, live_server, bantul_officer):
    page.goto(f"{live_server.url}/masuk/")
    expect(page.locator("html")).to_have_attribute("lang", "id")

    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(path_is(live_server, "/masuk/"))

    # The choice survives logging in.
    login_as(page, live_server, bantul_officer)
    expect(page).to_have_url(path_is(live_server, "/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Back to Indonesian from the top bar, staying on the same page.
    page.goto(f"{live_server.url}/wilayah/340209/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(".topbar button[name=language][value=id]").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page).to_have_url(path_is(live_server, "/wilayah/340209/"))
    expect(page.locator("h1")).to_have_text("Jetis")


def test_regency_officer_typing_a_neighbours_address_gets_not_found(
    page, live_server, bantul_officer
):
    login_as(page, live_server, bantul_officer)

    for path in ("/wilayah/3404/", "/wilayah/340401/"):  # Kabupaten Sleman, and a district in it
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 404, path
        expect(page.locator("body")).not_to_contain_text("Sleman")

    # Their own regency still opens.
    response = page.goto(f"{live_server.url}/wilayah/3402/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Kabupaten Bantul")
