"""Background jobs with progress: a Job row the pages poll, run by the django.tasks worker.

`start_job()` records the job and enqueues `run_job`; the worker (`mitra worker`) runs the job's
function, which reports progress through the `Progress` it is given. The function is named by its
dotted path, so the job row says exactly what runs.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from .current import acting_as
from .models import Job

# The language the user who started a job reads Mitra in: the worker has no request, so the job
# runs in it (messages, file headers, reasons), Indonesian for jobs recorded without it.
LANGUAGE_PARAM = "ui_language"

log = logging.getLogger(__name__)


class Progress:
    """Writes a running job's progress; throttled so a tight loop does not hammer the database."""

    def __init__(self, job: Job, every: int = 1):
        self.job = job
        self.every = max(1, every)

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        if total is not None:
            self.job.total = total
        if done != self.job.total and done % self.every and not message:
            return
        self.job.progress = done
        if message:
            self.job.message = message[:500]
        Job.objects.filter(pk=self.job.pk).update(
            progress=self.job.progress, total=self.job.total, message=self.job.message
        )


def current_language() -> str:
    """The language of the request a job is started from, for the worker to run it in."""
    return translation.get_language() or settings.LANGUAGE_CODE


def start_job(user, kind: str, title: str, func_path: str, **params) -> Job:
    import_string(func_path)  # fail now, not in the worker, on a wrong path
    job = Job.objects.create(
        kind=kind,
        title=title,
        created_by=user,
        region_code=user.scope_code or "",
        params={
            "func": func_path,
            LANGUAGE_PARAM: current_language(),
            **params,
        },
    )
    # Enqueue after commit: the worker must find the row.
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


@task
def run_job(job_id: str) -> None:
    # Claim the job with a conditional update: a job enqueued twice (a retry, a second worker)
    # runs once; only a queued job can be claimed.
    started = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=started
    )
    if not claimed:
        log.info("job %s not queued any more; skipped", job_id)
        return
    job = Job.objects.select_related("created_by").get(pk=job_id)
    params = dict(job.params)
    func = import_string(params.pop("func"))
    language = params.pop(LANGUAGE_PARAM, None) or settings.LANGUAGE_CODE
    try:
        with acting_as(job.created_by), translation.override(language):
            result = func(job=job, progress=Progress(job), **params) or {}
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.status = Job.Status.FAILED
        job.message = str(exc)[:500] or exc.__class__.__name__
    else:
        job.status = Job.Status.DONE
        job.result = result
        job.progress = job.total or job.progress
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "result", "progress", "finished_at"])
