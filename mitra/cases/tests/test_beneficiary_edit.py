"""Correcting a recorded person, on the page and through the API: the same people as may open
the record, over the version read (stale: a form error / 409, missing: 428), the consent and NIK
rules of recording, a history that names the changed fields but never their values, and the
reads logged."""

import datetime

import pytest
from django.urls import reverse

from mitra.cases.models import Beneficiary
from mitra.core.current import acting_as
from mitra.core.models import AccessLog, ChangeLog, PmksCategory
from mitra.workers.tests.builders import valid_nik

from .test_pages_cases import open_case

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ELDERLY, DISABLED = 8, 9


@pytest.fixture
def case(psm, trimulyo_worker):
    with acting_as(trimulyo_worker):
        return open_case(psm, trimulyo_worker, health_notes="Hipertensi")


def _form(person: Beneficiary, **overrides) -> dict:
    data = {
        "version": person.version,
        "full_name": person.full_name,
        "nik": "",
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "estimated_age": "",
        "address": person.address,
        "household_notes": "",
        "categories": [str(ELDERLY)],
        "consent_by": person.consent_by,
        "consent_relation": person.consent_relation,
        "consent_on": person.consent_on.isoformat(),
        "consent_method": person.consent_method,
        "disability_type": "",
        "health_notes": person.health_notes,
        "violence_details": "",
    }
    data.update(overrides)
    return data


def test_the_psm_corrects_a_person_and_the_history_names_fields_not_values(
    case, trimulyo_worker, client_for
):
    person = case.beneficiary
    url = reverse("cases:beneficiary_update", args=[person.pk])
    client = client_for(trimulyo_worker)
    page = client.get(url)
    assert page.status_code == 200
    assert AccessLog.objects.filter(object_id=str(person.pk), user=trimulyo_worker).exists()
    data = _form(
        person,
        full_name="Mbah Sastro Wiyono",
        health_notes="Hipertensi, stroke ringan",
        categories=[str(ELDERLY), str(DISABLED)],
    )
    response = client.post(url, data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Mbah Sastro Wiyono"
    assert person.health_notes == "Hipertensi, stroke ringan"
    assert person.version == 2
    assert set(person.categories.values_list("pk", flat=True)) == {ELDERLY, DISABLED}
    changes = [e.changes for e in ChangeLog.for_object(person).filter(action="update")]
    fields = {name for c in changes for name in c}
    assert {"full_name", "health_notes", "categories"} <= fields
    logged = str(changes)
    assert "Wiyono" not in logged and "stroke" not in logged and "Sastro" not in logged
    history = client.get(reverse("cases:beneficiary_detail", args=[person.pk]))
    assert len(history.context["history"]) >= 2


def test_a_stale_form_is_refused_and_writes_nothing(case, trimulyo_worker, client_for):
    person = case.beneficiary
    url = reverse("cases:beneficiary_update", args=[person.pk])
    Beneficiary.objects.filter(pk=person.pk).update(version=2)
    response = client_for(trimulyo_worker).post(url, _form(person, full_name="Nama Lain"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()  # the conflict message
    person.refresh_from_db()
    assert person.full_name == "Mbah Sastro" and person.version == 2


def test_a_child_needs_a_parents_consent_and_a_used_nik_is_refused(
    case, psm, trimulyo_worker, client_for
):
    person = case.beneficiary
    url = reverse("cases:beneficiary_update", args=[person.pk])
    client = client_for(trimulyo_worker)
    child = _form(person, birth_date=(TODAY - datetime.timedelta(days=365 * 8)).isoformat())
    response = client.post(url, child)
    assert "consent_relation" in response.context["form"].errors
    nik = valid_nik("340209", datetime.date(1950, 5, 5), "L")
    with acting_as(trimulyo_worker):
        open_case(
            psm,
            trimulyo_worker,
            full_name="Pak Darmo",
            nik=nik,
            birth_date=datetime.date(1950, 5, 5),
        )
    response = client.post(url, _form(person, nik=nik))
    assert "nik" in response.context["form"].errors
    person.refresh_from_db()
    assert person.version == 1 and person.nik == ""


def test_only_those_who_may_open_the_person_may_correct_them(
    case, sumberagung_psm, auditor, sleman_officer, jetis_supervisor, client_for
):
    url = reverse("cases:beneficiary_update", args=[case.beneficiary_id])
    assert client_for(sumberagung_psm.user).get(url).status_code == 404
    assert client_for(sleman_officer).get(url).status_code == 404
    assert client_for(auditor).get(url).status_code == 403
    assert client_for(jetis_supervisor).get(url).status_code == 200


# ---- API -------------------------------------------------------------------------------------


def _api(person) -> str:
    return f"/api/v1/cases/beneficiaries/{person.pk}"


def test_api_patch_changes_fields_over_the_version_read(case, trimulyo_worker, client_for):
    person = case.beneficiary
    client = client_for(trimulyo_worker)
    response = client.patch(
        _api(person),
        {"address": "Dusun Kembangsongo RT 05", "categories": [ELDERLY, DISABLED]},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2 and response["ETag"] == '"2"'
    assert body["address"] == "Dusun Kembangsongo RT 05"
    assert body["categories"] == [ELDERLY, DISABLED]
    assert body["health_notes"] == "Hipertensi"  # untouched by a PATCH that left it out
    assert AccessLog.objects.filter(object_id=str(person.pk), action="api").exists()


def test_api_patch_refuses_stale_missing_versions_and_fields_it_cannot_set(
    case, trimulyo_worker, sumberagung_psm, client_for
):
    person = case.beneficiary
    client = client_for(trimulyo_worker)
    patch = {"content_type": "application/json"}
    assert client.patch(_api(person), {"full_name": "X"}, **patch).status_code == 428
    stale = client.patch(_api(person), {"full_name": "X", "version": 7}, **patch)
    assert stale.status_code == 409
    moved = client.patch(_api(person), {"village": "3402092003", "version": 1}, **patch)
    assert moved.status_code == 422
    bad = client.patch(_api(person), {"sex": "X", "version": 1}, **patch)
    assert bad.status_code == 422
    person.refresh_from_db()
    assert person.version == 1 and person.full_name == "Mbah Sastro" and person.sex == "L"
    other = client_for(sumberagung_psm.user)
    assert other.patch(_api(person), {"full_name": "X", "version": 1}, **patch).status_code == 404


def test_api_put_replaces_the_details(case, trimulyo_worker, client_for):
    person = case.beneficiary
    client = client_for(trimulyo_worker)
    whole = {
        "full_name": "Mbah Sastro",
        "sex": "L",
        "birth_date": "1940-01-01",
        "address": "Dusun Sorogenen",
        "categories": [ELDERLY],
        "consent_by": "Bu Sastro",
        "consent_relation": "family",
        "consent_on": TODAY.isoformat(),
        "consent_method": "written",
        "version": 1,
    }
    missing = {k: v for k, v in whole.items() if k != "address"}
    response = client.put(_api(person), missing, content_type="application/json")
    assert response.status_code == 422
    response = client.put(_api(person), whole, content_type="application/json")
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.address == "Dusun Sorogenen" and person.consent_relation == "family"
    assert person.health_notes == ""  # left out of a PUT: emptied
    assert list(person.categories.all()) == [PmksCategory.objects.get(number=ELDERLY)]
