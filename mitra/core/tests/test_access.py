"""The access test: a Bantul regency officer gets 404 on every Sleman-scoped object, and every list
shows them Bantul rows only. Every page and endpoint over region-bound rows is listed here; each later
feature adds its rows to DETAIL_ROUTES and LIST_ROUTES."""

import pytest
from django.urls import reverse

from mitra.accounts.tests.factories import UserFactory
from mitra.core.current import acting_as
from mitra.core.models import ChangeLog, Job

pytestmark = pytest.mark.django_db

BANTUL, SLEMAN = "3402", "3404"


def _user_in(code):
    return UserFactory(role="district_supervisor", scope_code=code + "01")


def _job_in(code):
    owner = UserFactory(role="regency_officer", scope_code=code)
    return Job.objects.create(kind="test", title=f"job {code}", created_by=owner, region_code=code)


# One village per regency of the story, for region-bound people (workers).
_VILLAGE_IN = {BANTUL: "3402092004", SLEMAN: "3404012001", "3471": "3471011001"}


def _worker_in(code):
    from mitra.workers.tests.factories import WorkerFactory

    return WorkerFactory(village_code=_VILLAGE_IN[code])


def _identity_request_in(code):
    from mitra.workers.models import IdentityChangeRequest

    worker = _worker_in(code)
    return IdentityChangeRequest.objects.create(
        worker=worker, changes_json="{}", region_code=worker.region_code
    )


def _worker_pair_in(code):
    """Two records of one person (same name, birth date and village): a likely duplicate."""
    from mitra.workers.tests.factories import WorkerFactory

    first = _worker_in(code)
    second = WorkerFactory(
        village=first.village, full_name=first.full_name, sex=first.sex, birth_date=first.birth_date
    )
    return first, second


def _import_in(code):
    """A worker import waiting for its confirmation (a Job of kind workers.import)."""
    owner = UserFactory(role="regency_officer", scope_code=code)
    return Job.objects.create(
        kind="workers.import",
        title=f"import {code}",
        created_by=owner,
        region_code=code,
        status=Job.Status.DONE,
        params={"phase": "check", "file": "0" * 32, "name": "psm.csv", "scope": code},
        result={"counts": {"read": 1, "valid": 1}, "problems": []},
    )


def _batch_in(code):
    """A running training batch organised for the regency (its pages all open)."""
    from mitra.training.tests.builders import make_batch

    return make_batch(region=code, status="running", name=f"Angkatan {code}")


def _enrolment_in(code):
    """A worker of the regency enrolled in an open batch of the regency."""
    from mitra.training.models import Enrolment, EnrolmentStatus
    from mitra.training.tests.builders import make_batch

    batch = make_batch(region=code, name=f"Angkatan terbuka {code}")
    return Enrolment.objects.create(
        batch=batch, worker=_worker_in(code), status=EnrolmentStatus.ENROLLED
    )


# name -> (builds an object in a region, url of that object)
DETAIL_ROUTES = {
    "region page": (lambda code: code, lambda code: reverse("regions:detail", args=[code])),
    "user page": (_user_in, lambda u: reverse("accounts:user_detail", args=[u.pk])),
    "user edit page": (_user_in, lambda u: reverse("accounts:user_update", args=[u.pk])),
    "job page": (_job_in, lambda j: reverse("core:job_detail", args=[j.pk])),
    "API region": (lambda code: code, lambda code: f"/api/v1/regions/{code}"),
    "API region children": (lambda code: code, lambda code: f"/api/v1/regions/{code}/children"),
    "API job": (_job_in, lambda j: f"/api/v1/jobs/{j.pk}"),
    "worker profile": (_worker_in, lambda w: reverse("workers:detail", args=[w.pk])),
    "worker edit page": (_worker_in, lambda w: reverse("workers:update", args=[w.pk])),
    "worker status page": (
        _worker_in,
        lambda w: reverse("workers:status", args=[w.pk, "verified"]),
    ),
    "worker decree page": (_worker_in, lambda w: reverse("workers:decree_create", args=[w.pk])),
    "worker transfer page": (_worker_in, lambda w: reverse("workers:transfer", args=[w.pk])),
    "identity correction page": (
        _identity_request_in,
        lambda r: reverse("workers:request_detail", args=[r.pk]),
    ),
    "worker merge page": (
        _worker_pair_in,
        lambda p: f"{reverse('workers:merge')}?a={p[0].pk}&b={p[1].pk}",
    ),
    "API worker": (_worker_in, lambda w: f"/api/v1/workers/{w.pk}"),
    "worker import page": (_import_in, lambda j: reverse("workers:import_detail", args=[j.pk])),
    "worker import columns page": (
        _import_in,
        lambda j: reverse("workers:import_mapping", args=[j.pk]),
    ),
    "worker import progress poll": (
        _import_in,
        lambda j: reverse("workers:import_status", args=[j.pk]),
    ),
    "training batch page": (_batch_in, lambda b: reverse("training:batch_detail", args=[b.pk])),
    "training batch edit page": (
        _batch_in,
        lambda b: reverse("training:batch_update", args=[b.pk]),
    ),
    "training batch status page": (
        _batch_in,
        lambda b: reverse("training:batch_status", args=[b.pk, "finished"]),
    ),
    "training sessions page": (
        _batch_in,
        lambda b: reverse("training:batch_sessions", args=[b.pk]),
    ),
    "training nomination page": (_batch_in, lambda b: reverse("training:nominate", args=[b.pk])),
    "training attendance grid": (_batch_in, lambda b: reverse("training:grid", args=[b.pk])),
    "training results import": (
        _batch_in,
        lambda b: reverse("training:results_import", args=[b.pk]),
    ),
    "training results sheet": (
        _batch_in,
        lambda b: reverse("training:results_template", args=[b.pk]),
    ),
    "training withdrawal page": (
        _enrolment_in,
        lambda e: reverse("training:withdraw", args=[e.batch_id, e.pk]),
    ),
}
# Training needs (per region) and the training API.
DETAIL_ROUTES.update(
    {
        "training needs page": (
            lambda code: code,
            lambda code: reverse("training:needs_region", args=[code]),
        ),
        "API training needs": (
            lambda code: code,
            lambda code: f"/api/v1/training/needs?region={code}",
        ),
        "API training batch": (_batch_in, lambda b: f"/api/v1/training/batches/{b.pk}"),
        "API training batch participants": (
            _batch_in,
            lambda b: f"/api/v1/training/batches/{b.pk}/enrolments",
        ),
    }
)


def _case_in(code):
    """An open case of a person in the regency, with an active PSM of their village."""
    import datetime

    from mitra.cases import services as case_services
    from mitra.cases.models import Beneficiary
    from mitra.core.models import PmksCategory
    from mitra.workers.tests.builders import build_worker

    worker = build_worker(village=_VILLAGE_IN[code], full_name=f"PSM {code}", status="active")
    person = Beneficiary.objects.create(
        full_name=f"Penerima {code}",
        sex="P",
        birth_date=datetime.date(1950, 5, 5),
        village=worker.village,
        address="Dusun",
        consent_by="Ybs",
        consent_relation="self",
        consent_on=datetime.date(2025, 1, 2),
        consent_method="verbal",
    )
    return case_services.open_case(person, worker, None, [PmksCategory.objects.get(number=24)])


# Field work: the person's page, the case page and its hand-over page.
DETAIL_ROUTES.update(
    {
        "beneficiary page": (
            _case_in,
            lambda c: reverse("cases:beneficiary_detail", args=[c.beneficiary_id]),
        ),
        "case page": (_case_in, lambda c: reverse("cases:case_detail", args=[c.pk])),
        "case hand-over page": (_case_in, lambda c: reverse("cases:case_transfer", args=[c.pk])),
        "new case page": (
            _case_in,
            lambda c: reverse("cases:case_create", args=[c.beneficiary_id]),
        ),
        "beneficiary edit page": (
            _case_in,
            lambda c: reverse("cases:beneficiary_update", args=[c.beneficiary_id]),
        ),
        "data-subject export": (
            _case_in,
            lambda c: reverse("cases:subject_export", args=[c.beneficiary_id]),
        ),
        "activity report page": (
            lambda code: _report_in(code),
            lambda r: reverse("cases:report_detail", args=[r.pk]),
        ),
        "API beneficiary": (_case_in, lambda c: f"/api/v1/cases/beneficiaries/{c.beneficiary_id}"),
        "API case": (_case_in, lambda c: f"/api/v1/cases/{c.pk}"),
        "API activity report": (
            lambda code: _report_in(code),
            lambda r: f"/api/v1/cases/reports/{r.pk}",
        ),
    }
)


def _report_in(code):
    """A submitted activity report of a PSM of the regency."""
    import datetime

    from mitra.cases.models import ActivityReport
    from mitra.workers.tests.builders import build_worker

    worker = build_worker(village=_VILLAGE_IN[code], full_name=f"PSM lapor {code}", status="active")
    return ActivityReport.objects.create(
        worker=worker,
        village=worker.village,
        on=datetime.date(2025, 3, 1),
        activity_type="outreach",
        description=f"Penyuluhan {code}",
        reached_adults_f=5,
        status="submitted",
    )


def _certificate_in(code):
    """A certificate of a worker of the regency, from a DIY batch they passed."""
    from mitra.training import services
    from mitra.training.models import Enrolment, EnrolmentStatus, Result
    from mitra.training.tests.builders import make_batch

    enrolment = Enrolment.objects.create(
        batch=make_batch(region="34", status="finished", name=f"Angkatan sertifikat {code}"),
        worker=_worker_in(code),
        status=EnrolmentStatus.ENROLLED,
        result=Result.PASSED,
    )
    return services.issue_certificate(enrolment)


# Certificates: the certificate's page and its PDF (the public verification page is listed in
# PUBLIC_ROUTES below: it is open to anyone on purpose).
DETAIL_ROUTES.update(
    {
        "certificate page": (
            _certificate_in,
            lambda c: reverse("training:certificate_detail", args=[c.pk]),
        ),
        "certificate PDF": (
            _certificate_in,
            lambda c: reverse("training:certificate_pdf", args=[c.pk]),
        ),
    }
)


def _event_in(code):
    """An open event organised by the regency."""
    from mitra.events.tests.builders import make_event

    return make_event(region=code, name=f"Temu PSM {code}")


def _event_invitation_in(code):
    """A worker of the regency invited to, registered for and certified at its event."""
    from mitra.events import services as event_services
    from mitra.events.tests.builders import registered

    event = _event_in(code)
    invitation = registered(event, _worker_in(code))
    sessions = set(event.sessions.values_list("pk", flat=True))
    with acting_as(None):
        event_services.record_attendance(
            invitation, UserFactory(role="national_admin", scope_code=""), sessions
        )
    invitation.issued = event_services.issue_certificate(invitation)
    return invitation


# Events: the event's pages, its registration, attendance and certificates, and the API.
DETAIL_ROUTES.update(
    {
        "event page": (_event_in, lambda e: reverse("events:detail", args=[e.pk])),
        "event edit page": (_event_in, lambda e: reverse("events:update", args=[e.pk])),
        "event session page": (_event_in, lambda e: reverse("events:session_create", args=[e.pk])),
        "event invitations": (_event_in, lambda e: reverse("events:invitations", args=[e.pk])),
        "event attendance grid": (_event_in, lambda e: reverse("events:attendance", args=[e.pk])),
        "event certificates": (_event_in, lambda e: reverse("events:certificates", args=[e.pk])),
        "event registration page": (
            _event_invitation_in,
            lambda i: reverse("events:register", args=[i.event_id, i.pk]),
        ),
        "event certificate page": (
            _event_invitation_in,
            lambda i: reverse("events:certificate_detail", args=[i.issued.pk]),
        ),
        "event certificate PDF": (
            _event_invitation_in,
            lambda i: reverse("events:certificate_pdf", args=[i.issued.pk]),
        ),
        "API event": (_event_in, lambda e: f"/api/v1/events/{e.pk}"),
        "API event invitations": (_event_in, lambda e: f"/api/v1/events/{e.pk}/invitations"),
        "API event registration": (
            _event_invitation_in,
            lambda i: f"/api/v1/events/{i.event_id}/invitations/{i.pk}/registration",
        ),
        "API event attendance": (
            _event_invitation_in,
            lambda i: f"/api/v1/events/{i.event_id}/invitations/{i.pk}/attendance",
        ),
    }
)
# Dashboards over JSON: a region's figures and its children's (the region is the object).
DETAIL_ROUTES.update(
    {
        "API stats dashboard": (
            lambda code: code,
            lambda code: f"/api/v1/stats/dashboard?region={code}",
        ),
        "API stats children": (
            lambda code: code,
            lambda code: f"/api/v1/stats/children?region={code}&indicators=psm_active",
        ),
    }
)


def _award_nomination_in(code):
    """A PSM of the regency nominated by its officer for this year's award."""
    from mitra.awards.models import AwardCycle
    from mitra.awards.tests.builders import eligible_psm, make_cycle, nominate

    cycle = AwardCycle.objects.filter(year=2026).first() or make_cycle(2026)
    officer = UserFactory(role="regency_officer", scope_code=code)
    return nominate(cycle, eligible_psm(village=_VILLAGE_IN[code]), officer)


def _award_published_in(code):
    """A nomination of the regency, scored by a juror, in the regency's published ranking."""
    from mitra.awards import services as award_services
    from mitra.awards.tests.builders import score

    nomination = _award_nomination_in(code)
    officer = UserFactory(role="regency_officer", scope_code=code)
    juror = UserFactory(role="juror", scope_code="")
    award_services.assign_juror(
        stage=nomination.stage, juror=juror, region_code=code, home_region_code="3471", by=officer
    )
    score(nomination, juror, innovation=8, interview=7)
    award_services.publish_ranking(nomination.stage, code, officer)
    return nomination


# Award pages: a nomination (its page, portfolio, withdrawal), its regency's ranking and the
# publication page, and the appeal page of a published ranking.
DETAIL_ROUTES.update(
    {
        "award nomination page": (
            _award_nomination_in,
            lambda n: reverse("awards:nomination_detail", args=[n.pk]),
        ),
        "award portfolio page": (
            _award_nomination_in,
            lambda n: reverse("awards:portfolio_edit", args=[n.pk]),
        ),
        "award withdrawal page": (
            _award_nomination_in,
            lambda n: reverse("awards:withdraw", args=[n.pk]),
        ),
        "award ranking page": (
            _award_nomination_in,
            lambda n: reverse("awards:ranking", args=[n.stage_id, n.region_code[:4]]),
        ),
        "award publication page": (
            _award_nomination_in,
            lambda n: reverse("awards:publish", args=[n.stage_id, n.region_code[:4]]),
        ),
        "award appeal page": (
            _award_published_in,
            lambda n: reverse("awards:appeal_file", args=[n.pk]),
        ),
    }
)


# Awards over JSON: a nomination (with its evidence), the ranking preview of its regency, and the
# published ranking it is in.
DETAIL_ROUTES.update(
    {
        "API award nomination": (
            _award_nomination_in,
            lambda n: f"/api/v1/awards/nominations/{n.pk}",
        ),
        "API award ranking preview": (
            _award_nomination_in,
            lambda n: f"/api/v1/awards/stages/{n.stage_id}/preview?region={n.region_code[:4]}",
        ),
        "API award published ranking": (
            _award_published_in,
            lambda n: f"/api/v1/awards/rankings/{n.ranking_entries.get().ranking_id}",
        ),
    }
)


def _stats_report_in(code):
    """A kept monthly report of the regency (small stand-in files: access is what is tested)."""
    import datetime

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from mitra.stats.models_reports import GeneratedReport

    pdf = default_storage.save(f"private/reports/test-{code}.pdf", ContentFile(b"%PDF-1.4"))
    xlsx = default_storage.save(f"private/reports/test-{code}.xlsx", ContentFile(b"PK"))
    return GeneratedReport.objects.create(
        region_code=code,
        region_name=code,
        kind="monthly",
        period_start=datetime.date(2026, 5, 1),
        period_end=datetime.date(2026, 5, 31),
        pdf_file=pdf,
        xlsx_file=xlsx,
    )


def _codes_in_stats_csv(response):
    """Region codes in a dashboard table export (its first column is the dotted code)."""
    import csv

    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    return [row[0].replace(".", "") for row in list(csv.reader(lines))[1:]]


# Dashboards: a region's page and the exports of its tables (the region is the object), and the
# kept reports' downloads.
DETAIL_ROUTES.update(
    {
        "dashboard page": (lambda code: code, lambda code: reverse("stats:dashboard", args=[code])),
        "dashboard child table (csv)": (
            lambda code: code,
            lambda code: reverse("stats:export", args=[code, "wilayah", "csv"]),
        ),
        "dashboard trends (xlsx)": (
            lambda code: code,
            lambda code: reverse("stats:export", args=[code, "tren", "xlsx"]),
        ),
        "dashboard breakdown (csv)": (
            lambda code: code,
            lambda code: reverse("stats:export", args=[code, "cases_by_category", "csv"]),
        ),
        "kept report PDF": (
            _stats_report_in,
            lambda r: reverse("stats:report_download", args=[r.pk, "pdf"]),
        ),
        "kept report XLSX": (
            _stats_report_in,
            lambda r: reverse("stats:report_download", args=[r.pk, "xlsx"]),
        ),
    }
)


@pytest.mark.parametrize("name", DETAIL_ROUTES)
def test_bantul_officer_opens_bantul_object_but_gets_404_on_sleman_object(
    name, bantul_officer, client_for
):
    build, url = DETAIL_ROUTES[name]
    client = client_for(bantul_officer)
    own, other = build(BANTUL), build(SLEMAN)
    assert client.get(url(own)).status_code == 200, f"{name}: own object refused"
    assert client.get(url(other)).status_code == 404, f"{name}: Sleman object leaked"


def _codes_in_page(response, key):
    return [getattr(row, key) for row in response.context["object_list"]]


def _codes_in_csv(response, column="Village code"):
    """Region codes in an export file (the dotted village code column)."""
    import csv

    from django.utils import translation

    from mitra.workers.exports import export_columns

    with translation.override("en"):
        index = [str(c.label) for c in export_columns()].index(column)
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    return [row[index].replace(".", "") for row in list(csv.reader(lines))[1:]]


def _codes_in_api(response, key):
    data = response.json()
    rows = data["items"] if isinstance(data, dict) else data
    return [row[key] for row in rows]


def _seed_rows():
    """Rows in Bantul, Sleman and elsewhere for the list checks."""
    for code in (BANTUL, SLEMAN, "3471"):
        _user_in(code)
        _job_in(code)
        _identity_request_in(code)
        _worker_pair_in(code)
        _batch_in(code)
        _case_in(code)
        _report_in(code)
        _event_in(code)
        _award_nomination_in(code)
        _stats_report_in(code)
    with acting_as(None):
        UserFactory(role="worker", scope_code="3404012001").save()


# name -> (url, how to read the region codes shown)
LIST_ROUTES = {
    "user list": ("/admin/pengguna/", lambda r: _codes_in_page(r, "scope_code")),
    "change history": ("/admin/riwayat/", lambda r: _codes_in_page(r, "region_code")),
    "job list": ("/tugas-latar/", lambda r: _codes_in_page(r, "region_code")),
    "region search page": (
        "/wilayah/cari/?q=Jetis",
        lambda r: [row.code for g in r.context["results"] for row in g["rows"]],
    ),
    "region children page": ("/wilayah/3402/", lambda r: [row.code for row in r.context["rows"]]),
    "API provinces": ("/api/v1/regions/provinces", lambda r: _codes_in_api(r, "code")),
    "API region search": ("/api/v1/regions/search?q=Jetis", lambda r: _codes_in_api(r, "code")),
    "worker list": ("/pekerja/", lambda r: _codes_in_page(r, "region_code")),
    "identity corrections": (
        "/pekerja/permintaan/?state=all",
        lambda r: _codes_in_page(r, "region_code"),
    ),
    "possible duplicates": (
        "/pekerja/duplikat/",
        lambda r: [w.region_code for pair in r.context["pairs"] for w in pair],
    ),
    "API worker list": ("/api/v1/workers/", lambda r: _codes_in_api(r, "village_code")),
    "worker export (csv)": ("/pekerja/ekspor/csv/", _codes_in_csv),
    "training batch list": ("/pelatihan/", lambda r: _codes_in_page(r, "region_code")),
}
LIST_ROUTES.update(
    {
        "training needs per region": (
            "/pelatihan/kebutuhan/",
            lambda r: [row.code for row in r.context["children"]],
        ),
        "API training needs per region": (
            "/api/v1/training/needs",
            lambda r: [row["code"] for row in r.json()["children"]],
        ),
    }
)

# Field work: the due page (open cases), the case list and the beneficiary list.
LIST_ROUTES.update(
    {
        "cases home (open cases)": (
            "/kasus/",
            lambda r: [c.region_code for c in r.context["open_cases"]],
        ),
        "case list": ("/kasus/daftar/", lambda r: _codes_in_page(r, "region_code")),
        "beneficiary list": ("/kasus/penerima/", lambda r: _codes_in_page(r, "region_code")),
        "activity report list": (
            "/kasus/laporan-kegiatan/?status=submitted",
            lambda r: _codes_in_page(r, "region_code"),
        ),
        "API beneficiary list": (
            "/api/v1/cases/beneficiaries",
            lambda r: [row["village_code"] for row in r.json()["items"]],
        ),
        "API case list": ("/api/v1/cases/", lambda r: _codes_in_api(r, "region_code")),
        "API activity report list": (
            "/api/v1/cases/reports",
            lambda r: _codes_in_api(r, "village_code"),
        ),
    }
)
LIST_ROUTES.update(
    {
        "API award nominations": (
            "/api/v1/awards/nominations",
            lambda r: _codes_in_api(r, "village_code"),
        ),
    }
)
# Events: the list and the API list (the seeded events are regency events, none national).
LIST_ROUTES.update(
    {
        "event list": ("/acara/", lambda r: _codes_in_page(r, "region_code")),
        "API event list": ("/api/v1/events/", lambda r: _codes_in_api(r, "region_code")),
    }
)
# Dashboards over JSON: without a region, the caller's own area and its child regions.
LIST_ROUTES.update(
    {
        "API stats dashboard (own area)": (
            "/api/v1/stats/dashboard",
            lambda r: [row["code"] for row in r.json()["children"]],
        ),
        "API stats children (own area)": (
            "/api/v1/stats/children",
            lambda r: [row["code"] for row in r.json()["children"]],
        ),
    }
)


# Dashboards: the child regions on the page and in the export, and the kept reports.
LIST_ROUTES.update(
    {
        "dashboard child regions": (
            "/dasbor/3402/",
            lambda r: [row["code"] for row in r.context["rows"]],
        ),
        "dashboard child table export": ("/dasbor/3402/ekspor/wilayah.csv", _codes_in_stats_csv),
        "kept reports list": (
            "/dasbor/laporan/",
            lambda r: [row.region_code for row in r.context["reports"]],
        ),
    }
)


@pytest.mark.parametrize("name", LIST_ROUTES)
def test_every_list_shows_a_bantul_officer_only_bantul_rows(name, bantul_officer, client_for):
    _seed_rows()
    url, read_codes = LIST_ROUTES[name]
    response = client_for(bantul_officer).get(url)
    assert response.status_code == 200
    codes = read_codes(response)
    assert codes, f"{name}: shows nothing, so the check would prove nothing"
    # Province 34 is the path to Bantul; everything else must lie inside Bantul.
    outside = [c for c in codes if not (c.startswith(BANTUL) or c == "34")]
    assert outside == [], f"{name}: rows outside Bantul: {outside}"


def test_the_lists_do_show_sleman_rows_to_the_province_officer(diy_officer, client_for):
    """The same lists are not empty of Sleman by accident: the DIY officer sees both regencies."""
    _seed_rows()
    client = client_for(diy_officer)
    users = _codes_in_page(client.get("/admin/pengguna/"), "scope_code")
    assert any(c.startswith(SLEMAN) for c in users) and any(c.startswith(BANTUL) for c in users)
    history = _codes_in_page(client.get("/admin/riwayat/"), "region_code")
    assert any(c.startswith(SLEMAN) for c in history)


# role fixture -> pages that role may not use at all (403, not 404: the page exists)
FORBIDDEN = {
    "trimulyo_worker": [
        "/admin/pengguna/",
        "/admin/pengguna/baru/",
        "/admin/riwayat/",
        "/pekerja/baru/",
        "/pekerja/duplikat/",
        "/pekerja/permintaan/",
        "/pekerja/ekspor/csv/",
        "/pekerja/ekspor/xlsx/",
        "/pekerja/impor/",
    ],
    "juror": [
        "/admin/pengguna/",
        "/admin/log-akses/",
        "/pekerja/",
        "/pekerja/baru/",
        "/pekerja/ekspor/csv/",
        "/api/v1/workers/",
        "/pekerja/impor/",
    ],
    "jetis_supervisor": [
        "/admin/pengguna/baru/",
        "/admin/log-akses/",
        "/pekerja/duplikat/",
        "/pekerja/permintaan/",
        "/pekerja/ekspor/csv/",
        "/pekerja/ekspor/xlsx/",
        "/pekerja/impor/",
    ],
    "auditor": [
        "/pekerja/baru/",
        "/pekerja/duplikat/",
        "/pekerja/permintaan/",
        "/pekerja/ekspor/csv/",
        "/pekerja/impor/",
    ],
    "bantul_officer": ["/admin/log-akses/"],
}
# Training: the catalogue changes only nationally; batches are made by officers; the PSM page is
# the PSM's; a juror has no training section at all.
FORBIDDEN["trimulyo_worker"] += ["/pelatihan/angkatan/baru/", "/pelatihan/kursus/baru/"]
FORBIDDEN["juror"] += ["/pelatihan/", "/pelatihan/kursus/", "/pelatihan/saya/"]
FORBIDDEN["jetis_supervisor"] += ["/pelatihan/angkatan/baru/", "/pelatihan/saya/"]
FORBIDDEN["auditor"] += ["/pelatihan/angkatan/baru/", "/pelatihan/kursus/baru/"]
FORBIDDEN["bantul_officer"] += ["/pelatihan/kursus/baru/"]
# Training needs: read by officers, supervisors and auditors; exported by officers only.
FORBIDDEN["trimulyo_worker"] += ["/pelatihan/kebutuhan/ekspor/csv/"]
FORBIDDEN["juror"] += ["/pelatihan/kebutuhan/", "/api/v1/training/needs"]
FORBIDDEN["jetis_supervisor"] += [
    "/pelatihan/kebutuhan/ekspor/csv/",
    "/pelatihan/kebutuhan/ekspor/xlsx/",
]
FORBIDDEN["auditor"] += ["/pelatihan/kebutuhan/ekspor/csv/", "/pelatihan/kebutuhan/ekspor/xlsx/"]
# Field work: jurors and auditors have no cases section; the due list and the lists are for the
# field roles and officers.
_CASES_PAGES = ["/kasus/", "/kasus/daftar/", "/kasus/penerima/", "/kasus/penerima/baru/"]
_CASES_PAGES += ["/kasus/laporan-kegiatan/", "/api/v1/cases/", "/api/v1/cases/beneficiaries"]
FORBIDDEN["juror"] += _CASES_PAGES
FORBIDDEN["auditor"] += _CASES_PAGES
# Events: officers create events; jurors have no events section at all.
FORBIDDEN["trimulyo_worker"] += ["/acara/baru/"]
FORBIDDEN["jetis_supervisor"] += ["/acara/baru/"]
FORBIDDEN["auditor"] += ["/acara/baru/"]
FORBIDDEN["juror"] += ["/acara/", "/api/v1/events/"]
# Dashboards: jurors have no statistics at all.
FORBIDDEN["juror"] += [
    "/api/v1/stats/indicators",
    "/api/v1/stats/dashboard",
    "/api/v1/stats/children",
]
# Dashboard pages: jurors have none; only officers keep and generate reports; a PSM exports nothing.
FORBIDDEN["juror"] += ["/dasbor/", "/dasbor/nasional/", "/dasbor/laporan/"]
FORBIDDEN["trimulyo_worker"] += ["/dasbor/laporan/", "/dasbor/3402092004/ekspor/tren.csv"]
FORBIDDEN["jetis_supervisor"] += ["/dasbor/laporan/"]
# Awards: cycles are set up nationally; only jurors have a scoring queue.
_AWARD_SETUP = ["/penghargaan/siklus/baru/"]
FORBIDDEN["trimulyo_worker"] += _AWARD_SETUP + ["/penghargaan/penilaian/"]
FORBIDDEN["jetis_supervisor"] += _AWARD_SETUP + ["/penghargaan/penilaian/"]
FORBIDDEN["auditor"] += _AWARD_SETUP + ["/penghargaan/penilaian/"]
FORBIDDEN["bantul_officer"] += _AWARD_SETUP + ["/penghargaan/penilaian/"]
FORBIDDEN["juror"] += _AWARD_SETUP
# Awards API: a PSM or a TKSK sees no nominations; only jurors have score sheets.
FORBIDDEN["trimulyo_worker"] += ["/api/v1/awards/nominations", "/api/v1/awards/sheets"]
FORBIDDEN["jetis_supervisor"] += ["/api/v1/awards/nominations", "/api/v1/awards/appeals"]
FORBIDDEN["auditor"] += ["/api/v1/awards/sheets"]
FORBIDDEN["bantul_officer"] += ["/api/v1/awards/sheets"]
# The offline field app's sync (ADR 0025) is a PSM's own: every other role, and a PSM login without
# a worker record (trimulyo_worker here), gets 403.
for _persona in ("trimulyo_worker", "juror", "jetis_supervisor", "auditor", "bantul_officer"):
    FORBIDDEN[_persona] += ["/api/v1/sync/pull"]


@pytest.mark.parametrize(
    ("persona", "url"), [(p, u) for p, urls in FORBIDDEN.items() for u in urls]
)
def test_wrong_role_gets_403(persona, url, request, client_for):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/wilayah/",
        "/admin/pengguna/",
        "/tugas-latar/",
        "/pekerja/",
        "/pekerja/saya/",
        "/pekerja/ekspor/csv/",
        "/pekerja/ekspor/xlsx/",
        "/pelatihan/",
        "/pelatihan/kursus/",
        "/pelatihan/saya/",
        "/pelatihan/kebutuhan/",
        "/pelatihan/kebutuhan/ekspor/csv/",
        "/kasus/",
        "/kasus/daftar/",
        "/kasus/penerima/",
        "/kasus/penerima/baru/",
        "/kasus/laporan-kegiatan/",
        "/acara/",
        "/penghargaan/",
        "/penghargaan/praktik-baik/",
        "/penghargaan/penilaian/",
        "/dasbor/",
        "/dasbor/nasional/",
        "/dasbor/3402/ekspor/wilayah.csv",
        "/dasbor/laporan/",
    ],
)
def test_anonymous_visitor_is_sent_to_login(url, client, regions):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_change_history_scope_follows_the_changed_row(bantul_officer, client_for):
    sleman_user = _user_in(SLEMAN)
    with acting_as(bantul_officer):
        sleman_user.full_name = "Changed"
        sleman_user.save()
    entry = ChangeLog.for_object(sleman_user).first()
    assert entry.region_code == sleman_user.scope_code
    page = client_for(bantul_officer).get("/admin/riwayat/")
    assert entry not in page.context["object_list"]


# ---- routes open to anonymous visitors on purpose ----------------------------------------------
#
# A view that needs no login is marked with `public_route(reason)` (mitra/training/
# views_certificates.py), which also sets Django's `login_not_required`. The walk below finds
# every marked view, so a new public page must be added here deliberately.
# - certificate_verify (/verifikasi/<code>/): the page a certificate's QR code opens. It shows
#   only whether the certificate is valid (or revoked, with the date, or expired), the holder's
#   name partly masked (Sit* Rah***), the course and its hours, the batch's dates and organiser
#   and the certificate number: no NIK, no village, no reason for a revocation. An event
#   participation certificate's code shows the same for the event (name, dates, host village).
# - awards:public_results (/penghargaan/hasil/<year>/): the published national results of the
#   PSM Berprestasi award: names, regency and province, the award, the innovation's title and
#   summary. No NIK, no village, no evidence figures, no scores.
# - field:manifest (/lapangan/manifest.webmanifest) and field:service_worker (/lapangan/sw.js):
#   the field app's web manifest (name, colours, icon addresses) and its service worker (code and
#   the list of static files to keep), the same for everyone. Browsers fetch both without
#   cookies; the PSM's data comes from the sync API, which needs the login.
PUBLIC_ROUTES = {
    "certificate_verify",
    "awards:public_results",
    "field:manifest",
    "field:service_worker",
}


def _all_routes(patterns=None, namespace=""):
    from django.urls import URLResolver, get_resolver

    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _all_routes(entry.url_patterns, inner)
        else:
            yield f"{namespace}{entry.name or ''}", entry.callback


def test_the_deliberately_public_routes_are_marked_and_listed():
    marked = {name for name, view in _all_routes() if getattr(view, "public_route", None)}
    assert marked == PUBLIC_ROUTES


def test_the_certificate_verification_page_needs_no_login_and_shows_no_personal_data(
    client, regions
):
    certificate = _certificate_in(BANTUL)
    worker = certificate.enrolment.worker
    response = client.get(reverse("certificate_verify", args=[certificate.verify_code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert certificate.number in page
    for secret in (worker.full_name, worker.nik, worker.nik_masked, worker.address):
        assert secret not in page
