"""Monthly and yearly reports: generated in the background as PDF and XLSX with the dashboard's
figures, kept and listed for download inside the scope only, and generated on schedule for every
region that asked for it."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from mitra.core.models import AccessLog, Job
from mitra.stats import reports
from mitra.stats.indicators import INDICATORS, Filters, dashboard
from mitra.stats.models_reports import GeneratedReport, ReportKind, ReportSubscription
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db
PDFTOTEXT = shutil.which("pdftotext")
MAY = datetime.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def workers(regions):
    joined = datetime.date(2026, 5, 10)
    build_worker(village="3402092004", full_name="Siti", status=Status.ACTIVE, joined_on=joined)
    build_worker(village="3402092004", full_name="Rahayu", sex="L", status=Status.ACTIVE)
    build_worker(village="3404012001", full_name="Warsini", status=Status.ACTIVE, joined_on=joined)


def sheets(name):
    with default_storage.open(name, "rb") as handle:
        book = CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
    return {sheet: book.get_sheet_by_name(sheet).to_python() for sheet in book.sheet_names}


def test_a_monthly_report_holds_the_dashboard_figures(diy_officer, workers, tmp_path):
    report = reports.generate(diy_officer, "34", ReportKind.MONTHLY, MAY)
    assert (report.period_start, report.period_end) == (MAY, datetime.date(2026, 5, 31))
    board = dashboard(diy_officer, "34", Filters(MAY, datetime.date(2026, 5, 31)))
    book = sheets(report.xlsx_file)
    summary = list(book.values())[0]
    assert summary[0][0] == "Daerah Istimewa Yogyakarta"
    by_label = {row[0]: row[1] for row in summary[5:]}
    for indicator in INDICATORS:
        expected = board.values[indicator.key]
        assert by_label[str(indicator.label)] == ("" if expected is None else expected)
    assert board.values["new_workers"] == 2 and board.values["psm_active"] == 3
    children = list(book.values())[1]
    assert [row[1] for row in children[1:]] == [c["name"] for c in board.children]
    with default_storage.open(report.pdf_file, "rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf
    if PDFTOTEXT:
        path = tmp_path / "report.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(  # noqa: S603 - a fixed tool on a file we wrote
            [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Daerah Istimewa Yogyakarta" in text
        assert "Kabupaten Bantul" in text and "Kabupaten Sleman" in text


def test_generating_again_replaces_the_files(bantul_officer, workers):
    first = reports.generate(bantul_officer, "3402", ReportKind.YEARLY, MAY)
    second = reports.generate(bantul_officer, "3402", ReportKind.YEARLY, MAY)
    assert first.pk == second.pk and GeneratedReport.objects.count() == 1
    assert second.period_start == datetime.date(2026, 1, 1)
    assert second.period_end == datetime.date(2026, 12, 31)
    assert default_storage.exists(second.pdf_file)


def test_the_page_starts_a_background_job_and_lists_the_report(
    bantul_officer, client_for, workers, django_capture_on_commit_callbacks
):
    client = client_for(bantul_officer)
    data = {"region": "34.02.09", "kind": "monthly", "year": "2026", "month": "5"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("stats:report_generate"), data)
    job = Job.objects.get(kind="stats.report")
    assert response.status_code == 302 and response.url == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    report = GeneratedReport.objects.get()
    assert report.region_code == "340209" and report.region_name == "Jetis"
    page = client.get(reverse("stats:reports"))
    assert list(page.context["reports"]) == [report]
    pdf = client.get(reverse("stats:report_download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    xlsx = client.get(reverse("stats:report_download", args=[report.pk, "xlsx"]))
    assert xlsx.status_code == 200
    assert (
        AccessLog.objects.filter(action=AccessLog.Action.EXPORT, region_code="340209").count() == 2
    )


def test_reports_outside_the_scope_are_404_and_not_listed(
    bantul_officer, sleman_officer, client_for, workers
):
    sleman = reports.generate(sleman_officer, "3404", ReportKind.MONTHLY, MAY)
    client = client_for(bantul_officer)
    assert client.get(reverse("stats:report_download", args=[sleman.pk, "pdf"])).status_code == 404
    assert list(client.get(reverse("stats:reports")).context["reports"]) == []
    response = client.post(
        reverse("stats:report_generate"),
        {"region": "3404", "kind": "monthly", "year": "2026", "month": "5"},
    )
    assert response.status_code == 400
    assert not Job.objects.exists()


def test_bad_report_requests_get_clear_errors(bantul_officer, client_for):
    client = client_for(bantul_officer)
    response = client.post(reverse("stats:report_generate"), {"kind": "monthly", "year": "2026"})
    assert response.status_code == 400
    assert "month" in response.context["form"].errors
    response = client.post(
        reverse("stats:report_generate"), {"kind": "yearly", "year": "2999", "region": ""}
    )
    assert "year" in response.context["form"].errors


def test_only_officers_generate_and_the_juror_sees_no_reports(jetis_supervisor, juror, client_for):
    assert client_for(jetis_supervisor).get(reverse("stats:reports")).status_code == 403
    data = {"kind": "yearly", "year": "2025"}
    assert (
        client_for(jetis_supervisor).post(reverse("stats:report_generate"), data).status_code == 403
    )
    assert client_for(juror).get(reverse("stats:reports")).status_code == 403


def test_scheduled_reports_for_every_region_that_asked(
    bantul_officer, sleman_officer, client_for, workers
):
    client_for(bantul_officer).post(reverse("stats:report_schedule"), {"kind": "monthly"})
    client_for(sleman_officer).post(reverse("stats:report_schedule"), {"kind": "monthly"})
    client_for(sleman_officer).post(reverse("stats:report_schedule"), {"kind": "yearly"})
    assert ReportSubscription.objects.count() == 3
    out = io.StringIO()
    call_command("generate_reports", "--period", "monthly", "--today", "2026-06-03", stdout=out)
    made = GeneratedReport.objects.order_by("region_code")
    assert [(r.region_code, r.kind, r.period_start) for r in made] == [
        ("3402", "monthly", MAY),
        ("3404", "monthly", MAY),
    ]
    assert "2 report(s)" in out.getvalue()
    client_for(sleman_officer).post(
        reverse("stats:report_schedule"), {"kind": "monthly", "action": "stop"}
    )
    assert list(ReportSubscription.objects.values_list("region_code", "kind")) == [
        ("3402", "monthly"),
        ("3404", "yearly"),
    ]
