"""Lists never give a birth date beside a masked NIK to a role that may not read the full NIK.

A NIK is district (6) + birth day (+40 for women) + month + year + serial; a masked NIK shows the
first four and the last four digits, and the row shows the village. With the sex and the birth date,
a TKSK or a PSM scrolling a list would rebuild every hidden digit. The age is enough to tell people
apart in a list; one person's record, read on purpose and logged, keeps the date."""

import datetime

import pytest

from mitra.cases.tests.test_api import person
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db
BORN = datetime.date(1985, 8, 17)


def _rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_worker_list_gives_birth_dates_only_with_view_nik(
    regions, bantul_officer, jetis_supervisor, auditor, client_for
):
    siti = build_worker(birth_date=BORN)
    assert not jetis_supervisor.has_perm("workers.view_nik")
    assert bantul_officer.has_perm("workers.view_nik")
    for user, expected in (
        (jetis_supervisor, None),
        (auditor, None),
        (bantul_officer, "1985-08-17"),
    ):
        (row,) = [r for r in _rows(client_for(user), "/api/v1/workers/") if r["id"] == str(siti.pk)]
        assert row["nik"] == siti.nik_masked
        assert row["birth_date"] == expected, user.username
        assert row["age"] >= 40


def test_worker_record_keeps_the_birth_date_for_a_tksk(regions, jetis_supervisor, client_for):
    siti = build_worker(birth_date=BORN)
    body = client_for(jetis_supervisor).get(f"/api/v1/workers/{siti.pk}").json()
    assert body["nik"] == siti.nik_masked
    assert body["birth_date"] == "1985-08-17"


def test_beneficiary_list_gives_the_age_not_the_birth_date(
    regions, jetis_supervisor, bantul_officer, client_for
):
    mbah = person()
    for user in (jetis_supervisor, bantul_officer):
        (row,) = [
            r
            for r in _rows(client_for(user), "/api/v1/cases/beneficiaries")
            if r["id"] == str(mbah.pk)
        ]
        assert row["nik"] == mbah.nik_masked
        assert row["birth_date"] is None
        assert row["age"] >= 80
    body = client_for(bantul_officer).get(f"/api/v1/cases/beneficiaries/{mbah.pk}").json()
    assert body["birth_date"] == "1940-01-01"
