"""Registration: only invitees (themselves or their officers), while the event is open, with
sensible dates; needs are stored encrypted."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from mitra.events import services
from mitra.events.models import InvitationStatus, Registration

from .builders import invite, make_event, worker_in

pytestmark = pytest.mark.django_db


def _data(event, **over):
    data = {
        "travel_from": "Kabupaten Bantul",
        "arrival_on": event.starts_on - datetime.timedelta(days=1),
        "departure_on": event.ends_on,
        "transport": "bus",
        "lodging_needed": True,
        "dietary_needs": "",
        "accessibility_needs": "",
    }
    data.update(over)
    return data


@pytest.fixture
def psm(trimulyo_worker):
    return worker_in("3402", user=trimulyo_worker, full_name="Siti Rahayu")


def test_the_invitee_registers_themself_and_the_invitation_is_accepted(trimulyo_worker, psm):
    event = make_event()
    invitation = invite(event, psm)
    services.register(invitation, trimulyo_worker, _data(event))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.registration.registered_by == trimulyo_worker


def test_their_regency_officer_registers_them_but_a_neighbour_officer_cannot(
    bantul_officer, sleman_officer, psm
):
    event = make_event()
    invitation = invite(event, psm)
    with pytest.raises(PermissionDenied):
        services.register(invitation, sleman_officer, _data(event))
    services.register(invitation, bantul_officer, _data(event))
    assert Registration.objects.filter(invitation=invitation).exists()


def test_a_worker_who_is_not_invited_cannot_register(trimulyo_worker, psm, client_for):
    event = make_event()
    other = invite(event, worker_in("3402", full_name="Orang Lain"))
    with pytest.raises(PermissionDenied):
        services.register(other, trimulyo_worker, _data(event))
    page = client_for(trimulyo_worker).get(f"/acara/{event.pk}/undangan/{other.pk}/daftar/")
    assert page.status_code == 404


def test_no_registration_once_the_event_is_closed_or_over(trimulyo_worker, psm):
    closed = make_event(status="closed")
    with pytest.raises(ValidationError):
        services.register(invite(closed, psm), trimulyo_worker, _data(closed))
    past = make_event(starts=datetime.date(2018, 7, 10), name="Temu 2018")
    with pytest.raises(ValidationError):
        services.register(invite(past, psm), trimulyo_worker, _data(past))


def test_departure_before_arrival_is_refused_with_the_field_named(trimulyo_worker, psm):
    event = make_event()
    bad = _data(event, departure_on=event.starts_on - datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as caught:
        services.register(invite(event, psm), trimulyo_worker, bad)
    assert "departure_on" in caught.value.error_dict


def test_needs_are_encrypted_at_rest(trimulyo_worker, psm):
    event = make_event()
    invitation = invite(event, psm)
    secret = "Kursi roda; obat insulin"
    services.register(invitation, trimulyo_worker, _data(event, accessibility_needs=secret))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT accessibility_needs FROM events_registration WHERE invitation_id = %s",
            [invitation.pk],
        )
        (raw,) = cursor.fetchone()
    assert secret not in raw and "insulin" not in raw
    assert Registration.objects.get(invitation=invitation).accessibility_needs == secret


def test_a_stale_version_is_refused(trimulyo_worker, bantul_officer, psm):
    event = make_event()
    invitation = invite(event, psm)
    first = services.register(invitation, trimulyo_worker, _data(event))
    services.register(invitation, bantul_officer, _data(event), expected_version=first.version)
    with pytest.raises(ValidationError) as caught:
        services.register(invitation, trimulyo_worker, _data(event), expected_version=first.version)
    assert caught.value.code == "stale"


def test_the_registration_page_saves_and_logs_the_read(trimulyo_worker, psm, client_for):
    from mitra.core.models import AccessLog

    event = make_event()
    invitation = invite(event, psm)
    client = client_for(trimulyo_worker)
    url = f"/acara/{event.pk}/undangan/{invitation.pk}/daftar/"
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(user=trimulyo_worker).exists()
    data = _data(event)
    data["lodging_needed"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_declining_removes_the_registration(trimulyo_worker, psm):
    event = make_event()
    invitation = invite(event, psm)
    services.register(invitation, trimulyo_worker, _data(event))
    services.decline(invitation, trimulyo_worker, "Sakit")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert not Registration.objects.filter(invitation=invitation).exists()
