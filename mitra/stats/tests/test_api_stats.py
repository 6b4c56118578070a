"""The stats API: the same figures as the service, the caller's scope, clear errors."""

import datetime

import pytest
from django.utils import translation

from mitra.stats import rollups
from mitra.stats.indicators import INDICATORS, Filters, dashboard
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def _workers():
    build_worker(village="3402092004", status="active", joined_on=datetime.date(2020, 1, 1))
    build_worker(village="3402092003", status="active", sex="L")
    build_worker(village="3404012001", status="active")


def test_dashboard_json_has_the_service_figures_for_the_callers_area(bantul_officer, client_for):
    _workers()
    rollups.rebuild_all()
    body = client_for(bantul_officer).get("/api/v1/stats/dashboard").json()
    board = dashboard(bantul_officer, "3402", Filters.default())
    assert body["level"] == "regency"
    assert body["region"] == {"code": "3402", "name": board.region_name}
    assert body["values"] == board.values
    assert body["values"]["psm_active"] == 2  # Sleman's worker is not counted
    assert [row["code"] for row in body["children"]] == [row["code"] for row in board.children]
    assert [c["linkable"] for c in body["crumbs"]] == [False, False, True]
    months = body["trends"]["new_cases"]
    assert months[0]["month"] == Filters.default().date_from.isoformat()


def test_children_can_be_limited_to_named_indicators(diy_officer, client_for):
    _workers()
    body = (
        client_for(diy_officer)
        .get("/api/v1/stats/children?region=34&indicators=psm_active,women_share")
        .json()
    )
    bantul = next(row for row in body["children"] if row["code"] == "3402")
    assert set(bantul) == {"code", "name", "psm_active", "women_share"}
    assert bantul["psm_active"] == 2


@pytest.mark.parametrize("region", ["", "34", "3404", "340401"])
def test_regency_officer_gets_404_outside_their_regency(bantul_officer, client_for, region):
    client = client_for(bantul_officer)
    assert client.get(f"/api/v1/stats/dashboard?region={region}").status_code == 404
    assert client.get(f"/api/v1/stats/children?region={region}").status_code == 404


def test_bad_period_is_refused_with_the_reason(bantul_officer, client_for):
    with translation.override("id"):
        response = client_for(bantul_officer).get(
            "/api/v1/stats/dashboard?year_from=2026&month_from=13", HTTP_ACCEPT_LANGUAGE="id"
        )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "12" in error["details"][0]["message"]  # the months run from 1 to 12


def test_period_ending_before_it_starts_is_refused(bantul_officer, client_for):
    response = client_for(bantul_officer).get(
        "/api/v1/stats/dashboard?year_from=2026&month_from=5&year_to=2026&month_to=4"
    )
    assert response.status_code == 422


def test_unknown_indicator_is_refused(bantul_officer, client_for):
    response = client_for(bantul_officer).get("/api/v1/stats/children?indicators=nope")
    assert response.status_code == 422
    assert "nope" in str(response.json())


def test_definitions_list_every_indicator(auditor, client_for):
    body = client_for(auditor).get("/api/v1/stats/indicators").json()
    assert [i["key"] for i in body["indicators"]] == [i.key for i in INDICATORS]
    assert all(i["definition"] for i in body["indicators"])


def test_anonymous_caller_is_refused(client, regions):
    assert client.get("/api/v1/stats/dashboard").status_code == 401


def test_a_word_for_a_number_is_refused_naming_the_parameter(bantul_officer, client_for):
    with translation.override("id"):
        response = client_for(bantul_officer).get(
            "/api/v1/stats/dashboard?month_to=lima", HTTP_ACCEPT_LANGUAGE="id"
        )
        expected = str(translation.gettext("The month must be a number from 1 to 12."))
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{"field": "month_to", "message": expected}]


def test_empty_filters_are_the_same_as_missing_ones(bantul_officer, client_for):
    _workers()
    client = client_for(bantul_officer)
    empty = client.get("/api/v1/stats/children?year_from=&month_to=&kind=&category=").json()
    assert empty == client.get("/api/v1/stats/children").json()


def test_the_document_names_the_filters_and_the_answers():
    from mitra.api.api import api

    paths = api.get_openapi_schema()["paths"]
    for name, extra in (("dashboard", []), ("children", ["indicators"])):
        operation = paths[f"/api/v1/stats/{name}"]["get"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert list(params) == [
            *["region", "year_from", "month_from", "year_to", "month_to", "kind", "category"],
            *extra,
        ]
        assert all(p["in"] == "query" and p.get("description") for p in params.values())
        assert "schema" in operation["responses"][200]["content"]["application/json"]
        assert "404" in operation["responses"]  # a region outside the caller's scope
    assert (
        "schema"
        in paths["/api/v1/stats/indicators"]["get"]["responses"][200]["content"]["application/json"]
    )
