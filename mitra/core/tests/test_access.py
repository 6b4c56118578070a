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
    }
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
FORBIDDEN["juror"] += _CASES_PAGES
FORBIDDEN["auditor"] += _CASES_PAGES


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
#   and the certificate number: no NIK, no village, no reason for a revocation.
PUBLIC_ROUTES = {"certificate_verify"}


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
