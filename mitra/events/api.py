"""Events over JSON, under /api/v1/events/:

* GET "" (events you can see), GET /{id} (one event with its agenda: sessions, speakers,
  materials);
* GET /{id}/invitations (invitations you can see: your area's invitees, all for the organisers;
  a PSM only their own), POST /{id}/invitations (invite a worker by hand, organisers),
  POST /{id}/invitations/from-cycle (the provincial winners of an award cycle; idempotent);
* GET/PUT /{id}/invitations/{invitation_id}/registration (the invitee's own registration, or one
  of an officer's invitees; needs are shown to those who may register the invitee);
* GET/PUT /{id}/invitations/{invitation_id}/attendance (organisers: which sessions attended).

The same rules as the pages, through the same services: rows from `visible_to(caller)` (outside =
404), permissions decide actions (403), broken rules answer 422 with the reason. A stale
registration `version` answers 409 (the services raise ValidationError with code "stale").
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Created
from ninja.errors import HttpError
from ninja.pagination import paginate

from mitra.api.pagination import Pagination
from mitra.cases.api_common import Body, refuse_extra_fields, require
from mitra.core.access import log_access
from mitra.core.models import AccessLog
from mitra.workers.models import Worker

from . import services
from .models import Event, EventKind, Invitation, Registration, Transport

router = Router(tags=["events"])


class SpeakerOut(Schema):
    name: str
    role: str
    organisation: str


class MaterialOut(Schema):
    id: int
    title: str
    url: str
    size: int
    content_type: str

    @staticmethod
    def resolve_url(obj):
        return obj.url or f"/acara/{obj.session.event_id}/materi/{obj.pk}/"


class SessionOut(Schema):
    id: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room: str
    description: str
    speakers: list[SpeakerOut]
    materials: list[MaterialOut]

    @staticmethod
    def resolve_speakers(obj):
        return list(obj.speakers.all())

    @staticmethod
    def resolve_materials(obj):
        return list(obj.materials.all())


class EventSummaryOut(Schema):
    id: int
    name: str
    kind: str
    year: int
    organiser: str
    region_code: str
    host_village_code: str = Field(alias="host_village_id")
    venue: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str


class EventOut(EventSummaryOut):
    description: str
    attendance_min: int
    sessions: list[SessionOut]

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.prefetch_related("speakers", "materials"))


class InvitationOut(Schema):
    id: int
    worker_id: uuid.UUID
    worker_name: str
    nik_masked: str
    village_code: str
    source: str
    award_cycle_id: int | None
    status: str

    @staticmethod
    def resolve_worker_name(obj):
        return obj.worker.full_name

    @staticmethod
    def resolve_nik_masked(obj):
        return obj.worker.nik_masked

    @staticmethod
    def resolve_village_code(obj):
        return obj.region_code


class InviteIn(Body):
    worker: uuid.UUID


class CycleIn(Body):
    cycle: int


class RegistrationOut(Schema):
    invitation_id: int
    travel_from: str
    arrival_on: datetime.date
    departure_on: datetime.date
    transport: str
    lodging_needed: bool
    dietary_needs: str
    accessibility_needs: str
    version: int


class RegistrationIn(Body):
    travel_from: str = Field(min_length=1, max_length=150)
    arrival_on: datetime.date
    departure_on: datetime.date
    transport: Transport
    lodging_needed: bool = True
    dietary_needs: str = ""
    accessibility_needs: str = ""
    version: int | None = Field(None, description="The version you read; required for a change.")


class AttendanceOut(Schema):
    invitation_id: int
    present_sessions: list[int]
    attended: int
    sessions: int


class AttendanceIn(Body):
    present_sessions: list[int]


def _event(request, event_id) -> Event:
    require(request.auth, "events.view_event")
    return get_object_or_404(Event.objects.visible_to(request.auth), pk=event_id)


def _invitation(request, event, invitation_id) -> Invitation:
    return get_object_or_404(
        Invitation.objects.visible_to(request.auth).filter(event=event).select_related("worker"),
        pk=invitation_id,
    )


@router.get("", response=list[EventSummaryOut], summary="Events you can see")
@paginate(Pagination)
def list_events(request, year: int | None = None, kind: EventKind | None = None):
    require(request.auth, "events.view_event")
    qs = Event.objects.visible_to(request.auth)
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-starts_on", "pk")


@router.get("/{int:event_id}", response=EventOut, summary="One event with its agenda")
def event_detail(request, event_id: int):
    return _event(request, event_id)


@router.get("/{int:event_id}/sessions", response=list[SessionOut], summary="The agenda")
def event_sessions(request, event_id: int):
    return list(_event(request, event_id).sessions.prefetch_related("speakers", "materials"))


@router.get(
    "/{int:event_id}/invitations", response=list[InvitationOut], summary="Invitations you can see"
)
@paginate(Pagination)
def list_invitations(request, event_id: int):
    event = _event(request, event_id)
    return (
        Invitation.objects.visible_to(request.auth)
        .filter(event=event)
        .select_related("worker")
        .order_by("region_code", "pk")
    )


@router.post(
    "/{int:event_id}/invitations", response={201: InvitationOut, 200: InvitationOut},
    summary="Invite a worker",
)  # fmt: skip
def invite(request, event_id: int, payload: InviteIn):
    refuse_extra_fields(payload)
    event = _event(request, event_id)
    require(request.auth, "events.invite")
    worker = Worker.objects.visible_to(request.auth).filter(pk=payload.worker).first()
    if worker is None:
        raise ValidationError({"worker": _("No such worker in your area.")})
    invitation, created = services.invite_worker(event, worker, request.auth)
    return Created(201 if created else 200, invitation)


@router.post(
    "/{int:event_id}/invitations/from-cycle",
    response=list[InvitationOut],
    summary="Invite the provincial winners of an award cycle (idempotent)",
)
def invite_winners(request, event_id: int, payload: CycleIn):
    from mitra.awards.models import AwardCycle

    refuse_extra_fields(payload)
    event = _event(request, event_id)
    require(request.auth, "events.invite")  # before the body is looked at (the access matrix)
    cycle = AwardCycle.objects.filter(pk=payload.cycle).first()
    if cycle is None:
        raise ValidationError({"cycle": _("No such award cycle.")})
    return services.invite_winners(event, cycle, request.auth)


def _registration_out(invitation, registration: Registration) -> dict:
    return {
        "invitation_id": invitation.pk,
        "travel_from": registration.travel_from,
        "arrival_on": registration.arrival_on,
        "departure_on": registration.departure_on,
        "transport": registration.transport,
        "lodging_needed": registration.lodging_needed,
        "dietary_needs": registration.dietary_needs,
        "accessibility_needs": registration.accessibility_needs,
        "version": registration.version,
    }


@router.get(
    "/{int:event_id}/invitations/{int:invitation_id}/registration",
    response=RegistrationOut,
    summary="An invitee's registration (logged)",
)
def registration_detail(request, event_id: int, invitation_id: int):
    event = _event(request, event_id)
    invitation = _invitation(request, event, invitation_id)
    if not services.may_register(request.auth, invitation):
        raise PermissionDenied
    registration = get_object_or_404(Registration, invitation=invitation)
    log_access(
        request, invitation.worker, AccessLog.Action.API, purpose=f"event registration {event.pk}"
    )
    return _registration_out(invitation, registration)


@router.put(
    "/{int:event_id}/invitations/{int:invitation_id}/registration",
    response=RegistrationOut,
    summary="Register an invitee (yourself, or one of your area's invitees)",
)
def register(request, event_id: int, invitation_id: int, payload: RegistrationIn):
    refuse_extra_fields(payload)
    event = _event(request, event_id)
    invitation = _invitation(request, event, invitation_id)
    data = payload.model_dump(exclude={"version"})
    data["transport"] = str(payload.transport.value)
    try:
        registration = services.register(invitation, request.auth, data, payload.version)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "stale":
            raise HttpError(409, " ".join(exc.messages)) from None
        raise
    return _registration_out(invitation, registration)


@router.get(
    "/{int:event_id}/invitations/{int:invitation_id}/attendance",
    response=AttendanceOut,
    summary="Which sessions an invitee attended",
)
def attendance_detail(request, event_id: int, invitation_id: int):
    event = _event(request, event_id)
    invitation = _invitation(request, event, invitation_id)
    present = list(invitation.attendance.filter(present=True).values_list("session_id", flat=True))
    return {
        "invitation_id": invitation.pk,
        "present_sessions": sorted(present),
        "attended": len(present),
        "sessions": event.sessions.count(),
    }


@router.put(
    "/{int:event_id}/invitations/{int:invitation_id}/attendance",
    response=AttendanceOut,
    summary="Record attendance (organisers)",
)
def record_attendance(request, event_id: int, invitation_id: int, payload: AttendanceIn):
    refuse_extra_fields(payload)
    event = _event(request, event_id)
    require(request.auth, "events.record_attendance")
    invitation = _invitation(request, event, invitation_id)
    services.record_attendance(invitation, request.auth, set(payload.present_sessions))
    return attendance_detail(request, event_id, invitation_id)
