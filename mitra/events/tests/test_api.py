"""The events API: same scope, permissions and rules as the pages."""

import datetime

import pytest

from mitra.events.models import Invitation

from .builders import invite, make_event, registered, worker_in

pytestmark = pytest.mark.django_db


def test_event_list_and_detail_follow_the_scope(bantul_officer, client_for):
    national = make_event(name="nasional")
    sleman = make_event(region="3404", name="Sleman")
    client = client_for(bantul_officer)
    names = [e["name"] for e in client.get("/api/v1/events/").json()["items"]]
    assert names == ["nasional"]
    detail = client.get(f"/api/v1/events/{national.pk}").json()
    assert len(detail["sessions"]) == 4
    assert client.get(f"/api/v1/events/{sleman.pk}").status_code == 404


def test_invitations_are_scoped_to_the_callers_area(bantul_officer, client_for):
    event = make_event()
    invite(event, worker_in("3402", full_name="Bantul"))
    invite(event, worker_in("3404", full_name="Sleman"))
    rows = client_for(bantul_officer).get(f"/api/v1/events/{event.pk}/invitations").json()
    assert [r["worker_name"] for r in rows["items"]] == ["Bantul"]


def test_invite_needs_the_organiser(bantul_officer, national_admin, client_for):
    event = make_event()
    worker = worker_in("3402")
    url = f"/api/v1/events/{event.pk}/invitations"
    body = {"worker": str(worker.pk)}
    assert (
        client_for(bantul_officer).post(url, body, content_type="application/json").status_code
        == 403
    )
    client = client_for(national_admin)
    assert client.post(url, body, content_type="application/json").status_code == 201
    assert client.post(url, body, content_type="application/json").status_code == 200
    assert Invitation.objects.filter(event=event).count() == 1


def test_own_registration_over_the_api(trimulyo_worker, client_for):
    event = make_event()
    invitation = invite(event, worker_in("3402", user=trimulyo_worker))
    client = client_for(trimulyo_worker)
    url = f"/api/v1/events/{event.pk}/invitations/{invitation.pk}/registration"
    body = {
        "travel_from": "Bantul",
        "arrival_on": event.starts_on.isoformat(),
        "departure_on": (event.starts_on - datetime.timedelta(days=1)).isoformat(),
        "transport": "bus",
    }
    assert client.put(url, body, content_type="application/json").status_code == 422
    body["departure_on"] = event.ends_on.isoformat()
    saved = client.put(url, body, content_type="application/json")
    assert saved.status_code == 200
    assert client.get(url).json()["travel_from"] == "Bantul"
    body["version"] = 0
    assert client.put(url, body, content_type="application/json").status_code == 409
    body["nik"] = "1"
    assert client.put(url, body, content_type="application/json").status_code == 422


def test_attendance_over_the_api_is_for_organisers(national_admin, bantul_officer, client_for):
    event = make_event(sessions=2)
    invitation = registered(event, worker_in("3402"))
    url = f"/api/v1/events/{event.pk}/invitations/{invitation.pk}/attendance"
    s1 = event.sessions.first().pk
    body = {"present_sessions": [s1]}
    assert (
        client_for(bantul_officer).put(url, body, content_type="application/json").status_code
        == 403
    )
    done = client_for(national_admin).put(url, body, content_type="application/json").json()
    assert (done["attended"], done["sessions"]) == (1, 2)
