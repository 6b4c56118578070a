"""The region API answers within the caller's scope; anything else is a 404 in the error format."""

import pytest

from mitra.regions.models import District

pytestmark = pytest.mark.django_db

BASE = "/api/v1/regions"


def codes(rows) -> list[str]:
    return [row["code"] for row in rows]


def assert_not_found(response):
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_bantul_officer_sees_only_di_yogyakarta_among_provinces(bantul_officer, client_for):
    response = client_for(bantul_officer).get(f"{BASE}/provinces")

    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "34",
            "dotted_code": "34",
            "name": "Daerah Istimewa Yogyakarta",
            "level": "province",
            "parent_code": None,
            "kind": None,
        }
    ]


def test_national_admin_sees_all_provinces(national_admin, client_for):
    rows = client_for(national_admin).get(f"{BASE}/provinces").json()

    assert len(rows) == 38
    assert codes(rows) == sorted(codes(rows))


def test_children_of_bantul_are_its_17_districts(bantul_officer, client_for):
    response = client_for(bantul_officer).get(f"{BASE}/3402/children")

    assert response.status_code == 200
    rows = response.json()
    expected = list(
        District.objects.filter(regency_id="3402").order_by("code").values_list("code", flat=True)
    )
    assert len(rows) == 17
    assert codes(rows) == expected
    assert {r["level"] for r in rows} == {"district"}
    assert {r["parent_code"] for r in rows} == {"3402"}
    jetis = next(r for r in rows if r["code"] == "340209")
    assert (jetis["name"], jetis["dotted_code"]) == ("Jetis", "34.02.09")


def test_children_of_the_province_are_only_bantul_for_the_bantul_officer(
    bantul_officer, client_for
):
    rows = client_for(bantul_officer).get(f"{BASE}/34/children").json()

    assert codes(rows) == ["3402"]


def test_dotted_code_is_accepted(bantul_officer, client_for):
    response = client_for(bantul_officer).get(f"{BASE}/34.02.09.2004")

    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["name"], body["level"]) == ("3402092004", "Trimulyo", "village")
    assert (body["parent_code"], body["kind"]) == ("340209", "desa")


def test_village_has_no_children(bantul_officer, client_for):
    response = client_for(bantul_officer).get(f"{BASE}/3402092004/children")

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("path", ["3404", "3404/children", "340401", "3404012001", "35"])
def test_region_outside_the_bantul_scope_is_404(bantul_officer, client_for, path):
    assert_not_found(client_for(bantul_officer).get(f"{BASE}/{path}"))


def test_sleman_is_visible_to_the_sleman_officer(sleman_officer, client_for):
    response = client_for(sleman_officer).get(f"{BASE}/3404")

    assert response.status_code == 200
    assert response.json()["name"] == "Kabupaten Sleman"


def test_search_finds_trimulyo_in_jetis_for_national_admin(national_admin, client_for):
    response = client_for(national_admin).get(f"{BASE}/search", {"q": "Trimulyo"})

    assert response.status_code == 200
    found = codes(response.json()["items"])
    assert "3402092004" in found
    assert "3404132005" in found  # the Trimulyo in Sleman
    assert len(found) > 2


def test_search_for_bantul_officer_stays_in_bantul(bantul_officer, client_for):
    body = client_for(bantul_officer).get(f"{BASE}/search", {"q": "Trimulyo"}).json()

    assert codes(body["items"]) == ["3402092004"]
    assert body["count"] == 1


def test_search_by_code_prefix(bantul_officer, client_for):
    body = client_for(bantul_officer).get(f"{BASE}/search", {"q": "34.02.09"}).json()

    found = codes(body["items"])
    assert "340209" in found
    assert "3402092004" in found
    assert all(code.startswith("340209") for code in found)


@pytest.mark.parametrize(
    "code",
    [
        "abc",
        "3",
        "340",
        "34020",
        "340209200",
        "34020920041",
        "..",
        "34-02",
        "9" * 40,
        "34%2002",
        "99",
        "3499",
    ],
)
def test_malformed_or_unknown_code_is_404_not_500(national_admin, client_for, code):
    client = client_for(national_admin)

    assert_not_found(client.get(f"{BASE}/{code}"))
    assert_not_found(client.get(f"{BASE}/{code}/children"))


def test_regions_api_needs_authentication(client, regions):
    response = client.get(f"{BASE}/provinces")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
