"""The field app end to end in Debian's Chromium on a 360 px phone (issue 14): entries made
without a connection survive a reload, reach the database exactly once when the connection is
back, a case changed by an officer meanwhile is a conflict the PSM resolves, and logging out (or
another user) empties the phone."""

import datetime

import pytest
from playwright.sync_api import expect

from mitra.cases import services
from mitra.cases.models import Beneficiary, Case, Intervention
from mitra.testing_axe import axe_problems
from mitra.testing_browser import (
    concurrent_browser_on_postgres_only,
    horizontal_overflow,
    login_as,
)

from .field_helpers import (
    TODAY,
    cache_names,
    due_case,
    open_app,
    record_person,
    record_visit,
    shot,
    store_names,
    tab,
    unsent,
)

pytestmark = [pytest.mark.browser, concurrent_browser_on_postgres_only()]


def test_entries_made_offline_survive_a_reload_and_reach_the_database_once(
    phone_page, live_server, psm
):
    page = phone_page
    case = due_case(psm)
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")
    expect(page.locator("#who")).to_contain_text("psm.trimulyo")

    page.context.set_offline(True)
    record_visit(page, "Mbah Sastro", "Kaki bengkak, perlu kontrol")
    unsent(page, 1)
    record_person(page, "Mbok Painem")
    unsent(page, 3)
    shot(page, "outbox_offline")

    # Without a connection the page still opens, from the service worker's cache, with the
    # entries from IndexedDB; the new person's case can get a visit too.
    page.reload()
    expect(page.locator("#net")).to_have_text("Luring")
    unsent(page, 3)
    tab(page, "Kasus saya")
    new_case = page.locator("#view .item", has_text="Mbok Painem")
    expect(new_case).to_contain_text("belum terkirim")
    shot(page, "cases_offline")
    assert not horizontal_overflow(page)
    record_visit(page, "Mbok Painem", "Kunjungan pertama")
    unsent(page, 4)
    assert Intervention.objects.count() == 0

    # The connection returns: the app sends by itself (the `online` event).
    page.context.set_offline(False)
    unsent(page, 0)
    expect(page.locator("#net")).to_have_text("Daring")
    assert Intervention.objects.filter(case=case).count() == 1
    assert Intervention.objects.get(case=case).notes == "Kaki bengkak, perlu kontrol"
    painem = Beneficiary.objects.get(full_name="Mbok Painem")
    new = Case.objects.get(beneficiary=painem)
    assert new.worker == psm and new.priority == "high"
    assert Intervention.objects.filter(case=new).count() == 1

    # Sending again (a second tap, a retry) writes nothing twice.
    page.get_by_role("button", name="Kirim sekarang").click()
    expect(page.locator("#send-now")).to_have_text("Kirim sekarang")
    assert Intervention.objects.count() == 2
    assert Beneficiary.objects.filter(full_name="Mbok Painem").count() == 1
    # The pulled set now has the new case as a real one.
    tab(page, "Kasus saya")
    expect(page.locator("#view .item", has_text="Mbok Painem")).not_to_contain_text("belum")


def test_a_case_changed_meanwhile_is_a_conflict_the_psm_resolves(
    phone_page, live_server, psm, bantul_officer
):
    page = phone_page
    case = due_case(psm, status="identified")
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")

    page.context.set_offline(True)
    record_visit(page, "Mbah Sastro", "Dicatat saat luring")
    record_visit(page, "Mbah Sastro", "Catatan kedua")
    unsent(page, 2)
    # Meanwhile the regency officer moves the case on.
    services.change_case_status(case, "assessed", bantul_officer, note="Asesmen kantor")

    page.context.set_offline(False)
    conflicts = page.locator("#view .outbox-conflict")
    expect(conflicts).to_have_count(2)
    first = conflicts.first
    expect(first).to_contain_text("Di server")
    expect(first).to_contain_text("Catatan saya")
    expect(first.locator(".compare section").first).to_contain_text("diasesmen")
    expect(first.locator(".compare section").last).to_contain_text("Dicatat saat luring")
    unsent(page, 2)
    shot(page, "conflict")
    assert not horizontal_overflow(page)
    assert not axe_problems(page, "conflict")
    assert Intervention.objects.count() == 0  # never a silent overwrite

    first.get_by_role("button", name="Kirim tetap").click()
    unsent(page, 1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#view .outbox-conflict").get_by_role("button", name="Buang").click()
    unsent(page, 0)
    assert list(Intervention.objects.values_list("notes", flat=True)) == ["Dicatat saat luring"]


def test_logging_out_empties_the_phone(phone_page, live_server, psm):
    page = phone_page
    due_case(psm)
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")
    assert "mitra-lapangan" in store_names(page)
    assert any(n.startswith("mitra-lapangan") for n in cache_names(page))

    # The app's own button.
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/masuk/**")
    assert "mitra-lapangan" not in store_names(page)
    assert not [n for n in cache_names(page) if n.startswith("mitra-lapangan")]

    # The site's logout form does the same.
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")
    page.goto("/")
    assert "mitra-lapangan" in store_names(page)
    page.locator(".menu-toggle").click()  # on a phone the account is in the menu
    page.locator("#main-menu").get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/masuk/**")
    assert "mitra-lapangan" not in store_names(page)
    assert not [n for n in cache_names(page) if n.startswith("mitra-lapangan")]


def test_another_user_on_the_same_phone_does_not_see_the_previous_ones_data(
    phone_page, live_server, psm, make_user
):
    from mitra.workers.models import Status
    from mitra.workers.tests.builders import build_worker

    page = phone_page
    due_case(psm)
    other_user = make_user(username="psm.trimulyo2", role="worker", scope_code="3402092004")
    build_worker(full_name="Sri Lestari", user=other_user, status=Status.ACTIVE)
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")
    # The session ends without a logout (it expired); the next PSM logs in on this phone.
    page.context.clear_cookies()
    login_as(page, live_server, other_user)
    page.goto("/lapangan/")
    expect(page.locator("#who")).to_contain_text("psm.trimulyo2")
    expect(page.locator("#view")).to_contain_text("Tidak ada yang jatuh tempo")
    tab(page, "Kasus saya")
    expect(page.locator("#view")).not_to_contain_text("Mbah Sastro")


def test_every_screen_fits_a_360_px_phone_and_passes_axe(phone_page, live_server, psm):
    """The app's screens are addresses after # that the site's page walks do not open."""
    page = phone_page
    due_case(psm, name="Mbah Sastro Wiryo Hadi Kusumo Atmojo")
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")
    for route in ("jatuh-tempo", "kasus", "penerima", "kiriman", "orang-baru", "laporan"):
        page.goto(f"/lapangan/#{route}")
        page.locator("#view h1").wait_for()
        shot(page, f"screen_{route}")
        assert not horizontal_overflow(page), route
        assert not axe_problems(page, route)
    page.goto("/lapangan/#kasus")
    page.get_by_role("link", name="Catat kunjungan").click()
    shot(page, "screen_visit")
    assert not horizontal_overflow(page)
    assert not axe_problems(page, "visit")
    page.goto("/lapangan/#kasus")
    page.get_by_role("link", name="Rujukan").click()
    shot(page, "screen_referral")
    assert not horizontal_overflow(page)


def test_who_has_no_worker_record_reads_that_the_app_is_for_psm(
    phone_page, live_server, bantul_officer
):
    login_as(phone_page, live_server, bantul_officer)
    phone_page.goto("/lapangan/")
    expect(phone_page.locator("main")).to_contain_text("Aplikasi lapangan untuk PSM")
    assert not horizontal_overflow(phone_page)


def test_an_entry_the_server_finds_invalid_is_corrected_and_sent_again(
    phone_page, live_server, psm
):
    page = phone_page
    due_case(psm)
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")
    page.context.set_offline(True)
    tab(page, "Jatuh tempo")
    page.get_by_role("link", name="Orang & kasus baru").click()
    page.locator("#person-full_name").fill("Pak Darmo")
    page.locator("#person-sex").select_option("L")
    page.locator("#person-birth_date").fill("2020-01-01")  # a child: consent from a parent
    page.locator("#person-address").fill("Dusun Jetis")
    page.locator("#person-categories input[value='8']").check()
    page.locator("#person-consent_by").fill("Pak Darmo")
    page.locator("#person-consent_relation").select_option("self")
    page.locator("#person-consent_method").select_option("verbal")
    page.get_by_role("button", name="Simpan").click()
    unsent(page, 2)
    page.context.set_offline(False)
    invalid = page.locator("#view .outbox-invalid").first
    expect(invalid).to_contain_text("perlu diperbaiki")
    expect(invalid.locator(".entry-errors")).to_contain_text("Hubungan dengan orangnya")
    shot(page, "invalid")
    assert not Beneficiary.objects.filter(full_name="Pak Darmo").exists()
    # The sync's last word first: its notice, shown above the list, moves the list down (a tap
    # before it lands beside the link, as CI once showed).
    expect(page.locator("#notice")).to_contain_text("perlu Anda periksa")
    expect(page.locator("#send-now")).to_be_enabled()

    invalid.get_by_role("link", name="Perbaiki").click()
    expect(page.locator("#person-consent_relation")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#person-full_name")).to_have_value("Pak Darmo")
    shot(page, "invalid_form")
    page.locator("#person-consent_by").fill("Bu Darmo")
    page.locator("#person-consent_relation").select_option("parent")
    page.get_by_role("button", name="Simpan").click()
    unsent(page, 0)
    darmo = Beneficiary.objects.get(full_name="Pak Darmo")
    assert Case.objects.filter(beneficiary=darmo).count() == 1


def test_an_entry_on_a_case_handed_over_meanwhile_is_refused_and_kept_until_discarded(
    phone_page, live_server, psm, bantul_officer
):
    from mitra.workers.models import Status
    from mitra.workers.tests.builders import build_worker

    page = phone_page
    case = due_case(psm)
    colleague = build_worker(full_name="Sri Lestari", status=Status.ACTIVE)
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Mbah Sastro")
    page.context.set_offline(True)
    record_visit(page, "Mbah Sastro", "Sebelum dialihkan")
    services.transfer_case(case, colleague, bantul_officer, reason="Pindah wilayah tugas")

    page.context.set_offline(False)
    refused = page.locator("#view .outbox-refused")
    expect(refused).to_contain_text("ditolak")
    expect(refused).to_contain_text("dialihkan")
    expect(refused).not_to_contain_text("Sri Lestari")  # who holds it now is not told
    unsent(page, 1)
    # Still there after the next sync; the case itself left the PSM's lists.
    page.get_by_role("button", name="Kirim sekarang").click()
    expect(page.locator("#send-now")).to_have_text("Kirim sekarang")
    unsent(page, 1)
    tab(page, "Kasus saya")
    expect(page.locator("#view")).not_to_contain_text("Mbah Sastro")
    tab(page, "Kiriman")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#view .outbox-refused").get_by_role("button", name="Buang").click()
    unsent(page, 0)
    assert Intervention.objects.count() == 0


def test_visits_corrected_after_their_case_left_the_lists_are_sent_and_answered(
    phone_page, live_server, psm, bantul_officer
):
    """Two visits the server found invalid (a date in the future); meanwhile the PSM closed one
    case on the website and the office handed the other over, so both left the phone's lists.
    Corrected, each is sent: the visit on the closed case (still the PSM's) is written, the other
    is refused with its reason; neither correction is lost on the phone."""
    from mitra.workers.models import Status
    from mitra.workers.tests.builders import build_worker

    page = phone_page
    closed = due_case(psm)
    handed = due_case(psm, name="Bu Warsi")
    colleague = build_worker(full_name="Sri Lestari", status=Status.ACTIVE)
    login_as(page, live_server, psm.user)
    open_app(page, expect_text="Bu Warsi")
    page.context.set_offline(True)
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    for name in ("Mbah Sastro", "Bu Warsi"):
        tab(page, "Kasus saya")
        page.locator("#view .item", has_text=name).get_by_role(
            "link", name="Catat kunjungan"
        ).click()
        page.locator("#intervention-on").fill(tomorrow)
        page.locator("#intervention-notes").fill(f"Kunjungan {name}")
        page.get_by_role("button", name="Simpan").click()
        expect(page.locator("h1")).to_have_text("Kiriman")
    page.context.set_offline(False)
    expect(page.locator("#view .outbox-invalid")).to_have_count(2)
    services.change_case_status(closed, "closed", psm.user, reason="resolved")
    services.transfer_case(handed, colleague, bantul_officer, reason="Pindah wilayah tugas")
    page.get_by_role("button", name="Kirim sekarang").click()  # the pull: both cases leave
    expect(page.locator("#send-now")).to_have_text("Kirim sekarang")
    tab(page, "Kasus saya")
    expect(page.locator("#view")).to_contain_text("Tidak ada kasus terbuka")
    tab(page, "Kiriman")

    for name in ("Mbah Sastro", "Bu Warsi"):
        item = page.locator("#view .outbox-invalid", has_text=name)
        item.get_by_role("link", name="Perbaiki").click()
        expect(page.locator("h1")).to_contain_text(name)
        page.locator("#intervention-on").fill(TODAY.isoformat())
        page.get_by_role("button", name="Simpan").click()
        expect(page.locator("h1")).to_have_text("Kiriman")
    refused = page.locator("#view .outbox-refused")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("Bu Warsi")
    expect(refused).to_contain_text("dialihkan")
    unsent(page, 1)
    visits = Intervention.objects.all()
    assert [(v.case_id, v.notes) for v in visits] == [(closed.pk, "Kunjungan Mbah Sastro")]
