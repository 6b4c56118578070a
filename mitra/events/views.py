"""Event pages: the list, an event's page (agenda with speakers and materials), creating and
changing events and their sessions, and materials.

Every view starts from `Event.objects.visible_to(user)`: an event out of sight is 404; one the
user sees but does not organise (the national Temu Nasional seen from Bantul) is 403 for changing
it; a missing permission is 403. Invitations, registration and attendance: views_people.py;
certificates: views_certificates.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import EventForm, MaterialForm, SessionForm
from .models import (
    Event,
    EventKind,
    EventSession,
    EventStatus,
    Invitation,
    InvitationStatus,
    Material,
    Speaker,
)

GET_POST = require_http_methods(["GET", "POST"])


def perm(name: str):
    return permission_required(name, raise_exception=True)


def visible_events(user):
    return Event.objects.visible_to(user).select_related("host_village__district__regency")


def event_or_404(request, pk) -> Event:
    return get_object_or_404(visible_events(request.user), pk=pk)


def managed_event(request, pk) -> Event:
    """An event the user changes: out of sight is 404, seen but organised elsewhere is 403."""
    event = event_or_404(request, pk)
    if not services.may_manage(request.user, event):
        raise PermissionDenied
    return event


def own_invitation(user, event):
    if user.role != "worker":
        return None
    return (
        Invitation.objects.filter(event=event, worker__user=user)
        .select_related("registration")
        .first()
    )


# What the status buttons may do: (from, to).
TRANSITIONS = {
    (EventStatus.DRAFT, EventStatus.OPEN),
    (EventStatus.OPEN, EventStatus.CLOSED),
    (EventStatus.CLOSED, EventStatus.OPEN),
}


@login_required
@perm("events.view_event")
@require_GET
def event_list(request):
    events = visible_events(request.user).annotate(
        invited=Count("invitations", distinct=True),
        registered=Count(
            "invitations",
            filter=Q(invitations__status=InvitationStatus.ACCEPTED),
            distinct=True,
        ),
    )
    year = request.GET.get("year", "")
    kind = request.GET.get("kind", "")
    if year.isdigit():
        events = events.filter(year=int(year))
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    years = visible_events(request.user).order_by("-year").values_list("year", flat=True)
    context = {
        "object_list": list(events),
        "years": sorted(set(years), reverse=True),
        "kinds": EventKind.choices,
        "year": year,
        "kind": kind,
        "can_add": request.user.has_perm("events.add_event"),
        "tab": "events",
    }
    return render(request, "events/event_list.html", context)


@login_required
@perm("events.view_event")
@require_GET
def event_detail(request, pk):
    event = event_or_404(request, pk)
    user = request.user
    sessions = event.sessions.prefetch_related(
        Prefetch("speakers", queryset=Speaker.objects.order_by("position", "id")), "materials"
    )
    manages = services.may_manage(user, event)
    invitations = Invitation.objects.visible_to(user).filter(event=event)
    counts = dict(
        invitations.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    steps = [to for (fr, to) in TRANSITIONS if fr == event.status] if manages else []
    context = {
        "event": event,
        "sessions": list(sessions),
        "manages": manages,
        "mine": own_invitation(user, event),
        "counts": {s: counts.get(s, 0) for s in InvitationStatus.values},
        "invited_total": sum(counts.values()),
        "steps": [(to, EventStatus(to).label) for to in sorted(steps)],
        "tab": "agenda",
    }
    return render(request, "events/event_detail.html", context)


@login_required
@perm("events.add_event")
@GET_POST
def event_create(request):
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        event = form.save(commit=False)
        try:
            services.save_event(event, request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event was created. Add its agenda next."))
            return redirect("events:detail", event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": None})


@login_required
@perm("events.change_event")
@GET_POST
def event_update(request, pk):
    event = managed_event(request, pk)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        version = request.POST.get("version", "")
        try:
            services.save_event(
                form.save(commit=False), request.user, int(version) if version.isdigit() else None
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event was saved."))
            return redirect("events:detail", event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@login_required
@perm("events.change_event")
@require_POST
def event_status(request, pk, to):
    event = managed_event(request, pk)
    if (event.status, to) not in TRANSITIONS:
        messages.error(request, _("The event cannot take this step."))
        return redirect("events:detail", event.pk)
    event.status = to
    services.save_event(event, request.user)
    messages.success(
        request, _("The event is now: %(status)s.") % {"status": event.get_status_display()}
    )
    return redirect("events:detail", event.pk)


# ---- sessions and materials ---------------------------------------------------------------------


@login_required
@perm("events.change_event")
@GET_POST
def session_form(request, pk, session_pk=None):
    event = managed_event(request, pk)
    session = get_object_or_404(event.sessions, pk=session_pk) if session_pk else None
    form = SessionForm(request.POST or None, instance=session, event=event)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The session was saved."))
        return redirect("events:detail", event.pk)
    context = {"event": event, "form": form, "session": session}
    return render(request, "events/session_form.html", context)


@login_required
@perm("events.change_event")
@require_POST
def session_delete(request, pk, session_pk):
    event = managed_event(request, pk)
    session = get_object_or_404(event.sessions, pk=session_pk)
    if session.attendance.filter(present=True).exists():
        messages.error(request, _("Attendance was recorded for this session: it stays."))
    else:
        session.delete()
        messages.success(request, _("The session was removed."))
    return redirect("events:detail", event.pk)


@login_required
@perm("events.change_event")
@GET_POST
def material_add(request, pk, session_pk):
    event = managed_event(request, pk)
    session = get_object_or_404(event.sessions, pk=session_pk)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        material = form.save(commit=False)
        material.session = session
        material.save()
        messages.success(request, _("The material was added."))
        return redirect("events:detail", event.pk)
    context = {"event": event, "session": session, "form": form}
    return render(request, "events/material_form.html", context)


@login_required
@perm("events.change_event")
@require_POST
def material_delete(request, pk, material_pk):
    event = managed_event(request, pk)
    material = get_object_or_404(Material, pk=material_pk, session__event=event)
    material.file.delete(save=False)
    material.delete()
    messages.success(request, _("The material was removed."))
    return redirect("events:detail", event.pk)


@login_required
@perm("events.view_event")
@require_GET
def material_download(request, pk, material_pk):
    event = event_or_404(request, pk)
    material = get_object_or_404(Material, pk=material_pk, session__event=event)
    if material.url:
        return redirect(material.url)
    if not material.file:
        raise Http404
    return FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.download_name(),
        content_type=material.content_type or "application/octet-stream",
    )


def session_of(event: Event, session_pk) -> EventSession:
    return get_object_or_404(EventSession, pk=session_pk, event=event)
