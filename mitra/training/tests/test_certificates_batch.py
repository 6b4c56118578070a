"""Printing a whole batch: the background job issues the missing certificates and writes every
passed participant's PDF into one ZIP; who may start it and who may download the ZIP."""

import io
import zipfile

import pytest
from django.urls import reverse

from mitra.accounts.tests.factories import UserFactory
from mitra.core.models import AccessLog, Job
from mitra.training import certificates, services
from mitra.training.models import Certificate, Enrolment, EnrolmentStatus, Result
from mitra.training.tests.test_certificates import finished_batch, passed
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _batch_with_participants(officer):
    """A DIY batch: Ani passed and already has her certificate, Budi and Citra passed, Dewi did
    not pass, Eko passed but his certificate was revoked."""
    batch = finished_batch(region="34")
    people = {}
    for name in ("Ani Wijaya", "Budi Santoso", "Citra Lestari", "Eko Prasetyo"):
        people[name] = passed(batch, build_worker(full_name=name))
    people["Dewi Anggraini"] = Enrolment.objects.create(
        batch=batch,
        worker=build_worker(full_name="Dewi Anggraini"),
        status=EnrolmentStatus.ENROLLED,
        result=Result.FAILED,
        post_score=40,
    )
    services.issue_certificate(people["Ani Wijaya"])
    eko = services.issue_certificate(people["Eko Prasetyo"])
    services.revoke_certificate(eko, officer, "Salah input nilai")
    return batch, people


def _generate(client, batch, capture):
    with capture(execute=True):
        response = client.post(reverse("training:certificate_batch_generate", args=[batch.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind=certificates.JOB_KIND)
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    return job


def test_the_job_issues_the_missing_certificates_and_zips_every_valid_one(
    diy_officer, client_for, media, django_capture_on_commit_callbacks
):
    batch, people = _batch_with_participants(diy_officer)
    client = client_for(diy_officer)
    job = _generate(client, batch, django_capture_on_commit_callbacks)

    assert job.status == Job.Status.DONE, job.message
    assert job.result["issued"] == 2 and job.result["printed"] == 3
    assert job.result["revoked_skipped"] == 1
    assert (job.progress, job.total) == (4, 4)  # every passed participant was gone through
    assert "3" in job.message and "2" in job.message  # printed, newly issued
    # Budi and Citra got theirs, numbered after Ani's and Eko's, in name order; Dewi got none.
    numbers = dict(
        Certificate.objects.filter(enrolment__batch=batch).values_list(
            "enrolment__worker__full_name", "number"
        )
    )
    assert sorted(numbers) == ["Ani Wijaya", "Budi Santoso", "Citra Lestari", "Eko Prasetyo"]
    assert numbers["Budi Santoso"].endswith("/0003") and numbers["Citra Lestari"].endswith("/0004")

    stored = list((media / "certificates").iterdir())
    assert [p.suffix for p in stored] == [".zip"]  # no partial file left behind
    with zipfile.ZipFile(stored[0]) as archive:
        names = archive.namelist()
        assert len(names) == 3 and all(n.endswith(".pdf") for n in names)
        assert all(archive.read(n).startswith(b"%PDF") for n in names)
        assert certificates.pdf_filename(numbers["Eko Prasetyo"]) not in names
        assert not any("Budi" in n or "Ani" in n for n in names)

    # The job page offers the file; the download is one access-log row for the whole file.
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    download = reverse("training:certificate_batch_download", args=[job.pk])
    assert download in page
    before = AccessLog.objects.count()
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"angkatan-{batch.pk}.zip" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert len(archive.namelist()) == 3
    rows = AccessLog.objects.order_by("-id")[: AccessLog.objects.count() - before]
    assert [(r.action, r.row_count, r.region_code, r.user) for r in rows] == [
        (AccessLog.Action.EXPORT, 3, "34", diy_officer)
    ]


def test_the_zip_holds_the_same_qr_payload_as_a_single_download(
    diy_officer, client_for, media, django_capture_on_commit_callbacks, tmp_path
):
    from mitra.training.tests.test_certificates import PDFTOPPM, ZBARIMG, qr_payloads

    batch = finished_batch(region="34")
    enrolment = passed(batch, build_worker(full_name="Siti Rahayu"))
    job = _generate(client_for(diy_officer), batch, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrolment=enrolment)
    path = certificates.storage_path(job.result["file"])
    with zipfile.ZipFile(path) as archive:
        data = archive.read(certificates.pdf_filename(certificate.number))
    if not (PDFTOPPM and ZBARIMG):
        pytest.skip("pdftoppm or zbarimg is not installed: the QR code is not decoded")
    scratch = tmp_path / "qr"
    scratch.mkdir()
    assert qr_payloads(data, scratch) == [
        f"http://testserver/verifikasi/{certificate.verify_code}/"
    ]


def test_only_users_who_see_the_job_download_the_zip(
    diy_officer, bantul_officer, client_for, media, django_capture_on_commit_callbacks
):
    batch, _people = _batch_with_participants(diy_officer)
    job = _generate(client_for(diy_officer), batch, django_capture_on_commit_callbacks)
    url = reverse("training:certificate_batch_download", args=[job.pk])
    # The job belongs to DIY: a Bantul officer does not see it; another DIY officer does.
    assert client_for(bantul_officer).get(url).status_code == 404
    colleague = UserFactory(role="province_officer", scope_code="34")
    assert client_for(colleague).get(url).status_code == 200


def test_a_missing_file_or_an_unfinished_job_is_404(
    diy_officer, client_for, media, django_capture_on_commit_callbacks
):
    batch, _people = _batch_with_participants(diy_officer)
    client = client_for(diy_officer)
    job = _generate(client, batch, django_capture_on_commit_callbacks)
    url = reverse("training:certificate_batch_download", args=[job.pk])
    certificates.storage_path(job.result["file"]).unlink()
    assert client.get(url).status_code == 404
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    assert client.get(url).status_code == 404


def test_who_may_start_the_job(
    diy_officer, bantul_officer, jetis_supervisor, trimulyo_worker, client_for, media
):
    batch = finished_batch(region="34")
    url = reverse("training:certificate_batch_generate", args=[batch.pk])
    assert client_for(trimulyo_worker).post(url).status_code == 403
    assert client_for(jetis_supervisor).post(url).status_code == 403
    # Bantul sees the DIY batch but does not issue its certificates: that is DIY's.
    assert client_for(bantul_officer).post(url).status_code == 404
    assert client_for(diy_officer).get(url).status_code == 405
    assert not Job.objects.exists()
    bantul_batch = finished_batch(region="3402")
    own = reverse("training:certificate_batch_generate", args=[bantul_batch.pk])
    assert client_for(bantul_officer).post(own).status_code == 302


def test_asking_again_while_it_runs_shows_the_same_job(diy_officer, client_for, media):
    batch = finished_batch(region="34")
    client = client_for(diy_officer)
    url = reverse("training:certificate_batch_generate", args=[batch.pk])
    first = client.post(url)  # on_commit does not run here: the job stays queued
    second = client.post(url)
    assert first["Location"] == second["Location"]
    assert Job.objects.filter(kind=certificates.JOB_KIND).count() == 1


def test_the_job_fails_cleanly_when_its_user_lost_the_permission(
    diy_officer, client_for, media, django_capture_on_commit_callbacks
):
    batch = finished_batch(region="34")
    passed(batch, build_worker())
    client = client_for(diy_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("training:certificate_batch_generate", args=[batch.pk]))
    diy_officer.role = "auditor"
    diy_officer.save()
    for callback in callbacks:
        callback()
    job = Job.objects.get(kind=certificates.JOB_KIND)
    assert job.status == Job.Status.FAILED
    assert not Certificate.objects.exists()
    assert not (media / "certificates").exists() or not any((media / "certificates").iterdir())


def test_progress_is_reported_per_certificate(diy_officer, media):
    batch = finished_batch(region="34")
    for name in ("Ani", "Budi", "Citra"):
        passed(batch, build_worker(full_name=name))
    calls = []
    result = certificates.write_batch_zip(
        batch, diy_officer, "https://x.test", lambda *a: calls.append(a), interval=0
    )
    assert result["printed"] == 3 and result["issued"] == 3
    assert [(done, total) for done, total, _message in calls] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    # By default it is written at most a few times a second, but always the first and the last.
    calls.clear()
    certificates.write_batch_zip(batch, diy_officer, "https://x.test", lambda *a: calls.append(a))
    assert calls[0][0] == 0 and calls[-1][0] == 3


def test_printing_a_batch_reads_the_participants_in_one_query(
    diy_officer, media, django_assert_max_num_queries
):
    batch = finished_batch(region="34")
    for i in range(8):
        services.issue_certificate(passed(batch, build_worker(full_name=f"Peserta {i}")))
    # count, missing certificates (none, in a savepoint: 2 more), the participants with
    # everything printed: no query per certificate.
    batch = certificates.batch_for_issuing(diy_officer, batch.pk)  # as the job reads it
    with django_assert_max_num_queries(5):
        result = certificates.write_batch_zip(batch, diy_officer, "https://x.test")
    assert result["printed"] == 8 and result["issued"] == 0


def test_the_batch_page_offers_the_button_to_its_organisers_only(
    diy_officer, bantul_officer, client_for
):
    batch = finished_batch(region="34")
    url = reverse("training:batch_detail", args=[batch.pk])
    action = reverse("training:certificate_batch_generate", args=[batch.pk])
    page = client_for(diy_officer).get(url).content.decode()
    assert f'action="{action}"' in page
    # Bantul sees the DIY batch, but its certificates are DIY's to issue.
    assert action not in client_for(bantul_officer).get(url).content.decode()
