"""Walking Mitra as a demo user does: the demo seed in a live-server test, a login through the
real form, then every page reachable by following links from the home page.

The walk is for checks that must hold on every page a user can reach (fits a phone, no serious
accessibility violation) and that must cover pages added later without anyone listing them.
Pages are grouped by route and query keys (`/kasus/<uuid>/` and `?tab=riwayat` count apart), and
each group is opened at most `per_route` times, so a list of 200 workers costs two profiles.
Downloads (exports, PDFs, scans) and the API are not pages and are left out. `crawl` is the
walk itself, for a browser page (`walk`) or the test client (`testing_getwalk`).
"""

from collections import deque
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

SKIP_PREFIXES = ("/api/", "/i18n/", "/static/", "/media/", "/keluar/", "/masuk/")
# Route names that answer a file, not a page.
DOWNLOAD_WORDS = ("export", "download", "pdf", "scan", "report_download", "_file", "template")
# Query keys whose value picks a different page (a tab, a level); other keys only filter or page.
VARIANT_KEYS = ("tab", "view", "level", "status", "kind")


def seed_demo() -> None:
    """The demo data `make run` shows, seeded into the test database (about 10 s)."""
    from mitra.core.seeding import seed

    seed("demo")


def demo_login(page, username: str) -> None:
    """Log a demo user in through the login form on `page` (base_url set by the fixture)."""
    from mitra.accounts.demo import DEMO_PASSWORD

    try:
        page.goto("/masuk/")
    except PlaywrightError as error:
        # The page left from the walk before may still start a navigation of its own (seen
        # once in CI, on a form page); the login page is then simply opened again.
        if "interrupted by another navigation" not in str(error):
            raise
        page.wait_for_load_state()
        page.goto("/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("button.wide").click()
    if urlsplit(page.url).path.startswith("/masuk/"):
        raise AssertionError(f"demo login as {username} failed")


@lru_cache(maxsize=20_000)
def _match(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None


def route_key(path: str, query: str) -> tuple | None:
    """What makes two URLs 'the same page': the route and the variant-picking query values.
    None for what is not a page to walk."""
    if path.startswith(SKIP_PREFIXES):
        return None
    match = _match(path)
    if match is None:
        return None
    name = match.view_name or ""
    if any(word in name for word in DOWNLOAD_WORDS) or path.endswith((".csv", ".xlsx", ".pdf")):
        return None
    params = parse_qsl(query)
    variant = tuple(sorted((k, v) for k, v in params if k in VARIANT_KEYS))
    others = tuple(sorted({k for k, _ in params if k not in VARIANT_KEYS}))
    return (name, variant, others)


def crawl(open_page, start: str = "/", per_route: int = 2, limit: int = 400) -> Iterator[str]:
    """Open pages breadth-first from `start`, yielding each URL (path and query) once it was
    opened. `open_page(url)` opens one and answers (the URL it ended on, the hrefs it shows), or
    None when it is not a page (a download); only those links are followed."""
    seen_urls: set[str] = set()
    per_key: dict[tuple, int] = {}
    queue = deque([start])
    opened = 0
    while queue and opened < limit:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        parts = urlsplit(url)
        key = route_key(parts.path, parts.query)
        if key is None or per_key.get(key, 0) >= per_route:
            continue
        per_key[key] = per_key.get(key, 0) + 1
        opened_page = open_page(url)
        if opened_page is None:
            continue
        opened += 1
        yield url
        final_url, hrefs = opened_page
        for found in same_site_links(final_url, hrefs):
            if found not in seen_urls:
                queue.append(found)


def same_site_links(base_url: str, hrefs) -> Iterator[str]:
    """The hrefs of a page at `base_url` that stay on the site, as path and normalised query."""
    base = urlsplit(base_url)
    for href in hrefs:
        target = urlsplit(href)
        if target.scheme and target.netloc != base.netloc:
            continue
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        path = target.path or base.path
        if not path.startswith("/"):
            continue
        query = urlencode(parse_qsl(target.query))
        yield path + (f"?{query}" if query else "")


def walk(page, start: str = "/", per_route: int = 2, limit: int = 400) -> Iterator[str]:
    """`crawl` in a Playwright page: each yielded URL is loaded in `page` for the caller to
    check. Only links the pages themselves show are followed."""

    def open_page(url):
        try:
            response = page.goto(url)
        except PlaywrightError:  # a download starting, or a redirect off the site (a material link)
            return None
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            return None
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
        return page.url, hrefs

    yield from crawl(open_page, start, per_route, limit)
