"""Who comes to an event: the invitations (generated from an award cycle's provincial winners, or
by hand), the registration (by the invitee or their officer), and the attendance grid.

A worker's search text (a name or a NIK) is sent by POST, never in a URL. Opening a registration
(travel and confidential needs) writes an access-log row naming the worker.
"""

import uuid
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mitra.core.access import log_access
from mitra.core.models import AccessLog
from mitra.workers.filters import apply_filters
from mitra.workers.models import Worker

from . import services
from .forms import CycleForm, InviteForm, RegistrationForm
from .models import Attendance, EventStatus, Invitation, Registration
from .views import GET_POST, event_or_404, managed_event, perm


def _cycles():
    from mitra.awards.models import AwardCycle

    return AwardCycle.objects.order_by("-year")


def _latest_decided_cycle():
    """The newest cycle whose provincial winners are published (the usual choice)."""
    from mitra.awards.models import Level, Nomination

    decided = Nomination.objects.filter(stage__level=Level.PROVINCE, rank=1)
    return decided.order_by("-cycle__year").values_list("cycle_id", flat=True).first()


def invitation_or_404(request, event, invitation_pk) -> Invitation:
    return get_object_or_404(
        Invitation.objects.visible_to(request.user)
        .filter(event=event)
        .select_related("worker__village__district__regency", "event"),
        pk=invitation_pk,
    )


def _invitations_page(request, event, *, found=None, invite_form=None, status=200):
    user = request.user
    manages = services.may_manage(user, event)
    invitations = (
        Invitation.objects.visible_to(user)
        .filter(event=event)
        .select_related(
            "worker__village__district__regency__province", "registration", "award_cycle"
        )
        .order_by("region_code", "worker__full_name")
    )
    can_invite = manages and user.has_perm("events.invite") and event.status != "closed"
    context = {
        "event": event,
        "invitations": list(invitations),
        "manages": manages,
        "can_invite": can_invite,
        "can_register": user.has_perm("events.register") and event.registration_open(),
        "invite_form": invite_form or InviteForm(),
        "cycle_form": CycleForm(cycles=_cycles(), initial={"cycle": _latest_decided_cycle()})
        if can_invite
        else None,
        "found": found,
        "tab": "invitations",
    }
    return render(request, "events/invitations.html", context, status=status)


@login_required
@perm("events.view_event")
@GET_POST
def invitations(request, pk):
    """The invitation list; POST searches a worker to invite (the text stays out of the URL)."""
    event = event_or_404(request, pk)
    if request.user.role == "worker":
        raise PermissionDenied
    if request.method == "POST":
        if not (
            request.user.has_perm("events.invite") and services.may_manage(request.user, event)
        ):
            raise PermissionDenied
        form = InviteForm(request.POST)
        found = []
        if form.is_valid():
            workers = Worker.objects.visible_to(request.user).filter(merged_into__isnull=True)
            found = list(
                apply_filters(workers, {"q": form.cleaned_data["nik_or_name"]})
                .select_related("village")
                .order_by("full_name")[:20]
            )
        return _invitations_page(request, event, found=found, invite_form=form)
    return _invitations_page(request, event)


@login_required
@perm("events.invite")
@require_POST
def invite(request, pk):
    event = managed_event(request, pk)
    try:
        worker_id = uuid.UUID(request.POST.get("worker", ""))
    except ValueError:
        messages.error(request, _("Choose the worker to invite."))
        return redirect("events:invitations", event.pk)
    worker = get_object_or_404(Worker.objects.visible_to(request.user), pk=worker_id)
    try:
        _invitation, created = services.invite_worker(event, worker, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            messages.success(request, _("%(name)s was invited.") % {"name": worker.full_name})
        else:
            messages.info(request, _("%(name)s was already invited.") % {"name": worker.full_name})
    return redirect("events:invitations", event.pk)


@login_required
@perm("events.invite")
@require_POST
def invite_winners(request, pk):
    event = managed_event(request, pk)
    form = CycleForm(request.POST, cycles=_cycles())
    if not form.is_valid():
        messages.error(request, _("Choose an award cycle."))
        return redirect("events:invitations", event.pk)
    cycle = _cycles().get(pk=form.cleaned_data["cycle"])
    before = Invitation.objects.filter(event=event).count()
    try:
        invited = services.invite_winners(event, cycle, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        new = Invitation.objects.filter(event=event).count() - before
        if not invited:
            messages.warning(
                request,
                _("%(cycle)s has no published provincial winners yet.") % {"cycle": cycle},
            )
        else:
            messages.success(
                request,
                _("%(total)d provincial winners of %(cycle)s are invited (%(new)d new).")
                % {"total": len(invited), "cycle": cycle, "new": new},
            )
    return redirect("events:invitations", event.pk)


@login_required
@perm("events.invite")
@require_POST
def invitation_withdraw(request, pk, invitation_pk):
    event = managed_event(request, pk)
    invitation = invitation_or_404(request, event, invitation_pk)
    try:
        services.withdraw_invitation(invitation, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation was withdrawn."))
    return redirect("events:invitations", event.pk)


# ---- registration -------------------------------------------------------------------------------


@login_required
@perm("events.register")
@GET_POST
def register(request, pk, invitation_pk):
    event = event_or_404(request, pk)
    invitation = invitation_or_404(request, event, invitation_pk)
    if not services.may_register(request.user, invitation):
        raise PermissionDenied
    registration = Registration.objects.filter(invitation=invitation).first()
    form = RegistrationForm(request.POST or None, instance=registration, event=event)
    if registration is None:
        form.fields["travel_from"].initial = invitation.worker.village.district.regency.name
    if request.method == "GET":
        log_access(
            request,
            invitation.worker,
            AccessLog.Action.VIEW,
            purpose=f"event registration {event.pk}",
        )
    is_open = event.registration_open()
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        version = request.POST.get("version", "")
        try:
            services.register(
                invitation, request.user, data, int(version) if version.isdigit() else None
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The registration of %(name)s was saved.")
                % {"name": invitation.worker.full_name},
            )
            if request.user.role == "worker":
                return redirect("events:detail", event.pk)
            return redirect("events:invitations", event.pk)
    context = {
        "event": event,
        "invitation": invitation,
        "registration": registration,
        "form": form,
        "is_open": is_open,
    }
    return render(request, "events/register.html", context, status=400 if form.errors else 200)


@login_required
@perm("events.register")
@require_POST
def decline(request, pk, invitation_pk):
    event = event_or_404(request, pk)
    invitation = invitation_or_404(request, event, invitation_pk)
    try:
        services.decline(invitation, request.user, request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation was declined."))
    if request.user.role == "worker":
        return redirect("events:detail", event.pk)
    return redirect("events:invitations", event.pk)


# ---- attendance grid ----------------------------------------------------------------------------


def _present_sets(invitations) -> dict[int, set[int]]:
    present = defaultdict(set)
    rows = Attendance.objects.filter(invitation__in=[i.pk for i in invitations], present=True)
    for invitation_id, session_id in rows.values_list("invitation_id", "session_id"):
        present[invitation_id].add(session_id)
    return present


def _row(invitation, sessions, present: set[int], *, saved=False, errors=None):
    attended = len(present & {s.pk for s in sessions})
    percent = services.attendance_percent(attended, len(sessions))
    event = invitation.event
    return {
        "i": invitation,
        "present": present,
        "attended": attended,
        "percent": percent,
        "earns": attended > 0 and percent is not None and percent >= event.attendance_min,
        "saved": saved,
        "errors": errors or [],
    }


def _ticked(data, invitation, session_ids) -> set[int]:
    return {
        int(raw)
        for raw in data.getlist(f"att-{invitation.pk}")
        if raw.isdigit() and int(raw) in session_ids
    }


def _attendance_event(request, pk):
    event = managed_event(request, pk)
    if event.status == EventStatus.DRAFT:
        messages.error(request, _("Attendance is recorded once the event is open."))
        return event, False
    return event, True


@login_required
@perm("events.record_attendance")
@GET_POST
def attendance(request, pk):
    event, ok = _attendance_event(request, pk)
    if not ok:
        return redirect("events:detail", event.pk)
    sessions = list(event.sessions.all())
    session_ids = {s.pk for s in sessions}
    people = list(
        services.participants(event)
        .select_related("worker__village__district__regency", "event")
        .order_by("region_code", "worker__full_name")
    )
    if request.method == "POST":
        with transaction.atomic():
            saved = 0
            for invitation in people:
                if f"row-{invitation.pk}" in request.POST:
                    ticked = _ticked(request.POST, invitation, session_ids)
                    services.record_attendance(invitation, request.user, ticked)
                    saved += 1
        messages.success(request, _("Attendance of %(n)d participants was saved.") % {"n": saved})
        return redirect("events:attendance", event.pk)
    present = _present_sets(people)
    rows = [_row(i, sessions, present[i.pk]) for i in people]
    context = {
        "event": event,
        "sessions": sessions,
        "rows": rows,
        "earning": sum(1 for r in rows if r["earns"]),
        "tab": "attendance",
    }
    return render(request, "events/attendance.html", context)


@login_required
@perm("events.record_attendance")
@require_POST
def attendance_row(request, pk, invitation_pk):
    """Save one participant's row (htmx, on every change) and answer the row's computed cell."""
    event, ok = _attendance_event(request, pk)
    if not ok:
        raise PermissionDenied
    invitation = get_object_or_404(services.participants(event), pk=invitation_pk)
    sessions = list(event.sessions.all())
    ticked = _ticked(request.POST, invitation, {s.pk for s in sessions})
    errors = []
    try:
        services.record_attendance(invitation, request.user, ticked)
    except ValidationError as exc:
        errors = list(exc.messages)
    if not request.htmx:
        if errors:
            messages.error(request, " ".join(errors))
        return redirect("events:attendance", event.pk)
    row = _row(invitation, sessions, ticked, saved=not errors, errors=errors)
    context = {"event": event, "sessions": sessions, "row": row, "oob": True}
    return render(request, "events/attendance_saved.html", context)
