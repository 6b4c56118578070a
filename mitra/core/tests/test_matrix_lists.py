"""Check 2 of the trust issue: lists, searches, dashboards and exports return exactly the in-scope
rows for each role, counted against a raw SQL count by region prefix written here (never through
`visible_to`, which is what is being checked).

test_access.py proves that no row outside Bantul appears for a Bantul officer; this proves the
count is exact (nothing missing either) for the national, province, regency and district roles.
"""

import csv

import pytest
from django.db import connection

from mitra.accounts.roles import Role
from mitra.accounts.tests.factories import UserFactory
from mitra.core.tests import test_access as access

pytestmark = pytest.mark.django_db

# (role, scope): the national, DIY province, Bantul and Sleman regencies, Jetis district.
CALLERS = [
    (Role.NATIONAL_ADMIN, ""),
    (Role.PROVINCE_OFFICER, "34"),
    (Role.REGENCY_OFFICER, "3402"),
    (Role.REGENCY_OFFICER, "3404"),
    (Role.DISTRICT_SUPERVISOR, "340209"),
]


def raw_count(table, scope, column="region_code", ancestors=False):
    """Rows of `table` whose region lies inside `scope` (and, with `ancestors`, rows bound to a
    region above it: national and province rows that serve the area)."""
    above = [scope[:n] for n in (0, 2, 4, 6) if n < len(scope)] if ancestors else []
    marks = ", ".join(["%s"] * len(above)) or "NULL"
    # Table and column names come from this file, never from input.
    sql = f"SELECT COUNT(*) FROM {table} WHERE {column} LIKE %s OR {column} IN ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope + "%", *above])
        return cursor.fetchone()[0]


def _page_count(response):
    if "page_obj" in response.context:
        return response.context["page_obj"].paginator.count
    return len(response.context["object_list"])  # an unpaginated list


def _api_count(response):
    data = response.json()
    return data["count"] if isinstance(data, dict) else len(data)


def _csv_rows(response):
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    return len(list(csv.reader(lines))) - 1


# name -> (url, how many rows the answer holds, table, ancestors' rows too)
LISTS = {
    "worker list": ("/pekerja/", _page_count, "workers_worker", False),
    "API worker list": ("/api/v1/workers/", _api_count, "workers_worker", False),
    "worker export (csv)": ("/pekerja/ekspor/csv/", _csv_rows, "workers_worker", False),
    "API case list": ("/api/v1/cases/", _api_count, "cases_case", False),
    "case list": ("/kasus/daftar/", _page_count, "cases_case", False),
    "beneficiary list": ("/kasus/penerima/", _page_count, "cases_beneficiary", False),
    "API beneficiary list": (
        "/api/v1/cases/beneficiaries",
        _api_count,
        "cases_beneficiary",
        False,
    ),
    "API activity report list": (
        "/api/v1/cases/reports",
        _api_count,
        "cases_activityreport",
        False,
    ),
    "training batch list": ("/pelatihan/", _page_count, "training_batch", True),
    "API training batch list": (
        "/api/v1/training/batches",
        _api_count,
        "training_batch",
        True,
    ),
    "event list": ("/acara/", _page_count, "events_event", True),
    "API event list": ("/api/v1/events/", _api_count, "events_event", True),
    "API award nominations": (
        "/api/v1/awards/nominations",
        _api_count,
        "awards_nomination",
        False,
    ),
    "job list": ("/tugas-latar/", _page_count, "core_job", False),
    "user list": ("/admin/pengguna/", _page_count, "accounts_user", False),
}


@pytest.fixture
def seeded(regions):
    access._seed_rows()
    for code in ("3402", "3404"):
        access._enrolment_in(code)


@pytest.mark.parametrize("name", LISTS)
def test_each_list_holds_exactly_the_rows_inside_the_callers_area(name, seeded, client):
    url, count, table, ancestors = LISTS[name]
    column = "scope_code" if table == "accounts_user" else "region_code"
    checked = 0
    for role, scope in CALLERS:
        client.force_login(UserFactory(role=role, scope_code=scope))
        response = client.get(url)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, (name, role, scope, response.status_code)
        want = raw_count(table, scope, column, ancestors)
        assert count(response) == want, f"{name} as {role} {scope or 'national'}"
        checked += 1
    assert checked >= 3, f"{name}: too few roles may read it for the check to mean anything"


def test_stats_children_are_exactly_the_child_regions_of_the_callers_area(seeded, client):
    for role, scope in CALLERS:
        client.force_login(UserFactory(role=role, scope_code=scope))
        data = client.get("/api/v1/stats/children").json()
        table, column = {
            0: ("regions_province", "code"),
            2: ("regions_regency", "code"),
            4: ("regions_district", "code"),
            6: ("regions_village", "code"),
        }[len(scope)]
        assert len(data["children"]) == raw_count(table, scope, column=column), (role, scope)
