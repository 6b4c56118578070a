"""The invitations read the award's own read-out (`provincial_winners`): the province stage's
rank-1 nominations of the cycle, nobody else (no mock)."""

import pytest

from mitra.awards.models import Level, Nomination, NominationStatus
from mitra.awards.tests.builders import make_cycle
from mitra.events import services
from mitra.events.models import Invitation

from .builders import make_event, worker_in

pytestmark = pytest.mark.django_db


def _nominated(cycle, level, worker, rank=None, status=NominationStatus.NOMINATED):
    return Nomination.objects.create(
        cycle=cycle,
        stage=cycle.stages.get(level=level),
        worker=worker,
        region_code=worker.region_code,
        innovation_title="Inovasi",
        rank=rank,
        status=status,
    )


def test_one_invitation_per_provincial_winner_of_the_cycle(national_admin):
    cycle, other_cycle = make_cycle(2018), make_cycle(2017)
    diy = worker_in("3402", full_name="Juara DIY")
    jateng = worker_in("3301012001", full_name="Juara Jateng")
    _nominated(cycle, Level.PROVINCE, diy, rank=1, status=NominationStatus.ADVANCED)
    _nominated(cycle, Level.PROVINCE, jateng, rank=1, status=NominationStatus.ADVANCED)
    _nominated(cycle, Level.PROVINCE, worker_in("3404", full_name="Kedua DIY"), rank=2)
    _nominated(cycle, Level.REGENCY, worker_in("3471", full_name="Juara kota"), rank=1)
    _nominated(other_cycle, Level.PROVINCE, worker_in("3404", full_name="Juara 2017"), rank=1)
    event = make_event()

    first = services.invite_winners(event, cycle, national_admin)
    again = services.invite_winners(event, cycle, national_admin)

    assert sorted(i.worker.full_name for i in first) == ["Juara DIY", "Juara Jateng"]
    assert [i.pk for i in again] == [i.pk for i in first]
    assert set(Invitation.objects.filter(event=event).values_list("award_cycle", flat=True)) == {
        cycle.pk
    }
