"""Activity-report pages (a PSM writes and submits, the TKSK verifies or returns, officers read
their area) and the data-subject export of one beneficiary (UU 27/2022).

Every view starts from `ActivityReport.objects.visible_to(user)` (or the beneficiary's scoped
queryset): a row outside the user's area is 404, a missing permission 403. GET never changes data.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mitra.core.access import log_access
from mitra.core.models import AccessLog
from mitra.core.paging import CappedPaginator

from . import services, subject
from .models import ActivityReport, ReportStatus
from .reports_forms import REACHED_FIELDS, ReportForm, VerifyForm, filtered_reports

PAGE_SIZE = 50
VIEW = "cases.view_activityreport"
ADD = "cases.add_activityreport"
VERIFY = "cases.verify_report"
GET_POST = require_http_methods(["GET", "POST"])


def _perm(perm: str):
    return permission_required(perm, raise_exception=True)


def _report_or_404(user, pk) -> ActivityReport:
    qs = ActivityReport.objects.visible_to(user).select_related(
        "worker", "village__district", "verified_by"
    )
    return get_object_or_404(qs, pk=pk)


def _own_worker_or_403(user):
    worker = getattr(user, "worker", None) if user.role == "worker" else None
    if worker is None:
        raise PermissionDenied
    return worker


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# ---- list ----------------------------------------------------------------------------------------


@login_required
@_perm(VIEW)
@require_GET
def report_list(request):
    data = request.GET.copy()
    # The TKSK opens the list on what waits for them.
    if request.user.role == "district_supervisor" and "status" not in data:
        data["status"] = ReportStatus.SUBMITTED
    form, qs = filtered_reports(request.user, data)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "object_list": page.object_list,
        "filtered": any(data.get(k) for k in ("status", "type", "month", "region", "late")),
        "can_verify": request.user.has_perm(VERIFY),
        "is_worker": request.user.role == "worker",
        "returned": (
            qs.filter(status=ReportStatus.RETURNED) if request.user.role == "worker" else None
        ),
    }
    if request.htmx and request.htmx.target == "report-table":
        return render(request, "cases/report_table.html", context)
    return render(request, "cases/report_list.html", context)


# ---- a PSM's draft ---------------------------------------------------------------------------------


@login_required
@_perm(ADD)
@GET_POST
def report_create(request):
    worker = _own_worker_or_403(request.user)
    form = ReportForm(request.POST or None, user=request.user, worker=worker)
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        report.worker = worker
        report.save()
        if "submit" in request.POST:
            return _submit(request, report)
        messages.success(request, _("The draft report was saved."))
        return redirect("cases:report_detail", report.pk)
    return render(request, "cases/report_form.html", {"form": form, "report": None})


@login_required
@_perm(ADD)
@GET_POST
def report_update(request, pk):
    worker = _own_worker_or_403(request.user)
    report = _report_or_404(request.user, pk)
    if report.worker_id != worker.pk:
        raise PermissionDenied
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        messages.error(request, _("A submitted or verified report cannot be changed."))
        return redirect("cases:report_detail", report.pk)
    form = ReportForm(request.POST or None, instance=report, user=request.user, worker=worker)
    if request.method == "POST" and form.is_valid():
        report = form.save()
        if "submit" in request.POST:
            return _submit(request, report)
        messages.success(request, _("The report was saved."))
        return redirect("cases:report_detail", report.pk)
    return render(request, "cases/report_form.html", {"form": form, "report": report})


def _submit(request, report):
    try:
        services.submit_report(report, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report was sent to the district supervisor (TKSK)."))
    return redirect("cases:report_detail", report.pk)


@login_required
@_perm(ADD)
@require_POST
def report_submit(request, pk):
    report = _report_or_404(request.user, pk)
    return _submit(request, report)


@login_required
@_perm(VIEW)
@require_GET
def report_detail(request, pk):
    report = _report_or_404(request.user, pk)
    user = request.user
    own = user.role == "worker" and getattr(user, "worker", None) == report.worker
    reached = [(report._meta.get_field(name).verbose_name, getattr(report, name))
               for name in REACHED_FIELDS]  # fmt: skip
    return render(
        request,
        "cases/report_detail.html",
        {
            "report": report,
            "reached": reached,
            "can_edit": own and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED),
            "can_verify": user.has_perm(VERIFY) and report.status == ReportStatus.SUBMITTED,
            "verify_form": VerifyForm(initial={"version": report.version}),
        },
    )


# ---- the TKSK's decision (inline on the list, htmx) ---------------------------------------------------


@login_required
@_perm(VERIFY)
@require_POST
def report_verify(request, pk):
    report = _report_or_404(request.user, pk)
    form = VerifyForm(request.POST)
    error, status = None, 200
    if form.is_valid():
        try:
            services.verify_report(
                report,
                request.user,
                approve=form.cleaned_data["decision"] == "verify",
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            codes = {getattr(e, "code", None) for e in getattr(exc, "error_list", [exc])}
            status = 409 if "conflict" in codes else 422
            report.refresh_from_db()
    else:
        error, status = _("Choose whether to verify or return the report."), 422
    if request.htmx:
        response = render(
            request,
            "cases/report_row.html",
            {"r": report, "can_verify": True, "error": error},
        )
        response.status_code = status
        return response
    if error:
        messages.error(request, error)
    elif report.status == ReportStatus.VERIFIED:
        messages.success(request, _("The report was verified."))
    else:
        messages.success(request, _("The report was returned to the worker."))
    return redirect("cases:report_detail", report.pk)


# ---- data-subject request (UU 27/2022) ----------------------------------------------------------------


@login_required
@_perm(subject.PERMISSION)
@require_GET
def subject_export(request, pk):
    """Everything held about one beneficiary, as a JSON file (or ?format=html to read)."""
    person = get_object_or_404(services.visible_people(request.user), pk=pk)
    log_access(request, person, action=AccessLog.Action.EXPORT, purpose=subject.PURPOSE)
    data = subject.subject_data(person)
    if request.GET.get("format") == "html":
        return render(request, "cases/report_subject.html", {"data": data, "person": person})
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="subject-{str(person.pk)[:8]}-{stamp}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response
