"""pytest plugin: Playwright fixtures driving Debian's Chromium against Django's live server.

Loaded for every test run through `-p mitra.testing_browser` (pyproject.toml), so any app's tests
can use:

- `browser`: one headless Chromium for the whole session (/usr/bin/chromium, never a downloaded
  browser). Without it the browser tests are skipped with a reason, except under CI (`CI` set),
  where a missing Chromium is an error.
- `page`: a fresh browser context and page per test (1280x860, locale id-ID) whose `base_url` is
  the live server, so `page.goto("/wilayah/")` works. It needs the live server, hence a
  transactional database that is flushed after the test; the official region tree is (re)loaded
  through the `regions` fixture of mitra/conftest.py. When the test fails, a screenshot and the
  browser's console errors go to test-artifacts/<test name>.png / .log.
- `login_as(page, live_server, user)` and the `browser_login` fixture (`browser_login(user)`):
  log in through the real login form with the factories' TEST_PASSWORD.

Mark browser tests with `@pytest.mark.browser` (`pytest -m "not browser"` leaves them out).
"""

import contextlib
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 860}
# The phone a PSM works from: a cheap Android, 360 CSS pixels wide.
PHONE_VIEWPORT = {"width": 360, "height": 740}


def rendering_walk_on_sqlite_only():
    """Skip mark for the demo-seed rendering walks (phone width, axe, homes): what they check is
    drawn by the browser from the same templates whatever the database, so they run once, on
    SQLite (docs/adr/0023-rendering-walks-on-sqlite-only.md)."""
    from django.db import connection

    return pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="a rendering check, run on SQLite only (docs/adr/0023): the database adds nothing",
    )


def concurrent_browser_on_postgres_only():
    """Skip mark for browser tests whose page and service worker hit the live server at once (the
    field app): SQLite's in-memory test database (shared cache) refuses a second writer at once
    with "database table is locked" (no busy wait, unlike the WAL file of a real install), which
    fails the worker's install. The server side they reach is tested on both databases
    (docs/adr/0026-field-app-client.md)."""
    from django.db import connection

    return pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="page and service worker write at once: run on PostgreSQL (docs/adr/0026)",
    )


LOCALE = "id-ID"
# Actions and expect() give up after 15 s (Playwright: 30 s and 5 s): the live server is local.
DEFAULT_TIMEOUT_MS = 15_000
ARTIFACTS_DIRNAME = "test-artifacts"
LOGIN_PATH = "/masuk/"

_call_report_key = pytest.StashKey()


def pytest_sessionstart(session):
    # One request at a time on SQLite's shared in-memory connection (mitra/testing_liveserver.py).
    from mitra.testing_liveserver import install

    install()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep the outcome of each phase on the test item, so `page` can tell a failed test."""
    report = yield
    if report.when == "call":
        item.stash[_call_report_key] = report
    return report


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        if os.environ.get("CI"):
            pytest.fail("The playwright package is not installed (pip install -e '.[test]').")
        pytest.skip("The playwright package is not installed (pip install -e '.[test]').")
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    """Debian's headless Chromium, shared by all browser tests of the session."""
    if not CHROMIUM.exists():
        reason = (
            f"Debian's Chromium is not installed at {CHROMIUM} "
            "(apt-get install chromium, or `make test`)."
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason} CI must run the browser tests.", pytrace=False)
        pytest.skip(f"Browser test skipped: {reason}")
    from playwright.sync_api import expect

    # Assertions wait as long as actions do: a loaded CI machine can be slow to render.
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


def _artifact_name(item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name).strip("_") or "test"


@pytest.fixture
def page(request, browser, live_server):
    """A new browser context and page for one test, pointed at the live server."""
    yield from _page(request, browser, live_server, VIEWPORT)


@pytest.fixture
def phone_page(request, browser, live_server):
    """Like `page`, on a 360x740 phone screen with touch."""
    yield from _page(request, browser, live_server, PHONE_VIEWPORT, has_touch=True, is_mobile=True)


def _page(request, browser, live_server, viewport, **options):
    # Every Mitra page assumes the official region tree; the live server's transactional
    # database is flushed after each test, so (re)load it unless the test runs outside mitra/.
    with contextlib.suppress(pytest.FixtureLookupError):
        request.getfixturevalue("regions")
    context = browser.new_context(
        viewport=viewport, locale=LOCALE, base_url=live_server.url, **options
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console.{msg.type}: {msg.text}")
            if msg.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield page
    report = request.node.stash.get(_call_report_key, None)
    try:
        if report is not None and report.failed:
            _save_artifacts(request, page, problems)
    finally:
        context.close()


def _save_artifacts(request, page, problems: list[str]) -> None:
    directory = Path(request.config.rootpath) / ARTIFACTS_DIRNAME
    directory.mkdir(exist_ok=True)
    base = directory / _artifact_name(request.node)
    try:
        page.screenshot(path=str(base.with_suffix(".png")), full_page=True)
    except Exception as exc:  # a failed screenshot must not hide the real failure
        problems.append(f"screenshot failed: {exc}")
    lines = [f"test: {request.node.nodeid}", f"url: {page.url}", *problems]
    base.with_suffix(".log").write_text("\n".join(lines) + "\n", encoding="utf-8")


def login_as(page, live_server, user, password: str | None = None):
    """Log `user` in through the real login form; returns the page, now on the landing page."""
    if password is None:
        from mitra.accounts.tests.factories import TEST_PASSWORD

        password = TEST_PASSWORD
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("button.wide").click()
    if urlparse(page.url).path == LOGIN_PATH:
        errors = page.locator(".form-errors, .error").all_inner_texts()
        pytest.fail(f"Login as {user.username!r} failed: {' '.join(errors) or 'still on login'}")
    return page


@pytest.fixture
def browser_login(page, live_server):
    """`browser_login(user)` logs `user` in on this test's `page` and returns the page."""

    def login(user, password: str | None = None):
        return login_as(page, live_server, user, password)

    return login


# The elements poking past the right edge, farthest first, so a failing phone check names its
# culprits: boxes, and text that overflows its box (a nowrap cell, a long code) without widening
# it. The page's scrollWidth is rounded up: text ending at 360.02 px makes a 361 px page.
_OVERFLOW_JS = """() => {
  if (!document.body || document.readyState === "loading") return null;
  const limit = document.documentElement.clientWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= limit) return {scrollWidth, width: limit, culprits: []};
  function clipped(el) {
    for (let inside = el.parentElement; inside && inside !== document.body; inside = inside.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(inside).overflowX)) return true;
    }
    return false;
  }
  function name(el) {
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  }
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit && !clipped(el)) out.push([r.right, name(el) + " right=" + Math.ceil(r.right)]);
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    const node = texts.currentNode, parent = node.parentElement;
    if (!node.textContent.trim() || !parent || clipped(node)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = Math.max(0, ...Array.from(range.getClientRects(), r => r.right));
    if (right > limit && getComputedStyle(parent).overflowX === "visible") {
      out.push([right, `text "${node.textContent.trim().slice(0, 40)}" in ${name(parent)} right=${Math.ceil(right)}`]);
    }
  }
  out.sort((a, b) => b[0] - a[0]);
  return {scrollWidth, width: limit, culprits: out.slice(0, 8).map(c => c[1])};
}"""


def horizontal_overflow(page) -> str:
    """'' when the page fits its viewport's width; otherwise what sticks out (for the message).
    Waits for a document to measure: between two pages there is no body yet. (Not with
    `wait_for_function`: its string is evaluated in a way the pages' CSP refuses.)"""
    from playwright.sync_api import Error as PlaywrightError

    for _ in range(100):
        try:
            found = page.evaluate(_OVERFLOW_JS)
        except PlaywrightError as error:  # the page navigated away while being measured
            if "destroyed" not in str(error):
                raise
            found = None
        if found is not None:
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"{page.url}: no document to measure after 10 s")
    if found["scrollWidth"] <= found["width"]:
        return ""
    return f"{page.url}: {found['scrollWidth']} px wide on {found['width']}: " + ", ".join(
        found["culprits"]
    )
