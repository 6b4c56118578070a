"""The site layout on a 360 px phone: one header line with a menu button instead of eight menu
items over three rows, and tables read as one card per row, with each value labelled."""

import pytest
from playwright.sync_api import expect

from mitra.testing_browser import horizontal_overflow, login_as

pytestmark = pytest.mark.browser


def test_the_phone_header_is_one_line_and_its_menu_opens_from_the_button(
    phone_page, live_server, jetis_supervisor
):
    page = login_as(phone_page, live_server, jetis_supervisor)
    menu = page.locator("#main-menu")
    toggle = page.locator(".menu-toggle")
    expect(menu).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    header = page.locator("header.sidebar").bounding_box()
    assert header["height"] < 80, f"the header takes {header['height']} px of a 740 px screen"

    toggle.click()
    expect(menu).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Kasus & kegiatan")).to_be_visible()
    # Who is logged in, the language and logging out live in the menu on a phone.
    expect(menu.locator(".menu-account")).to_contain_text(jetis_supervisor.full_name)
    expect(menu.get_by_role("button", name="Keluar")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert horizontal_overflow(page) == ""


def test_the_menu_opens_without_javascript_too(browser, live_server, regions):
    from mitra.testing_browser import LOCALE, PHONE_VIEWPORT

    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale=LOCALE, base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/masuk/")
        page.goto("/tidak-ada/")  # the 404 page has the site layout without logging in
        expect(page.locator("#main-menu")).to_be_hidden()
        page.locator(".menu-toggle").click()
        expect(page.locator("#main-menu")).to_be_visible()
    finally:
        context.close()


def test_desktop_keeps_the_sidebar_open_without_a_menu_button(page, live_server, bantul_officer):
    login_as(page, live_server, bantul_officer)
    expect(page.locator("#main-menu")).to_be_visible()
    expect(page.locator(".menu-toggle")).to_be_hidden()
    expect(page.locator("section.topbar")).to_contain_text(bantul_officer.full_name)


def test_a_table_becomes_labelled_cards_on_a_phone(phone_page, live_server, jetis_supervisor):
    from mitra.workers.tests.factories import WorkerFactory

    WorkerFactory(village_id="3402092004", full_name="Sri Lestari")
    page = login_as(phone_page, live_server, jetis_supervisor)
    page.goto("/pekerja/")
    row = page.locator("table.table tbody tr").filter(has_text="Sri Lestari")
    expect(row).to_have_count(1)
    expect(page.locator("table.table")).to_have_attribute("data-stack", "")
    cell = row.locator("td[data-label='Desa/kelurahan']")
    expect(cell).to_contain_text("Trimulyo")
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Desa/kelurahan"'
    expect(page.locator("table.table thead")).not_to_be_in_viewport()
    assert horizontal_overflow(page) == ""
