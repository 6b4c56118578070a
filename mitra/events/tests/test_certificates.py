"""Participation certificates: for participants who attended enough; numbered; printed by the
training machinery with the event's words; verifiable on the public page; revocable."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.core.models import Job
from mitra.events import certificates, services

from .builders import make_event, registered, worker_in

pytestmark = pytest.mark.django_db


def _attended(event, invitation, user, n):
    sessions = list(event.sessions.values_list("pk", flat=True))[:n]
    services.record_attendance(invitation, user, set(sessions))


def test_certificates_only_for_enough_attendance_and_numbered_in_order(national_admin):
    event = make_event(sessions=4)  # attendance_min 50%
    ani = registered(event, worker_in("3402", full_name="Ani"))
    budi = registered(event, worker_in("3404", full_name="Budi"))
    _attended(event, ani, national_admin, 2)
    _attended(event, budi, national_admin, 1)
    first = services.issue_certificate(ani, national_admin)
    assert first.number == f"TEMNAS/{event.ends_on:%Y}/{event.pk:05d}/0001"
    assert services.issue_certificate(ani, national_admin).pk == first.pk
    with pytest.raises(ValidationError):
        services.issue_certificate(budi, national_admin)


def test_the_pdf_says_participation_in_the_event(national_admin, tmp_path):
    from mitra.training.tests.test_certificates import PDFTOTEXT, pdf_text

    if not PDFTOTEXT:
        pytest.skip("pdftotext (poppler-utils) is not installed: the text is not checked")
    event = make_event(sessions=2, name="Temu Nasional PSM Berprestasi 2018")
    ani = registered(event, worker_in("3402", full_name="Ani Lestari"))
    _attended(event, ani, national_admin, 2)
    certificate = services.issue_certificate(ani, national_admin)
    facts = certificates.facts_for(certificates.printable().get(pk=certificate.pk), "https://m.id")
    words = " ".join(pdf_text(certificates.printing.certificate_pdf(facts), tmp_path).split())
    assert "telah berpartisipasi sebagai peserta dalam" in words
    assert "Temu Nasional PSM Berprestasi 2018" in words
    assert "Ani Lestari" in words and certificate.number in words
    assert "LULUS" not in words and "JPL" not in words


def test_public_verification_shows_validity_then_revocation(national_admin, client):
    event = make_event(sessions=1)
    ani = registered(event, worker_in("3402", full_name="Ani Lestari"))
    _attended(event, ani, national_admin, 1)
    certificate = services.issue_certificate(ani, national_admin)
    url = f"/verifikasi/{certificate.verify_code}/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-state="valid"' in body and certificate.number in body
    assert "Ani Lestari" not in body and "A** Les****" in body
    with pytest.raises(ValidationError):
        services.revoke_certificate(certificate, national_admin, "  ")
    services.revoke_certificate(certificate, national_admin, "Data peserta keliru")
    assert 'data-state="revoked"' in client.get(url).content.decode()
    assert client.get("/verifikasi/tidak-ada-kode/").status_code == 404


def test_only_organisers_revoke(bantul_officer, national_admin):
    event = make_event(sessions=1)
    ani = registered(event, worker_in("3402"))
    _attended(event, ani, national_admin, 1)
    certificate = services.issue_certificate(ani, national_admin)
    with pytest.raises(PermissionDenied):
        services.revoke_certificate(certificate, bantul_officer, "alasan")


def test_the_batch_job_issues_and_zips_the_qualifying_participants(
    national_admin, settings, tmp_path
):
    import zipfile

    settings.MEDIA_ROOT = tmp_path
    event = make_event(sessions=2)
    ani = registered(event, worker_in("3402", full_name="Ani"))
    budi = registered(event, worker_in("3404", full_name="Budi"))
    registered(event, worker_in("3471", full_name="Cici"))  # attended nothing
    _attended(event, ani, national_admin, 2)
    _attended(event, budi, national_admin, 1)
    job = Job.objects.create(kind=certificates.JOB_KIND, title="t", created_by=national_admin)
    result = certificates.run_certificate_batch(
        job=job, progress=lambda *a: None, event_id=event.pk, base_url="https://m.id", language="id"
    )
    assert (result["issued"], result["printed"]) == (2, 2)
    names = zipfile.ZipFile(certificates.printing.storage_path(result["file"])).namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    again = certificates.run_certificate_batch(
        job=job, progress=lambda *a: None, event_id=event.pk, base_url="https://m.id", language="id"
    )
    assert again["issued"] == 0


def test_revoking_on_the_page_needs_the_ticked_box(national_admin, client_for):
    """Irreversible (issue 13): without "Saya mengerti" the server revokes nothing."""
    from django.urls import reverse

    event = make_event(sessions=1)
    ani = registered(event, worker_in("3402"))
    _attended(event, ani, national_admin, 1)
    certificate = services.issue_certificate(ani, national_admin)
    client = client_for(national_admin)
    url = reverse("events:certificate_revoke", args=[certificate.pk])
    refused = client.post(url, {"reason": "Data peserta keliru"})
    assert refused.status_code == 400 and "tidak dapat dibatalkan" in refused.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    client.post(url, {"reason": "Data peserta keliru", "understood": "on"})
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
