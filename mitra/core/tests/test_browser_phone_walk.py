"""Phone first, on every page: a PSM and a TKSK work from cheap Android phones, 360 CSS pixels
wide. Walking every page they can reach by links on the demo data (each tab, one or two detail
pages per route), no page may be wider than the screen, and the opened menu must fit too.

Set PHONE_SHOTS=<directory> to also save a full-page screenshot of every walked page, for a
person to look at (clipped text and overlaps are not caught by a width check).
"""

import os
import re
from pathlib import Path

import pytest

from mitra.testing_browser import (
    PHONE_VIEWPORT,
    horizontal_overflow,
    rendering_walk_on_sqlite_only,
)
from mitra.testing_walk import demo_login, seed_demo, walk

# On SQLite only (docs/adr/0023-rendering-walks-on-sqlite-only.md): widths do not depend on the
# database; the GET walk opens the same pages on both databases for server errors.
pytestmark = [pytest.mark.browser, rendering_walk_on_sqlite_only()]

USERS = ["psm.trimulyo", "tksk.jetis"]


def _shot(page, username: str, url: str, suffix: str = "") -> None:
    directory = os.environ.get("PHONE_SHOTS")
    if not directory:
        return
    name = re.sub(r"[^A-Za-z0-9]+", "_", url).strip("_") or "home"
    path = Path(directory) / username / f"{name[:120]}{suffix}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


def _menu_overflow(page, shot: tuple[str, str] | None) -> str:
    """Opens the menu from its button, checks the page still fits, closes it again."""
    toggle = page.locator(".menu-toggle")
    if not toggle.count():  # a public page without the site's layout (certificate check)
        return ""
    if not toggle.is_visible():
        return f"{page.url}: the menu button is hidden"
    toggle.click()
    page.locator("#main-menu").wait_for(state="visible")
    found = horizontal_overflow(page)
    if shot:
        _shot(page, *shot, suffix="_menu")
    page.keyboard.press("Escape")
    return f"menu open: {found}" if found else ""


def test_every_page_a_psm_and_a_tksk_reach_fits_a_360_px_phone(phone_page):
    assert phone_page.viewport_size == PHONE_VIEWPORT
    seed_demo()
    page = phone_page
    too_wide: list[str] = []
    walked: dict[str, int] = {}
    for username in USERS:
        page.context.clear_cookies()
        demo_login(page, username)
        count = 0
        checked: set[str] = set()
        for url in walk(page, start="/", per_route=1):
            if page.url in checked:  # a redirect to a page seen already (/dasbor/ to its region)
                continue
            checked.add(page.url)
            count += 1
            found = horizontal_overflow(page)
            if found:
                too_wide.append(f"{username} {found}")
            _shot(page, username, url)
            found = _menu_overflow(page, shot=(username, url) if count == 1 else None)
            if found:
                too_wide.append(f"{username} {found}")
        walked[username] = count
    # The walk must really have gone somewhere: lists, details and tabs of both users.
    assert all(n >= 15 for n in walked.values()), walked
    assert not too_wide, "\n".join(too_wide)
