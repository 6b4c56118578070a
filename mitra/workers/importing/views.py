"""The import pages: upload, column mapping, report, confirmation, progress, result.

Every page needs `workers.import_worker` (403 without it) and finds the import among the jobs the
user may see (404 for another area's import). The import's state decides what its page shows; see
jobs.py for the phases.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mitra.core.models import Job

from . import jobs
from .columns import FIELDS, HEADER_SCAN_ROWS, column_letter, mapping_errors
from .engine import Mapping
from .sources import REPORT, FileProblem, cleanup_stale, file_for, max_upload_bytes, store_upload

PERMISSION = "workers.import_worker"
RUNNING = {Job.Status.QUEUED, Job.Status.RUNNING}


def import_permission(view):
    return login_required(permission_required(PERMISSION, raise_exception=True)(view))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet file"),
        help_text=gettext_lazy("xlsx, xls, ods or csv; one row per worker under a header row."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.xls,.ods,.csv,.txt,text/csv,application/vnd.ms-excel"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too big; the limit is %(max)d MB.") % {"max": limit // 2**20}
            )
        return upload


class MappingForm(forms.Form):
    """One select per column of the file, plus the header row."""

    def __init__(self, *args, mapping: Mapping, header_rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.mapping = mapping
        choices = [("", _("— not imported —"))] + [(k, str(v)) for k, v in FIELDS.items()]
        rows = [r["row"] for r in header_rows] or list(range(1, HEADER_SCAN_ROWS + 1))
        if mapping.header_row not in rows:
            rows.append(mapping.header_row)
        self.fields["header_row"] = forms.TypedChoiceField(
            label=gettext_lazy("Header row"),
            choices=[(n, str(n)) for n in sorted(rows)],
            coerce=int,
            initial=mapping.header_row,
        )
        for index, header in enumerate(mapping.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=f"{column_letter(index)} · {header or '—'}",
                choices=choices,
                required=False,
                initial=mapping.columns.get(index, ""),
            )

    def chosen(self) -> dict[int, str]:
        return {
            i: self.cleaned_data.get(f"col_{i}")
            for i in range(len(self.mapping.headers))
            if self.cleaned_data.get(f"col_{i}")
        }

    def clean(self):
        data = super().clean()
        if self.data.get("action") != "header":
            for error in mapping_errors(self.chosen()):
                self.add_error(None, error)
        return data


def _job(request, pk) -> Job:
    return get_object_or_404(jobs.imports_visible_to(request.user), pk=pk)


# ---- pages -------------------------------------------------------------------------------------------


@import_permission
@require_http_methods(["GET", "POST"])
def start(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        jobs.expire_stale()
        cleanup_stale()
        upload = form.cleaned_data["file"]
        try:
            stored = store_upload(upload)
        except FileProblem as exc:
            form.add_error("file", str(exc))
        else:
            job = jobs.start(request.user, stored, upload.name or "")
            return redirect("workers:import_detail", pk=job.pk)
    # ?waiting=1: every import of the user's that waits for them (the home page links here).
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        recent = jobs.waiting_for(request.user).select_related("created_by")
    else:
        recent = jobs.imports_visible_to(request.user).select_related("created_by")[:10]
    return render(
        request,
        "workers/import_upload.html",
        {
            "form": form,
            "recent": recent,
            "waiting": waiting,
            "max_mb": max_upload_bytes() // 2**20,
        },
    )


@import_permission
@require_GET
def detail(request, pk):
    """The import's page: what it shows follows the import's state."""
    job = _job(request, pk)
    phase = job.params.get("phase")
    ctx = {"job": job, "phase": phase, "result": job.result or {}}
    if job.status in RUNNING:
        return render(request, "workers/import_progress.html", ctx)
    if phase == jobs.CANCELLED:
        return render(request, "workers/import_result.html", ctx)
    if job.status == Job.Status.FAILED and phase == "inspect":
        return render(request, "workers/import_result.html", ctx)
    if phase == "inspect" or (job.status == Job.Status.FAILED and phase == "check"):
        return mapping(request, pk)
    if phase == "check":
        return render(request, "workers/import_report.html", _report_context(job, ctx))
    return render(request, "workers/import_result.html", _report_context(job, ctx))


def _report_context(job, ctx):
    result = ctx["result"]
    counts = result.get("counts") or {}
    mapping = result.get("mapping") or job.params.get("mapping")
    used = []
    if mapping:
        m = Mapping.from_dict(mapping)
        used = [(m.label(i), FIELDS.get(f, f)) for i, f in sorted(m.columns.items())]
    problem_rows = (
        counts.get("invalid", 0) + counts.get("registered", 0) + counts.get("duplicates", 0)
    )
    ctx.update(
        counts=counts,
        problems=result.get("problems") or [],
        problem_count=result.get("problem_count", 0),
        problem_rows=problem_rows,
        columns_used=used,
        report_available=file_for(job.params["file"], REPORT).exists(),
        can_retry=jobs.can_write_again(job),
    )
    return ctx


@import_permission
@require_http_methods(["GET", "POST"])
def mapping(request, pk):
    job = _job(request, pk)
    phase = job.params.get("phase")
    if (
        job.status in RUNNING
        or phase not in ("inspect", "check")
        or (phase == "inspect" and job.status == Job.Status.FAILED)
    ):
        return redirect("workers:import_detail", pk=job.pk)
    result = job.result or {}
    data = (result.get("mapping") if phase == "inspect" else None) or job.params.get("mapping")
    if not data:
        if request.method == "POST":
            return redirect("workers:import_detail", pk=job.pk)
        ctx = {"job": job, "form": None, "result": result, "table": _table(job, result)}
        return render(request, "workers/import_mapping.html", ctx)
    current = Mapping.from_dict(data)
    form = MappingForm(
        request.POST or None, mapping=current, header_rows=result.get("header_rows") or []
    )
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "header":
            jobs.advance(
                job, "inspect", {"inspect", "check"}, header_row=form.cleaned_data["header_row"]
            )
            return redirect("workers:import_detail", pk=job.pk)
        chosen = Mapping(current.header_row, form.chosen(), current.headers, current.sheet)
        if not jobs.advance(job, "check", {"inspect", "check"}, mapping=chosen.as_dict()):
            messages.error(request, _("This import has moved on; here is where it stands."))
        return redirect("workers:import_detail", pk=job.pk)
    preview = result.get("preview") if phase == "inspect" else None
    columns = [
        (form[f"col_{i}"], [row[i] for row in preview or [] if i < len(row) and row[i]])
        for i in range(len(current.headers))
    ]
    ctx = {
        "job": job,
        "form": form,
        "columns": columns,
        "result": result,
        "preview": preview,
        "table": _table(job, result),
        "inspect_errors": result.get("errors") if phase == "inspect" else None,
        "failed": job.status == Job.Status.FAILED,
    }
    return render(request, "workers/import_mapping.html", ctx)


def _table(job, result) -> dict:
    return result.get("table") or {"kind": job.params.get("format", "")}


@import_permission
@require_POST
def confirm(request, pk):
    job = _job(request, pk)
    counts = (job.result or {}).get("counts") or {}
    from_phases = {"check"} if job.status == Job.Status.DONE else {"write"}
    if not counts.get("valid") or not jobs.advance(
        job, "write", from_phases, actor=request.user.pk
    ):
        messages.error(request, _("There is nothing to write in this import."))
    return redirect("workers:import_detail", pk=job.pk)


@import_permission
@require_POST
def cancel(request, pk):
    job = _job(request, pk)
    if jobs.cancel(job):
        messages.success(request, _("The import was cancelled and its file deleted."))
    return redirect("workers:import_detail", pk=job.pk)


@import_permission
@require_GET
def report(request, pk):
    job = _job(request, pk)
    path = file_for(job.params["file"], REPORT)
    if not path.exists():
        raise Http404
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"laporan-impor-{stamp}.csv",
        content_type="text/csv; charset=utf-8",
    )


@import_permission
@require_GET
def status(request, pk):
    """Polled by the progress page: nothing while the phase runs, a page refresh when it ends."""
    job = _job(request, pk)
    if job.status in RUNNING:
        return HttpResponse(status=204)
    response = HttpResponse(status=200)
    response["HX-Refresh"] = "true"
    return response
