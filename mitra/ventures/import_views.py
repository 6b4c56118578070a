"""The ventures import pages: upload (the file is checked at once), the per-row report with the
confirmation, and the writing.

An import is a Job row of kind `ventures.import` (scoped like every job: another area's import is
404) whose `params["phase"]` is "check" (waiting for the confirmation), "write" (written) or
"cancelled". Ventures files are small (a regency's ventures, not its workers), so each step runs
inside the request; the confirmation claims the import with one conditional UPDATE, so a double
click cannot write it twice.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mitra.core.models import Job
from mitra.workers.importing.sources import (
    UPLOAD,
    FileProblem,
    cleanup_stale,
    discard,
    file_for,
    file_sha256,
    max_upload_bytes,
    store_upload,
)

from . import importing

KIND = "ventures.import"
PERMISSION = "ventures.import_venture"


def import_permission(view):
    return login_required(permission_required(PERMISSION, raise_exception=True)(view))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet file"),
        help_text=gettext_lazy("xlsx, xls, ods or csv; one row per venture under a header row."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.xls,.ods,.csv,.txt,text/csv,application/vnd.ms-excel"}
        ),
    )


def imports_visible_to(user):
    return Job.objects.visible_to(user).filter(kind=KIND)


def _job(request, pk) -> Job:
    return get_object_or_404(imports_visible_to(request.user), pk=pk)


def _stored_file(job: Job):
    path = file_for(job.params["file"], UPLOAD)
    if not path.exists() or file_sha256(path) != job.params["sha256"]:
        raise FileProblem(
            _("The uploaded file is no longer kept (imports are kept for a day). Upload it again.")
        )
    return path


@import_permission
@require_http_methods(["GET", "POST"])
def start(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        cleanup_stale()
        upload = form.cleaned_data["file"]
        try:
            stored = store_upload(upload)
        except FileProblem as exc:
            form.add_error("file", str(exc))
        else:
            name = (upload.name or "")[:100]
            job = Job.objects.create(
                kind=KIND,
                title=(_("Import ventures: %(file)s") % {"file": name})[:200],
                created_by=request.user,
                region_code=request.user.scope_code or "",
                started_at=timezone.now(),
                params={
                    "phase": "check",
                    "file": stored.token,
                    "name": name,
                    "sha256": stored.sha256,
                    "format": stored.kind,
                },
            )
            try:
                report = importing.check(stored.path, stored.kind, request.user)
            except FileProblem as exc:
                discard(stored.token, keep_report=False)
                job.status, job.message = Job.Status.FAILED, str(exc)[:500]
                job.params = {**job.params, "phase": "cancelled"}
            else:
                job.status, job.result = Job.Status.DONE, report.as_dict()
            job.finished_at = timezone.now()
            job.save()
            return redirect("ventures:import_detail", pk=job.pk)
    recent = imports_visible_to(request.user).select_related("created_by")[:10]
    return render(
        request,
        "ventures/import_upload.html",
        {"form": form, "recent": recent, "max_mb": max_upload_bytes() // 2**20},
    )


@import_permission
@require_GET
def detail(request, pk):
    job = _job(request, pk)
    result = job.result or {}
    counts = result.get("counts") or {}
    return render(
        request,
        "ventures/import_report.html",
        {
            "job": job,
            "phase": job.params.get("phase"),
            "counts": counts,
            "to_write": (counts.get("ventures") or 0) + (counts.get("supports") or 0),
            "problems": result.get("problems") or [],
            "problem_count": result.get("problem_count") or 0,
            "written": result.get("written"),
        },
    )


@import_permission
@require_POST
def confirm(request, pk):
    job = _job(request, pk)
    claimed = Job.objects.filter(pk=job.pk, status=Job.Status.DONE, params__phase="check").update(
        status=Job.Status.RUNNING, params={**job.params, "phase": "write"}
    )
    if not claimed:
        messages.error(request, _("There is nothing to write in this import."))
        return redirect("ventures:import_detail", pk=job.pk)
    try:
        report = importing.write(
            _stored_file(job), job.params["format"], request.user, job.result.get("counts") or {}
        )
    except (FileProblem, ValidationError, PermissionDenied) as exc:
        # Nothing was written (the transaction rolled back): the officer may upload it again.
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _fail(job, reason or _("Nothing was written."))
        messages.error(request, _("Nothing was written: %(reason)s") % {"reason": reason})
        return redirect("ventures:import_detail", pk=job.pk)
    except Exception:
        # A database failure: the transaction rolled back; the import must not stay "running".
        _fail(job, _("Nothing was written."))
        raise
    result = report.as_dict()
    result["written"] = {"ventures": report.ventures, "supports": report.supports}
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, result=result, finished_at=timezone.now()
    )
    transaction.on_commit(lambda: discard(job.params["file"], keep_report=False))
    messages.success(
        request,
        _("%(v)d ventures and %(s)d supports written.")
        % {"v": report.ventures, "s": report.supports},
    )
    return redirect("ventures:import_detail", pk=job.pk)


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED,
        message=message[:500],
        params={**job.params, "phase": "cancelled"},
        finished_at=timezone.now(),
    )
    discard(job.params["file"], keep_report=False)


@import_permission
@require_POST
def cancel(request, pk):
    job = _job(request, pk)
    claimed = Job.objects.filter(pk=job.pk, params__phase="check").update(
        params={**job.params, "phase": "cancelled"},
        message=_("Import cancelled; nothing was written."),
    )
    if claimed:
        discard(job.params["file"], keep_report=False)
        messages.success(request, _("The import was cancelled and its file deleted."))
    return redirect("ventures:import_detail", pk=job.pk)
