"""What the field app's browser tests share: a PSM's case, opening the app until its service worker
controls the page, filling the entry forms, and reading the phone's IndexedDB."""

import datetime
import os
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from mitra.cases.models import Case
from mitra.cases.tests.test_rules import person

TODAY = timezone.localdate()


def due_case(worker, name="Mbah Sastro", status="assisting") -> Case:
    """An open case of `worker`, due today (first on the due list)."""
    case = Case.objects.create(beneficiary=person(full_name=name), worker=worker, status=status)
    Case.objects.filter(pk=case.pk).update(next_follow_up_on=TODAY)
    return case


# (wait_for_function evaluates a string, which the site's CSP forbids; evaluate() does not.)
# Bounded: page.evaluate has no timeout of its own, and a worker that never takes control (its
# install failed) must fail the test with a reason, not hang the suite.
CONTROLLED = """async () => {
  if (navigator.serviceWorker.controller) return true;
  const controlled = new Promise((done) =>
    navigator.serviceWorker.addEventListener("controllerchange", () => done(true)));
  const late = new Promise((done) => setTimeout(() => done(false), 60000));
  return Promise.race([controlled, late]);
}"""


def wait_for_control(page) -> None:
    assert page.evaluate(CONTROLLED), "the service worker did not take control within 60 s"


def open_app(page, expect_text: str | None = None):
    """Opens /lapangan/ and waits for the first pull and for the service worker to control the
    page (so that it can be reloaded offline)."""
    page.goto("/lapangan/")
    wait_for_control(page)
    if expect_text:
        expect(page.locator("#view")).to_contain_text(expect_text)


def unsent(page, count: int):
    expect(page.locator("#unsent-count")).to_have_text(str(count))


def tab(page, name: str):
    page.locator(".field-tabs").get_by_role("link", name=name).click()
    expect(page.locator("#view h1")).to_have_text(name)


def record_visit(page, name: str, notes: str):
    tab(page, "Kasus saya")
    page.locator("#view .item", has_text=name).get_by_role("link", name="Catat kunjungan").click()
    page.locator("#intervention-kind").select_option("home_visit")
    page.locator("#intervention-place").fill("Rumah")
    page.locator("#intervention-notes").fill(notes)
    page.locator("#intervention-next_follow_up_on").fill(
        (TODAY + datetime.timedelta(days=7)).isoformat()
    )
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("h1")).to_have_text("Kiriman")


def record_person(page, name: str):
    tab(page, "Jatuh tempo")
    page.get_by_role("link", name="Orang & kasus baru").click()
    page.locator("#person-full_name").fill(name)
    page.locator("#person-sex").select_option("P")
    page.locator("#person-estimated_age").fill("71")
    page.locator("#person-address").fill("Dusun Sumberan RT 03")
    page.locator("#person-categories input[value='8']").check()
    page.locator("#person-consent_by").fill(name)
    page.locator("#person-consent_relation").select_option("self")
    page.locator("#person-consent_method").select_option("thumbprint")
    page.locator("#case-priority").select_option("high")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("h1")).to_have_text("Kiriman")


def store_names(page) -> list[str]:
    return page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))")


def cache_names(page) -> list[str]:
    return page.evaluate("caches.keys()")


def shot(page, name: str) -> None:
    """With FIELD_SHOTS=<directory>, a full-page screenshot for a person to look at."""
    directory = os.environ.get("FIELD_SHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(Path(directory) / f"{re.sub(r'\\W+', '_', name)}.png"), full_page=True
        )
