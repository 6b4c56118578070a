"""Participants of a batch: officers nominate workers of their own area (several at once) and
decide PSM applications; a place is given up (the waiting list moves up); a PSM sees the batches
they may join, applies, and follows their own training."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from mitra.accounts.roles import Role
from mitra.core import crypto
from mitra.core.nik import NikError, clean_nik_text
from mitra.core.scope import prefix_q
from mitra.workers.models import Status as WorkerStatus
from mitra.workers.models import Worker
from mitra.workers.services import name_key

from . import services
from .forms import DecisionForm, NominationForm, WithdrawForm
from .models import BatchStatus, Enrolment, EnrolmentStatus, Result
from .views import (
    GET_POST,
    batch_or_404,
    certificate_url,
    enrolment_or_404,
    flash_refusal,
    own_worker,
    perm,
    refusal_text,
    visible_batches,
)

CANDIDATE_LIMIT = 100
NOT_NOMINABLE = (WorkerStatus.EXITED, WorkerStatus.SUSPENDED)
REPORT_KEY = "training.nominations.%s"


# ---- nominating ---------------------------------------------------------------------------------


def _search(qs, text: str):
    text = (text or "").strip()
    if not text:
        return qs
    digits = text.replace(" ", "").replace(".", "")
    if digits.isdigit() and len(digits) == 16:
        try:
            return qs.filter(nik_hash=crypto.blind_index(clean_nik_text(digits)))
        except NikError:
            return qs.none()
    return qs.filter(Q(name_key__contains=name_key(text)) | Q(full_name__icontains=text))


def _candidates(user, batch, form) -> tuple[list, int]:
    """Workers of the user's area who could take a place: registered, not exited or suspended,
    living in the area the batch serves, not already on its list."""
    qs = (
        Worker.objects.visible_to(user)
        .registered()
        .exclude(status__in=NOT_NOMINABLE)
        .exclude(
            pk__in=Enrolment.objects.filter(batch=batch, status__in=services.ACTIVE_PLACES).values(
                "worker_id"
            )
        )
        .select_related("village")
        .order_by("full_name", "pk")
    )
    if batch.region_code:
        qs = qs.filter(prefix_q("region_code", batch.region_code))
    data = form.cleaned_data if form.is_valid() else {}
    qs = _search(qs, data.get("q", ""))
    if data.get("untrained"):
        qs = qs.filter(basic_training_on__isnull=True)
    total = qs.count()
    rows = list(qs[:CANDIDATE_LIMIT])
    ids = [w.pk for w in rows]
    passed = Enrolment.objects.filter(worker_id__in=ids, result=Result.PASSED)
    passed_this = set(passed.filter(batch__course=batch.course).values_list("worker_id", flat=True))
    prerequisites = list(batch.course.prerequisites.all())
    passed_prereq = {
        p.pk: set(passed.filter(batch__course=p).values_list("worker_id", flat=True))
        for p in prerequisites
    }
    for worker in rows:
        worker.note = ""
        if worker.pk in passed_this:
            worker.note = _("already passed this course")
        else:
            missing = [p.code for p in prerequisites if worker.pk not in passed_prereq[p.pk]]
            if missing:
                worker.note = _("prerequisite not passed: %(codes)s") % {
                    "codes": ", ".join(missing)
                }
    return rows, total


def _nominate_many(request, batch, ids) -> list[dict]:
    report = []
    scoped = Worker.objects.visible_to(request.user).registered()
    workers = {str(w.pk): w for w in scoped.filter(pk__in=_uuids(ids))}
    for wid in ids:
        worker = workers.get(wid)
        if worker is None:
            report.append(
                {"name": "—", "outcome": "refused", "detail": _("Not a worker of your area.")}
            )
            continue
        try:
            enrolment = services.nominate(batch, worker, request.user)
        except ValidationError as exc:
            report.append(
                {"name": worker.full_name, "outcome": "refused", "detail": refusal_text(exc)}
            )
        except PermissionDenied:
            report.append(
                {
                    "name": worker.full_name,
                    "outcome": "refused",
                    "detail": _("Not a worker of your area."),
                }
            )
        else:
            if enrolment.status == EnrolmentStatus.ENROLLED:
                report.append(
                    {"name": worker.full_name, "outcome": "enrolled", "detail": _("got a seat")}
                )
            else:
                report.append(
                    {
                        "name": worker.full_name,
                        "outcome": "waitlisted",
                        "detail": _("the batch is full: number %(n)d on the waiting list")
                        % {"n": enrolment.waitlist_position},
                    }
                )
    return report


def _uuids(values):
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(value))
        except (ValueError, TypeError):
            continue
    return result


@login_required
@sensitive_post_parameters("q")
@perm("training.enrol_worker")
@GET_POST
def nominate(request, pk):
    """Search (posted, so a name or NIK never lands in an address) and nominate the chosen."""
    batch = batch_or_404(request, pk)
    key = REPORT_KEY % batch.pk
    if request.method == "POST" and request.POST.get("action") == "nominate":
        ids = request.POST.getlist("worker")[:CANDIDATE_LIMIT]
        if not ids:
            messages.error(request, _("Tick at least one worker to nominate."))
        elif batch.status not in (BatchStatus.PLANNED, BatchStatus.OPEN):
            messages.error(request, _("This batch is not open for enrolment."))
        else:
            request.session[key] = _nominate_many(request, batch, ids)
        return redirect("training:nominate", pk=batch.pk)
    form = NominationForm(
        request.POST if request.method == "POST" else {"untrained": batch.course.completes_basic}
    )
    rows, total = _candidates(request.user, batch, form)
    ctx = {
        "batch": batch,
        "form": form,
        "candidates": rows,
        "total": total,
        "limit": CANDIDATE_LIMIT,
        "report": request.session.pop(key, None) if request.method == "GET" else None,
        "open": batch.status in (BatchStatus.PLANNED, BatchStatus.OPEN),
        "free": max(
            batch.quota
            - Enrolment.objects.filter(batch=batch, status=EnrolmentStatus.ENROLLED).count(),
            0,
        ),
    }
    if request.htmx:
        return render(request, "training/nominate.html#candidates", ctx)
    return render(request, "training/nominate.html", ctx)


# ---- applications, withdrawals -----------------------------------------------------------------


@login_required
@perm("training.enrol_worker")
@require_POST
def decide(request, pk, enrolment_pk):
    batch = batch_or_404(request, pk)
    enrolment = enrolment_or_404(request, batch, enrolment_pk)
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if request.POST.get("decision") not in ("approve", "reject") or not form.is_valid():
        messages.error(request, _("Choose to accept or to refuse the application."))
        return redirect("training:batch_detail", pk=batch.pk)
    try:
        services.decide_application(
            enrolment, request.user, approve=approve, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        name = enrolment.worker.full_name
        if not approve:
            messages.success(
                request, _("The application of %(name)s was refused.") % {"name": name}
            )
        elif enrolment.status == EnrolmentStatus.ENROLLED:
            messages.success(request, _("%(name)s got a seat.") % {"name": name})
        else:
            messages.success(
                request,
                _("The batch is full: %(name)s is number %(n)d on the waiting list.")
                % {"name": name, "n": enrolment.waitlist_position},
            )
    return redirect("training:batch_detail", pk=batch.pk)


@login_required
@GET_POST
def withdraw(request, pk, enrolment_pk):
    batch = batch_or_404(request, pk)
    enrolment = enrolment_or_404(request, batch, enrolment_pk)
    own = enrolment.worker.user_id == request.user.pk
    if not (request.user.has_perm("training.enrol_worker") or own):
        raise PermissionDenied
    back = "training:mine" if own and request.user.role == Role.WORKER else None
    if enrolment.status not in services.ACTIVE_PLACES:
        messages.error(request, _("This place was already given up."))
        return redirect(back) if back else redirect("training:batch_detail", pk=batch.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            promoted = services.withdraw(enrolment, request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            if own:
                messages.success(request, _("You gave up your place in this batch."))
            else:
                messages.success(
                    request,
                    _("%(name)s no longer has a place in this batch.")
                    % {"name": enrolment.worker.full_name},
                )
            if promoted is not None:
                messages.success(
                    request,
                    _("The freed seat went to %(name)s, first on the waiting list.")
                    % {"name": promoted.worker.full_name},
                )
        return redirect(back) if back else redirect("training:batch_detail", pk=batch.pk)
    return render(
        request,
        "training/withdraw.html",
        {"batch": batch, "enrolment": enrolment, "form": form, "own": own},
    )


# ---- PSM self-service ---------------------------------------------------------------------------


@login_required
@perm("training.apply")
@require_POST
def apply(request, pk):
    batch = batch_or_404(request, pk)
    worker = own_worker(request.user)
    if worker is None:
        messages.error(request, _("Your login is not linked to a worker record yet."))
    elif batch.status != BatchStatus.OPEN:
        messages.error(request, _("This batch does not take applications now."))
    else:
        try:
            services.apply(batch, worker, request.user)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(
                request,
                _(
                    "Your application was sent. Your social office decides; you will see the "
                    "answer here."
                ),
            )
    return redirect("training:mine")


@login_required
@perm("training.apply")
@require_GET
def my_training(request):
    worker = own_worker(request.user)
    if worker is None:
        return render(request, "training/mine.html", {"worker": None})
    places = list(
        Enrolment.objects.visible_to(request.user)
        .filter(worker=worker)
        .select_related("batch__course", "batch__venue", "certificate")
        .order_by("-batch__starts_on")
    )
    taken = {e.batch_id for e in places if e.status in services.ACTIVE_PLACES}
    today = timezone.localdate()
    offers = []
    for batch in (
        visible_batches(request.user)
        .filter(status=BatchStatus.OPEN, ends_on__gte=today)
        .exclude(pk__in=taken)
        .order_by("starts_on")[:50]
    ):
        try:
            services.check_can_enrol(batch, worker)
        except ValidationError as exc:
            offers.append({"batch": batch, "refusal": refusal_text(exc)})
        else:
            offers.append({"batch": batch, "refusal": ""})
    for e in places:
        e.certificate_url = certificate_url(e)
        e.can_withdraw = e.status in services.ACTIVE_PLACES and e.batch.status not in (
            BatchStatus.FINISHED,
            BatchStatus.CANCELLED,
        )
    return render(
        request,
        "training/mine.html",
        {"worker": worker, "places": places, "offers": offers},
    )
