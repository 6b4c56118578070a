"""An import on the pages is one background Job row (kind `workers.import`), scoped like every job
(another area's officer gets 404), that goes through phases:

    inspect -> (user maps columns) -> check -> (user confirms) -> write        (or -> cancelled)

`params["phase"]` names the current phase and `params["func"]` the function core.jobs.run_job runs
for it; the row's status says whether that phase is queued, running, finished or failed, and its
result holds what the phase found (the mapping proposal, the report's counts and first problems,
the rows written). A phase is started by one conditional UPDATE, so a double click cannot run it
twice. Small files run their phase inside the request; larger ones go to the task worker and the page
polls the job's progress.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from mitra.core.jobs import LANGUAGE_PARAM, current_language, run_job, start_job
from mitra.core.logging import redact
from mitra.core.models import Job

from . import engine, writer
from .columns import mapping_errors
from .service import inspect
from .sources import (
    REPORT,
    SPOOL,
    STALE_SECONDS,
    UPLOAD,
    FileProblem,
    discard,
    file_for,
    file_sha256,
)
from .values import text

KIND = "workers.import"
FUNCS = {
    "inspect": "mitra.workers.importing.jobs.inspect_job",
    "check": "mitra.workers.importing.jobs.check_job",
    "write": "mitra.workers.importing.jobs.write_job",
}
CANCELLED = "cancelled"


def inline_limit() -> int:
    """Files up to this size run each phase inside the request (no waiting for the worker)."""
    return getattr(settings, "MITRA_IMPORT_INLINE_BYTES", 512 * 1024)


def imports_visible_to(user):
    return Job.objects.visible_to(user).filter(kind=KIND)


def waiting_for(user):
    """The user's own imports that wait for them (columns to choose, or checked rows to
    confirm) while their files are still kept: the import page's "waiting" list and the home's
    to-do count."""
    cutoff = timezone.now() - datetime.timedelta(seconds=STALE_SECONDS)
    return imports_visible_to(user).filter(
        created_by=user,
        status=Job.Status.DONE,
        params__phase__in=["inspect", "check"],
        created_at__gte=cutoff,
    )


def _upload_path(params):
    path = file_for(params["file"], UPLOAD)
    if not path.exists():
        raise FileProblem(
            _("The uploaded file is no longer kept (imports are kept for a day). Upload it again.")
        )
    if file_sha256(path) != params["sha256"]:
        raise FileProblem(_("The stored file changed since it was uploaded. Upload it again."))
    return path


# ---- starting phases -------------------------------------------------------------------------------


def start(user, stored, name: str) -> Job:
    """A new import of an uploaded file (sources.StoredFile): its inspection starts now."""
    params = {
        "phase": "inspect",
        "file": stored.token,
        "name": name[:100],
        "size": stored.size,
        "sha256": stored.sha256,
        "format": stored.kind,
        "scope": user.scope_code or "",
        "mapping": None,
        "header_row": None,
    }
    title = (_("Import workers: %(file)s") % {"file": name})[:200]
    if stored.size > inline_limit():
        return start_job(user, KIND, title, FUNCS["inspect"], **params)
    job = Job.objects.create(
        kind=KIND,
        title=title,
        created_by=user,
        region_code=user.scope_code or "",
        params={"func": FUNCS["inspect"], LANGUAGE_PARAM: current_language(), **params},
    )
    run_job.call(str(job.pk))
    job.refresh_from_db()
    return job


def advance(job: Job, phase: str, from_phases: set[str], **changes) -> bool:
    """Move a finished import to `phase` and run it; False when the import is not in one of
    `from_phases` any more (a second click, another officer) and nothing was started."""
    # The phase runs in the language of whoever moved the import on (their report, their reasons).
    params = {
        **job.params,
        **changes,
        "phase": phase,
        "func": FUNCS[phase],
        LANGUAGE_PARAM: current_language(),
    }
    claimed = Job.objects.filter(
        pk=job.pk,
        status__in=[Job.Status.DONE, Job.Status.FAILED],
        params__phase__in=sorted(from_phases),
    ).update(
        params=params,
        status=Job.Status.QUEUED,
        progress=0,
        total=0,
        message="",
        started_at=None,
        finished_at=None,
    )
    if not claimed:
        return False
    job.params = params
    if job.params.get("size", 0) > inline_limit():
        transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    else:
        run_job.call(str(job.pk))
    job.refresh_from_db()
    return True


def cancel(job: Job) -> bool:
    params = {**job.params, "phase": CANCELLED}
    claimed = (
        Job.objects.filter(pk=job.pk, status__in=[Job.Status.DONE, Job.Status.FAILED])
        .exclude(params__phase__in=["write", CANCELLED])
        .update(
            params=params,
            status=Job.Status.DONE,
            message=_("Import cancelled; nothing was written."),
            finished_at=timezone.now(),
            result={},
        )
    )
    if claimed:
        discard(job.params["file"], keep_report=False)
        job.refresh_from_db()
    return bool(claimed)


def expire_stale(max_age: int = STALE_SECONDS) -> int:
    """Close imports left waiting for a day: their files go, and so do the first rows the column
    step showed. Returns how many were closed."""
    cutoff = timezone.now() - datetime.timedelta(seconds=max_age)
    stale = Job.objects.filter(
        kind=KIND,
        created_at__lt=cutoff,
        status__in=[Job.Status.DONE, Job.Status.FAILED],
        params__phase__in=["inspect", "check"],
    )
    closed = 0
    for job in stale:
        params = {**job.params, "phase": CANCELLED}
        still_waiting = Job.objects.filter(
            pk=job.pk, status=job.status, params__phase=job.params.get("phase")
        )
        if still_waiting.update(
            params=params,
            message=_("Closed after a day without confirmation; nothing was written."),
            result={},
        ):
            discard(job.params["file"], keep_report=False)
            closed += 1
    return closed


def can_write_again(job: Job) -> bool:
    return job.params.get("phase") == "write" and job.status == Job.Status.FAILED


# ---- the phases (run by core.jobs.run_job) -----------------------------------------------------------


def inspect_job(job, progress, *, file, format, header_row=None, mapping=None, **params) -> dict:
    progress(0, 1, _("Reading the file…"))
    try:
        path = _upload_path({"file": file, **params})
        sheet = (mapping or {}).get("sheet", "")
        found = inspect(path, format, sheet=sheet, header_row=header_row)
    except FileProblem:
        discard(file, keep_report=False)
        raise
    progress(1, 1, "")
    return {
        "table": found.table_info(),
        "mapping": found.mapping.as_dict() if found.mapping else None,
        "errors": found.errors,
        "header_rows": [
            {"row": n, "text": redact(" · ".join(text(c) for c in cells if text(c)))[:100]}
            for n, cells in found.head[:15]
        ],
        "preview": found.preview(),
    }


def check_job(job, progress, *, file, format, scope, mapping, name, **params) -> dict:
    mapping_obj = engine.Mapping.from_dict(mapping)
    errors = mapping_errors(mapping_obj.columns)
    if errors:
        raise FileProblem(" ".join(errors))
    path = _upload_path({"file": file, **params})
    from .sources import open_table

    table = open_table(path, format, mapping_obj.sheet)
    progress(0, None, _("Checking the rows…"))
    result = engine.check(
        table,
        mapping_obj,
        scope,
        report_path=file_for(file, REPORT),
        spool_path=file_for(file, SPOOL),
        progress=lambda done, total: progress(done, total),
        total_hint=_row_estimate(path, format),
    )
    counts = result.counts
    progress(
        counts.read,
        counts.read,
        _("%(read)s rows read: %(valid)s ready to import, %(bad)s with problems.")
        % {
            "read": _n(counts.read),
            "valid": _n(counts.valid),
            "bad": _n(counts.invalid + counts.registered + counts.duplicates),
        },
    )
    return {**result.as_dict(), "mapping": mapping}


def write_job(job, progress, *, file, scope, name, sha256, actor=None, **params) -> dict:
    from django.contrib.auth import get_user_model

    # The officer who confirmed is the author of the rows (they may not be the one who uploaded).
    author = get_user_model().objects.filter(pk=actor).first() if actor else job.created_by
    checked = dict(job.result or {})
    counts = dict(checked.get("counts") or {})
    spool = file_for(file, SPOOL)
    if not spool.exists():
        raise FileProblem(_("The checked rows are no longer kept. Check the file again."))
    progress(0, counts.get("valid") or 0, _("Writing the workers…"))
    summary = {**counts, "file": name, "sha256": sha256}
    written = writer.write(
        spool,
        actor=author,
        scope=scope,
        summary=summary,
        record_id=str(job.pk),
        progress=None,  # inside the transaction nobody else could see it
    )
    discard(file)  # the upload and the spool; the report stays for download
    counts["written"] = written.written
    message = _("%(n)s workers written.") % {"n": _n(written.written)}
    if written.registered_meanwhile:
        message += " " + _("%(n)s rows were skipped: their NIK was registered after the check.") % {
            "n": _n(written.registered_meanwhile)
        }
    progress(written.written, written.written, message)
    return {
        **checked,
        "counts": counts,
        "registered_meanwhile": written.registered_meanwhile,
        "write_seconds": round(written.seconds, 3),
    }


def _n(number: int) -> str:
    """7000 -> '7.000' in Indonesian, '7,000' in English."""
    return number_format(number, force_grouping=True)


def _row_estimate(path, format) -> int | None:
    """Lines in a CSV file (a progress bar's total); None for workbooks."""
    if format != "csv":
        return None
    lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            lines += chunk.count(b"\n")
    return max(lines - 1, 1)
