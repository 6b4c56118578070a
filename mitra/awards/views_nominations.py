"""Nominations: a regency officer picks an eligible worker of their area (the others are listed
with the reasons they cannot be nominated), writes the portfolio, sees the evidence sheet Mitra
generates, and confirms; the stage's nomination list; a nomination's page with its evidence,
portfolio and files.

The worker search is POSTed (htmx): a name never goes into a URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mitra.core.access import log_access
from mitra.core.reasons import needs_reason, reason_gate, with_reason
from mitra.core.uploads import CONTENT_TYPES, file_type
from mitra.workers.models import Worker
from mitra.workers.services import name_key

from . import services, services_ui
from .forms import PortfolioEditForm, PortfolioForm, WithdrawForm
from .models import AwardCycle, Level, Nomination, NominationStatus, RankingEntry
from .views import GET_POST, add_errors, perm, refusal, stage_or_404

PAGE_SIZE = 50
INELIGIBLE_SHOWN = 25


def visible_nominations(user):
    return Nomination.objects.visible_to(user).select_related(
        "worker__village", "stage__cycle", "cycle"
    )


def nomination_or_404(request, pk) -> Nomination:
    return get_object_or_404(visible_nominations(request.user), pk=pk)


# ---- the stage's nominations ---------------------------------------------------------------------


def stage_rows(user, stage, status: str = ""):
    """A stage's nominations the user sees, in one status or all (the list and the home's
    to-do count)."""
    qs = Nomination.objects.visible_to(user).filter(stage=stage)
    return qs.filter(status=status) if status in NominationStatus.values else qs


@login_required
@perm("awards.view_nomination")
@require_GET
def stage_nominations(request, stage_pk):
    stage = stage_or_404(stage_pk)
    status = request.GET.get("status", "")
    qs = (
        stage_rows(request.user, stage, status)
        .select_related("worker__village", "stage__cycle", "cycle")
        .order_by("region_code", "worker__full_name")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/nomination_list.html",
        {
            "stage": stage,
            "cycle": stage.cycle,
            "page_obj": page,
            "object_list": page.object_list,
            "status": status,
            "statuses": NominationStatus.choices,
            "state": services_ui.stage_state(stage),
            "can_nominate": stage.level == Level.REGENCY
            and stage.is_open()
            and request.user.has_perm("awards.nominate"),
        },
    )


# ---- nominating --------------------------------------------------------------------------------


def _search(qs, text: str):
    text = (text or "").strip()
    if not text:
        return qs
    return qs.filter(Q(name_key__contains=name_key(text)) | Q(full_name__icontains=text))


def _candidates(cycle, user, text=""):
    """Eligible workers of the officer's area, and the others with their reasons."""
    eligible = list(
        _search(services.eligible_workers(cycle, user), text)
        .select_related("village")
        .order_by("full_name")[:200]
    )
    ids = {w.pk for w in eligible}
    others = (
        _search(Worker.objects.managed_by(user).registered(), text)
        .exclude(pk__in=ids)
        .select_related("village")
        .order_by("full_name")[:INELIGIBLE_SHOWN]
    )
    ineligible = []
    for worker in others:
        worker.reasons = services.check_eligibility(cycle, worker, user)
        if worker.reasons:
            ineligible.append(worker)
        else:  # the pre-filter is coarser than the rule: trust the rule
            eligible.append(worker)
    return eligible, ineligible


@login_required
@perm("awards.nominate")
@GET_POST
def nominate(request, cycle_pk):
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    stage = services.stage_at(cycle, Level.REGENCY)
    if stage is None:
        raise Http404
    user = request.user
    worker_pk = request.POST.get("worker") or request.GET.get("worker")
    if request.method == "POST" and request.POST.get("action") == "search":
        eligible, ineligible = _candidates(cycle, user, request.POST.get("q", ""))
        return render(
            request,
            "awards/_candidates.html",
            {"cycle": cycle, "eligible": eligible, "ineligible": ineligible, "searched": True},
        )
    if not worker_pk:
        eligible, ineligible = _candidates(cycle, user)
        return render(
            request,
            "awards/nominate_pick.html",
            {
                "cycle": cycle,
                "stage": stage,
                "eligible": eligible,
                "ineligible": ineligible,
                "open": stage.is_open(),
            },
        )
    try:
        worker = get_object_or_404(Worker.objects.managed_by(user).registered(), pk=worker_pk)
    except ValidationError:  # not a UUID
        raise Http404 from None
    reasons = services.check_eligibility(cycle, worker, user)
    form = PortfolioForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and not reasons and form.is_valid():
        try:
            with transaction.atomic():
                nomination = services.nominate(
                    cycle=cycle, worker=worker, by=user, **form.portfolio()
                )
                for kind, upload in form.uploads():
                    services.add_nomination_file(
                        nomination, user, title=_upload_title(kind), file=upload, kind=kind
                    )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is nominated for %(cycle)s.")
                % {"name": worker.full_name, "cycle": cycle.title},
            )
            return redirect("awards:nomination_detail", pk=nomination.pk)
    log_access(request, worker, purpose=_("award nomination: evidence sheet"))
    sheet = services_ui.evidence_for_worker(cycle, worker) if not reasons else {}
    return render(
        request,
        "awards/nominate_form.html",
        {
            "cycle": cycle,
            "stage": stage,
            "worker": worker,
            "reasons": reasons,
            "form": form,
            "evidence": services_ui.readable_evidence(sheet),
        },
    )


def _upload_title(kind) -> str:
    return _("Photo") if kind == "photo" else _("Document")


# ---- one nomination ----------------------------------------------------------------------------


@login_required
@perm("awards.view_nomination")
@require_GET
def nomination_detail(request, pk):
    nomination = nomination_or_404(request, pk)
    user = request.user
    log_access(request, nomination.worker, purpose=_("award nomination"))
    entries = (
        RankingEntry.objects.filter(nomination__in=_chain(nomination))
        .select_related("ranking__stage")
        .order_by("ranking__stage__opens_on", "-ranking__revision")
    )
    editable = (
        user.has_perm("awards.nominate")
        and nomination.status == NominationStatus.NOMINATED
        and not nomination.is_frozen
        and nomination.stage.is_open()
        and Nomination.objects.managed_by(user).filter(pk=nomination.pk).exists()
    )
    return render(
        request,
        "awards/nomination_detail.html",
        {
            "n": nomination,
            "cycle": nomination.cycle,
            "stage": nomination.stage,
            "evidence": services_ui.readable_evidence(services.evidence_sheet(nomination)),
            "files": list(nomination.files.all()),
            "entries": entries,
            "appeals": nomination.appeals.select_related("ranking").order_by("-filed_at"),
            "editable": editable,
            "may_appeal": user.has_perm("awards.appeal") and _appealable(nomination),
        },
    )


def _chain(nomination) -> list:
    """The nomination and the lower-stage nominations it came from."""
    chain, current = [], nomination
    while current is not None and len(chain) < 4:
        chain.append(current.pk)
        current = current.previous
    return chain


def _appealable(nomination) -> bool:
    group = nomination.stage.group_code(nomination.region_code)
    ranking = services.current_ranking(nomination.stage, group)
    return bool(ranking) and nomination.appeals.filter(status="pending").count() == 0


@login_required
@perm("awards.nominate")
@GET_POST
def portfolio_edit(request, pk):
    nomination = nomination_or_404(request, pk)
    if not Nomination.objects.managed_by(request.user).filter(pk=nomination.pk).exists():
        raise PermissionDenied
    initial = {
        "innovation_title": nomination.innovation_title,
        "innovation_summary": nomination.innovation_summary,
        "innovation_text": nomination.innovation_text,
        "testimony": nomination.testimony,
        "version": nomination.version,
    }
    form = PortfolioEditForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_portfolio(
                    nomination,
                    request.user,
                    version=form.cleaned_data["version"],
                    **form.portfolio(),
                )
                for kind, upload in form.uploads():
                    services.add_nomination_file(
                        nomination, request.user, title=_upload_title(kind), file=upload, kind=kind
                    )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The portfolio was saved."))
            return redirect("awards:nomination_detail", pk=nomination.pk)
    return render(
        request,
        "awards/portfolio_form.html",
        {"n": nomination, "form": form, "files": list(nomination.files.all())},
    )


@login_required
@perm("awards.nominate")
@GET_POST
def withdraw(request, pk):
    nomination = nomination_or_404(request, pk)
    if not Nomination.objects.managed_by(request.user).filter(pk=nomination.pk).exists():
        raise PermissionDenied
    form = WithdrawForm(
        request.POST if request.method == "POST" else None,
        initial={"version": nomination.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_nomination(
                nomination,
                request.user,
                form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, _("The nomination was withdrawn."))
        return redirect("awards:nomination_detail", pk=nomination.pk)
    return render(request, "awards/withdraw.html", {"n": nomination, "form": form})


@login_required
@GET_POST
def nomination_file(request, pk, file_pk):
    """A portfolio file, only through a nomination the user may see (never a public address).
    Jurors reach it through their assigned nominations."""
    if not (
        request.user.has_perm("awards.view_nomination") or request.user.has_perm("awards.score")
    ):
        raise PermissionDenied
    nomination = nomination_or_404(request, pk)
    upload = get_object_or_404(nomination.files, pk=file_pk)
    try:
        kind = file_type(upload.file)
    except FileNotFoundError:
        raise Http404 from None
    if kind not in CONTENT_TYPES:
        raise Http404
    page, reason = reason_gate(request, _("portfolio file"))
    if page is not None:
        return page
    if needs_reason(request.user):
        log_access(request, nomination.worker, purpose=with_reason(_("portfolio file"), reason))
    response = FileResponse(
        upload.file.open("rb"),
        as_attachment=kind == "pdf",
        filename=f"portofolio-{upload.pk}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )
    response["Cache-Control"] = "private, no-store"
    return response
