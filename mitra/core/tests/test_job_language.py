"""A background job runs in the language of the user who started it: the worker has no request,
so without this every job's messages, reasons and file headers would be in the worker's default
whatever the user reads Mitra in. Jobs recorded without a language run in Indonesian."""

import pytest
from django.utils import translation

from mitra.core.jobs import LANGUAGE_PARAM, run_job, start_job
from mitra.core.models import Job

pytestmark = pytest.mark.django_db


def tell_language(*, job, progress) -> dict:
    return {"language": translation.get_language(), "said": str(translation.gettext("Village"))}


FUNC = "mitra.core.tests.test_job_language.tell_language"


@pytest.mark.parametrize(("language", "said"), [("en", "Village"), ("id", "Desa/kelurahan")])
def test_a_job_runs_in_the_language_it_was_started_in(
    language, said, bantul_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as enqueue, translation.override(language):
        job = start_job(bantul_officer, "test", "language", FUNC)
    other = "id" if language == "en" else "en"
    with translation.override(other):  # the worker's own language is not the user's
        for callback in enqueue:
            callback()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.result == {"language": language, "said": said}


def test_a_job_recorded_without_a_language_runs_in_indonesian(bantul_officer):
    job = Job.objects.create(
        kind="test", title="old", created_by=bantul_officer, params={"func": FUNC}
    )
    with translation.override("en"):
        run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.result["language"] == "id" and LANGUAGE_PARAM not in job.result
