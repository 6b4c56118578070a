"""Invitations: generated from an award cycle's provincial winners (one per province, made once),
and by hand; both only by the event's organisers."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.events import services
from mitra.events.models import Invitation, InvitationSource

from .builders import make_event, worker_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(regions):
    from mitra.awards.models import AwardCycle

    return AwardCycle.objects.create(
        year=2018, title="PSM Berprestasi 2018", period_start="2017-01-01", period_end="2017-12-31"
    )


def _winners(*workers):
    return mock.patch.object(services, "provincial_winners", return_value=list(workers))


def test_invite_winners_makes_one_invitation_per_winner_and_a_second_run_makes_none(
    national_admin, cycle
):
    event = make_event()
    winners = [worker_in("3402"), worker_in("3404"), worker_in("3471")]
    with _winners(*winners):
        first = services.invite_winners(event, cycle, national_admin)
        second = services.invite_winners(event, cycle, national_admin)
    assert {i.worker_id for i in first} == {w.pk for w in winners}
    assert [i.pk for i in second] == [i.pk for i in first]
    assert Invitation.objects.filter(event=event).count() == 3
    assert {i.source for i in first} == {InvitationSource.AWARD_WINNER}
    assert {i.invited_by for i in first} == {national_admin}


def test_a_winner_already_invited_by_hand_is_not_invited_twice(national_admin, cycle):
    event = make_event()
    worker = worker_in("3402")
    manual, created = services.invite_worker(event, worker, national_admin)
    assert created
    with _winners(worker):
        (again,) = services.invite_winners(event, cycle, national_admin)
    assert again.pk == manual.pk
    assert Invitation.objects.filter(event=event).count() == 1


def test_only_the_organisers_invite(bantul_officer, trimulyo_worker, cycle):
    event = make_event(region="")  # national: a Bantul officer sees it but does not organise it
    with _winners(worker_in("3402")), pytest.raises(PermissionDenied):
        services.invite_winners(event, cycle, bantul_officer)
    with pytest.raises(PermissionDenied):
        services.invite_worker(event, worker_in("3402"), trimulyo_worker)


def test_an_organiser_invites_only_workers_they_can_see(bantul_officer, cycle):
    event = make_event(region="3402")
    with pytest.raises(PermissionDenied):
        services.invite_worker(event, worker_in("3404"), bantul_officer)
    with _winners(worker_in("3404", full_name="Sleman"), worker_in("3402", full_name="Bantul")):
        invited = services.invite_winners(event, cycle, bantul_officer)
    assert [i.worker.full_name for i in invited] == ["Bantul"]


def test_a_closed_event_takes_no_invitations(national_admin):
    event = make_event(status="closed")
    with pytest.raises(ValidationError):
        services.invite_worker(event, worker_in("3402"), national_admin)


def test_generate_button_invites_the_winners_of_the_chosen_cycle(national_admin, client_for, cycle):
    event = make_event()
    winners = [worker_in("3402"), worker_in("3404")]
    with _winners(*winners):
        response = client_for(national_admin).post(
            f"/acara/{event.pk}/undangan/pemenang/", {"cycle": cycle.pk}
        )
    assert response.status_code == 302
    assert set(Invitation.objects.filter(event=event).values_list("award_cycle", flat=True)) == {
        cycle.pk
    }
    page = client_for(national_admin).get(f"/acara/{event.pk}/undangan/")
    assert winners[0].full_name in page.content.decode()


def test_manual_invitation_through_the_page(bantul_officer, client_for):
    event = make_event(region="3402", status="draft")
    worker = worker_in("3402", full_name="Sri Wahyuni")
    client = client_for(bantul_officer)
    found = client.post(f"/acara/{event.pk}/undangan/", {"nik_or_name": "wahyuni"})
    assert worker in found.context["found"]
    client.post(f"/acara/{event.pk}/undangan/tambah/", {"worker": worker.pk})
    assert Invitation.objects.filter(event=event, worker=worker).exists()
