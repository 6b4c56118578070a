"""Pages of the ventures section: the list, a venture's page (support, results, members, change
history), recording and changing a venture, its support, results and members, the scanned proof,
and the list of kinds of business.

Every view starts from `Venture.objects.visible_to(user)`: out of sight is 404; seen but not the
user's to change (a wider area's, or a PSM's page for an officer of another area) is 403. A
venture's page is a person's financial data: each opening writes an access-log row."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mitra.core.access import log_access
from mitra.core.models import ChangeLog
from mitra.core.uploads import CONTENT_TYPES, file_type

from . import services
from .forms import KindForm, MemberForm, ResultForm, StatusFilterForm, SupportForm, VentureForm
from .models import Venture, VentureKind, VentureResult

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 50
HISTORY_ROWS = 50
VIEW = "ventures.view_venture"


def perm(name: str):
    return permission_required(name, raise_exception=True)


def visible_ventures(user):
    return Venture.objects.visible_to(user).select_related("worker", "kind", "village__district")


def venture_or_404(request, pk) -> Venture:
    return get_object_or_404(visible_ventures(request.user), pk=pk)


def managed_venture(request, pk) -> Venture:
    venture = venture_or_404(request, pk)
    if not services.may_manage(request.user, venture):
        raise PermissionDenied
    return venture


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@perm(VIEW)
@require_GET
def venture_list(request):
    user = request.user
    qs = visible_ventures(user)
    form = StatusFilterForm(request.GET or None, user=user)
    if form.is_bound and form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
    elif form.is_bound:
        qs = qs.none()
    page = Paginator(qs.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "object_list": page.object_list,
        "can_add": user.has_perm("ventures.add_venture"),
        "can_export": user.has_perm("ventures.export_venture"),
        "can_import": user.has_perm("ventures.import_venture"),
        "is_worker": user.role == "worker",
    }
    template = "ventures/_table.html" if request.htmx else "ventures/venture_list.html"
    return render(request, template, context)


@login_required
@perm("ventures.add_venture")
@GET_POST
def venture_create(request):
    preset = request.GET.get("worker") or None
    if preset and not re.fullmatch(r"[0-9a-f-]{36}", preset):
        raise Http404
    form = VentureForm(request.POST or None, user=request.user, preset_worker=preset)
    if request.method == "POST" and form.is_valid():
        venture = form.apply()
        try:
            services.create_venture(venture, request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The venture was recorded."))
            return redirect("ventures:detail", venture.pk)
    return render(request, "ventures/venture_form.html", {"form": form})


@login_required
@perm("ventures.change_venture")
@GET_POST
def venture_update(request, pk):
    venture = managed_venture(request, pk)
    form = VentureForm(request.POST or None, instance=venture, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.apply()
        try:
            services.update_venture(venture, request.user, form.cleaned_data.get("version"))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("ventures:detail", venture.pk)
    return render(request, "ventures/venture_form.html", {"form": form, "venture": venture})


@login_required
@perm(VIEW)
@require_GET
def venture_detail(request, pk):
    venture = venture_or_404(request, pk)
    user = request.user
    log_access(request, venture, purpose=_("venture page"))
    context = {
        "venture": venture,
        "supports": venture.supports.select_related("enrolment__batch__course"),
        "results": venture.results.all()[:12],
        "members": venture.members.filter(left_on__isnull=True).select_related(
            "worker", "beneficiary"
        ),
        "entries": ChangeLog.for_object(venture)[:HISTORY_ROWS],
        "manages": services.may_manage(user, venture),
        "may_add_result": services.may_add_result(user, venture),
        "may_add_support": user.has_perm("ventures.add_support")
        and services.may_manage(user, venture),
    }
    return render(request, "ventures/venture_detail.html", context)


@login_required
@perm("ventures.add_support")
@GET_POST
def support_add(request, pk):
    venture = managed_venture(request, pk)
    form = SupportForm(
        request.POST or None, request.FILES or None, venture=venture, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_support(form.apply(), request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The support was recorded."))
            return redirect("ventures:detail", venture.pk)
    return render(request, "ventures/support_form.html", {"form": form, "venture": venture})


@login_required
@perm(VIEW)
@require_GET
def support_proof(request, pk, support_pk):
    """The scanned proof, only through the venture's scope (never a public media address)."""
    venture = venture_or_404(request, pk)
    support = get_object_or_404(venture.supports, pk=support_pk)
    if not support.proof:
        raise Http404
    try:
        kind = file_type(support.proof)
    except FileNotFoundError:
        raise Http404 from None
    if kind not in CONTENT_TYPES:
        raise Http404
    log_access(request, venture, purpose=_("scan of a support proof"))
    response = FileResponse(
        support.proof.open("rb"),
        as_attachment=True,
        filename=f"bukti-dukungan-{support.pk}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@perm("ventures.add_result")
@GET_POST
def result_add(request, pk):
    venture = venture_or_404(request, pk)
    if not services.may_add_result(request.user, venture):
        raise PermissionDenied
    form = ResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind, start = form.period_parts()
        data = form.cleaned_data
        result = VentureResult(
            venture=venture,
            period_kind=kind,
            period_start=start,
            turnover=data["turnover"],
            income_band=data["income_band"],
            people_working=data["people_working"],
            beneficiaries_involved=data["beneficiaries_involved"],
            note=data["note"],
        )
        try:
            services.add_result(result, request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "period_start" in exc.error_dict:
                exc.error_dict["period"] = exc.error_dict.pop("period_start")
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The result was recorded."))
            return redirect("ventures:detail", venture.pk)
    return render(request, "ventures/result_form.html", {"form": form, "venture": venture})


@login_required
@perm("ventures.change_venture")
@GET_POST
def member_add(request, pk):
    venture = managed_venture(request, pk)
    form = MemberForm(request.POST or None, venture=venture, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_member(
                venture,
                request.user,
                worker=data.get("worker"),
                beneficiary=data.get("beneficiary"),
                consent_on=data.get("consent_on"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The member was added."))
            return redirect("ventures:detail", venture.pk)
    return render(request, "ventures/member_form.html", {"form": form, "venture": venture})


@login_required
@perm(VIEW)
@GET_POST
def kind_list(request):
    """The kinds of business seen in the user's area; an officer adds one for their area."""
    form = KindForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("ventures.add_venturekind"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_kind(request.user, form.cleaned_data["name"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The kind of business was added."))
                return redirect("ventures:kinds")
    context = {
        "kinds": VentureKind.objects.visible_to(request.user),
        "form": form,
        "can_add": request.user.has_perm("ventures.add_venturekind"),
    }
    return render(request, "ventures/kind_list.html", context)
