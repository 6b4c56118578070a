"""An auditor on a 360 px phone: the profile with the phone, address and photo masked, the
"Tampilkan data lengkap" action, the reason form, then the full values; nothing sticks out
sideways. Indonesian interface (the default)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from mitra.core.models import AccessLog
from mitra.testing_browser import horizontal_overflow, login_as
from mitra.testing_files import png_bytes
from mitra.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.browser
REASON = "Audit BPK 2026, surat tugas 12/AUD/2026"


def test_an_auditor_unmasks_a_profile_with_a_reason_on_the_phone(
    phone_page, live_server, auditor, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    worker = WorkerFactory(
        phone="081234567890",
        address="Jl. Parangtritis No. 17, RT 04",
        photo=SimpleUploadedFile("p.png", png_bytes()),
    )
    page = phone_page
    login_as(page, live_server, auditor)
    page.goto(f"{live_server.url}/pekerja/{worker.pk}/")
    facts = page.locator(".profile-grid")
    expect(facts).to_contain_text("0812****7890")
    expect(facts).to_contain_text("Jl. ****")
    expect(page.locator(".profile-head img.photo")).to_have_count(0)
    assert horizontal_overflow(page) == ""

    page.get_by_role("link", name="Tampilkan data lengkap").click()
    # The reason form is the next page: measure it, not the profile still unloading.
    expect(page.get_by_role("button", name="Tampilkan data lengkap")).to_be_visible()
    assert horizontal_overflow(page) == ""
    page.get_by_role("button", name="Tampilkan data lengkap").click()  # blank: asked again
    expect(page.locator("textarea")).to_be_visible()
    page.locator("textarea").fill(REASON)
    page.get_by_role("button", name="Tampilkan data lengkap").click()
    expect(page.locator(".profile-grid")).to_contain_text("081234567890")
    expect(page.locator(".profile-head img.photo")).to_have_count(1)
    assert horizontal_overflow(page) == ""
    assert AccessLog.objects.filter(user=auditor, purpose__contains=REASON).count() == 1
