"""The worker list: scope, each filter, search by name or NIK (never in a URL), sorting, pages."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from mitra.workers import views
from mitra.workers.tests.factories import WorkerFactory, activate

pytestmark = pytest.mark.django_db

LIST_URL = reverse("workers:list")
TODAY = timezone.localdate()


def years_ago(n: int) -> datetime.date:
    try:
        return TODAY.replace(year=TODAY.year - n) - datetime.timedelta(days=10)
    except ValueError:  # 29 February
        return TODAY.replace(year=TODAY.year - n, day=28) - datetime.timedelta(days=10)


@pytest.fixture
def people(bantul_officer):
    siti = WorkerFactory(
        full_name="Siti Rahayu", sex="P", birth_date=years_ago(40), village_code="3402092004"
    )
    budi = WorkerFactory(
        full_name="Budi Santoso",
        sex="L",
        birth_date=years_ago(25),
        village_code="3402092001",
        kind="tksk",
        ready=True,
    )
    ahmad = activate(
        WorkerFactory(
            full_name="Ahmad Dahlan",
            sex="L",
            birth_date=years_ago(62),
            village_code="3402012001",
            ready=True,
        ),
        bantul_officer,
    )
    sleman = WorkerFactory(
        full_name="Siti Aminah", sex="P", birth_date=years_ago(40), village_code="3404012001"
    )
    return {"siti": siti, "budi": budi, "ahmad": ahmad, "sleman": sleman}


def names(response) -> set[str]:
    return {w.full_name for w in response.context["object_list"]}


def test_the_list_shows_the_officers_area_only(people, bantul_officer, client_for):
    response = client_for(bantul_officer).get(LIST_URL)
    assert response.status_code == 200
    assert names(response) == {"Siti Rahayu", "Budi Santoso", "Ahmad Dahlan"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "34.02.09"}, {"Siti Rahayu", "Budi Santoso"}),
        ({"region": "3402012001"}, {"Ahmad Dahlan"}),
        ({"region": "34"}, {"Siti Rahayu", "Budi Santoso", "Ahmad Dahlan"}),
        ({"kind": "tksk"}, {"Budi Santoso"}),
        ({"status": "active"}, {"Ahmad Dahlan"}),
        ({"status": "applied"}, {"Siti Rahayu", "Budi Santoso"}),
        ({"trained": "yes"}, {"Budi Santoso", "Ahmad Dahlan"}),
        ({"trained": "no"}, {"Siti Rahayu"}),
        ({"age": "18-29"}, {"Budi Santoso"}),
        ({"age": "40-49"}, {"Siti Rahayu"}),
        ({"age": "60-"}, {"Ahmad Dahlan"}),
        ({"sex": "P"}, {"Siti Rahayu"}),
        ({"sex": "L", "region": "34.02.09"}, {"Budi Santoso"}),
    ],
)
def test_each_filter_narrows_the_list(params, expected, people, bantul_officer, client_for):
    response = client_for(bantul_officer).get(LIST_URL, params)
    assert names(response) == expected


def test_a_region_outside_the_area_shows_nothing_of_it(people, bantul_officer, client_for):
    response = client_for(bantul_officer).get(LIST_URL, {"region": "34.04"})
    assert names(response) == set()


def test_an_unknown_region_is_reported(people, bantul_officer, client_for):
    response = client_for(bantul_officer).get(LIST_URL, {"region": "34.02.99"})
    assert "region" in response.context["form"].errors


def _search(client, text, **filters):
    return client.post(LIST_URL, {"q": text, **filters}, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("siti", {"Siti Rahayu"}),
        ("RAHAYU", {"Siti Rahayu"}),
        ("Hj. Siti Rahayu, S.Pd", {"Siti Rahayu"}),
        ("santoso", {"Budi Santoso"}),
        ("nobody", set()),
    ],
)
def test_search_by_name(text, expected, people, bantul_officer, client_for):
    response = _search(client_for(bantul_officer), text)
    assert response.status_code == 200
    assert names(response) == expected


def test_search_by_full_nik_even_with_spaces(people, bantul_officer, client_for):
    nik = people["budi"].nik
    spaced = f"{nik[:6]} {nik[6:12]} {nik[12:]}"
    response = _search(client_for(bantul_officer), spaced)
    assert names(response) == {"Budi Santoso"}
    # A NIK of a worker outside the area finds nothing.
    assert names(_search(client_for(bantul_officer), people["sleman"].nik)) == set()


def test_the_search_never_travels_in_a_url(people, bantul_officer, client_for):
    client = client_for(bantul_officer)
    nik = people["siti"].nik
    response = _search(client, nik, status="applied")
    pushed = response["HX-Push-Url"]
    assert nik not in pushed and nik[:6] not in pushed
    params = parse_qs(urlparse(pushed).query)
    assert params["status"] == ["applied"] and "q" not in params and params["s"]
    for link in (response.context["sort_url"], response.context["querystring"]):
        assert nik not in link
    # The address the browser shows gives the same list, with the search box filled in.
    again = client.get(pushed)
    assert names(again) == {"Siti Rahayu"}
    assert f'value="{nik}"' in again.content.decode()
    # Without htmx, the form posts and the browser is sent to the same kind of address.
    plain = client.post(LIST_URL, {"q": "Siti Rahayu"})
    assert plain.status_code == 303
    assert "Siti" not in plain["Location"] and "s=" in plain["Location"]
    assert names(client.get(plain["Location"])) == {"Siti Rahayu"}


def test_a_mangled_search_token_is_ignored(people, bantul_officer, client_for):
    response = client_for(bantul_officer).get(LIST_URL, {"s": "not-a-token"})
    assert response.status_code == 200
    assert len(names(response)) == 3


def test_the_list_shows_masked_niks_only(people, bantul_officer, client_for):
    page = client_for(bantul_officer).get(LIST_URL).content.decode()
    for key in ("siti", "budi", "ahmad"):
        assert people[key].nik not in page
        assert people[key].nik_masked in page


def test_sorting_by_name(people, bantul_officer, client_for):
    client = client_for(bantul_officer)
    ascending = [w.full_name for w in client.get(LIST_URL).context["object_list"]]
    assert ascending == ["Ahmad Dahlan", "Budi Santoso", "Siti Rahayu"]
    response = client.get(LIST_URL, {"sort": "-name"})
    assert [w.full_name for w in response.context["object_list"]] == ascending[::-1]
    assert client.get(LIST_URL).context["sort_url"].endswith("sort=-name")


def test_fifty_per_page_and_the_filters_stay_on_the_next_page(bantul_officer, client_for):
    for _ in range(51):
        WorkerFactory(village_code="3402092004", sex="P")
    WorkerFactory(village_code="3402092004", sex="L")
    client = client_for(bantul_officer)
    first = client.get(LIST_URL, {"sex": "P"})
    assert len(first.context["object_list"]) == 50
    assert first.context["page_obj"].paginator.count == 51
    assert "sex=P&amp;page=2" in first.content.decode()
    second = client.get(LIST_URL, {"sex": "P", "page": 2})
    assert len(second.context["object_list"]) == 1


def test_export_and_import_links_carry_the_filters_when_those_pages_exist(
    people, bantul_officer, client_for
):
    client = client_for(bantul_officer)
    response = _search(client, "siti", kind="psm")
    for key, name in (("export_csv", "workers:export_csv"), ("export_xlsx", "workers:export_xlsx")):
        try:
            url = reverse(name)
        except NoReverseMatch:
            assert response.context[key] is None
            continue
        link = response.context[key]
        assert link.startswith(url + "?")
        params = parse_qs(urlparse(link).query)
        assert params["kind"] == ["psm"] and params["s"] and "q" not in params
        assert "siti" not in link.lower()


def test_the_list_works_before_the_export_and_import_pages_exist(
    people, bantul_officer, client_for, monkeypatch
):
    monkeypatch.setattr(views, "_optional_url", lambda name: None)
    response = client_for(bantul_officer).get(LIST_URL)
    assert response.status_code == 200
    assert response.context["export_csv"] is None and response.context.get("import_url") is None


def test_roles_without_export_see_no_export_link(people, jetis_supervisor, client_for):
    response = client_for(jetis_supervisor).get(LIST_URL)
    assert "export_csv" not in response.context
    assert names(response) == {"Siti Rahayu", "Budi Santoso"}  # the district of Jetis


def test_a_psm_is_sent_to_their_own_profile(trimulyo_worker, client_for):
    response = client_for(trimulyo_worker).get(LIST_URL)
    assert response.status_code == 302 and response["Location"] == reverse("workers:mine")


def test_a_juror_may_not_see_the_list(juror, client_for):
    assert client_for(juror).get(LIST_URL).status_code == 403
