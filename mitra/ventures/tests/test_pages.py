"""The ventures pages: recording a venture, its support (with the scanned proof) and a result,
scope (out of sight is 404), the access log and the change history."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mitra.core.models import AccessLog, ChangeLog
from mitra.testing_files import pdf_bytes
from mitra.ventures.models import Support, Venture, VentureResult
from mitra.workers.tests.builders import build_worker

from .builders import build_support, build_venture, national_kind

pytestmark = pytest.mark.django_db
PDF = pdf_bytes()


def test_an_officer_records_a_venture_for_a_psm_of_the_area(regions, bantul_officer, client_for):
    worker = build_worker(status="active")
    client = client_for(bantul_officer)
    page = client.get(reverse("ventures:create"))
    assert page.status_code == 200
    assert "Nama usaha" in page.content.decode()
    response = client.post(
        reverse("ventures:create"),
        {
            "name": "Katering Bu Siti",
            "worker": str(worker.pk),
            "kind": national_kind("Kuliner dan katering").pk,
            "village_code": "34.02.09.2004",
            "status": "running",
            "started_on": "2025-02-01",
        },
    )
    venture = Venture.objects.get()
    assert response.status_code == 302
    assert (venture.region_code, venture.created_by) == ("3402092004", bantul_officer)
    assert ChangeLog.for_object(venture).filter(action="create").exists()


def test_a_running_venture_without_a_start_date_is_refused_with_the_reason(
    regions, bantul_officer, client_for
):
    worker = build_worker(status="active")
    response = client_for(bantul_officer).post(
        reverse("ventures:create"),
        {
            "name": "Warung",
            "worker": str(worker.pk),
            "kind": national_kind().pk,
            "village_code": "3402092004",
            "status": "running",
        },
    )
    assert response.status_code == 200
    assert "tanggal mulai" in response.content.decode().lower()
    assert not Venture.objects.exists()


def test_the_venture_page_logs_the_read_and_shows_rupiah_the_indonesian_way(
    regions, bantul_officer, client_for
):
    venture = build_venture()
    build_support(venture)
    response = client_for(bantul_officer).get(reverse("ventures:detail", args=[venture.pk]))
    assert response.status_code == 200
    assert "Rp 5.000.000" in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.object_id, log.user) == (str(venture.pk), bantul_officer)


def test_a_venture_outside_the_area_is_not_found(regions, sleman_officer, client_for):
    venture = build_venture()
    client = client_for(sleman_officer)
    for name in ("ventures:detail", "ventures:update", "ventures:support_add"):
        assert client.get(reverse(name, args=[venture.pk])).status_code == 404
    assert not client.get(reverse("ventures:list")).context["object_list"]


def test_a_grant_is_recorded_with_its_scanned_proof_served_only_in_scope(
    regions, bantul_officer, sleman_officer, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    venture = build_venture()
    client = client_for(bantul_officer)
    response = client.post(
        reverse("ventures:support_add", args=[venture.pk]),
        {
            "kind": "capital",
            "source": "dinas",
            "programme": "Hibah UEP Dinsos Bantul",
            "amount": "Rp 7.500.000",
            "received_on": "2025-03-03",
            "proof": SimpleUploadedFile("kwitansi Siti 3402.pdf", PDF),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    support = Support.objects.get()
    assert support.amount == 7_500_000
    assert "Siti" not in support.proof.name  # a random name, never the uploaded one
    url = reverse("ventures:support_proof", args=[venture.pk, support.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    client.force_login(sleman_officer)
    assert client.get(url).status_code == 404


def test_a_proof_that_is_not_a_pdf_or_image_is_refused(regions, bantul_officer, client_for):
    venture = build_venture()
    response = client_for(bantul_officer).post(
        reverse("ventures:support_add", args=[venture.pk]),
        {
            "kind": "equipment",
            "source": "csr",
            "programme": "CSR",
            "amount": "2000000",
            "received_on": "2025-03-03",
            "proof": SimpleUploadedFile("bukti.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 200
    assert not Support.objects.exists()


def test_the_psm_adds_a_quarterly_result_to_their_own_venture_only(
    regions, trimulyo_worker, client_for
):
    own = build_venture(worker=build_worker(user=trimulyo_worker, status="active"))
    other = build_venture(name="Warung Tetangga")
    client = client_for(trimulyo_worker)
    page = client.get(reverse("ventures:result_add", args=[own.pk]))
    period = page.context["form"].fields["period"].choices[1][0]  # last quarter
    response = client.post(
        reverse("ventures:result_add", args=[own.pk]),
        {
            "period": period,
            "turnover": "4.500.000",
            "income_band": "2",
            "people_working": "2",
            "beneficiaries_involved": "0",
        },
    )
    assert response.status_code == 302
    result = VentureResult.objects.get()
    assert (result.period_kind, result.turnover) == ("quarter", 4_500_000)
    assert client.get(reverse("ventures:result_add", args=[other.pk])).status_code == 404
    assert client.get(reverse("ventures:update", args=[own.pk])).status_code == 403


def test_an_officer_changes_the_status_to_stopped_with_a_reason(
    regions, jetis_supervisor, client_for
):
    venture = build_venture()
    response = client_for(jetis_supervisor).post(
        reverse("ventures:update", args=[venture.pk]),
        {
            "name": venture.name,
            "kind": venture.kind_id,
            "village_code": venture.village_id,
            "status": "stopped",
            "started_on": "2024-03-01",
            "stopped_on": "2025-10-01",
            "stop_reason": "market",
            "version": venture.version,
        },
    )
    assert response.status_code == 302
    venture.refresh_from_db()
    assert (venture.status, venture.stopped_on) == ("stopped", datetime.date(2025, 10, 1))
    change = ChangeLog.for_object(venture).filter(action="update").get()
    assert "status" in change.changes


def test_an_officer_adds_a_kind_of_business_for_their_area(regions, bantul_officer, client_for):
    client = client_for(bantul_officer)
    response = client.post(reverse("ventures:kinds"), {"name": "Batik tulis"})
    assert response.status_code == 302
    assert "Batik tulis" in client.get(reverse("ventures:kinds")).content.decode()


def test_a_psm_cannot_extend_the_kinds(regions, trimulyo_worker, client_for):
    response = client_for(trimulyo_worker).post(reverse("ventures:kinds"), {"name": "Batik"})
    assert response.status_code == 403
