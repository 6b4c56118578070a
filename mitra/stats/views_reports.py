"""The reports page: kept monthly and yearly reports of the user's area, a form to generate one in
the background, the schedule (which regions get theirs generated every month or year), and the
downloads (scoped like every region-bound row, logged as exports)."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mitra.core.access import log_export
from mitra.core.exports import stored_file_response
from mitra.core.jobs import start_job
from mitra.core.scope import code_in_scope, format_code, normalize_code
from mitra.regions.models import region_for_code

from .filters import MONTHS
from .models_reports import GeneratedReport, ReportKind, ReportSubscription
from .reports import last_period, period_label


class ReportForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("Region code"), required=False, max_length=13)
    kind = forms.ChoiceField(label=gettext_lazy("Report"), choices=ReportKind.choices)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"), coerce=int, choices=list(MONTHS.items()), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_region(self):
        try:
            code = normalize_code(self.cleaned_data.get("region") or "")
        except ValueError:
            raise forms.ValidationError(_("Enter a region code such as 34.02.")) from None
        if not code_in_scope(code, self.user.scope_code or "") or (
            code and region_for_code(code) is None
        ):
            raise forms.ValidationError(_("This region is not in your area."))
        return code

    def clean(self):
        data = super().clean()
        if data.get("kind") == ReportKind.MONTHLY and not data.get("month"):
            self.add_error("month", _("Choose the month of a monthly report."))
        year = data.get("year")
        if year and year > timezone.localdate().year:
            self.add_error("year", _("The period must not be in the future."))
        return data

    def period_start(self) -> datetime.date:
        data = self.cleaned_data
        month = data["month"] if data["kind"] == ReportKind.MONTHLY else 1
        return datetime.date(data["year"], month, 1)


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _region_label(code: str) -> str:
    if not code:
        return _("Indonesia")
    region = region_for_code(code)
    return f"{region.name} ({format_code(code)})" if region else format_code(code)


def _list_context(request, form) -> dict:
    user = request.user
    reports = GeneratedReport.objects.visible_to(user).select_related("created_by")
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    return {
        "form": form,
        "page_obj": page,
        "reports": page.object_list,
        "subscriptions": [
            (s, _region_label(s.region_code)) for s in ReportSubscription.objects.visible_to(user)
        ],
        "can_generate": user.has_perm("stats.generate_report"),
        "own_region": _region_label(user.scope_code or ""),
    }


@login_required
def report_list(request):
    _require(request, "stats.view_report")
    user = request.user
    last = last_period(ReportKind.MONTHLY)
    region = request.GET.get("region", user.scope_code or "")
    form = ReportForm(
        user=user,
        initial={
            "region": format_code(region) if region.isdigit() else "",
            "kind": ReportKind.MONTHLY,
            "year": last.year,
            "month": last.month,
        },
    )
    return render(request, "stats/report_list.html", _list_context(request, form))


@login_required
@require_POST
def report_generate(request):
    _require(request, "stats.generate_report")
    form = ReportForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "stats/report_list.html", _list_context(request, form), status=400)
    code, kind = form.cleaned_data["region"], form.cleaned_data["kind"]
    start = form.period_start()
    title = _("Report %(region)s, %(period)s") % {
        "region": _region_label(code),
        "period": period_label(kind, start),
    }
    job = start_job(
        request.user,
        "stats.report",
        title[:200],
        "mitra.stats.reports.generate_job",
        region_code=code,
        report_kind=kind,
        period=start.isoformat(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return redirect("core:job_detail", job.pk)


@login_required
@require_POST
def schedule(request):
    """Ask for (or stop) the automatic monthly or yearly report of the user's own area."""
    _require(request, "stats.generate_report")
    kind = request.POST.get("kind")
    if kind not in ReportKind.values:
        messages.error(request, _("Choose a monthly or a yearly report."))
        return redirect("stats:reports")
    code = request.user.scope_code or ""
    existing = ReportSubscription.objects.filter(region_code=code, kind=kind)
    if request.POST.get("action") == "stop":
        existing.delete()
        messages.success(request, _("The automatic report was stopped."))
    else:
        try:
            with transaction.atomic():
                ReportSubscription.objects.create(
                    region_code=code, kind=kind, created_by=request.user
                )
        except IntegrityError:
            pass  # already asked for: nothing to change
        messages.success(
            request, _("The report will be generated automatically at the start of each period.")
        )
    return redirect("stats:reports")


@login_required
def report_download(request, pk: int, fmt: str):
    _require(request, "stats.view_report")
    report = get_object_or_404(GeneratedReport.objects.visible_to(request.user), pk=pk)
    name = {"pdf": report.pdf_file, "xlsx": report.xlsx_file}.get(fmt)
    if not name:
        raise Http404
    period = report.period_start.strftime("%Y" if report.kind == ReportKind.YEARLY else "%Y-%m")
    filename = f"laporan-{report.region_code or 'ID'}-{period}.{fmt}"
    log_export(request, GeneratedReport, 1, report.region_code, f"report {report.pk} {fmt}")
    if fmt == "pdf":
        from django.core.files.storage import default_storage
        from django.http import FileResponse

        response = FileResponse(
            default_storage.open(name, "rb"),
            as_attachment=False,
            filename=filename,
            content_type="application/pdf",
        )
        response["Cache-Control"] = "no-store"
        return response
    return stored_file_response(name, filename, fmt)


def report_url(report: GeneratedReport, fmt: str = "pdf") -> str:
    return reverse("stats:report_download", args=[report.pk, fmt])
