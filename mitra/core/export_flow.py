"""The request side of every export: answer directly (streamed, logged), or hand a large export to
a background job and later serve its stored file. The file writing itself is in `exports.py`.

An export view decides what rows and columns the user may have; these helpers make sure that every
export is logged the same way, that a repeated click shows the export already being prepared instead
of starting a second one, and that a stored file is served only to users who still may see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation

from .access import log_export
from .exports import Column, csv_response, stored_file_response, xlsx_response
from .jobs import start_job
from .models import Job

UNFINISHED = (Job.Status.QUEUED, Job.Status.RUNNING)


def export_response(
    request,
    fmt: str,
    *,
    model,
    filename: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    count: int,
    region_code: str,
    purpose: str,
    sheet_name: str = "Data",
):
    """The file itself, as the answer to this request; the export is logged with its row count.

    CSV streams, so the count known beforehand is logged; XLSX is written first, so the rows
    actually written are logged (and the file is dropped if logging fails)."""
    if fmt == "csv":
        log_export(request, model, count, region_code, purpose)
        return csv_response(filename, columns, rows)
    response, written = xlsx_response(filename, columns, rows, sheet_name=sheet_name)
    try:
        log_export(request, model, written, region_code, purpose)
    except BaseException:
        response.close()
        raise
    return response


def start_export_job(
    request,
    *,
    kind: str,
    func: str,
    title: str,
    same: Callable[[dict], bool],
    **params,
):
    """Start a background export, or show the one this user already has in preparation when
    `same(job.params)` says it is the same export; the answer is a redirect to the job page."""
    unfinished = Job.objects.filter(created_by=request.user, kind=kind, status__in=UNFINISHED)
    for job in unfinished:
        if same(job.params):
            return redirect("core:job_detail", job.pk)
    language = translation.get_language() or settings.LANGUAGE_CODE
    job = start_job(request.user, kind, title, func, language=language, **params)
    return redirect("core:job_detail", job.pk)


def export_job_owner(job: Job, check: Callable) -> object:
    """The user a background export runs for, checked again now: a user deactivated or stripped
    of the permission since asking gets nothing."""
    user = job.created_by
    if user is None or not user.is_active:
        raise PermissionDenied("The user who asked for this export can no longer export.")
    check(user)
    return user


def with_progress(rows: Iterable, progress, every: int) -> Iterator:
    for done, row in enumerate(rows, start=1):
        if done % every == 0:
            progress(done)
        yield row


def stored_export_response(
    request, job_id, *, kind: str, model, sensitive_permission: str = "", region_code=None
):
    """The file of a finished background export, for users who may see the job (its scope).

    A file made with sensitive columns (`nik_visible`) needs that permission now too."""
    user = request.user
    job = get_object_or_404(
        Job.objects.visible_to(user), pk=job_id, kind=kind, status=Job.Status.DONE
    )
    result = job.result or {}
    if result.get("nik_visible") and not user.has_perm(sensitive_permission):
        raise PermissionDenied
    if not result.get("file") or not default_storage.exists(result["file"]):
        raise Http404
    region = result.get("region", user.scope_code or "") if region_code is None else region_code
    log_export(request, model, result.get("rows", 0), region, result.get("purpose", ""))
    return stored_file_response(result["file"], result["filename"], result["format"])
