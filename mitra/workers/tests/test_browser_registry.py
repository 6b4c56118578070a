"""End to end in Debian's Chromium: a regency officer registers a PSM, takes them through the
lifecycle to active with a decree, and exports the list.

The browser uses the English interface (language cookie), so the test reads the source labels."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mitra.testing_browser import login_as
from mitra.workers.models import Status, Worker
from mitra.workers.tests.builders import valid_nik

pytestmark = pytest.mark.browser


def test_an_officer_registers_a_psm_and_appoints_them(page, live_server, bantul_officer):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    login_as(page, live_server, bantul_officer)
    birth = datetime.date(1986, 4, 12)
    nik = valid_nik("340209", birth, "P")

    page.goto(live_server.url + reverse("workers:create"))
    page.wait_for_load_state("networkidle")
    page.locator("#id_nik").fill(nik)
    page.locator("#id_full_name").fill("Rini Astuti")
    page.locator("input[name=sex][value=P]").check()
    page.locator("#id_birth_place").fill("Bantul")
    page.locator("#id_birth_date").fill(birth.isoformat())
    page.locator("#id_address").fill("Dusun Kembangsongo RT 02")
    village = page.locator(".field", has=page.locator("#id_village"))
    village.get_by_label("District").select_option("340209")
    village.get_by_label("Village").select_option("3402092004")
    page.get_by_role("button", name="Register", exact=True).click()

    worker = Worker.objects.get(full_name="Rini Astuti")
    expect(page).to_have_url(live_server.url + reverse("workers:detail", args=[worker.pk]))
    expect(page.locator("h1")).to_contain_text("Rini Astuti")
    assert nik not in page.url and worker.nik == nik

    # Requirements: the KTP check and the basic training are recorded with the confirmation.
    page.goto(live_server.url + reverse("workers:status", args=[worker.pk, Status.VERIFIED]))
    page.get_by_label("I saw the KTP: it shows this village as the domicile").check()
    page.get_by_label("Basic training (bimtek dasar) completed on").fill("2025-02-14")
    page.get_by_role("button", name="Confirm requirements").click()
    expect(page.locator("h1")).to_contain_text("Rini Astuti")
    assert Worker.objects.get(pk=worker.pk).status == Status.VERIFIED

    # The decree activates the worker.
    page.goto(live_server.url + reverse("workers:decree_create", args=[worker.pk]))
    page.get_by_label("Decree (SK) number").fill("460/77/2026")
    page.get_by_label("Decree date").fill(datetime.date.today().isoformat())
    page.get_by_role("button", name="Save the decree").click()
    expect(page.locator("h1")).to_contain_text("Rini Astuti")
    assert Worker.objects.get(pk=worker.pk).status == Status.ACTIVE

    # The list finds her, and the export downloads a CSV with her.
    page.goto(live_server.url + reverse("workers:list"))
    expect(page.get_by_role("link", name="Rini Astuti")).to_be_visible()
    with page.expect_download() as download:
        page.locator(f'a[href^="{reverse("workers:export_csv")}"]').first.click()
    with open(download.value.path(), encoding="utf-8-sig") as fh:
        text = fh.read()
    # The officer may see full NIKs (workers.view_nik); the file holds hers, not anyone else's.
    assert "Rini Astuti" in text and nik in text
