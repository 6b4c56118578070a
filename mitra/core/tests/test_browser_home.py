"""Each demo role's home on a 360 px phone with the seeded data: it fits without sideways
scrolling, its headings say what waits, and every to-do line is one link with its sentence as
the link's name."""

import pytest
from playwright.sync_api import expect

from mitra.accounts.demo import DEMO_USERS
from mitra.testing_browser import horizontal_overflow, rendering_walk_on_sqlite_only
from mitra.testing_walk import demo_login, seed_demo

# On SQLite only (docs/adr/0023-rendering-walks-on-sqlite-only.md); the counts behind each line
# are checked on both databases by test_home_demo.py.
pytestmark = [pytest.mark.browser, rendering_walk_on_sqlite_only()]

ROLES = ["admin.nasional", "dinsos.diy", "dinsos.bantul", "tksk.jetis", "psm.trimulyo"]
ROLES += ["juri.demo", "auditor.demo"]


def test_every_roles_home_fits_a_phone_and_names_its_links(phone_page):
    assert set(ROLES) <= {u[0] for u in DEMO_USERS}
    seed_demo()
    page = phone_page
    for username in ROLES:
        page.context.clear_cookies()
        demo_login(page, username)
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tugas saya")
        expect(page.get_by_role("heading", name="Menunggu Anda")).to_be_visible()
        assert horizontal_overflow(page) == "", username
        for item in page.locator(".todo").all():
            links = item.get_by_role("link").all()
            assert len(links) == 1, username  # one link per line, nothing nested in it
            count = links[0].locator(".todo-count").inner_text()  # the number is in the name
            assert count.replace(".", "").isdigit() and len(links[0].inner_text()) > 20, username
        if username == "psm.trimulyo":
            expect(page.get_by_role("link", name="Catat kunjungan")).to_be_visible()
        if username == "juri.demo":
            assert "83.762" not in page.locator("main").inner_text()
