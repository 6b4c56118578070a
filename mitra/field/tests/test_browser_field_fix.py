"""Correcting a new case whose person entry is no longer on the phone (ADR 0026, addendum of
7 Dec 2026): sent already, the case is corrected on its own and sent with the person's server
id; discarded, the PSM is told that the case cannot be sent and can discard it. "Perbaiki" never
leads back to the outbox with nothing done."""

import pytest
from playwright.sync_api import expect

from mitra.cases.models import Beneficiary, Case
from mitra.testing_axe import axe_problems
from mitra.testing_browser import (
    concurrent_browser_on_postgres_only,
    horizontal_overflow,
    login_as,
)

from .field_helpers import due_case, open_app, record_person, shot, unsent

pytestmark = [pytest.mark.browser, concurrent_browser_on_postgres_only()]

# The data of the outbox's entry of a kind, read (and changed first, if asked) in IndexedDB.
ENTRY = """async ([kind, change]) => {
  const db = await new Promise((done, fail) => {
    const open = indexedDB.open("mitra-lapangan");
    open.onsuccess = () => done(open.result);
    open.onerror = () => fail(open.error);
  });
  const entries = await new Promise((done) => {
    const request = db.transaction("outbox").objectStore("outbox").getAll();
    request.onsuccess = () => done(request.result);
  });
  const entry = entries.find((e) => e.kind === kind);
  if (change) {
    Object.assign(entry.data, change);
    await new Promise((done) => {
      const tx = db.transaction("outbox", "readwrite");
      tx.objectStore("outbox").put(entry);
      tx.oncomplete = done;
    });
  }
  db.close();
  return entry.data;
}"""


def _start_offline(page, live_server, psm):
    due_case(psm)
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")
    page.context.set_offline(True)


def test_a_new_case_refused_after_its_person_was_sent_is_corrected_and_sent_alone(
    phone_page, live_server, psm
):
    page = phone_page
    _start_offline(page, live_server, psm)
    record_person(page, "Mbok Painem")
    unsent(page, 2)
    # A priority the server does not accept (as from an older app): the person is written, the
    # case comes back needing correction.
    page.evaluate(ENTRY, ["case", {"priority": "darurat"}])
    page.context.set_offline(False)
    invalid = page.locator("#view .outbox-invalid")
    expect(invalid).to_have_count(1)
    unsent(page, 1)
    expect(invalid).to_contain_text("Kasus baru · Mbok Painem")
    painem = Beneficiary.objects.get(full_name="Mbok Painem")
    assert not Case.objects.filter(beneficiary=painem).exists()
    # The person's entry left the phone; the case now names the person's row on the server.
    data = page.evaluate(ENTRY, ["case", None])
    assert data["beneficiary"] == str(painem.pk)
    assert "beneficiary_ref" not in data

    invalid.get_by_role("link", name="Perbaiki").click()
    expect(page.locator("#view h1")).to_have_text("Kasus baru: Mbok Painem")
    expect(page.locator("#view .info-box")).to_contain_text("Data orangnya sudah terkirim")
    expect(page.locator("#case_fix-priority")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#case_fix-categories input[value='8']")).to_be_checked()
    shot(page, "case_fix_form")
    assert not horizontal_overflow(page)
    assert not axe_problems(page, "case_fix")
    page.locator("#case_fix-priority").select_option("high")
    page.get_by_role("button", name="Simpan").click()
    unsent(page, 0)
    case = Case.objects.get(beneficiary=painem)
    assert case.worker == psm and case.priority == "high"
    assert list(case.categories.values_list("number", flat=True)) == [8]
    assert Beneficiary.objects.filter(full_name="Mbok Painem").count() == 1


def test_a_new_case_whose_person_was_discarded_says_so_and_can_be_discarded(
    phone_page, live_server, psm
):
    page = phone_page
    _start_offline(page, live_server, psm)
    record_person(page, "Pak Darmo")
    page.evaluate(ENTRY, ["beneficiary", {"sex": "X"}])  # the person comes back invalid
    page.context.set_offline(False)
    # Both need correcting: the person's values, and the case waits for the person.
    expect(page.locator("#view .outbox-invalid")).to_have_count(2)
    expect(page.locator("#view")).to_contain_text("Dikirim setelah catatan yang mendahuluinya")
    person = page.locator("#view .outbox-invalid", has_text="Orang baru")
    page.once("dialog", lambda dialog: dialog.accept())
    person.get_by_role("button", name="Buang").click()
    unsent(page, 1)

    orphan = page.locator("#view .outbox-invalid")
    expect(orphan).to_contain_text("Kasus baru · Pak Darmo")
    expect(orphan).to_contain_text("sudah dibuang dan tidak pernah sampai ke server")
    expect(orphan.get_by_role("link", name="Perbaiki")).to_have_count(0)
    shot(page, "orphan_case")
    assert not horizontal_overflow(page)
    uuid = orphan.get_attribute("data-uuid")
    page.goto(f"/lapangan/#ubah/{uuid}")  # an old link to its form says the same
    expect(page.locator("#view .warning-box")).to_contain_text("tidak dapat dikirim")
    page.get_by_role("link", name="Kembali ke “Kiriman”").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#view .outbox-invalid").get_by_role("button", name="Buang").click()
    unsent(page, 0)
    assert not Beneficiary.objects.filter(full_name="Pak Darmo").exists()
    assert Case.objects.count() == 1  # Mbah Sastro's only
