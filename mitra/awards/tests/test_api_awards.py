"""The awards API: the same rules as the services, with the API's answers (404 out of sight,
403 without permission, 422 with the reasons, 409 locked or stale, 428 without a version)."""

import pytest

from mitra.awards import services
from mitra.awards.models import Nomination, Ranking

from .builders import SLEMAN_VILLAGE, eligible_psm, make_cycle, nominate, stage

pytestmark = pytest.mark.django_db
API = "/api/v1/awards"


@pytest.fixture
def contest(bantul_officer, sleman_officer, juror):
    cycle = make_cycle()
    bantul = nominate(cycle, eligible_psm(), bantul_officer)
    sleman = nominate(cycle, eligible_psm(village=SLEMAN_VILLAGE), sleman_officer)
    services.assign_juror(
        stage=stage(cycle),
        juror=juror,
        region_code="3402",
        home_region_code="3471",
        by=bantul_officer,
    )
    return cycle, bantul, sleman


def test_cycles_are_listed_with_their_stages(contest, client_for, juror):
    cycle, _b, _s = contest
    client = client_for(juror)
    listed = client.get(f"{API}/cycles").json()
    assert [c["year"] for c in listed["items"]] == [2026]
    detail = client.get(f"{API}/cycles/{cycle.pk}").json()
    assert [s["level"] for s in detail["stages"]] == ["regency", "province", "national"]
    assert {c["key"] for c in detail["stages"][0]["criteria"]} >= {"innovation", "activities"}


def test_a_juror_cannot_see_unassigned_nominations(contest, client_for, juror):
    _cycle, bantul, sleman = contest
    client = client_for(juror)
    listed = client.get(f"{API}/nominations").json()
    assert [n["id"] for n in listed["items"]] == [str(bantul.pk)]
    assert client.get(f"{API}/nominations/{sleman.pk}").status_code == 404
    assert client.get(f"{API}/nominations/{sleman.pk}/scores").status_code == 404
    put = client.put(
        f"{API}/nominations/{sleman.pk}/scores",
        {"scores": {"innovation": {"value": 9}}, "version": 1},
        content_type="application/json",
    )
    assert put.status_code == 404
    assert client.get(f"{API}/nominations/{bantul.pk}").status_code == 200


def test_nominating_over_the_api_reports_eligibility(client_for, bantul_officer):
    cycle = make_cycle()
    client = client_for(bantul_officer)
    body = {
        "cycle": cycle.pk,
        "innovation_title": "Posyandu Lansia Keliling",
        "innovation_summary": "Ringkas.",
        "innovation_text": "Lengkap.",
    }
    untrained = eligible_psm(basic_training_on=None)
    refused = client.post(
        f"{API}/nominations",
        {**body, "worker": str(untrained.pk)},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["worker"]
    worker = eligible_psm()
    sneaky = client.post(
        f"{API}/nominations",
        {**body, "worker": str(worker.pk), "status": "winner"},
        content_type="application/json",
    )
    assert sneaky.status_code == 422 and not Nomination.objects.exists()
    sleman = eligible_psm(village=SLEMAN_VILLAGE)
    outside = client.post(
        f"{API}/nominations", {**body, "worker": str(sleman.pk)}, content_type="application/json"
    )
    assert outside.status_code == 422
    created = client.post(
        f"{API}/nominations", {**body, "worker": str(worker.pk)}, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["status"] == "nominated"
    assert "verified_activities" in created.json()["evidence"]


def test_a_juror_scores_submits_and_is_then_locked_out(contest, client_for, juror):
    _cycle, bantul, _s = contest
    client = client_for(juror)
    url = f"{API}/nominations/{bantul.pk}/scores"
    sheet = client.get(url).json()
    assert sheet["locked"] is False and {c["key"] for c in sheet["criteria"]} == {
        "innovation",
        "interview",
    }
    marks = {"scores": {"innovation": {"value": 8, "comment": "Nyata"}, "interview": {"value": 7}}}
    assert client.put(url, marks, content_type="application/json").status_code == 428
    stale = client.put(url, {**marks, "version": 99}, content_type="application/json")
    assert stale.status_code == 409
    saved = client.put(
        url, marks, content_type="application/json", headers={"If-Match": str(sheet["version"])}
    )
    assert saved.status_code == 200
    version = saved.json()["version"]
    done = client.post(f"{url}/submit", {"version": version}, content_type="application/json")
    assert done.status_code == 200 and done.json()["locked"] is True
    again = client.put(
        url, {**marks, "version": done.json()["version"]}, content_type="application/json"
    )
    assert again.status_code == 409
    assert [s["nomination_id"] for s in client.get(f"{API}/sheets").json()["items"]] == [
        str(bantul.pk)
    ]


def test_officers_cannot_score_and_jurors_cannot_publish(
    contest, client_for, bantul_officer, juror
):
    cycle, bantul, _s = contest
    officer = client_for(bantul_officer)
    assert officer.get(f"{API}/nominations/{bantul.pk}/scores").status_code == 403
    juror_client = client_for(juror)
    response = juror_client.post(
        f"{API}/stages/{stage(cycle).pk}/publish",
        {"region": "34.02"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_publish_rankings_and_appeals_over_the_api(
    contest, client_for, juror, bantul_officer, sleman_officer, diy_officer
):
    cycle, bantul, _s = contest
    from .builders import score

    score(bantul, juror, innovation=8, interview=8)
    regency = stage(cycle)
    preview = client_for(sleman_officer).get(f"{API}/stages/{regency.pk}/preview?region=3402")
    assert preview.status_code == 404
    officer = client_for(bantul_officer)
    shown = officer.get(f"{API}/stages/{regency.pk}/preview?region=34.02").json()
    assert shown["problems"] == [] and shown["entries"][0]["rank"] == 1
    published = officer.post(
        f"{API}/stages/{regency.pk}/publish", {"region": "3402"}, content_type="application/json"
    )
    assert published.status_code == 201
    ranking = Ranking.objects.get()
    assert published.json()["entries"][0]["components"]["innovation"]["marks"][0]["raw"] == 8.0
    assert officer.get(f"{API}/rankings/{ranking.pk}").status_code == 200
    assert client_for(sleman_officer).get(f"{API}/rankings/{ranking.pk}").status_code == 404

    officer = client_for(bantul_officer)  # one test client: log the Bantul officer in again
    appeal = officer.post(
        f"{API}/appeals",
        {"ranking": ranking.pk, "nomination": str(bantul.pk), "reason": "Data kurang"},
        content_type="application/json",
    )
    assert appeal.status_code == 201
    appeal_id = appeal.json()["id"]
    assert (
        officer.post(
            f"{API}/appeals/{appeal_id}/decision",
            {"upheld": False, "reason": "x", "version": 1},
            content_type="application/json",
        ).status_code
        == 403
    )
    decided = client_for(diy_officer).post(
        f"{API}/appeals/{appeal_id}/decision",
        {"upheld": False, "reason": "Data lengkap", "version": 1},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
