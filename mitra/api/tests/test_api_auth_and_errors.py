"""The API's front door: schema, session and token authentication, token pages, one error format,
validation errors and pagination."""

import hashlib
import uuid

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from mitra.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/me"
SEARCH_URL = "/api/v1/regions/search"
PROFILE_URL = reverse("accounts:profile")


def tr(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


# --- schema and authentication ------------------------------------------------------------------


def test_openapi_schema_is_served_without_login(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Mitra API"
    assert {"/api/v1/me", "/api/v1/regions/provinces", "/api/v1/regions/search"} <= set(
        schema["paths"]
    )
    assert any(
        s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values()
    )


def test_me_without_authentication_is_401_in_the_error_format(client, db):
    response = client.get(ME_URL)

    error = assert_error(response, 401, "unauthenticated")
    assert error == {
        "code": "unauthenticated",
        "message": tr("Log in or send a valid token (Authorization: Bearer …)."),
    }


def test_me_with_a_session_returns_the_caller(bantul_officer, client_for):
    response = client_for(bantul_officer).get(ME_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == bantul_officer.pk
    assert (body["username"], body["role"], body["scope_code"]) == (
        "dinsos.bantul",
        "regency_officer",
        "3402",
    )
    assert "accounts.add_user" in body["permissions"]
    assert "core.view_accesslog" not in body["permissions"]


def test_issued_token_works_as_bearer(client, trimulyo_worker):
    token, raw = ApiToken.issue(trimulyo_worker, "sistem desa")

    response = client.get(ME_URL, **bearer(raw))

    assert response.status_code == 200
    assert response.json()["username"] == "psm.trimulyo"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_hash_of_the_token_is_stored(trimulyo_worker):
    token, raw = ApiToken.issue(trimulyo_worker, "sistem desa")

    token.refresh_from_db()
    assert raw.startswith("mitra_")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (token.key_hash, token.hint, token.name)
    assert raw.startswith(token.hint) and len(token.hint) < len(raw)


def test_revoked_token_is_refused(client, trimulyo_worker):
    token, raw = ApiToken.issue(trimulyo_worker, "lama")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)

    assert_error(client.get(ME_URL, **bearer(raw)), 401, "unauthenticated")


def test_token_of_a_deactivated_user_is_refused(client, trimulyo_worker):
    _token, raw = ApiToken.issue(trimulyo_worker, "sistem desa")
    trimulyo_worker.is_active = False
    trimulyo_worker.save()

    assert_error(client.get(ME_URL, **bearer(raw)), 401, "unauthenticated")


@pytest.mark.parametrize(
    "raw", ["mitra_not-a-real-token", "not-even-our-prefix", "mitra_", "Basic dXNlcjpwYXNz"]
)
def test_unknown_tokens_are_refused(client, trimulyo_worker, raw):
    ApiToken.issue(trimulyo_worker, "sistem desa")

    assert_error(client.get(ME_URL, **bearer(raw)), 401, "unauthenticated")


# --- token pages --------------------------------------------------------------------------------


def test_creating_a_token_shows_it_once(trimulyo_worker, client_for):
    client = client_for(trimulyo_worker)

    response = client.post(reverse("accounts:token_create"), {"name": "aplikasi desa"})

    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.startswith("mitra_") and raw in response.text
    token = ApiToken.objects.get(user=trimulyo_worker)
    assert token.name == "aplikasi desa"
    profile = client.get(PROFILE_URL)
    assert raw not in profile.text
    assert token.hint in profile.text
    client.logout()
    assert client.get(ME_URL, **bearer(raw)).json()["username"] == "psm.trimulyo"


def test_token_without_a_name_is_not_created(trimulyo_worker, client_for):
    response = client_for(trimulyo_worker).post(reverse("accounts:token_create"), {"name": ""})

    assert response.status_code == 302
    assert response.url == PROFILE_URL
    assert not ApiToken.objects.exists()


def test_owner_revokes_their_token_and_it_stops_working(client, trimulyo_worker, client_for):
    token, raw = ApiToken.issue(trimulyo_worker, "sistem desa")
    owner = client_for(trimulyo_worker)

    response = owner.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert response.url == PROFILE_URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    owner.logout()
    assert_error(owner.get(ME_URL, **bearer(raw)), 401, "unauthenticated")


def test_revoking_another_users_token_is_404_and_leaves_it_working(
    client, trimulyo_worker, national_admin, client_for
):
    token, raw = ApiToken.issue(trimulyo_worker, "sistem desa")
    other = client_for(national_admin)

    response = other.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    other.logout()
    assert other.get(ME_URL, **bearer(raw)).status_code == 200


def test_revoking_needs_a_post(trimulyo_worker, client_for):
    token, _raw = ApiToken.issue(trimulyo_worker, "sistem desa")

    response = client_for(trimulyo_worker).get(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


# --- errors, validation, pagination ---------------------------------------------------------------


def test_validation_error_is_422_with_details(bantul_officer, client_for):
    response = client_for(bantul_officer).get("/api/v1/jobs/not-a-uuid")

    error = assert_error(response, 422, "invalid")
    assert error["message"] == tr("Some values are not valid.")
    assert [d["field"] for d in error["details"]] == ["job_id"]
    assert all(d["message"] for d in error["details"])


def test_missing_required_parameter_is_422_naming_it(bantul_officer, client_for):
    error = assert_error(client_for(bantul_officer).get(SEARCH_URL), 422, "invalid")

    assert [d["field"] for d in error["details"]] == ["q"]


def test_unknown_object_is_404_in_the_error_format(bantul_officer, client_for):
    response = client_for(bantul_officer).get(f"/api/v1/jobs/{uuid.uuid4()}")

    error = assert_error(response, 404, "not_found")
    assert error["message"] == tr("Not found.")


def test_a_server_error_answers_json_in_the_error_format_and_is_logged(
    bantul_officer, client_for, monkeypatch, caplog
):
    """A client of the API reads JSON also when the server fails (not Django's HTML 500 page)."""
    from mitra.core.models import Job

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Job.objects, "visible_to", crash)
    response = client_for(bantul_officer).get(f"/api/v1/jobs/{uuid.uuid4()}")

    error = assert_error(response, 500, "server_error")
    assert error["message"] == tr("Something went wrong on the server. Try again later.")
    assert any(r.exc_info and r.levelname == "ERROR" for r in caplog.records)


def test_list_is_paginated_with_items_count_limit_offset(national_admin, client_for):
    client = client_for(national_admin)

    first = client.get(SEARCH_URL, {"q": "Trimulyo", "limit": 2}).json()
    second = client.get(SEARCH_URL, {"q": "Trimulyo", "limit": 2, "offset": 2}).json()

    assert set(first) == {"items", "count", "limit", "offset"}
    assert (first["limit"], first["offset"]) == (2, 0)
    assert (second["limit"], second["offset"]) == (2, 2)
    assert first["count"] == second["count"] > 4
    assert len(first["items"]) == len(second["items"]) == 2
    assert {r["code"] for r in first["items"]}.isdisjoint({r["code"] for r in second["items"]})


def test_default_page_size_is_50(national_admin, client_for):
    body = client_for(national_admin).get(SEARCH_URL, {"q": "Sari"}).json()

    assert body["limit"] == 50
    assert body["count"] > 50
    assert len(body["items"]) == 50


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 501}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")],
)
def test_out_of_range_paging_is_422(national_admin, client_for, params, field):
    response = client_for(national_admin).get(SEARCH_URL, {"q": "Bantul", **params})

    error = assert_error(response, 422, "invalid")
    assert field in [d["field"] for d in error["details"]]


def test_limit_of_500_is_allowed(national_admin, client_for):
    response = client_for(national_admin).get(SEARCH_URL, {"q": "Bantul", "limit": 500})

    assert response.status_code == 200
    assert response.json()["limit"] == 500
