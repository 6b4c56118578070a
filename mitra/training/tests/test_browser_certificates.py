"""End to end in Debian's Chromium: the QR code of a downloaded certificate opens the public
verification page (valid); the officer revokes the certificate on its page; the same QR address
then says it is revoked.

The browser uses the English interface (language cookie), so the test reads the source labels
whatever the Indonesian catalogue says."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mitra.testing_browser import login_as
from mitra.training import certificates
from mitra.training.tests.test_certificates import PDFTOPPM, ZBARIMG, certificate_for, qr_payloads

pytestmark = pytest.mark.browser


def _qr_payload(page, live_server, certificate, tmp_path) -> str:
    """The URL in the QR code of the certificate's PDF as the officer downloads it (decoded when
    poppler and zbar are installed, else built the way the view builds it)."""
    response = page.request.get(
        live_server.url + reverse("training:certificate_pdf", args=[certificate.pk])
    )
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    if PDFTOPPM and ZBARIMG:
        payloads = qr_payloads(pdf, tmp_path)
        assert len(payloads) == 1
        return payloads[0]
    return certificates.verification_url(certificate.verify_code, live_server.url)


def test_the_qr_code_opens_the_verification_page_which_follows_a_revocation(
    page, live_server, bantul_officer, tmp_path
):
    certificate = certificate_for(full_name="Siti Rahayu")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    login_as(page, live_server, bantul_officer)
    payload = _qr_payload(page, live_server, certificate, tmp_path)
    assert payload == f"{live_server.url}/verifikasi/{certificate.verify_code}/"

    # Anyone scanning the code: a separate browser without a login.
    visitor = page.context.browser.new_context(locale="id-ID")
    visitor.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    public = visitor.new_page()
    try:
        public.goto(payload)
        expect(public.locator("h1")).to_have_text("Certificate verification")
        expect(public.locator(".verify-result")).to_have_attribute("data-state", "valid")
        expect(public.locator(".verify-result")).to_contain_text("This certificate is valid.")
        expect(public.locator(".facts")).to_contain_text("Sit* Rah***")
        expect(public.locator(".facts")).to_contain_text(certificate.number)
        expect(public.locator("body")).not_to_contain_text("Siti Rahayu")
        expect(public.locator(".sidebar")).to_have_count(0)

        # The officer revokes it on the certificate's page.
        page.goto(live_server.url + reverse("training:certificate_detail", args=[certificate.pk]))
        expect(page.locator(".status")).to_have_text("Valid")
        page.locator("#id_reason").fill("Peserta tidak hadir pada hari terakhir")
        page.locator("#id_understood").check()
        page.get_by_role("button", name="Revoke the certificate").click()
        expect(page.locator(".messages")).to_contain_text("was revoked")
        expect(page.locator(".status").first).to_have_text("Revoked")
        expect(page.get_by_role("button", name="Revoke the certificate")).to_have_count(0)

        # The same QR address now says so, without the officer's reason.
        public.goto(payload)
        expect(public.locator(".verify-result")).to_have_attribute("data-state", "revoked")
        expect(public.locator(".verify-result")).to_contain_text("it was revoked")
        expect(public.locator("body")).not_to_contain_text("tidak hadir")
    finally:
        visitor.close()
