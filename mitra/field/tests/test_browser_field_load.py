"""The field app on one bar of signal (issue 14): the first load of the app shell on a slow 3G
profile (Chrome's preset through CDP) transfers less than 200 KB, and the next start comes from
the service worker's cache (only the sync call goes to the network).

The bytes are what the browser received (CDP `encodedDataLength`: headers and body as sent). The
test server sends files uncompressed (whitenoise serves its .gz/.br copies only after
collectstatic), so the figure is an upper bound of production's; the gzip size of the same
responses is printed beside it (`pytest -s`)."""

import contextlib
import gzip

import pytest
from playwright.sync_api import expect

from mitra.testing_browser import concurrent_browser_on_postgres_only, login_as

from .field_helpers import due_case, wait_for_control

pytestmark = [pytest.mark.browser, concurrent_browser_on_postgres_only()]

# Chrome DevTools' "Slow 3G": 400 kbit/s each way, 2 s of latency per request.
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}
BUDGET = 200 * 1000
SLOW = 120_000  # ms: each request waits 2 s on this profile


def _meter(page):
    """Bytes received per request of `page` (CDP) and the bodies, to gzip them for comparison."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    # A phone that never saw the site: nothing from the HTTP cache (the login page loaded the
    # site's stylesheet already).
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    received, urls = {}, {}
    cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    return cdp, received, urls


def test_first_load_is_under_200_kb_on_slow_3g_and_the_next_start_comes_from_the_cache(
    phone_page, live_server, psm
):
    page = phone_page
    due_case(psm)
    login_as(page, live_server, psm.user)  # the login page is the site's, not the app's
    page.goto("/")
    cdp, received, urls = _meter(page)
    bodies = {}
    page.on("response", lambda r: bodies.__setitem__(r.url, r))
    # What the service worker fetches to fill its cache, beside the page's own requests.
    installing = []
    page.context.on("requestfinished", lambda r: installing.append(r) if r.service_worker else None)
    page.set_default_timeout(SLOW)
    received.clear()
    page.goto("/lapangan/", timeout=SLOW)
    expect(page.locator("#view")).to_contain_text("Mbah Sastro", timeout=SLOW)
    open_app_bytes = sum(received.values())
    files = {urls[r]["url"]: n for r, n in received.items() if r in urls}
    zipped = 0
    for response in bodies.values():
        with contextlib.suppress(Exception):  # a body the browser no longer holds
            zipped += len(gzip.compress(response.body())) + 300  # + headers, roughly
    print(f"\nfirst load on slow 3G: {open_app_bytes} bytes received in {len(files)} responses")
    print(f"the same responses gzipped: about {zipped} bytes")
    for url, n in sorted(files.items(), key=lambda kv: -kv[1]):
        print(f"  {n:>7}  {url}")
    # The worker, registered after the first sync, has filled its cache once it controls the page.
    wait_for_control(page)
    precache = sum(
        sum(r.sizes()[k] for k in ("responseBodySize", "responseHeadersSize")) for r in installing
    )
    print(f"the service worker's precache: {precache} bytes in {len(installing)} requests")
    assert "/lapangan/" in " ".join(files) and any("app.js" in u for u in files)
    # The first visit also fills the service worker's cache (it fetches the same files again,
    # bypassing the HTTP cache so a release never keeps an old file): both count.
    assert open_app_bytes + precache < BUDGET, files

    # The next start: the shell and its files from the service worker; only the pull (which is
    # never cached) goes to the network.
    seen = []
    page.on("response", lambda r: seen.append(r))
    received.clear()
    shell = page.goto("/lapangan/", timeout=SLOW)
    expect(page.locator("#view")).to_contain_text("Mbah Sastro", timeout=SLOW)
    assert shell.from_service_worker
    statics = [r for r in seen if "/static/" in r.url]
    assert statics and all(r.from_service_worker for r in statics), [
        r.url for r in statics if not r.from_service_worker
    ]
    not_from_cache = [r.url for r in seen if not r.from_service_worker]
    assert all("manifest" in u for u in not_from_cache), not_from_cache
    print(f"second start: {len(statics)} files from the service worker's cache")
