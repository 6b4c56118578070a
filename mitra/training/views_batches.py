"""Batch (angkatan) pages: the list with its filters, the detail page with its participants, the
batch form with seat quotas, status steps and the sessions (days and topics)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from mitra.accounts.roles import Role

from . import services
from .filters import BatchFilterForm, batch_counts
from .forms import BatchForm, seat_quota_formset, session_formset
from .models import BatchStatus, Enrolment, EnrolmentStatus, SeatQuota, TrainingSession
from .views import (
    GET_POST,
    batch_or_404,
    certificate_url,
    flash_refusal,
    managed_batch,
    may_manage,
    own_worker,
    perm,
    visible_batches,
    visible_enrolments,
)

PAGE_SIZE = 25
OPEN_FOR_PLACES = (BatchStatus.PLANNED, BatchStatus.OPEN)
ASSESSABLE = (BatchStatus.RUNNING, BatchStatus.FINISHED)
# Steps taken straight from the batch page; the others ask for a confirmation first.
DIRECT_STEPS = {BatchStatus.OPEN, BatchStatus.RUNNING}
STEP_LABELS = {
    BatchStatus.OPEN: gettext_lazy("Open for enrolment"),
    BatchStatus.RUNNING: gettext_lazy("Start the batch"),
    BatchStatus.FINISHED: gettext_lazy("Finish the batch"),
    BatchStatus.CANCELLED: gettext_lazy("Cancel the batch"),
}
# The certificate part of the product may add a panel to the batch page with this template.
CERTIFICATE_PANEL = "training/certificate_batch_panel.html"


def _step_label(to) -> str:
    return str(STEP_LABELS.get(to, BatchStatus(to).label))


# ---- list ---------------------------------------------------------------------------------------


@login_required
@perm("training.view_batch")
@require_GET
def batch_list(request):
    if request.user.role == Role.WORKER:
        return redirect("training:mine")
    base = visible_batches(request.user)
    form = BatchFilterForm(request.GET or None, batches=base, user=request.user)
    # Batches still to come or under way first, then the history; newest first in each.
    current = Case(
        When(status__in=(BatchStatus.PLANNED, BatchStatus.OPEN, BatchStatus.RUNNING), then=0),
        default=1,
        output_field=IntegerField(),
    )
    qs = batch_counts(form.filter(base)).order_by(current, "-starts_on", "name")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "form": form,
        "page_obj": page,
        "object_list": page.object_list,
        "querystring": params.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    if request.htmx and request.htmx.target == "batch-table":
        return render(request, "training/_batch_table.html", ctx)
    return render(request, "training/batch_list.html", ctx)


# ---- detail -------------------------------------------------------------------------------------


def _seat_summary(batch) -> dict:
    """Seats of the whole batch (counts only: no person is named), and per seat quota."""
    counts = dict(
        Enrolment.objects.filter(batch=batch)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    enrolled = Enrolment.objects.filter(batch=batch, status=EnrolmentStatus.ENROLLED)
    quotas = [
        {
            "code": q.region_code,
            "seats": q.seats,
            "taken": enrolled.filter(region_code__startswith=q.region_code).count(),
        }
        for q in SeatQuota.objects.filter(batch=batch).order_by("region_code")
    ]
    taken = counts.get(EnrolmentStatus.ENROLLED, 0)
    return {
        "quota": batch.quota,
        "enrolled": taken,
        "free": max(batch.quota - taken, 0),
        "waiting": counts.get(EnrolmentStatus.WAITLISTED, 0),
        "applied": counts.get(EnrolmentStatus.APPLIED, 0),
        "gone": counts.get(EnrolmentStatus.WITHDRAWN, 0) + counts.get(EnrolmentStatus.REJECTED, 0),
        "quotas": quotas,
        "percent": min(100, round(taken * 100 / batch.quota)) if batch.quota else 0,
    }


def _participants(user, batch) -> dict:
    rows = list(
        visible_enrolments(user, batch).select_related("certificate").order_by("worker__full_name")
    )
    by_status = {s: [] for s in EnrolmentStatus.values}
    for e in rows:
        e.certificate_url = certificate_url(e)
        by_status[e.status].append(e)
    by_status[EnrolmentStatus.WAITLISTED].sort(key=lambda e: e.waitlist_position or 0)
    by_status[EnrolmentStatus.APPLIED].sort(key=lambda e: e.created_at)
    return {
        "enrolled": by_status[EnrolmentStatus.ENROLLED],
        "waiting": by_status[EnrolmentStatus.WAITLISTED],
        "applied": by_status[EnrolmentStatus.APPLIED],
        "gone": by_status[EnrolmentStatus.WITHDRAWN] + by_status[EnrolmentStatus.REJECTED],
        "shown": len(rows),
    }


def _certificate_panel() -> str | None:
    try:
        get_template(CERTIFICATE_PANEL)
    except TemplateDoesNotExist:
        return None
    return CERTIFICATE_PANEL


@login_required
@perm("training.view_batch")
@require_GET
def batch_detail(request, pk):
    batch = batch_or_404(request, pk)
    user = request.user
    manages = user.has_perm("training.change_batch") and may_manage(user, batch)
    is_worker = user.role == Role.WORKER
    seats = _seat_summary(batch)
    ctx = {
        "batch": batch,
        "seats": seats,
        "sessions": list(batch.sessions.all()),
        "quota_rows": seats["quotas"],
        "manages": manages,
        "can_nominate": user.has_perm("training.enrol_worker") and batch.status in OPEN_FOR_PLACES,
        "can_decide": user.has_perm("training.enrol_worker"),
        "can_withdraw": user.has_perm("training.enrol_worker")
        and batch.status not in (BatchStatus.FINISHED, BatchStatus.CANCELLED),
        "can_assess": user.has_perm("training.assess_enrolment")
        and may_manage(user, batch)
        and batch.status in ASSESSABLE,
        "steps": [
            {"to": to, "label": _step_label(to), "direct": to in DIRECT_STEPS}
            for to in services.batch_transitions(batch)
        ]
        if manages
        else [],
        "is_worker": is_worker,
        "certificate_panel": _certificate_panel(),
    }
    if is_worker:
        ctx.update(_own_place(user, batch))
    else:
        people = _participants(user, batch)
        active_total = seats["enrolled"] + seats["waiting"] + seats["applied"] + seats["gone"]
        ctx["people"] = people
        ctx["hidden_count"] = max(active_total - people["shown"], 0)
    return render(request, "training/batch_detail.html", ctx)


def _own_place(user, batch) -> dict:
    """A PSM's view of a batch: their own place, or whether they may apply."""
    worker = own_worker(user)
    ctx = {"worker": worker, "my_enrolment": None, "may_apply": False, "apply_refusal": ""}
    if worker is None:
        return ctx
    mine = Enrolment.objects.filter(batch=batch, worker=worker).first()
    ctx["my_enrolment"] = mine
    active = mine is not None and mine.status in services.ACTIVE_PLACES
    if not active and batch.status == BatchStatus.OPEN and user.has_perm("training.apply"):
        try:
            services.check_can_enrol(batch, worker)
        except ValidationError as exc:
            ctx["apply_refusal"] = " ".join(exc.messages)
        else:
            ctx["may_apply"] = True
    return ctx


# ---- create and edit ----------------------------------------------------------------------------


def _save_quotas(batch, rows) -> None:
    current = {q.region_code: q for q in SeatQuota.objects.filter(batch=batch)}
    wanted = dict(rows)
    for code, quota in current.items():
        if code not in wanted:
            quota.delete()
    for code, seats in wanted.items():
        quota = current.get(code)
        if quota is None:
            SeatQuota.objects.create(batch=batch, region_code=code, seats=seats)
        elif quota.seats != seats:
            quota.seats = seats
            quota.save()


def _batch_form(request, batch=None):
    creating = batch is None
    data = request.POST if request.method == "POST" else None
    form = BatchForm(data, instance=batch, user=request.user)
    quotas = seat_quota_formset(data, batch, user=request.user)
    if form.is_bound:
        form_ok = form.is_valid()
        if form_ok:
            quotas.area = form.cleaned_data.get("region_code") or ""
            quotas.quota = form.cleaned_data.get("quota")
        if quotas.is_valid() and form_ok:
            with transaction.atomic():
                batch = form.save()
                _save_quotas(batch, quotas.rows())
                promoted = [] if creating else services.fill_free_seats(batch)
            if creating:
                messages.success(
                    request,
                    _(
                        "The batch was created with the status “planned”. Add its sessions, then "
                        "open it for enrolment."
                    ),
                )
            else:
                messages.success(request, _("The changes were saved."))
            if promoted:
                messages.success(
                    request,
                    _("Seats became free and went to the waiting list: %(names)s.")
                    % {"names": ", ".join(e.worker.full_name for e in promoted)},
                )
            return redirect("training:batch_detail", pk=batch.pk)
    return render(
        request,
        "training/batch_form.html",
        {"form": form, "quotas": quotas, "batch": None if creating else batch},
    )


@login_required
@perm("training.add_batch")
@GET_POST
def batch_create(request):
    return _batch_form(request)


@login_required
@perm("training.change_batch")
@GET_POST
def batch_update(request, pk):
    batch = managed_batch(request, pk)
    if batch.status in (BatchStatus.FINISHED, BatchStatus.CANCELLED):
        messages.error(request, _("A finished or cancelled batch cannot change."))
        return redirect("training:batch_detail", pk=batch.pk)
    return _batch_form(request, batch)


# ---- status steps -------------------------------------------------------------------------------


@login_required
@perm("training.change_batch")
@GET_POST
def batch_status(request, pk, to):
    if to not in BatchStatus.values:
        raise Http404
    batch = managed_batch(request, pk)
    possible = to in services.batch_transitions(batch)
    if request.method == "POST" and possible:
        try:
            services.change_batch_status(batch, to, request.user)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(
                request,
                _("The batch is now “%(status)s”.") % {"status": batch.get_status_display()},
            )
        return redirect("training:batch_detail", pk=batch.pk)
    enrolled = Enrolment.objects.filter(batch=batch, status=EnrolmentStatus.ENROLLED)
    return render(
        request,
        "training/batch_status.html",
        {
            "batch": batch,
            "to": to,
            "to_label": BatchStatus(to).label,
            "action_label": _step_label(to),
            "possible": possible,
            "pending": enrolled.filter(result="pending").count(),
            "active_places": Enrolment.objects.filter(
                batch=batch, status__in=services.ACTIVE_PLACES
            ).count(),
            "no_sessions": to == BatchStatus.RUNNING and not batch.sessions.exists(),
        },
    )


# ---- sessions -----------------------------------------------------------------------------------


def _day_sessions(batch) -> list[TrainingSession]:
    days = (batch.ends_on - batch.starts_on).days + 1
    return [
        TrainingSession(
            batch=batch,
            on=batch.starts_on + datetime.timedelta(days=i),
            title=_("Day %(n)d") % {"n": i + 1},
        )
        for i in range(min(days, 60))
    ]


def _recompute_results(batch, user) -> None:
    """Sessions changed, so attendance percentages did: decide the assessed results again."""
    assessed = Enrolment.objects.filter(
        batch=batch, status=EnrolmentStatus.ENROLLED, post_score__isnull=False
    )
    for enrolment in assessed.select_related("batch__course", "worker"):
        services.record_results(enrolment, user)


@login_required
@perm("training.change_batch")
@GET_POST
def batch_sessions(request, pk):
    batch = managed_batch(request, pk)
    if request.method == "POST" and request.POST.get("action") == "generate":
        if not batch.sessions.exists():
            TrainingSession.objects.bulk_create(_day_sessions(batch))
            messages.success(request, _("One session per day was added; rename the topics."))
        return redirect("training:batch_sessions", pk=batch.pk)
    formset = session_formset(request.POST if request.method == "POST" else None, batch)
    if formset.is_bound and formset.is_valid():
        with transaction.atomic():
            formset.save()
            if request.user.has_perm("training.assess_enrolment"):
                _recompute_results(batch, request.user)
        messages.success(request, _("The sessions were saved."))
        return redirect("training:batch_detail", pk=batch.pk)
    attendance = dict(
        TrainingSession.objects.filter(batch=batch)
        .annotate(n=Count("attendance", filter=Q(attendance__present=True)))
        .values_list("pk", "n")
    )
    return render(
        request,
        "training/session_form.html",
        {"batch": batch, "formset": formset, "attendance": attendance},
    )
