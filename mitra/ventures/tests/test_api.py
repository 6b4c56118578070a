"""The ventures API: the same rules and scope as the pages."""

import json

import pytest

from mitra.core.models import AccessLog
from mitra.ventures.models import Venture
from mitra.workers.tests.builders import build_worker

from .builders import build_result, build_support, build_venture, national_kind

pytestmark = pytest.mark.django_db


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_an_officer_records_a_venture_and_a_grant_through_the_api(
    regions, bantul_officer, client_for
):
    worker = build_worker(status="active")
    client = client_for(bantul_officer)
    response = _post(
        client,
        "/api/v1/ventures/",
        {
            "name": "Katering Bu Siti",
            "worker": str(worker.pk),
            "kind": national_kind().pk,
            "status": "running",
            "started_on": "2025-01-02",
        },
    )
    assert response.status_code == 201, response.content
    venture_id = response.json()["id"]
    assert response.json()["village_code"] == worker.village_id
    grant = _post(
        client,
        f"/api/v1/ventures/{venture_id}/supports",
        {
            "kind": "capital",
            "source": "csr",
            "programme": "CSR PT Maju",
            "amount": 2_500_000,
            "received_on": "2025-02-01",
        },
    )
    assert grant.status_code == 201, grant.content
    detail = client.get(f"/api/v1/ventures/{venture_id}")
    assert detail.json()["supports"][0]["amount"] in (2500000, "2500000")
    assert AccessLog.objects.filter(action="api", object_id=venture_id).exists()


def test_a_rule_broken_through_the_api_answers_422_with_the_field(
    regions, bantul_officer, client_for
):
    venture = build_venture()
    response = _post(
        client_for(bantul_officer),
        f"/api/v1/ventures/{venture.pk}/supports",
        {"kind": "capital", "source": "dinas", "programme": "UEP", "received_on": "2025-02-01"},
    )
    assert response.status_code == 422
    assert "amount" in json.dumps(response.json())


def test_the_psm_adds_a_result_to_their_own_venture_and_sees_only_theirs(
    regions, trimulyo_worker, client_for
):
    own = build_venture(worker=build_worker(user=trimulyo_worker, status="active"))
    other = build_venture(name="Warung Tetangga")
    client = client_for(trimulyo_worker)
    body = {
        "period_kind": "quarter",
        "period_start": "2025-05-20",
        "turnover": 4_000_000,
        "income_band": "2",
        "people_working": 2,
    }
    response = _post(client, f"/api/v1/ventures/{own.pk}/results", body)
    assert response.status_code == 201, response.content
    assert response.json()["period_start"] == "2025-04-01"
    assert _post(client, f"/api/v1/ventures/{other.pk}/results", body).status_code == 404
    listed = client.get("/api/v1/ventures/").json()
    assert [v["id"] for v in listed["items"]] == [str(own.pk)]
    assert _post(client, f"/api/v1/ventures/{own.pk}", {"version": 1}, "patch").status_code == 403


def test_a_patch_needs_the_version_read_and_stops_a_venture_with_its_reason(
    regions, bantul_officer, sleman_officer, client_for
):
    venture = build_venture()
    build_support(venture)
    build_result(venture)
    client = client_for(bantul_officer)
    url = f"/api/v1/ventures/{venture.pk}"
    stale = _post(client, url, {"version": 7, "name": "Ditimpa"}, "patch")
    assert stale.status_code == 409, stale.content
    venture.refresh_from_db()
    assert venture.name != "Ditimpa" and venture.version == 1
    missing = _post(client, url, {"version": 1, "status": "stopped"}, "patch")
    assert missing.status_code == 422
    done = _post(
        client,
        url,
        {"version": 1, "status": "stopped", "stopped_on": "2025-09-01", "stop_reason": "capital"},
        "patch",
    )
    assert done.status_code == 200, done.content
    assert Venture.objects.get(pk=venture.pk).status == "stopped"
    client.force_login(sleman_officer)
    assert client.get(url).status_code == 404
