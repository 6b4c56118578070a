"""An auditor opens a file about a person only with a stated reason, recorded in the access log
with the read (ADR 0021); an officer of the area downloads it as before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mitra.core.models import AccessLog
from mitra.testing_files import pdf_bytes
from mitra.workers.tests.factories import WorkerFactory, activate

pytestmark = pytest.mark.django_db
PDF = pdf_bytes()
REASON = "Audit BPK 2026, surat tugas 12/AUD/2026"


@pytest.fixture
def scan_url(bantul_officer):
    worker = activate(WorkerFactory(ready=True), bantul_officer)
    decree = worker.decrees.get()
    decree.scan = SimpleUploadedFile("a.pdf", PDF)
    decree.save()
    return reverse("workers:decree_scan", args=[worker.pk, decree.pk]), worker


def test_an_auditor_is_asked_for_a_reason_before_a_decree_scan_and_nothing_is_handed_over(
    auditor, client_for, scan_url
):
    url, worker = scan_url
    client = client_for(auditor)
    asked = client.get(url)
    assert asked.status_code == 200 and "core/reason.html" in [t.name for t in asked.templates]
    assert asked["Content-Type"].startswith("text/html")
    blank = client.post(url, {"reason": "  "})
    assert blank.status_code == 200 and blank.context["form"].errors["reason"]
    assert not AccessLog.objects.filter(object_id=str(worker.pk), user=auditor).exists()


def test_an_auditors_read_with_a_reason_is_logged_with_that_reason(auditor, client_for, scan_url):
    url, worker = scan_url
    response = client_for(auditor).post(url, {"reason": REASON})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    log = AccessLog.objects.get(object_id=str(worker.pk), user=auditor)
    assert REASON in log.purpose


def test_an_officer_of_the_area_downloads_without_a_reason(bantul_officer, client_for, scan_url):
    url, _worker = scan_url
    response = client_for(bantul_officer).get(url)
    assert response["Content-Type"] == "application/pdf"
