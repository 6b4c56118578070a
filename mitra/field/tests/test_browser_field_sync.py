"""Background Sync in Debian's Chromium (ADR 0026): an entry made without a connection is sent by
the service worker's `sync` event alone, with no window of the app open and no tap on "Kirim
sekarang", and reaches the database exactly once.

Chromium fires the event itself when its own network detection sees a connection; a test cannot
switch that, so the event is fired as DevTools' Application panel does (CDP
`ServiceWorker.dispatchSyncEvent`, which needs the worker's registration id)."""

import pytest
from playwright.sync_api import expect

from mitra.cases.models import Intervention
from mitra.testing_browser import concurrent_browser_on_postgres_only, login_as

from .field_helpers import due_case, open_app, record_visit, tab, unsent

pytestmark = [pytest.mark.browser, concurrent_browser_on_postgres_only()]

SYNC_TAG = "mitra-kirim"  # the tag app.js registers and sw.js answers

# The phone's outbox, read from a page of the same origin outside the app's scope (so the worker
# has no window to hand the work to). Bounded like CONTROLLED in field_helpers: answers the count
# as soon as it is `want`, or what it is after 60 s.
OUTBOX_COUNT = """async (want) => {
  const count = () => new Promise((done, fail) => {
    const open = indexedDB.open("mitra-lapangan");
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction("outbox").objectStore("outbox").count();
      request.onsuccess = () => { db.close(); done(request.result); };
      request.onerror = () => { db.close(); fail(request.error); };
    };
  });
  const until = Date.now() + 60000;
  for (;;) {
    const n = await count();
    if (n === want || Date.now() > until) return n;
    await new Promise((next) => setTimeout(next, 100));
  }
}"""


def _registration_id(page, scope: str) -> str:
    """The service worker registration of `scope`, as CDP names it. The registrations come as
    events after `ServiceWorker.enable` answers; Playwright delivers events while it waits."""
    cdp = page.context.new_cdp_session(page)
    found: dict[str, str] = {}

    def seen(event):
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not registration["isDeleted"]:
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # at most 10 s
        if "id" in found:
            return cdp, found["id"]
        page.wait_for_timeout(100)
    pytest.fail(f"no service worker registration for {scope} reported over CDP")


def _deny_background_sync(page, origin: str) -> None:
    """As a PSM who blocked the site's background sync: the app's own request is refused, so
    Chromium does not fire the event itself when the network returns; only the test does."""
    target = page.context.new_cdp_session(page).send("Target.getTargetInfo")["targetInfo"]
    browser = page.context.browser.new_browser_cdp_session()
    browser.send(
        "Browser.setPermission",
        {
            "permission": {"name": "background-sync"},
            "setting": "denied",
            "origin": origin,
            "browserContextId": target["browserContextId"],
        },
    )


def _leave_app_offline_then_reconnect(page, live_server, psm, notes: str):
    """Records a visit without a connection, leaves the app, and reconnects on the website's
    home: outside the worker's scope, so the app's `online` handler cannot send and the worker
    has no window to hand the work to; from there the phone's outbox is read."""
    case = due_case(psm)
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")
    page.context.set_offline(True)
    record_visit(page, "Mbah Sastro", notes)
    unsent(page, 1)
    page.goto("about:blank")
    page.context.set_offline(False)
    page.goto("/")
    return case


def _nothing_unsent_in_the_app(page):
    page.goto("/lapangan/")
    unsent(page, 0)
    tab(page, "Kiriman")
    expect(page.locator("#view")).to_contain_text("Semua catatan sudah terkirim")
    expect(page.locator("#send-now")).to_have_text("Kirim sekarang")


def test_the_workers_sync_event_sends_the_outbox_without_the_app_open(phone_page, live_server, psm):
    page = phone_page
    _deny_background_sync(page, live_server.url)
    case = _leave_app_offline_then_reconnect(page, live_server, psm, "Dikirim oleh pekerja")
    assert page.evaluate(OUTBOX_COUNT, 1) == 1
    assert Intervention.objects.count() == 0

    cdp, registration = _registration_id(page, f"{live_server.url}/lapangan/")
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": live_server.url,
            "registrationId": registration,
            "tag": SYNC_TAG,
            "lastChance": False,
        },
    )
    assert page.evaluate(OUTBOX_COUNT, 0) == 0, "the worker's sync left the entry unsent"
    assert list(Intervention.objects.values_list("case_id", "notes")) == [
        (case.pk, "Dikirim oleh pekerja")
    ]
    _nothing_unsent_in_the_app(page)
    assert Intervention.objects.count() == 1


def test_chromium_fires_the_registered_sync_when_the_connection_returns(
    phone_page, live_server, psm
):
    """The app's own registration: Chromium holds it while (emulated) offline and fires it when
    the connection is back, with no window of the app open."""
    page = phone_page
    case = _leave_app_offline_then_reconnect(page, live_server, psm, "Dikirim sendiri")
    assert page.evaluate(OUTBOX_COUNT, 0) == 0, "Background Sync left the entry unsent"
    assert list(Intervention.objects.values_list("case_id", "notes")) == [
        (case.pk, "Dikirim sendiri")
    ]
    _nothing_unsent_in_the_app(page)
    assert Intervention.objects.count() == 1
