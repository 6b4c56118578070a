"""Searching the case and beneficiary lists by name or full NIK: the filter bar posts, the result
is shown under a link that carries the search only encrypted (as on the worker list), and the
search stays inside the user's view."""

import datetime

import pytest
from django.urls import reverse

from mitra.workers.tests.builders import valid_nik

from .test_pages_cases import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(psm, sumberagung_psm, trimulyo_worker, jetis_supervisor):
    born = datetime.date(1944, 2, 3)
    return {
        "karto": open_case(
            psm,
            trimulyo_worker,
            full_name="Mbah Karto Suwito",
            nik=valid_nik("340209", born, "L"),
            birth_date=born,
        ),
        "painem": open_case(psm, trimulyo_worker, full_name="Bu Painem"),
        "elsewhere": open_case(sumberagung_psm, jetis_supervisor, full_name="Pak Karto Dimejo"),
    }


@pytest.mark.parametrize(
    ("name", "rows"),
    [("cases:case_list", lambda c: c.beneficiary), ("cases:beneficiary_list", lambda b: b)],
)
def test_a_name_search_never_goes_into_the_address(
    name, rows, people, trimulyo_worker, jetis_supervisor, client_for
):
    url = reverse(name)
    client = client_for(trimulyo_worker)
    response = client.post(url, {"q": "karto"})
    assert response.status_code == 303
    link = response["Location"]
    assert "karto" not in link.lower() and "s=" in link
    found = [rows(r) for r in client.get(link).context["object_list"]]
    # The PSM's own Karto only: Sumberagung's Karto is outside their view.
    assert [p.full_name for p in found] == ["Mbah Karto Suwito"]
    supervisor = client_for(jetis_supervisor)
    found = supervisor.get(supervisor.post(url, {"q": "Karto"})["Location"]).context["object_list"]
    assert sorted(rows(r).full_name for r in found) == ["Mbah Karto Suwito", "Pak Karto Dimejo"]

    # htmx: the table comes back, and the address bar gets the encrypted link.
    table = supervisor.post(url, {"q": "painem"}, headers={"HX-Request": "true"})
    assert [rows(r).full_name for r in table.context["object_list"]] == ["Bu Painem"]
    assert "painem" not in table["HX-Push-Url"].lower()


def test_a_full_nik_finds_the_person(people, jetis_supervisor, client_for):
    person = people["karto"].beneficiary
    client = client_for(jetis_supervisor)
    url = reverse("cases:beneficiary_list")
    link = client.post(url, {"q": person.nik})["Location"]
    assert person.nik not in link
    assert list(client.get(link).context["object_list"]) == [person]
