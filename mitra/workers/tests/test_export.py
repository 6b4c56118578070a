"""Exporting the filtered worker list: same scope and filters as the list page, NIK masked unless
the user may see it, formulas neutralised, one access-log row per export, 403 without permission,
large exports as a background job whose file only the job's viewers can download."""

import csv
import datetime
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from mitra.accounts.roles import ROLE_PERMISSIONS, Role
from mitra.core.models import AccessLog, Job, PmksCategory
from mitra.regions.models import Village
from mitra.workers.exports import export_columns
from mitra.workers.models import Status, Worker

pytestmark = pytest.mark.django_db

CSV_URL = reverse("workers:export_csv")
XLSX_URL = reverse("workers:export_xlsx")
TODAY = timezone.localdate().strftime("%Y%m%d")
_serial = itertools.count(7001)


def make_worker(
    village="3402092004",
    *,
    sex="P",
    birth_date=datetime.date(1985, 8, 17),
    full_name="Siti Rahayu",
    focus=(),
    **fields,
) -> Worker:
    """A worker with a NIK that is valid for their district, sex and birth date."""
    day = birth_date.day + (40 if sex == "P" else 0)
    fields = {"birth_place": "Bantul", "address": "Dusun Kembangsongo RT 03", **fields}
    worker = Worker(
        nik=f"{village[:6]}{day:02d}{birth_date:%m%y}{next(_serial):04d}",
        full_name=full_name,
        sex=sex,
        birth_date=birth_date,
        village_id=village,
        **fields,
    )
    worker.save()
    if focus:
        worker.focus_areas.set(PmksCategory.objects.filter(number__in=focus))
    return worker


def headers() -> list[str]:
    with translation.override("id"):
        return [str(c.label) for c in export_columns()]


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == headers()
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def read_xlsx(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content)  # the test client closes it at the end
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0] == headers()
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def col(name: str) -> str:
    """The Indonesian header of an export column, by its English source."""
    with translation.override("en"):
        index = [str(c.label) for c in export_columns()].index(name)
    return headers()[index]


@pytest.fixture
def bantul_and_sleman(regions):
    siti = make_worker(
        full_name="Siti Rahayu",
        status=Status.ACTIVE,
        phone="081234567890",
        joined_on=datetime.date(2019, 4, 1),
        basic_training_on=datetime.date(2019, 3, 1),
        focus=(24, 8),
    )
    budi = make_worker(
        "3402012001", sex="L", full_name="Budi Santoso", birth_date=datetime.date(1970, 1, 2)
    )
    sleman = make_worker("3404012001", full_name="Sri Sleman")
    return siti, budi, sleman


# --- content ------------------------------------------------------------------------------------


def test_csv_holds_the_bantul_rows_with_full_nik_for_an_officer(
    bantul_and_sleman, bantul_officer, client_for
):
    siti, budi, _sleman = bantul_and_sleman

    response = client_for(bantul_officer).get(CSV_URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="pekerja-sosial-3402-{TODAY}.csv"'
    )
    rows = read_csv(response)
    assert [r[col("Full name")] for r in rows] == ["Budi Santoso", "Siti Rahayu"]  # region order
    row = rows[1]
    assert row["NIK"] == siti.nik
    assert row[col("Date of birth")] == "1985-08-17"
    assert row[col("Village code")] == "34.02.09.2004"
    assert row[col("Village")] == "Trimulyo"
    assert row[col("District")] == "Jetis"
    assert row[col("Regency/city")] == "Kabupaten Bantul"
    assert row[col("Phone")] == "081234567890"
    assert row[col("Basic training")] == "2019-03-01"
    assert row[col("Focus areas (PMKS numbers)")] == "8; 24"
    assert row[col("Mitra ID")] == str(siti.pk)
    with translation.override("id"):
        assert row[col("Status")] == str(Status.ACTIVE.label)
    assert rows[0][col("Sex")] == "L"


def test_header_row_is_in_indonesian(bantul_and_sleman, bantul_officer, client_for):
    rows = read_csv(client_for(bantul_officer).get(CSV_URL))

    assert rows
    assert headers()[:3] == ["NIK", col("Full name"), "Jenis kelamin"]
    assert col("Phone") == "Telepon"


def test_xlsx_has_the_same_rows_with_real_dates(bantul_and_sleman, bantul_officer, client_for):
    siti, _budi, _sleman = bantul_and_sleman

    response = client_for(bantul_officer).get(XLSX_URL)

    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert f'filename="pekerja-sosial-3402-{TODAY}.xlsx"' in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert [r[col("Full name")] for r in rows] == ["Budi Santoso", "Siti Rahayu"]
    assert rows[1]["NIK"] == siti.nik  # text, not a number that loses digits
    assert rows[1][col("Date of birth")] == datetime.date(1985, 8, 17)
    assert rows[1][col("Joined on")] == datetime.date(2019, 4, 1)
    assert rows[0][col("Joined on")] == ""


def test_filters_of_the_list_apply(bantul_and_sleman, bantul_officer, client_for):
    client = client_for(bantul_officer)

    active = read_csv(client.get(CSV_URL, {"status": "active"}))
    men = read_csv(client.get(CSV_URL, {"sex": "L"}))
    jetis = read_csv(client.get(CSV_URL, {"region": "34.02.09"}))
    by_name = read_csv(client.get(CSV_URL, {"q": "budi"}))

    assert [r[col("Full name")] for r in active] == ["Siti Rahayu"]
    assert [r[col("Full name")] for r in men] == ["Budi Santoso"]
    assert [r[col("Full name")] for r in jetis] == ["Siti Rahayu"]
    assert [r[col("Full name")] for r in by_name] == ["Budi Santoso"]


def test_file_name_names_the_region_filtered_on_or_national(
    bantul_and_sleman, bantul_officer, national_admin, client_for
):
    jetis = client_for(bantul_officer).get(CSV_URL, {"region": "340209"})
    national = client_for(national_admin).get(CSV_URL)

    assert f"pekerja-sosial-340209-{TODAY}.csv" in jetis["Content-Disposition"]
    assert f"pekerja-sosial-nasional-{TODAY}.csv" in national["Content-Disposition"]
    assert len(read_csv(national)) == 3


# --- scope and permission -----------------------------------------------------------------------


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_bantul_officer_gets_no_sleman_rows_even_when_asking_for_sleman(
    url, bantul_and_sleman, bantul_officer, client_for
):
    client = client_for(bantul_officer)
    reader = read_csv if url == CSV_URL else read_xlsx

    asked_for_sleman = reader(client.get(url, {"region": "3404"}))
    everything = reader(client.get(url))

    assert asked_for_sleman == []
    assert everything and all(r[col("Village code")].startswith("34.02") for r in everything)
    entry = AccessLog.objects.filter(user=bantul_officer).first()
    assert entry.region_code == "3402"


@pytest.mark.parametrize("persona", ["trimulyo_worker", "juror", "jetis_supervisor", "auditor"])
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_roles_without_export_permission_get_403(persona, url, request, client_for, regions):
    user = request.getfixturevalue(persona)

    assert client_for(user).get(url).status_code == 403
    assert not AccessLog.objects.exists()


def test_anonymous_visitor_is_sent_to_login(client, regions):
    response = client.get(CSV_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_export_needs_a_get(bantul_officer, client_for):
    assert client_for(bantul_officer).post(CSV_URL).status_code == 405


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_nik_is_masked_for_a_user_who_may_export_but_not_see_niks(
    url, bantul_and_sleman, bantul_officer, client_for, monkeypatch
):
    siti = bantul_and_sleman[0]
    monkeypatch.setitem(
        ROLE_PERMISSIONS,
        Role.REGENCY_OFFICER,
        ROLE_PERMISSIONS[Role.REGENCY_OFFICER] - {"workers.view_nik"},
    )
    reader = read_csv if url == CSV_URL else read_xlsx

    rows = reader(client_for(bantul_officer).get(url))

    nik = next(r["NIK"] for r in rows if r[col("Full name")] == "Siti Rahayu")
    assert nik == siti.nik_masked == siti.nik[:4] + "********" + siti.nik[-4:]


# --- safety of the file -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_text_that_looks_like_a_formula_is_neutralised(url, bantul_officer, client_for, regions):
    make_worker(
        full_name='=HYPERLINK("http://evil.example","klik")',
        birth_place="+62 Bantul",
        address="@SUM(1+1)",
        occupation="-2+3",
    )
    make_worker(full_name="\tTab", address="\rCR", birth_date=datetime.date(1980, 1, 1))
    reader = read_csv if url == CSV_URL else read_xlsx

    rows = reader(client_for(bantul_officer).get(url))

    by_name = {r[col("Full name")]: r for r in rows}
    evil = by_name['\'=HYPERLINK("http://evil.example","klik")']
    assert evil[col("Place of birth")] == "'+62 Bantul"
    assert evil[col("Address")] == "'@SUM(1+1)"
    assert evil[col("Occupation")] == "'-2+3"
    assert "'\tTab" in by_name
    texts = [v for r in rows for v in r.values() if isinstance(v, str)]
    assert not [t for t in texts if t[:1] in ("=", "+", "-", "@", "\t", "\r")]


# --- access log and efficiency ------------------------------------------------------------------


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_each_export_writes_one_access_log_row_with_the_count(
    url, bantul_and_sleman, bantul_officer, client_for
):
    client = client_for(bantul_officer)
    reader = read_csv if url == CSV_URL else read_xlsx

    rows = reader(client.get(url, {"q": "Siti Rahayu", "status": "active"}))

    assert len(rows) == 1
    entry = AccessLog.objects.get()
    assert entry.action == AccessLog.Action.EXPORT
    assert entry.user == bantul_officer
    assert entry.row_count == 1
    assert entry.region_code == "3402"
    assert entry.content_type.model_class() is Worker
    assert entry.object_id == ""
    assert "status=active" in entry.purpose
    assert "Siti" not in entry.purpose and "Rahayu" not in entry.purpose


def test_csv_is_logged_before_any_row_is_sent(bantul_and_sleman, bantul_officer, client_for):
    response = client_for(bantul_officer).get(CSV_URL)

    assert AccessLog.objects.get().row_count == 2  # logged with a COUNT before streaming
    assert len(read_csv(response)) == 2
    assert AccessLog.objects.count() == 1


def test_export_reads_rows_with_a_fixed_number_of_queries(bantul_officer, client_for, regions):
    client = client_for(bantul_officer)

    def queries_for_export():
        with CaptureQueriesContext(connection) as ctx:
            read_csv(client.get(CSV_URL))
        return len(ctx.captured_queries)

    make_worker(focus=(24,))
    few = queries_for_export()
    villages = Village.objects.filter(code__startswith="3402").values_list("code", flat=True)
    for i, code in enumerate(villages[:12]):
        make_worker(code, birth_date=datetime.date(1970 + i, 1, 5), focus=(8, 9))
    many = queries_for_export()

    assert many == few, (few, many)
    assert few <= 12, few  # session, user, 2FA check, COUNT, log, rows, focus areas


# --- large exports run in the background --------------------------------------------------------


@pytest.fixture
def small_stream_limit(settings, tmp_path):
    settings.MITRA_EXPORT_STREAM_LIMIT = 1
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_large_export_becomes_a_job_whose_file_is_downloaded_from_the_job_page(
    fmt,
    small_stream_limit,
    bantul_and_sleman,
    bantul_officer,
    client_for,
    django_capture_on_commit_callbacks,
):
    client = client_for(bantul_officer)
    url = CSV_URL if fmt == "csv" else XLSX_URL

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"q": "a", "kind": "psm"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    assert job.result["rows"] == 2
    assert not AccessLog.objects.exists(), "nothing left the system yet"
    page = client.get(response["Location"])
    download_url = reverse("workers:export_download", args=[job.pk])
    assert download_url in page.text

    download = client.get(download_url)

    assert f"pekerja-sosial-3402-{TODAY}.{fmt}" in download["Content-Disposition"]
    rows = read_csv(download) if fmt == "csv" else read_xlsx(download)
    assert sorted(r[col("Full name")] for r in rows) == ["Budi Santoso", "Siti Rahayu"]
    entry = AccessLog.objects.get()
    assert (entry.action, entry.row_count, entry.region_code) == ("export", 2, "3402")


def test_the_job_keeps_no_searched_name_in_plain_text(
    small_stream_limit, settings, bantul_and_sleman, bantul_officer, client_for
):
    settings.MITRA_EXPORT_STREAM_LIMIT = 0

    client_for(bantul_officer).get(CSV_URL, {"q": "Santoso"})

    job = Job.objects.get()
    assert "Santoso" not in str(job.params) and "Santoso" not in job.title


def test_asking_again_while_the_job_runs_shows_the_same_job(
    small_stream_limit, bantul_and_sleman, bantul_officer, client_for
):
    client = client_for(bantul_officer)

    first = client.get(CSV_URL, {"status": ""})  # no on_commit run: the job stays queued
    second = client.get(CSV_URL, {"status": ""})

    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1


def test_download_of_a_job_is_scoped_and_needs_the_permission(
    small_stream_limit,
    bantul_and_sleman,
    bantul_officer,
    sleman_officer,
    diy_officer,
    trimulyo_worker,
    client,
    django_capture_on_commit_callbacks,
):
    client.force_login(bantul_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(CSV_URL)
    url = reverse("workers:export_download", args=[Job.objects.get().pk])

    client.force_login(sleman_officer)
    assert client.get(url).status_code == 404
    client.force_login(trimulyo_worker)
    assert client.get(url).status_code == 403
    client.force_login(diy_officer)  # the province sees its regencies' jobs
    assert client.get(url).status_code == 200
    assert AccessLog.objects.get().user == diy_officer


def test_xlsx_goes_to_the_background_sooner_than_csv(settings):
    from mitra.workers.exports import stream_limit

    assert (stream_limit("csv"), stream_limit("xlsx")) == (50_000, 20_000)
    settings.MITRA_EXPORT_STREAM_LIMIT = 10
    assert (stream_limit("csv"), stream_limit("xlsx")) == (10, 10)
