"""Builders for event tests: an event with sessions, invited and registered workers."""

import datetime

from django.utils import timezone

from mitra.events.models import (
    Event,
    EventSession,
    Invitation,
    InvitationStatus,
    Registration,
)
from mitra.regions.models import Village
from mitra.workers.tests.builders import build_worker

# One village per place of the story.
VILLAGES = {"3402": "3402092004", "3404": "3404012001", "3471": "3471011001"}


def make_event(
    *,
    region="",
    status="open",
    sessions=4,
    starts=None,
    days=3,
    name="Temu Nasional PSM Berprestasi",
    kind="temu_nasional",
) -> Event:
    starts = starts or timezone.localdate() + datetime.timedelta(days=10)
    event = Event.objects.create(
        name=name,
        kind=kind,
        year=starts.year,
        organiser="Kementerian Sosial RI",
        region_code=region,
        host_village=Village.objects.get(code="3402092004"),
        venue="Balai Desa Trimulyo",
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=days - 1),
        status=status,
        signer_name="Dr. Harry Hikmat",
        signer_title="Direktur Jenderal Pemberdayaan Sosial",
    )
    for n in range(sessions):
        day = starts + datetime.timedelta(days=n % days)
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + n, 0)))
        EventSession.objects.create(
            event=event,
            title=f"Sesi {n + 1}",
            starts_at=at,
            ends_at=at + datetime.timedelta(hours=1),
        )
    return event


def worker_in(code="3402", **fields):
    fields.setdefault("full_name", f"PSM {code}")
    return build_worker(village=VILLAGES.get(code, code), **fields)


def invite(event, worker, status=InvitationStatus.INVITED) -> Invitation:
    return Invitation.objects.create(event=event, worker=worker, status=status)


def registered(event, worker, **needs) -> Invitation:
    invitation = invite(event, worker, InvitationStatus.ACCEPTED)
    Registration.objects.create(
        invitation=invitation,
        travel_from="Bantul",
        arrival_on=event.starts_on,
        departure_on=event.ends_on,
        transport="bus",
        **needs,
    )
    return invitation
