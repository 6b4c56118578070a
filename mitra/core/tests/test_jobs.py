"""Background jobs: who sees which job, out-of-scope jobs are 404, and the htmx progress fragment."""

import pytest
from django.urls import reverse

from mitra.core.models import Job

pytestmark = pytest.mark.django_db

JOB_LIST = reverse("core:job_list")


def job_url(job: Job) -> str:
    return reverse("core:job_detail", args=[job.pk])


@pytest.fixture
def jobs(bantul_officer, sleman_officer, national_admin, trimulyo_worker, make_user):
    other_worker = make_user(username="psm.canden", role="worker", scope_code="3402092002")
    specs = {
        "bantul_import": (bantul_officer, "3402"),
        "trimulyo_export": (trimulyo_worker, "3402092004"),
        "canden_export": (other_worker, "3402092002"),
        "sleman_import": (sleman_officer, "3404"),
        "national_load": (national_admin, ""),
    }
    return {
        title: Job.objects.create(kind="test", title=title, created_by=user, region_code=code)
        for title, (user, code) in specs.items()
    }


def listed_titles(client) -> set[str]:
    response = client.get(JOB_LIST)
    assert response.status_code == 200
    return {job.title for job in response.context["object_list"]}


def test_regency_officer_sees_every_job_in_their_area(bantul_officer, jobs, client_for):
    assert listed_titles(client_for(bantul_officer)) == {
        "bantul_import",
        "trimulyo_export",
        "canden_export",
    }


def test_province_officer_sees_jobs_of_all_regencies_in_the_province(diy_officer, jobs, client_for):
    assert listed_titles(client_for(diy_officer)) == {
        "bantul_import",
        "trimulyo_export",
        "canden_export",
        "sleman_import",
    }


def test_national_admin_sees_all_jobs(national_admin, jobs, client_for):
    assert listed_titles(client_for(national_admin)) == set(jobs)


def test_worker_sees_only_their_own_jobs(trimulyo_worker, jobs, client_for):
    assert listed_titles(client_for(trimulyo_worker)) == {"trimulyo_export"}


def test_district_supervisor_sees_only_jobs_they_started(jetis_supervisor, jobs, client_for):
    own = Job.objects.create(
        kind="test", title="jetis_report", created_by=jetis_supervisor, region_code="340209"
    )

    assert listed_titles(client_for(jetis_supervisor)) == {own.title}


def test_home_page_lists_only_visible_recent_jobs(trimulyo_worker, jobs, client_for):
    response = client_for(trimulyo_worker).get(reverse("core:home"))

    assert [job.title for job in response.context["recent_jobs"]] == ["trimulyo_export"]


def test_job_of_sleman_is_404_for_the_bantul_officer(bantul_officer, jobs, client_for):
    client = client_for(bantul_officer)

    assert client.get(job_url(jobs["sleman_import"])).status_code == 404
    assert client.get(job_url(jobs["sleman_import"]), HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(f"/api/v1/jobs/{jobs['sleman_import'].pk}").status_code == 404


def test_job_of_sleman_opens_for_the_sleman_officer(sleman_officer, jobs, client_for):
    client = client_for(sleman_officer)

    assert client.get(job_url(jobs["sleman_import"])).status_code == 200
    assert client.get(f"/api/v1/jobs/{jobs['sleman_import'].pk}").json()["title"] == (
        "sleman_import"
    )


def test_worker_gets_404_for_another_workers_job_in_the_same_district(
    trimulyo_worker, jobs, client_for
):
    client = client_for(trimulyo_worker)

    assert client.get(job_url(jobs["canden_export"])).status_code == 404
    assert client.get(job_url(jobs["bantul_import"])).status_code == 404
    assert client.get(job_url(jobs["trimulyo_export"])).status_code == 200


def test_unknown_job_id_is_404(bantul_officer, client_for):
    response = client_for(bantul_officer).get(
        reverse("core:job_detail", args=["00000000-0000-0000-0000-000000000000"])
    )

    assert response.status_code == 404


def test_htmx_request_gets_only_the_progress_fragment(bantul_officer, jobs, client_for):
    job = jobs["bantul_import"]
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress=30, total=120)
    client = client_for(bantul_officer)

    fragment = client.get(job_url(job), HTTP_HX_REQUEST="true")
    page = client.get(job_url(job))

    assert fragment.status_code == 200
    assert [t.name for t in fragment.templates] == ["core/_job_progress.html"]
    assert fragment.text.lstrip().startswith('<div id="job-progress"')
    assert "<html" not in fragment.text
    assert "<nav" not in fragment.text
    assert 'aria-valuenow="25"' in fragment.text
    assert "<html" in page.text
    assert 'id="job-progress"' in page.text


def test_progress_fragment_keeps_polling_until_the_job_finishes(bantul_officer, jobs, client_for):
    job = jobs["bantul_import"]
    client = client_for(bantul_officer)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)

    running = client.get(job_url(job), HTTP_HX_REQUEST="true")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    done = client.get(job_url(job), HTTP_HX_REQUEST="true")

    assert f'hx-get="{job_url(job)}"' in running.text
    assert "hx-get" not in done.text
    assert 'aria-valuenow="100"' in done.text


_RUNS: list[str] = []


def count_run(job, progress, **params):
    _RUNS.append(str(job.pk))
    return {"ran": len(_RUNS)}


def test_a_job_enqueued_twice_runs_once(bantul_officer):
    from mitra.core.jobs import run_job

    _RUNS.clear()
    job = Job.objects.create(
        kind="test",
        title="twice",
        created_by=bantul_officer,
        region_code="3402",
        params={"func": f"{__name__}.count_run"},
    )

    run_job.call(str(job.pk))
    run_job.call(str(job.pk))

    job.refresh_from_db()
    assert len(_RUNS) == 1
    assert _RUNS[0] == str(job.pk)
    assert job.status == Job.Status.DONE
    assert job.result == {"ran": 1}


def test_a_running_job_is_not_started_again_by_a_second_worker(bantul_officer):
    from mitra.core.jobs import run_job

    _RUNS.clear()
    job = Job.objects.create(
        kind="test",
        title="busy",
        created_by=bantul_officer,
        region_code="3402",
        status=Job.Status.RUNNING,
        params={"func": f"{__name__}.count_run"},
    )

    run_job.call(str(job.pk))

    assert _RUNS == []
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
