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
