"""The rules of events: who may change an event, invitations (by hand and from an award cycle's
provincial winners), registration, attendance, and participation certificates.

Pages and the API call these; neither holds a rule of its own. A refusal is a ValidationError with
an Indonesian message (the UI's language) and a code; a missing permission is PermissionDenied.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.workers.models import Worker

from .models import (
    Attendance,
    Event,
    EventKind,
    EventStatus,
    Invitation,
    InvitationSource,
    InvitationStatus,
    ParticipationCertificate,
    Registration,
)


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


def _require(user, perm: str) -> None:
    if user is None or not user.is_active or not user.has_perm(perm):
        raise PermissionDenied


def may_manage(user, event: Event) -> bool:
    """The event lies inside the user's own area (a Bantul officer sees the national Temu
    Nasional but does not change it)."""
    return Event.objects.managed_by(user).filter(pk=event.pk).exists()


def _require_manage(user, event: Event, perm: str) -> None:
    _require(user, perm)
    if not may_manage(user, event):
        raise PermissionDenied


def check_dates(starts_on, ends_on) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})


def save_event(event: Event, user, expected_version: int | None = None) -> Event:
    """Create or change an event; a stale version (someone saved in between) is refused."""
    _require(user, "events.change_event" if event.pk else "events.add_event")
    check_dates(event.starts_on, event.ends_on)
    with transaction.atomic():
        if event.pk:
            if not may_manage(user, event):
                raise PermissionDenied
            current = Event.objects.select_for_update().get(pk=event.pk)
            if expected_version is not None and current.version != expected_version:
                _refuse(
                    _("Someone else changed this event in the meantime. Reload and try again."),
                    "stale",
                )
            event.version = current.version + 1
        elif not event.region_code.startswith(user.scope_code or ""):
            raise PermissionDenied
        event.save()
    return event


# ---- invitations --------------------------------------------------------------------------------


def _check_invitable(event: Event) -> None:
    if event.status == EventStatus.CLOSED:
        _refuse(_("The event is closed: no more invitations."), "closed")


def invite_worker(
    event: Event,
    worker: Worker,
    user,
    source: str = InvitationSource.MANUAL,
    award_cycle=None,
) -> tuple[Invitation, bool]:
    """Invite one worker (once: a second call returns the same invitation). Returns
    (invitation, created)."""
    _require_manage(user, event, "events.invite")
    _check_invitable(event)
    if not Worker.objects.visible_to(user).filter(pk=worker.pk).exists():
        raise PermissionDenied
    if worker.merged_into_id:
        _refuse(_("This record was merged into another one."), "merged")
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        invitation = Invitation.objects.filter(event=event, worker=worker).first()
        if invitation:
            return invitation, False
        invitation = Invitation.objects.create(
            event=event,
            worker=worker,
            source=source,
            award_cycle=award_cycle,
            invited_by=user,
        )
    return invitation, True


def provincial_winners(cycle) -> list[Worker]:
    """The province-stage winners of an award cycle, one per province (from the awards app)."""
    from mitra.awards.services_results import provincial_winners as winners

    return [nomination.worker for nomination in winners(cycle).select_related("worker")]


def invite_winners(event: Event, cycle, user) -> list[Invitation]:
    """Invite the provincial winners of an award cycle: one invitation per winner, made once (a
    second run creates nothing and returns the same invitations). Only winners whose records the
    user can see are invited: an organiser's invitations must not open other areas' records."""
    _require_manage(user, event, "events.invite")
    _check_invitable(event)
    winners = provincial_winners(cycle)
    visible = set(
        Worker.objects.visible_to(user)
        .filter(pk__in=[w.pk for w in winners])
        .values_list("pk", flat=True)
    )
    invitations = []
    with transaction.atomic():
        for worker in winners:
            if worker.pk in visible:
                invitation, _created = invite_worker(
                    event, worker, user, InvitationSource.AWARD_WINNER, cycle
                )
                invitations.append(invitation)
    return invitations


def withdraw_invitation(invitation: Invitation, user) -> None:
    """Take back an invitation nobody has answered or attended yet."""
    _require_manage(user, invitation.event, "events.invite")
    if invitation.attendance.filter(present=True).exists() or hasattr(invitation, "certificate"):
        _refuse(_("This invitee already attended: the invitation stays."), "attended")
    invitation.delete()


# ---- registration -------------------------------------------------------------------------------


def may_register(user, invitation: Invitation) -> bool:
    """The invitee themself, or an officer whose area holds them (with events.register)."""
    if user is None or not user.is_active or not user.has_perm("events.register"):
        return False
    return Invitation.objects.visible_to(user).filter(pk=invitation.pk).exists()


def _check_open(event: Event) -> None:
    if not event.registration_open():
        _refuse(_("Registration for this event is closed."), "closed")


def register(invitation: Invitation, user, data: dict, expected_version=None) -> Registration:
    """Record (or change) an invitee's registration: travel, lodging and needs. `data` holds the
    Registration fields."""
    if not may_register(user, invitation):
        raise PermissionDenied
    event = invitation.event
    _check_open(event)
    arrival, departure = data["arrival_on"], data["departure_on"]
    errors = {}
    if departure < arrival:
        errors["departure_on"] = _("The departure date cannot be before the arrival date.")
    margin = datetime.timedelta(days=3)
    if arrival > event.ends_on or arrival < event.starts_on - margin:
        errors["arrival_on"] = _("Arrive between three days before the event and its last day.")
    if departure < event.starts_on or departure > event.ends_on + margin:
        errors["departure_on"] = _("Leave between the first day and three days after the event.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Invitation.objects.select_for_update().get(pk=invitation.pk)
        registration = Registration.objects.filter(invitation=invitation).first()
        if registration is None:
            registration = Registration(invitation=invitation)
        elif expected_version is not None and registration.version != expected_version:
            _refuse(
                _("Someone else changed this registration in the meantime. Reload and try again."),
                "stale",
            )
        else:
            registration.version += 1
        for name, value in data.items():
            setattr(registration, name, value)
        registration.registered_by = user
        registration.save()
        invitation.status = InvitationStatus.ACCEPTED
        invitation.save()
    return registration


def decline(invitation: Invitation, user, reason: str = "") -> Invitation:
    if not may_register(user, invitation):
        raise PermissionDenied
    _check_open(invitation.event)
    if invitation.attendance.filter(present=True).exists():
        _refuse(_("This invitee already attended."), "attended")
    with transaction.atomic():
        Registration.objects.filter(invitation=invitation).delete()
        invitation.status = InvitationStatus.DECLINED
        invitation.note = reason.strip()[:255]
        invitation.save()
    return invitation


# ---- attendance ---------------------------------------------------------------------------------


def participants(event: Event):
    """Registered invitees: the people whose attendance is recorded."""
    return Invitation.objects.filter(event=event, status=InvitationStatus.ACCEPTED)


def record_attendance(invitation: Invitation, user, present_session_ids: set[int]) -> None:
    """Store one participant's attendance as ticked: every session of the event gets a row."""
    event = invitation.event
    _require_manage(user, event, "events.record_attendance")
    if event.status == EventStatus.DRAFT:
        _refuse(_("Attendance is recorded once the event is open."), "draft")
    if invitation.status != InvitationStatus.ACCEPTED:
        _refuse(_("Only registered participants have attendance."), "not_registered")
    sessions = list(event.sessions.values_list("pk", flat=True))
    unknown = set(present_session_ids) - set(sessions)
    if unknown:
        _refuse(_("A session of another event was given."), "session")
    existing = {a.session_id: a for a in invitation.attendance.all()}
    with transaction.atomic():
        for session_id in sessions:
            present = session_id in present_session_ids
            row = existing.get(session_id)
            if row is None:
                Attendance.objects.create(
                    invitation=invitation, session_id=session_id, present=present, recorded_by=user
                )
            elif row.present != present:
                row.present = present
                row.recorded_by = user
                row.save()


def attendance_percent(attended: int, sessions: int) -> int | None:
    return round(attended * 100 / sessions) if sessions else None


def earns_certificate(invitation: Invitation) -> bool:
    event = invitation.event
    sessions = event.sessions.count()
    attended = invitation.attendance.filter(present=True).count()
    percent = attendance_percent(attended, sessions)
    return attended > 0 and percent is not None and percent >= event.attendance_min


# ---- certificates -------------------------------------------------------------------------------

NUMBER_PREFIX = {EventKind.TEMU_NASIONAL: "TEMNAS", EventKind.OTHER: "ACARA"}


def certificate_number(event: Event, serial: int) -> str:
    """TEMNAS/2018/00001/0001: kind, year, event and serial (the same shape as training's)."""
    return (
        f"{NUMBER_PREFIX.get(event.kind, 'ACARA')}/{event.ends_on:%Y}/{event.pk:05d}/{serial:04d}"
    )


def issue_certificate(invitation: Invitation, user=None, on=None) -> ParticipationCertificate:
    """The certificate of a participant who attended enough (made once; later calls return it)."""
    event = invitation.event
    if user is not None:
        _require_manage(user, event, "events.issue_certificate")
    if not earns_certificate(invitation):
        _refuse(
            _("Only a participant who attended at least %(min)d%% of the sessions gets one.")
            % {"min": event.attendance_min},
            "attendance",
        )
    with transaction.atomic():
        # The event row lock serialises issuing: the count below is the last serial.
        Event.objects.select_for_update().get(pk=event.pk)
        existing = ParticipationCertificate.objects.filter(invitation=invitation).first()
        if existing:
            return existing
        serial = ParticipationCertificate.objects.filter(invitation__event=event).count() + 1
        return ParticipationCertificate.objects.create(
            invitation=invitation,
            number=certificate_number(event, serial),
            issued_on=on or event.ends_on,
        )


def revoke_certificate(certificate: ParticipationCertificate, user, reason: str):
    _require_manage(user, certificate.invitation.event, "events.issue_certificate")
    if certificate.revoked_at:
        _refuse(_("This certificate was already revoked."), "revoked")
    if not reason.strip():
        _refuse(_("Give a reason for revoking."), "reason")
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = user
    certificate.revoked_reason = reason.strip()[:255]
    certificate.save()
    return certificate
