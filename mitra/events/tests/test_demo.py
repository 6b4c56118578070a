"""The demo Temu Nasional 2018: at Trimulyo, one invitee from each of the 38 provinces (the demo
PSM persona for DI Yogyakarta), registrations, attendance, certificates for those who attended
enough, and a second run that adds nothing."""

from collections import Counter

import pytest

from mitra.accounts.demo import seed_demo_users
from mitra.accounts.models import User
from mitra.events import demo, services
from mitra.events.models import Event, Invitation, ParticipationCertificate
from mitra.regions.models import Province
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def test_the_demo_temu_nasional(regions):
    seed_demo_users()
    persona = build_worker(status="active", user=User.objects.get(username="psm.trimulyo"))
    assert demo.seed_events() >= 38
    event = Event.objects.get(name=demo.NAME)
    assert (event.host_village_id, event.year, event.region_code) == ("3402092004", 2018, "")
    invitations = list(Invitation.objects.filter(event=event))
    per_province = Counter(i.region_code[:2] for i in invitations)
    assert set(per_province) == set(Province.objects.values_list("code", flat=True))
    assert set(per_province.values()) == {1}
    assert any(i.worker == persona for i in invitations)
    accepted = [i for i in invitations if i.status == "accepted"]
    assert len(accepted) == 36 and all(hasattr(i, "registration") for i in accepted)
    certified = ParticipationCertificate.objects.filter(invitation__event=event)
    assert certified.count() == sum(services.earns_certificate(i) for i in accepted) > 30
    assert demo.seed_events() == 0
    assert Invitation.objects.filter(event=event).count() == 38
