"""Certificates: the PDF (what it says, what it never says, its QR code), who may download it, the
certificate's page with the revoke form, and the public verification page."""

import dataclasses
import datetime
import shutil
import subprocess

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from mitra.core.models import AccessLog
from mitra.training import certificates, services
from mitra.training.models import BatchStatus, Certificate, Enrolment, EnrolmentStatus, Result
from mitra.training.tests.builders import make_batch
from mitra.workers.models import Worker
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
ZBARIMG = shutil.which("zbarimg")


# ---- builders ---------------------------------------------------------------------------------


def passed(batch, worker) -> Enrolment:
    """A worker who sat the batch and passed (the rules themselves are tested in test_rules)."""
    return Enrolment.objects.create(
        batch=batch,
        worker=worker,
        status=EnrolmentStatus.ENROLLED,
        result=Result.PASSED,
        pre_score=60,
        post_score=88,
    )


def finished_batch(code="PSM-D", region="34", **kwargs):
    kwargs.setdefault("status", BatchStatus.FINISHED)
    return make_batch(code, region=region, **kwargs)


def certificate_for(worker: Worker | None = None, batch=None, **worker_fields) -> Certificate:
    """A certificate of the basic course, for a Trimulyo worker unless told otherwise."""
    batch = batch or finished_batch()
    worker = worker or build_worker(**worker_fields)
    return services.issue_certificate(passed(batch, worker))


def english(client, user=None):
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def pdf_text(data: bytes, tmp_path, layout=True) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    options = ["-layout"] if layout else ["-raw"]  # -layout leaves rotated text out
    result = subprocess.run(  # noqa: S603 - a fixed tool on a file we wrote
        [PDFTOTEXT, *options, str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout


def qr_payloads(data: bytes, tmp_path) -> list[str]:
    """Decode the QR codes on the rendered page (pdftoppm + zbarimg)."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    subprocess.run(  # noqa: S603
        [PDFTOPPM, "-png", "-r", "150", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    result = subprocess.run(  # noqa: S603
        [ZBARIMG, "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
    )
    return [line for line in result.stdout.splitlines() if line]


# ---- words and dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((2026, 3, 2), (2026, 3, 6), "2 – 6 Maret 2026"),
        ((2026, 2, 28), (2026, 3, 3), "28 Februari – 3 Maret 2026"),
        ((2025, 12, 29), (2026, 1, 2), "29 Desember 2025 – 2 Januari 2026"),
        ((2026, 8, 17), (2026, 8, 17), "17 Agustus 2026"),
    ],
)
def test_batch_dates_are_written_the_indonesian_way(start, end, expected):
    assert certificates.date_range(datetime.date(*start), datetime.date(*end)) == expected


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Siti Rahayu", "Sit* Rah***"),
        ("Ani", "A**"),
        ("Muhammad Ma'ruf Nur", "Muh***** Ma'*** N**"),
        ("Dra. Sri Lestari", "Dra. S** Les****"),
    ],
)
def test_the_public_name_keeps_only_the_first_letters_of_each_word(name, masked):
    assert certificates.mask_name(name) == masked


# ---- the PDF ------------------------------------------------------------------------------------


def test_the_certificate_pdf_says_what_was_passed_and_never_the_nik(
    bantul_officer, client_for, tmp_path
):
    certificate = certificate_for(full_name="Siti Rahayu")
    worker = certificate.enrolment.worker
    response = client_for(bantul_officer).get(
        reverse("training:certificate_pdf", args=[certificate.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "Siti" not in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"%PDF")
    assert worker.nik.encode() not in data
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the text is not checked")
    text = " ".join(pdf_text(data, tmp_path).split())
    for words in (
        "SERTIFIKAT",
        f"Nomor: {certificate.number}",
        "diberikan kepada",
        "Siti Rahayu",
        "telah mengikuti dan dinyatakan LULUS",
        "Pelatihan Dasar Pekerja Sosial Masyarakat",
        "40 jam pelajaran (JPL)",
        "2 – 6 Maret 2026",
        "BBPPKS Yogyakarta",
        "Desa Trimulyo, Kecamatan Jetis, Kabupaten Bantul",
        "Bantul, 6 Maret 2026",
        "Dra. Sri Lestari",
        "Kepala BBPPKS Yogyakarta",
    ):
        assert words in text, words
    assert worker.nik not in text.replace(" ", "")
    assert worker.nik_masked not in text
    assert "berlaku sampai" not in text  # the basic course does not expire


def test_a_certificate_that_expires_says_until_when(tmp_path):
    batch = finished_batch("PSM-L", starts=datetime.date(2026, 5, 4))
    certificate = certificate_for(batch=batch)
    assert certificate.valid_until == datetime.date(2031, 5, 8)
    data = certificates.certificate_pdf(certificates.facts_for(certificate, "https://x.test"))
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = " ".join(pdf_text(data, tmp_path).split())
    assert "Sertifikat ini berlaku sampai dengan 8 Mei 2031." in text
    assert "60 jam pelajaran (JPL)" in text


def test_the_qr_code_holds_the_absolute_verification_url(bantul_officer, client_for, tmp_path):
    certificate = certificate_for()
    expected = f"http://testserver/verifikasi/{certificate.verify_code}/"
    assert certificates.verification_url(certificate.verify_code, "http://testserver") == expected
    data = (
        client_for(bantul_officer)
        .get(reverse("training:certificate_pdf", args=[certificate.pk]))
        .content
    )
    assert certificates.qr_matrix(expected)  # a payload segno encodes
    if not (PDFTOPPM and ZBARIMG):
        pytest.skip("pdftoppm or zbarimg is not installed: the QR code is not decoded")
    assert qr_payloads(data, tmp_path) == [expected]


def test_without_a_request_the_public_address_comes_from_the_setting(settings):
    settings.MITRA_PUBLIC_URL = "https://mitra.kemensos.go.id/"
    assert (
        certificates.verification_url("AbC-12_x")
        == "https://mitra.kemensos.go.id/verifikasi/AbC-12_x/"
    )


def test_a_revoked_certificate_prints_as_revoked(tmp_path):
    certificate = certificate_for()
    facts = certificates.facts_for(certificate, "https://x.test")
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "DICABUT" not in pdf_text(certificates.certificate_pdf(facts), tmp_path, False)
    revoked = dataclasses.replace(facts, revoked=True)
    assert "DICABUT" in pdf_text(certificates.certificate_pdf(revoked), tmp_path, False)


def test_the_embedded_font_subsets_are_built_once_for_many_certificates():
    fonts = certificates.certificate_fonts()
    if fonts.built_in:
        pytest.skip("the DejaVu fonts are missing: nothing is embedded")
    certificate = certificate_for(full_name="Budi Santoso")
    facts = certificates.facts_for(certificate, "https://x.test")
    certificates.certificate_pdf(facts)
    cached = [len(font._parts) for font in fonts.embedded]
    for name in ("Ani Wijaya", "Ratna Sari Dewi", "Yohanes Léo Nggadas"):
        certificates.certificate_pdf(dataclasses.replace(facts, holder=name))
    assert [len(font._parts) for font in fonts.embedded] == cached


def test_certificates_of_different_batches_printed_in_turn_keep_their_own_text(tmp_path):
    """The layer a batch's certificates share is recorded once and replayed: it must never leak
    into another batch's certificate."""
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    basic = certificates.facts_for(certificate_for(full_name="Ani Wijaya"), "https://x.test")
    other = dataclasses.replace(
        basic,
        holder="Budi Santoso",
        course_title="Konseling Keluarga bersama LK3",
        organiser="Dinas Sosial Kabupaten Sleman",
        hours=24,
    )
    texts = []
    for facts in (basic, other, basic, other):
        text = " ".join(pdf_text(certificates.certificate_pdf(facts), tmp_path).split())
        texts.append(text)
    assert texts[0] == texts[2] and texts[1] == texts[3]
    assert "Pelatihan Dasar" in texts[0] and "BBPPKS Yogyakarta" in texts[0]
    assert "Konseling Keluarga" not in texts[0] and "Sleman" not in texts[0]
    assert "Konseling Keluarga bersama LK3" in texts[1] and "24 jam pelajaran" in texts[1]
    assert "Dinas Sosial Kabupaten Sleman" in texts[1] and "Pelatihan Dasar" not in texts[1]


def test_a_long_name_goes_on_two_lines_without_losing_a_word(tmp_path):
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    name = "Raden Ajeng Siti Nurhaliza Kusumawardhani Prawirodirdjo Sastrowardoyo Mangkunegoro"
    facts = certificates.facts_for(certificate_for(full_name=name), "https://x.test")
    text = " ".join(pdf_text(certificates.certificate_pdf(facts), tmp_path, False).split())
    assert name in text
    assert "Bantul, 6 Maret 2026" in text and "Dra. Sri Lestari" in text


def test_a_name_with_rarer_letters_still_prints(tmp_path):
    facts = certificates.facts_for(certificate_for(), "https://x.test")
    data = certificates.certificate_pdf(dataclasses.replace(facts, holder="Đặng Thị Hương"))
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "Đặng Thị Hương" in pdf_text(data, tmp_path)


def test_without_the_dejavu_fonts_the_built_in_helvetica_is_used(monkeypatch, tmp_path):
    facts = certificates.facts_for(certificate_for(full_name="Siti Rahayu"), "https://x.test")
    monkeypatch.setattr(certificates, "_font_directory", lambda: None)
    certificates.certificate_fonts.cache_clear()
    try:
        fonts = certificates.certificate_fonts()
        assert fonts.built_in and fonts.regular == "Helvetica"
        data = certificates.certificate_pdf(dataclasses.replace(facts, holder="Đặng Nguyễn Siti"))
    finally:
        certificates.certificate_fonts.cache_clear()
    assert data.startswith(b"%PDF")
    if PDFTOTEXT is None:
        return
    text = pdf_text(data, tmp_path)
    assert "SERTIFIKAT" in text and "Dang Nguyen Siti" in text


# ---- who may download ---------------------------------------------------------------------------


def test_an_officer_outside_the_area_gets_404(sleman_officer, client_for):
    certificate = certificate_for()
    client = client_for(sleman_officer)
    assert client.get(reverse("training:certificate_pdf", args=[certificate.pk])).status_code == 404
    detail = reverse("training:certificate_detail", args=[certificate.pk])
    assert client.get(detail).status_code == 404


def test_a_worker_downloads_their_own_certificate_but_not_a_neighbours(trimulyo_worker, client_for):
    own = certificate_for(user=trimulyo_worker, full_name="Siti Rahayu")
    neighbour = certificate_for(full_name="Budi Santoso")  # same village, same batch
    client = client_for(trimulyo_worker)
    response = client.get(reverse("training:certificate_pdf", args=[own.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(reverse("training:certificate_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("training:certificate_pdf", args=[neighbour.pk])).status_code == 404


def test_a_worker_who_moved_away_still_gets_their_certificate(trimulyo_worker, client_for):
    certificate = certificate_for(user=trimulyo_worker)
    # The certificate stays with the region where it was earned.
    Certificate.objects.filter(pk=certificate.pk).update(region_code="3404012001")
    response = client_for(trimulyo_worker).get(
        reverse("training:certificate_pdf", args=[certificate.pk])
    )
    assert response.status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, regions):
    certificate = certificate_for()
    for name in ("training:certificate_pdf", "training:certificate_detail"):
        response = client.get(reverse(name, args=[certificate.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_each_download_and_each_look_at_the_page_is_in_the_access_log(bantul_officer, client_for):
    certificate = certificate_for()
    worker = certificate.enrolment.worker
    client = client_for(bantul_officer)
    client.get(reverse("training:certificate_pdf", args=[certificate.pk]))
    client.get(reverse("training:certificate_detail", args=[certificate.pk]))
    rows = AccessLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Worker), object_id=str(worker.pk)
    )
    assert [(r.action, r.user) for r in rows.order_by("id")] == [
        (AccessLog.Action.PRINT, bantul_officer),
        (AccessLog.Action.VIEW, bantul_officer),
    ]
    assert all(r.region_code == "3402092004" for r in rows)
    assert all(worker.full_name not in r.purpose for r in rows)


def test_one_pdf_takes_a_few_queries(bantul_officer, client_for, django_assert_max_num_queries):
    certificate = certificate_for()
    client = client_for(bantul_officer)
    url = reverse("training:certificate_pdf", args=[certificate.pk])
    client.get(url)
    # session, user, its two-factor device, the certificate with everything it prints, the
    # access-log row, the session saved again (in a savepoint: 2 more)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


# ---- the certificate's page and revoking -------------------------------------------------------


def test_the_page_shows_the_certificate_and_the_revoke_form(bantul_officer, client):
    certificate = certificate_for(full_name="Siti Rahayu")
    response = english(client, bantul_officer).get(
        reverse("training:certificate_detail", args=[certificate.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    for words in (
        certificate.number,
        "Siti Rahayu",
        "Pelatihan Dasar Pekerja Sosial Masyarakat",
        "no expiry",
        reverse("training:certificate_pdf", args=[certificate.pk]),
        reverse("training:certificate_revoke", args=[certificate.pk]),
        f"http://testserver/verifikasi/{certificate.verify_code}/",
    ):
        assert words in page, words
    assert response.context["state"] == "valid"
    assert certificate.enrolment.worker.nik not in page


def test_revoking_needs_a_reason_and_then_shows_everywhere(bantul_officer, client):
    certificate = certificate_for()
    client = english(client, bantul_officer)
    url = reverse("training:certificate_revoke", args=[certificate.pk])
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    response = client.post(url, {"reason": "Nilai post-test salah input", "understood": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("training:certificate_detail", args=[certificate.pk])
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_by == bantul_officer
    assert certificate.revoked_reason == "Nilai post-test salah input"
    page = client.get(response["Location"]).content.decode()
    assert "was revoked" in page and "Nilai post-test salah input" in page
    assert 'action="' + url not in page  # no second revoke form

    again = client.post(url, {"reason": "lagi", "understood": "on"})
    assert again.status_code == 400
    assert "already revoked" in again.content.decode()


def test_revoking_needs_the_ticked_box_even_without_javascript(bantul_officer, client):
    certificate = certificate_for()
    client = english(client, bantul_officer)
    url = reverse("training:certificate_revoke", args=[certificate.pk])
    refused = client.post(url, {"reason": "Nilai post-test salah input"})
    assert refused.status_code == 400
    assert "Tick the box to confirm: this cannot be undone." in refused.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_who_may_revoke(trimulyo_worker, sleman_officer, client_for):
    certificate = certificate_for(user=trimulyo_worker)
    url = reverse("training:certificate_revoke", args=[certificate.pk])
    assert client_for(trimulyo_worker).post(url, {"reason": "x"}).status_code == 403
    assert client_for(sleman_officer).post(url, {"reason": "x"}).status_code == 404
    assert client_for(sleman_officer).get(url).status_code == 405
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


# ---- the public verification page ---------------------------------------------------------------


def _verify(client, certificate_or_code):
    code = getattr(certificate_or_code, "verify_code", certificate_or_code)
    return english(client).get(reverse("certificate_verify", args=[code]))


def test_a_valid_certificate_is_shown_valid_with_a_masked_name(client, regions):
    certificate = certificate_for(full_name="Siti Rahayu")
    worker = certificate.enrolment.worker
    response = _verify(client, certificate)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["state"] == "valid"
    assert 'data-state="valid"' in page and "This certificate is valid." in page
    for words in (
        "Sit* Rah***",
        certificate.number,
        "Pelatihan Dasar Pekerja Sosial Masyarakat",
        "40 JPL",
        "2 – 6 March 2026",
        "BBPPKS Yogyakarta",
    ):
        assert words in page, words
    # Nothing else about the person.
    for secret in (
        "Siti Rahayu",
        worker.nik,
        worker.nik_masked,
        "Trimulyo",
        "Kembangsongo",
        str(worker.pk),
    ):
        assert secret not in page, secret
    # A page for anyone, kept out of search engines, without the application around it.
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "sidebar" not in page and reverse("accounts:logout") not in page


def test_a_logged_in_officer_sees_the_same_public_page(bantul_officer, client):
    certificate = certificate_for(full_name="Siti Rahayu")
    page = _verify(english(client, bantul_officer), certificate).content.decode()
    assert "Sit* Rah***" in page and "Siti Rahayu" not in page


def test_a_revoked_certificate_shows_the_date_not_the_reason(bantul_officer, client):
    certificate = certificate_for()
    services.revoke_certificate(certificate, bantul_officer, "Data peserta dipalsukan")
    response = _verify(client, certificate)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["state"] == "revoked"
    revoked_on = timezone.localdate(certificate.revoked_at)
    assert "revoked" in page and f"Revoked on {revoked_on:%-d %B %Y}" in page
    assert "dipalsukan" not in page
    assert "This certificate is valid." not in page


def test_an_expired_certificate_says_until_when_it_was_valid(client, regions):
    certificate = certificate_for()
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=datetime.date(2025, 1, 31))
    response = _verify(client, certificate)
    page = response.content.decode()
    assert response.context["state"] == "expired"
    assert "This certificate has expired." in page and "31 January 2025" in page


def test_an_unknown_code_gets_a_friendly_404(client, regions):
    response = _verify(client, "tidak-ada-kode-ini")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Certificate not found" in page and "scan the QR code" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_the_public_page_is_in_indonesian_by_default(client, regions):
    certificate = certificate_for(full_name="Siti Rahayu")
    response = client.get(reverse("certificate_verify", args=[certificate.verify_code]))
    assert response.status_code == 200
    assert "2 – 6 Maret 2026" in response.content.decode()


def test_the_verification_page_is_marked_as_deliberately_public():
    from django.urls import resolve

    from mitra.training.views_certificates import certificate_verify

    match = resolve("/verifikasi/AbCdEf123/")
    assert match.func is certificate_verify
    assert match.url_name == "certificate_verify" and match.namespace == ""
    assert certificate_verify.public_route
    assert certificate_verify.login_required is False


def test_the_other_certificate_pages_are_not_public():
    from mitra.training import views_certificates as views

    for view in (
        views.certificate_detail,
        views.certificate_pdf,
        views.certificate_revoke,
        views.certificate_batch_generate,
        views.certificate_batch_download,
    ):
        assert not getattr(view, "public_route", None), view.__name__
