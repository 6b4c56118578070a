"""Importing ventures and their support from a spreadsheet: the per-row report (each rule, in
Indonesian), scope refusal, all-or-nothing on confirm, and a re-import that adds nothing."""

import csv
import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from mitra.core.models import ChangeLog, Job
from mitra.regions.models import Village
from mitra.ventures import services
from mitra.ventures.models import Support, Venture
from mitra.workers.tests.builders import build_worker

from .builders import build_support, build_venture, national_kind

pytestmark = pytest.mark.django_db
HEADER = [
    "NIK PSM", "Nama Usaha", "Jenis Usaha", "Tanggal Mulai", "Kode Desa", "Status",
    "Jumlah Anggota", "Jenis Dukungan", "Sumber", "Jumlah (Rp)", "Tanggal Dukungan",
]  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def psm(regions):
    national_kind("Warung sembako")
    return build_worker(status="active", full_name="PSM Bantul")


def _csv(rows) -> SimpleUploadedFile:
    lines = [["DATA USAHA PSM 2025"], HEADER, *rows]
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(lines)
    return SimpleUploadedFile("usaha.csv", out.getvalue().encode(), content_type="text/csv")


def _upload(client, rows) -> Job:
    response = client.post(reverse("ventures:import_start"), {"file": _csv(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.get(kind="ventures.import", pk=response.url.split("/")[-2])


def _good(nik, name="Warung Makmur", **extra):
    row = {
        "nik": nik, "name": name, "kind": "Warung sembako", "start": "01-03-2025",
        "village": "34.02.09.2004", "status": "berjalan", "members": "1",
        "skind": "Modal", "source": "Kemensos", "amount": "5.000.000", "sdate": "15-03-2025",
    }  # fmt: skip
    row.update(extra)
    return list(row.values())


def test_a_file_with_good_and_bad_rows_reports_each_bad_row_and_writes_the_good(
    psm, bantul_officer, client_for
):
    client = client_for(bantul_officer)
    client.cookies["django_language"] = "id"
    nik = psm.nik
    rows = [
        _good(nik),  # row 3: new venture + support
        _good(nik, skind="Pelatihan", amount="", source="Dinas"),  # row 4: second support
        _good("12345", name="A"),  # 5: not a NIK
        _good(nik, name="B", kind="Ternak unta"),  # 6: unknown kind
        _good(nik, name="C", start="31-02-2025"),  # 7: not a real date
        _good(nik, name="D", village="3402092999"),  # 8: no such village
        _good(nik, name="E", status="entah"),  # 9: unknown status
        _good(nik, name="F", members="banyak"),  # 10: not a count
        _good(nik, name="G", skind="Modal", amount=""),  # 11: capital without amount
        _good(nik, name="H", source="Tetangga"),  # 12: unknown source
        _good(nik, name="", start=""),  # 13: no name
        _good(nik, name="I", start="01-01-2099"),  # 14: start in the future
        _good(nik, name="J", status="berjalan", start=""),  # 15: running without start
        _good(nik, name="K", sdate="01-01-2099"),  # 16: support date in the future
    ]
    job = _upload(client, rows)
    result = job.result
    assert result["counts"] == {
        "read": 14, "ventures": 1, "supports": 2, "unchanged": 0, "invalid": 12,
    }  # fmt: skip
    by_row = {row: (column, reason) for row, column, reason in result["problems"]}
    assert sorted(by_row) == list(range(5, 17))
    assert by_row[5][0] == "NIK PSM (A)"
    assert by_row[6][0] == "Jenis Usaha (C)"
    assert by_row[8][0] == "Kode Desa (E)"
    assert by_row[11][0] == "Jumlah (Rp) (J)"
    assert by_row[16][0] == "Tanggal Dukungan (K)"
    page = client.get(reverse("ventures:import_detail", args=[job.pk])).content.decode()
    assert "Jenis Usaha (C)" in page and "Tulis baris yang valid" in page
    assert not Venture.objects.exists()

    response = client.post(reverse("ventures:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    venture = Venture.objects.get()
    assert (venture.name, venture.status, venture.created_by) == (
        "Warung Makmur", "running", bantul_officer,
    )  # fmt: skip
    assert sorted(venture.supports.values_list("kind", flat=True)) == ["capital", "training"]
    assert ChangeLog.for_object(venture).filter(action="create").exists()
    job.refresh_from_db()
    assert job.params["phase"] == "write"
    assert job.result["written"] == {"ventures": 1, "supports": 2}
    again = client.post(reverse("ventures:import_confirm", args=[job.pk]))
    assert again.status_code == 302
    assert Venture.objects.count() == 1 and Support.objects.count() == 2


def test_a_psm_outside_the_officers_area_is_an_error_for_that_row(psm, sleman_officer, client_for):
    sleman_village = Village.objects.filter(code__startswith="3404").order_by("code").first()
    sleman_psm = build_worker(status="active", village=sleman_village.code, full_name="PSM Sleman")
    client = client_for(sleman_officer)
    client.cookies["django_language"] = "id"
    job = _upload(client, [_good(psm.nik), _good(sleman_psm.nik, village=sleman_village.code)])
    assert job.result["counts"]["ventures"] == 1
    assert {row for row, _column, _reason in job.result["problems"]} == {3}
    [reason] = [r for _row, column, r in job.result["problems"] if column == "NIK PSM (A)"]
    assert "di luar wilayah" in reason
    client.post(reverse("ventures:import_confirm", args=[job.pk]))
    assert list(Venture.objects.values_list("worker_id", flat=True)) == [sleman_psm.pk]


def test_another_areas_import_is_not_found(psm, bantul_officer, sleman_officer, client_for):
    job = _upload(client_for(bantul_officer), [_good(psm.nik)])
    other = client_for(sleman_officer)
    assert other.get(reverse("ventures:import_detail", args=[job.pk])).status_code == 404
    assert other.post(reverse("ventures:import_confirm", args=[job.pk])).status_code == 404
    assert not Venture.objects.exists()


def test_the_write_is_all_or_nothing(psm, bantul_officer, client_for):
    client = client_for(bantul_officer)
    job = _upload(client, [_good(psm.nik), _good(psm.nik, name="Kedua")])
    assert job.result["counts"]["ventures"] == 2
    real = services.add_support
    calls = []

    def failing(support, user):
        calls.append(support)
        if len(calls) == 2:
            raise DatabaseError("disk full")
        return real(support, user)

    with (
        mock.patch.object(services, "add_support", failing),
        pytest.raises(DatabaseError),
    ):
        client.post(reverse("ventures:import_confirm", args=[job.pk]))
    assert len(calls) == 2
    assert not Venture.objects.exists() and not Support.objects.exists()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED  # not left "running": the officer may upload again


def test_a_change_since_the_check_writes_nothing(psm, bantul_officer, client_for):
    client = client_for(bantul_officer)
    client.cookies["django_language"] = "id"
    other = build_worker(
        status="active", full_name="PSM Kedua", nik=None, birth_date=datetime.date(1990, 1, 2)
    )
    job = _upload(client, [_good(psm.nik), _good(other.nik, name="Kedua")])
    assert job.result["counts"]["ventures"] == 2
    # Between the check and the confirmation one PSM's venture became impossible to record: the
    # other row, still valid, is not written alone.
    other.kind = "tksk"
    other.save()
    response = client.post(reverse("ventures:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    assert not Venture.objects.exists()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "berubah" in job.message


def test_importing_the_same_file_again_adds_nothing(psm, bantul_officer, client_for):
    client = client_for(bantul_officer)
    existing = build_venture(worker=psm, name="Warung Makmur", kind=national_kind("Warung sembako"))
    build_support(existing, kind="capital", source="kemensos", amount=5_000_000,
                  received_on=datetime.date(2025, 3, 15))  # fmt: skip
    job = _upload(client, [_good(psm.nik), _good(psm.nik, skind="Pendampingan", amount="")])
    assert job.result["counts"] == {
        "read": 2, "ventures": 0, "supports": 1, "unchanged": 1, "invalid": 0,
    }  # fmt: skip
    client.post(reverse("ventures:import_confirm", args=[job.pk]))
    assert Venture.objects.count() == 1
    assert sorted(existing.supports.values_list("kind", flat=True)) == ["capital", "mentoring"]
    second = _upload(client, [_good(psm.nik), _good(psm.nik, skind="Pendampingan", amount="")])
    assert second.result["counts"]["unchanged"] == 2
    assert second.result["counts"]["ventures"] == second.result["counts"]["supports"] == 0


def test_a_file_without_the_needed_columns_is_refused_with_the_reason(bantul_officer, client_for):
    client = client_for(bantul_officer)
    client.cookies["django_language"] = "id"
    upload = SimpleUploadedFile("x.csv", b"Nama;Alamat\nA;B\nC;D\n", content_type="text/csv")
    response = client.post(reverse("ventures:import_start"), {"file": upload}, follow=True)
    job = Job.objects.get(kind="ventures.import")
    assert job.status == Job.Status.FAILED
    assert "Nama Usaha" in response.content.decode()


def test_the_list_links_to_the_import(bantul_officer, trimulyo_worker, client_for):
    url = reverse("ventures:import_start")
    assert url in client_for(bantul_officer).get(reverse("ventures:list")).content.decode()
    assert client_for(bantul_officer).get(url).status_code == 200
    assert client_for(trimulyo_worker).get(url).status_code == 403
