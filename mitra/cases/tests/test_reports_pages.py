"""Activity-report pages: a PSM drafts and submits, the TKSK returns and verifies (inline, htmx),
officers filter their area's reports; out of scope 404, without permission 403."""

import datetime

import pytest
from django.urls import reverse

from mitra.cases.models import ActivityReport, ReportStatus
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def psm(trimulyo_worker):
    return build_worker(user=trimulyo_worker, status=Status.ACTIVE)


def _form(**extra):
    data = {
        "on": TODAY.isoformat(),
        "village": "3402092004",
        "activity_type": "outreach",
        "description": "Penyuluhan PKH di balai desa",
        "reached_children_m": 0,
        "reached_children_f": 2,
        "reached_adults_m": 5,
        "reached_adults_f": 11,
        "reached_elderly_m": 1,
        "reached_elderly_f": 3,
    }
    data.update(extra)
    return data


def _report(worker, status=ReportStatus.SUBMITTED, village="3402092004", **fields):
    return ActivityReport.objects.create(
        worker=worker,
        on=fields.pop("on", TODAY),
        village_id=village,
        activity_type=fields.pop("activity_type", "meeting"),
        description="Rapat",
        status=status,
        **fields,
    )


def test_report_flow_draft_submit_return_resubmit_verify(
    psm, trimulyo_worker, jetis_supervisor, client
):
    client.force_login(trimulyo_worker)
    page = client.get(reverse("cases:report_create"))
    assert page.status_code == 200
    assert page.context["form"].initial["village"] == "3402092004"
    response = client.post(reverse("cases:report_create"), _form())
    report = ActivityReport.objects.get()
    assert response.status_code == 302 and report.status == ReportStatus.DRAFT
    assert report.people_reached == 22 and report.worker == psm
    client.post(reverse("cases:report_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    client.force_login(jetis_supervisor)
    waiting = client.get(reverse("cases:report_list"))
    assert list(waiting.context["object_list"]) == [report]
    url = reverse("cases:report_verify", args=[report.pk])
    refused = client.post(
        url, {"decision": "return", "reason": "", "version": report.version}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 422
    row = client.post(
        url,
        {"decision": "return", "reason": "Foto kegiatan belum ada", "version": report.version},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200 and b"Foto kegiatan belum ada" in row.content
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED

    client.force_login(trimulyo_worker)
    mine = client.get(reverse("cases:report_list"))
    assert list(mine.context["returned"]) == [report]
    assert b"Foto kegiatan belum ada" in mine.content
    client.post(
        reverse("cases:report_update", args=[report.pk]),
        _form(description="Penyuluhan PKH, foto terlampir", submit="1"),
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.return_reason == ""

    client.force_login(jetis_supervisor)
    stale = client.post(
        url, {"decision": "verify", "version": report.version - 1}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 409
    client.post(url, {"decision": "verify", "version": report.version}, HTTP_HX_REQUEST="true")
    report.refresh_from_db()
    assert report.status == ReportStatus.VERIFIED and report.verified_by == jetis_supervisor
    # A verified report cannot be edited any more.
    client.force_login(trimulyo_worker)
    client.post(reverse("cases:report_update", args=[report.pk]), _form(description="x"))
    report.refresh_from_db()
    assert report.description == "Penyuluhan PKH, foto terlampir"


def test_a_future_date_is_refused(psm, trimulyo_worker, client):
    client.force_login(trimulyo_worker)
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("cases:report_create"), _form(on=tomorrow))
    assert response.status_code == 200 and not ActivityReport.objects.exists()


def test_tksk_of_another_district_gets_404(psm, make_user, client):
    report = _report(psm)
    other = make_user(username="tksk.lain", role="district_supervisor", scope_code="340201")
    client.force_login(other)
    assert client.get(reverse("cases:report_detail", args=[report.pk])).status_code == 404
    response = client.post(
        reverse("cases:report_verify", args=[report.pk]),
        {"decision": "verify", "version": 1},
    )
    assert response.status_code == 404
    assert not client.get(reverse("cases:report_list")).context["object_list"]


def test_verification_needs_the_permission(psm, bantul_officer, trimulyo_worker, auditor, client):
    report = _report(psm)
    client.force_login(trimulyo_worker)
    url = reverse("cases:report_verify", args=[report.pk])
    assert client.post(url, {"decision": "verify", "version": 1}).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("cases:report_list")).status_code == 403
    client.force_login(bantul_officer)
    assert client.get(reverse("cases:report_create")).status_code == 403


def test_officer_filters(psm, bantul_officer, sleman_officer, client):
    sleman_psm = build_worker(village="3404012001", full_name="PSM Sleman", status=Status.ACTIVE)
    last_month = TODAY.replace(day=1) - datetime.timedelta(days=1)
    a = _report(psm, activity_type="disaster")
    b = _report(psm, status=ReportStatus.VERIFIED, on=last_month)
    srandakan = build_worker(village="3402012001", full_name="PSM Srandakan")
    c = _report(srandakan, village="3402012001", activity_type="dtsen")
    _report(sleman_psm, village="3404012001")
    client.force_login(bantul_officer)

    def listed(**params):
        return set(client.get(reverse("cases:report_list"), params).context["object_list"])

    assert listed() == {a, b, c}
    assert listed(status="verified") == {b}
    assert listed(type="disaster") == {a}
    assert listed(month=last_month.strftime("%Y-%m")) == {b}
    assert listed(region="34.02.09") == {a, b}
    assert listed(region="3404") == set()
    table = client.get(reverse("cases:report_list"), {"type": "dtsen"}, HTTP_HX_REQUEST="true",
                       HTTP_HX_TARGET="report-table")  # fmt: skip
    assert table.status_code == 200 and b'id="report-table"' in table.content
    assert b"<html" not in table.content
