"""Attendance per session, recorded by the organisers on the grid (one row saved at a time with
htmx, or all rows at once)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.events import services
from mitra.events.models import Attendance

from .builders import invite, make_event, registered, worker_in

pytestmark = pytest.mark.django_db


def test_recording_attendance_keeps_one_row_per_session(national_admin):
    event = make_event(sessions=4)
    invitation = registered(event, worker_in("3402"))
    s1, s2, s3, _s4 = event.sessions.all()
    services.record_attendance(invitation, national_admin, {s1.pk, s2.pk})
    services.record_attendance(invitation, national_admin, {s2.pk, s3.pk})
    rows = dict(Attendance.objects.filter(invitation=invitation).values_list("session", "present"))
    assert len(rows) == 4
    assert {pk for pk, present in rows.items() if present} == {s2.pk, s3.pk}


def test_only_registered_participants_and_only_this_events_sessions(national_admin):
    event = make_event()
    with pytest.raises(ValidationError):
        services.record_attendance(invite(event, worker_in("3402")), national_admin, set())
    other = make_event(name="Acara lain")
    invitation = registered(event, worker_in("3404"))
    with pytest.raises(ValidationError):
        services.record_attendance(invitation, national_admin, {other.sessions.first().pk})


def test_a_viewer_who_does_not_organise_cannot_record(bantul_officer, client_for):
    event = make_event()  # national
    invitation = registered(event, worker_in("3402"))
    with pytest.raises(PermissionDenied):
        services.record_attendance(invitation, bantul_officer, set())
    assert client_for(bantul_officer).get(f"/acara/{event.pk}/kehadiran/").status_code == 403


def test_the_grid_saves_all_rows_and_one_row_by_htmx(national_admin, client_for):
    event = make_event(sessions=2)
    a = registered(event, worker_in("3402", full_name="Ani"))
    b = registered(event, worker_in("3404", full_name="Budi"))
    s1, s2 = event.sessions.all()
    client = client_for(national_admin)
    page = client.get(f"/acara/{event.pk}/kehadiran/")
    assert [r["i"] for r in page.context["rows"]] == [a, b]
    client.post(
        f"/acara/{event.pk}/kehadiran/",
        {
            f"row-{a.pk}": "1",
            f"row-{b.pk}": "1",
            f"att-{a.pk}": [s1.pk, s2.pk],
            f"att-{b.pk}": [s1.pk],
        },
    )
    assert Attendance.objects.filter(present=True).count() == 3
    response = client.post(
        f"/acara/{event.pk}/kehadiran/{b.pk}/",
        {f"att-{b.pk}": [s1.pk, s2.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "100%" in response.content.decode()
    assert Attendance.objects.filter(invitation=b, present=True).count() == 2
