"""A NUL character in an API query parameter is a 422 in the user's language, not a server
error (PostgreSQL text cannot hold NUL; the fuzzing found /api/v1/regions/search?q=a%00b)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/regions/search?q=Ban%00tul", "/api/v1/cases/?q=%00"])
def test_a_nul_in_a_query_parameter_is_422_in_indonesian(url, regions, bantul_officer, client_for):
    response = client_for(bantul_officer).get(url)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"][0]["field"] == "q"
    assert error["details"][0]["message"] == "Karakter null tidak diizinkan."


def test_the_same_search_without_it_answers(regions, bantul_officer, client_for):
    response = client_for(bantul_officer).get("/api/v1/regions/search?q=Bantul")
    assert response.status_code == 200
    assert response.json()["items"]


def test_a_category_number_past_the_integer_range_is_unknown_not_a_crash(
    regions, bantul_officer, client_for
):
    body = {
        "full_name": "Mbah Sastro",
        "sex": "L",
        "birth_date": "1940-01-01",
        "village": "34.02.09.2004",
        "address": "Dusun Kembangsongo",
        "categories": [8, -(2**100), 2**70],
        "consent_by": "Mbah Sastro",
        "consent_relation": "self",
        "consent_on": "2026-01-05",
        "consent_method": "verbal",
    }
    response = client_for(bantul_officer).post(
        "/api/v1/cases/beneficiaries", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    fields = {d["field"]: d["message"] for d in response.json()["error"]["details"]}
    assert set(fields) == {"categories"}, fields
    assert str(2**70) in fields["categories"]
