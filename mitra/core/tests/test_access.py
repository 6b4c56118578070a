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
}


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
}


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
