"""The import pages: upload, columns, report (row, column, reason), confirmation, result; who may use
them, and another area's officer getting 404."""

import pytest
from django.urls import reverse

from mitra.core.models import ChangeLog, Job
from mitra.workers.importing.sources import import_dir
from mitra.workers.models import Worker

from .importfiles import HEADERS, person, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _file(tmp_path, rows=None, **kw):
    rows = rows or [person(1), person(2, **{"Tanggal Lahir": "31-02-1985"}), person(3)]
    return write_csv(tmp_path / "Data PSM Bantul.csv", rows, title_rows=["DATA PSM 2025"], **kw)


def upload(client, path):
    with path.open("rb") as fh:
        return client.post(reverse("workers:import_start"), {"file": fh})


def mapping_data(response, **changes):
    form = response.context["form"]
    data = {name: field.initial or "" for name, field in form.fields.items()}
    data.update(changes)
    data.setdefault("action", "check")
    return data


def uploaded_job(client, tmp_path, **kw):
    response = upload(client, _file(tmp_path, **kw))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    return Job.objects.get(kind="workers.import")


def test_the_whole_flow_with_a_bad_row(tmp_path, bantul_officer, client_for):
    client = client_for(bantul_officer)
    assert client.get(reverse("workers:import_start")).status_code == 200
    job = uploaded_job(client, tmp_path)
    detail = reverse("workers:import_detail", args=[job.pk])

    # Columns: recognised from the header under the title row.
    page = client.get(detail)
    assert page.templates[0].name == "workers/import_mapping.html"
    form = page.context["form"]
    assert form.mapping.header_row == 2
    assert form.fields["col_1"].initial == "full_name" and form.fields["col_0"].initial == ""
    assert "Warga Nomor 1" in page.text  # the first rows help to check the choice
    assert "3402********" in page.text and person(1)["NIK"] not in page.text

    # Report: counts, and the bad row with its row number, column and reason.
    response = client.post(reverse("workers:import_mapping", args=[job.pk]), mapping_data(page))
    assert response.status_code == 302
    report = client.get(detail)
    assert report.templates[0].name == "workers/import_report.html"
    assert report.context["counts"]["valid"] == 2 and report.context["counts"]["invalid"] == 1
    ((row, column, reason),) = report.context["problems"]
    assert (row, column) == (4, "Tanggal Lahir (F)")
    assert "31-02-1985" in reason
    assert "31-02-1985" in report.text and "Tanggal Lahir (F)" in report.text
    assert not Worker.objects.exists()  # nothing is written before the confirmation

    csv_response = client.get(reverse("workers:import_report", args=[job.pk]))
    assert csv_response.status_code == 200
    assert "attachment" in csv_response["Content-Disposition"]
    assert "Data PSM" not in csv_response["Content-Disposition"]
    assert b"31-02-1985" in b"".join(csv_response.streaming_content)

    # Confirm: the two valid rows are written; the files go, the report stays.
    assert client.post(reverse("workers:import_confirm", args=[job.pk])).status_code == 302
    result = client.get(detail)
    assert result.templates[0].name == "workers/import_result.html"
    assert Worker.objects.count() == 2
    assert set(Worker.objects.values_list("created_by", flat=True)) == {bantul_officer.pk}
    assert ChangeLog.objects.filter(object_id=str(job.pk)).exists()
    assert [p.suffix for p in import_dir().iterdir()] == [".csv"]
    # A second click does not write twice.
    client.post(reverse("workers:import_confirm", args=[job.pk]))
    assert Worker.objects.count() == 2


def test_the_user_corrects_the_mapping(tmp_path, bantul_officer, client_for):
    client = client_for(bantul_officer)
    headers = [h if h != "Alamat" else "Domisili" for h in HEADERS]
    rows = [{**person(1), "Domisili": "Dusun Kanten"}]
    job = uploaded_job(client, tmp_path, rows=rows, headers=headers)
    url = reverse("workers:import_mapping", args=[job.pk])
    page = client.get(reverse("workers:import_detail", args=[job.pk]))
    assert page.context["inspect_errors"]  # "the file needs a column for: Alamat"
    refused = client.post(url, mapping_data(page))
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    index = headers.index("Domisili")
    client.post(url, mapping_data(page, **{f"col_{index}": "address"}))
    client.post(reverse("workers:import_confirm", args=[job.pk]))
    assert Worker.objects.get().address == "Dusun Kanten"


def test_another_header_row_can_be_chosen(tmp_path, bantul_officer, client_for):
    client = client_for(bantul_officer)
    job = uploaded_job(client, tmp_path)
    page = client.get(reverse("workers:import_detail", args=[job.pk]))
    client.post(
        reverse("workers:import_mapping", args=[job.pk]),
        mapping_data(page, header_row="1", action="header"),
    )
    page = client.get(reverse("workers:import_detail", args=[job.pk]))
    assert page.context["form"].mapping.header_row == 1


def test_cancel_deletes_the_files(tmp_path, bantul_officer, client_for):
    client = client_for(bantul_officer)
    job = uploaded_job(client, tmp_path)
    assert list(import_dir().iterdir())
    client.post(reverse("workers:import_cancel", args=[job.pk]))
    assert not list(import_dir().iterdir())
    page = client.get(reverse("workers:import_detail", args=[job.pk]))
    assert page.templates[0].name == "workers/import_result.html"
    client.post(reverse("workers:import_confirm", args=[job.pk]))
    assert not Worker.objects.exists()


def test_a_file_that_is_no_spreadsheet_is_refused_on_the_upload_page(
    tmp_path, bantul_officer, client_for
):
    path = tmp_path / "foto.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    response = upload(client_for(bantul_officer), path)
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not list(import_dir().iterdir()) and not Job.objects.exists()


def test_large_files_run_in_the_background_and_the_page_polls(
    tmp_path, settings, bantul_officer, client_for, django_capture_on_commit_callbacks
):
    settings.MITRA_IMPORT_INLINE_BYTES = 0
    client = client_for(bantul_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = uploaded_job(client, tmp_path)
    detail = reverse("workers:import_detail", args=[job.pk])
    status = reverse("workers:import_status", args=[job.pk])
    page = client.get(detail)
    assert page.templates[0].name == "workers/import_progress.html"
    assert reverse("core:job_detail", args=[job.pk]) in page.text  # the job's progress polls
    assert client.get(status).status_code == 204
    for callback in callbacks:  # the task worker picks the job up
        callback()
    assert client.get(status)["HX-Refresh"] == "true"
    assert client.get(detail).templates[0].name == "workers/import_mapping.html"


@pytest.mark.parametrize("persona", ["jetis_supervisor", "trimulyo_worker", "juror", "auditor"])
def test_only_officers_may_import(persona, request, client_for):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("workers:import_start")).status_code == 403


def test_another_regencys_officer_gets_404_on_every_page(
    tmp_path, bantul_officer, sleman_officer, client
):
    client.force_login(bantul_officer)
    job = uploaded_job(client, tmp_path)
    client.force_login(sleman_officer)
    for name in ("detail", "mapping", "report", "status"):
        assert client.get(reverse(f"workers:import_{name}", args=[job.pk])).status_code == 404, name
    for name in ("mapping", "confirm", "cancel"):
        assert client.post(reverse(f"workers:import_{name}", args=[job.pk])).status_code == 404, (
            name
        )
    assert job.pk not in [
        j.pk for j in client.get(reverse("workers:import_start")).context["recent"]
    ]


def test_unrecognised_headers_can_be_mapped_by_hand(tmp_path, bantul_officer, client_for):
    client = client_for(bantul_officer)
    headers = ["Siapa", "Nomor Identitas", "JK", "Kota Lahir", "Lahir", "Rumah", "Wilayah"]
    source = person(1)
    row = dict(zip(headers, [source[h] for h in ["Nama Lengkap", "NIK", "Jenis Kelamin",
        "Tempat Lahir", "Tanggal Lahir", "Alamat", "Kode Desa"]], strict=True))  # fmt: skip
    path = write_csv(tmp_path / "psm.csv", [row], headers=headers)
    upload(client, path)
    job = Job.objects.get(kind="workers.import")
    page = client.get(reverse("workers:import_detail", args=[job.pk]))
    assert page.context["inspect_errors"] and page.context["form"].mapping.header_row == 1
    fields = ["full_name", "nik", "sex", "birth_place", "birth_date", "address", "village_code"]
    chosen = {f"col_{i}": field for i, field in enumerate(fields)}
    client.post(reverse("workers:import_mapping", args=[job.pk]), mapping_data(page, **chosen))
    client.post(reverse("workers:import_confirm", args=[job.pk]))
    assert Worker.objects.get().full_name == "Warga Nomor 1"


def test_imports_left_waiting_for_a_day_are_closed_and_their_files_deleted(
    tmp_path, bantul_officer, client_for
):
    import datetime

    from django.utils import timezone

    from mitra.workers.importing.jobs import expire_stale

    client = client_for(bantul_officer)
    job = uploaded_job(client, tmp_path)
    assert expire_stale() == 0
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert expire_stale() == 1
    job.refresh_from_db()
    assert job.params["phase"] == "cancelled" and job.result == {}
    assert not list(import_dir().iterdir())


def test_the_waiting_list_shows_only_my_imports_that_wait_for_me(
    bantul_officer, make_user, client_for
):
    import datetime

    from django.utils import timezone

    colleague = make_user(username="dinsos.bantul2", role="regency_officer", scope_code="3402")

    def job(by, phase, status=Job.Status.DONE, age_hours=1):
        return Job.objects.create(
            kind="workers.import",
            title=f"{phase} {status}",
            status=status,
            created_by=by,
            region_code="3402",
            created_at=timezone.now() - datetime.timedelta(hours=age_hours),
            params={"phase": phase, "name": f"{phase}.xlsx", "file": "x"},
        )

    mine = {job(bantul_officer, "inspect"), job(bantul_officer, "check")}
    job(bantul_officer, "write")  # written
    job(bantul_officer, "check", Job.Status.RUNNING)  # the check still runs
    job(bantul_officer, "check", age_hours=30)  # its files are gone
    job(colleague, "check")  # a colleague's

    response = client_for(bantul_officer).get(reverse("workers:import_start"), {"waiting": "1"})

    assert set(response.context["recent"]) == mine
    everything = client_for(bantul_officer).get(reverse("workers:import_start")).context["recent"]
    assert len(everything) == 6
