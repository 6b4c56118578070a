"""The lifecycle steps on the profile: confirm requirements, record a decree (SK), set inactive,
suspended or exited, reactivate, transfer; each only for the role allowed, each refusing stale
forms, none leaving anything half-written."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from mitra.core.models import AccessLog
from mitra.testing_files import pdf_bytes
from mitra.workers import services
from mitra.workers.models import Decree, IdentityChangeRequest, Status, Worker, WorkerEvent
from mitra.workers.tests.factories import WorkerFactory, activate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SLEMAN_VILLAGE = "3404012001"
PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def tr(message: str, **params) -> str:
    with translation.override("id"):
        text = gettext(message)
    return escape(text % params if params else text)


def status_url(worker, to):
    return reverse("workers:status", args=[worker.pk, to])


def text(response) -> str:
    return response.content.decode()


def test_confirming_is_refused_with_the_list_of_missing_requirements(bantul_officer, client_for):
    worker = WorkerFactory(ktp_checked=False, basic_training_on=None)
    client = client_for(bantul_officer)
    page = client.get(status_url(worker, Status.VERIFIED))
    assert page.status_code == 200
    assert tr("KTP shows the village of domicile") in text(page)
    response = client.post(
        status_url(worker, Status.VERIFIED), {"on": TODAY.isoformat(), "version": 1}
    )
    assert response.status_code == 200
    missing = "; ".join(
        [tr("KTP shows the village of domicile"), tr("Basic training (bimtek dasar) completed")]
    )
    assert tr("Requirements not met: %(list)s.", list=missing) in text(response)
    worker.refresh_from_db()
    assert worker.status == Status.APPLIED and worker.version == 1
    assert not worker.events.exists()


def test_a_failed_confirmation_keeps_nothing_of_what_was_ticked(bantul_officer, client_for):
    worker = WorkerFactory(ktp_checked=False, basic_training_on=None)
    client_for(bantul_officer).post(
        status_url(worker, Status.VERIFIED),
        {"on": TODAY.isoformat(), "version": 1, "ktp_checked": "on"},
    )
    worker.refresh_from_db()
    assert not worker.ktp_checked and worker.status == Status.APPLIED and worker.version == 1


def test_the_officer_records_ktp_and_training_and_confirms_in_one_step(bantul_officer, client_for):
    worker = WorkerFactory(ktp_checked=False, basic_training_on=None)
    response = client_for(bantul_officer).post(
        status_url(worker, Status.VERIFIED),
        {
            "on": TODAY.isoformat(),
            "version": 1,
            "ktp_checked": "on",
            "basic_training_on": "2024-03-01",
        },
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.status == Status.VERIFIED and worker.ktp_checked
    assert worker.basic_training_on == datetime.date(2024, 3, 1)
    event = worker.events.get()
    assert (event.from_status, event.to_status, event.by) == (
        Status.APPLIED,
        Status.VERIFIED,
        bantul_officer,
    )


def test_the_decree_form_offers_the_regency_office_and_the_decree_activates(
    bantul_officer, client_for
):
    worker = WorkerFactory(ready=True)
    services.change_status(worker, Status.VERIFIED, bantul_officer)
    client = client_for(bantul_officer)
    url = reverse("workers:decree_create", args=[worker.pk])
    assert 'value="Dinas Sosial Kabupaten Bantul"' in text(client.get(url))
    scan = SimpleUploadedFile("SK Siti.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url,
        {
            "number": "460/77/2025",
            "issued_on": TODAY.isoformat(),
            "office": "Dinas Sosial Kabupaten Bantul",
            "valid_until": (TODAY + datetime.timedelta(days=3 * 365)).isoformat(),
            "scan": scan,
            "version": worker.version,
        },
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.status == Status.ACTIVE
    decree = worker.decrees.get()
    assert decree.number == "460/77/2025" and decree.scan.name.endswith(".pdf")
    assert "Siti" not in decree.scan.name
    assert worker.events.filter(to_status=Status.ACTIVE).exists()


def test_the_decree_scan_downloads_through_the_scoped_view_and_is_logged(
    bantul_officer, sleman_officer, client_for
):
    worker = activate(WorkerFactory(ready=True), bantul_officer)
    decree = worker.decrees.get()
    decree.scan = SimpleUploadedFile("a.pdf", PDF)
    decree.save()
    url = reverse("workers:decree_scan", args=[worker.pk, decree.pk])
    response = client_for(bantul_officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    log = AccessLog.objects.get(object_id=str(worker.pk))
    assert log.user == bantul_officer and log.region_code == worker.region_code
    assert client_for(sleman_officer).get(url).status_code == 404
    # The scan belongs to this worker only: another worker's address does not reach it.
    other = WorkerFactory()
    wrong = reverse("workers:decree_scan", args=[other.pk, decree.pk])
    assert client_for(bantul_officer).get(wrong).status_code == 404


def test_a_decree_scan_must_be_a_real_pdf_or_picture(bantul_officer, client_for):
    worker = WorkerFactory(ready=True)
    response = client_for(bantul_officer).post(
        reverse("workers:decree_create", args=[worker.pk]),
        {
            "number": "1",
            "issued_on": TODAY.isoformat(),
            "office": "Dinas Sosial",
            "scan": SimpleUploadedFile("sk.pdf", b"MZ\x90\x00 not a pdf"),
            "version": worker.version,
        },
    )
    assert response.context["form"].errors.as_data()["scan"][0].code == "type"
    assert not Decree.objects.exists()


def test_a_decree_in_the_future_is_refused(bantul_officer, client_for):
    worker = WorkerFactory()
    response = client_for(bantul_officer).post(
        reverse("workers:decree_create", args=[worker.pk]),
        {
            "number": "1",
            "issued_on": (TODAY + datetime.timedelta(days=2)).isoformat(),
            "office": "Dinas Sosial",
            "version": worker.version,
        },
    )
    assert tr("The decree date is in the future.") in text(response)
    assert not Decree.objects.exists()


@pytest.mark.parametrize("to", [Status.INACTIVE, Status.SUSPENDED, Status.EXITED])
def test_leaving_active_needs_a_reason(to, bantul_officer, client_for):
    worker = activate(WorkerFactory(ready=True), bantul_officer)
    client = client_for(bantul_officer)
    refused = client.post(
        status_url(worker, to),
        {"on": TODAY.isoformat(), "reason": "  ", "version": worker.version},
    )
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    assert Worker.objects.get(pk=worker.pk).status == Status.ACTIVE
    done = client.post(
        status_url(worker, to),
        {
            "on": TODAY.isoformat(),
            "reason": "Pindah kerja ke luar kota",
            "understood": "on",
            "version": worker.version,
        },
    )
    assert done.status_code == 302
    worker.refresh_from_db()
    assert worker.status == to
    assert worker.events.filter(to_status=to, reason="Pindah kerja ke luar kota").exists()


def test_exiting_the_programme_needs_the_ticked_box(bantul_officer, client_for):
    worker = activate(WorkerFactory(ready=True), bantul_officer)
    client = client_for(bantul_officer)
    refused = client.post(
        status_url(worker, Status.EXITED),
        {"on": TODAY.isoformat(), "reason": "Mengundurkan diri", "version": worker.version},
    )
    assert "understood" in refused.context["form"].errors
    assert Worker.objects.get(pk=worker.pk).status == Status.ACTIVE
    # A reversible step asks for no box.
    assert (
        "understood" not in client.get(status_url(worker, Status.SUSPENDED)).context["form"].fields
    )


def test_steps_that_stop_a_worker_sit_apart_from_the_everyday_actions(bantul_officer, client_for):
    worker = activate(WorkerFactory(ready=True), bantul_officer)
    page = text(client_for(bantul_officer).get(reverse("workers:detail", args=[worker.pk])))
    main = page[page.index('<div class="actions-bar"') :]
    main = main[: main.index("</div>")]
    assert (
        status_url(worker, Status.EXITED) not in main
        and reverse("workers:update", args=[worker.pk]) in main
    )
    danger = page[page.index('<div class="actions-bar actions-danger"') :]
    assert status_url(worker, Status.EXITED) in danger[: danger.index("</div>")]


def test_an_inactive_worker_is_reactivated(bantul_officer, client_for):
    worker = activate(WorkerFactory(ready=True), bantul_officer)
    services.change_status(worker, Status.INACTIVE, bantul_officer, reason="sakit")
    response = client_for(bantul_officer).post(
        status_url(worker, Status.ACTIVE), {"on": TODAY.isoformat(), "version": worker.version}
    )
    assert response.status_code == 302
    assert Worker.objects.get(pk=worker.pk).status == Status.ACTIVE


def test_a_step_outside_the_lifecycle_is_explained_not_done(bantul_officer, client_for):
    worker = WorkerFactory()
    client = client_for(bantul_officer)
    page = client.get(status_url(worker, Status.SUSPENDED))
    message = tr(
        "A worker with status “%(from)s” cannot become “%(to)s”.",
        **{"from": tr("application"), "to": tr("suspended")},
    )
    assert message in text(page)
    client.post(
        status_url(worker, Status.SUSPENDED),
        {"on": TODAY.isoformat(), "reason": "x", "version": worker.version},
    )
    assert Worker.objects.get(pk=worker.pk).status == Status.APPLIED


def test_wrong_role_gets_403_on_every_lifecycle_step(
    jetis_supervisor, auditor, trimulyo_worker, client_for
):
    worker = WorkerFactory(ready=True)
    urls = [
        status_url(worker, Status.VERIFIED),
        reverse("workers:decree_create", args=[worker.pk]),
        reverse("workers:transfer", args=[worker.pk]),
    ]
    for user in (jetis_supervisor, auditor, trimulyo_worker):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.username, url)
            post = client.post(url, {"on": TODAY.isoformat(), "version": 1, "reason": "x"})
            assert post.status_code == 403, (user.username, url)
    worker.refresh_from_db()
    assert worker.status == Status.APPLIED and worker.version == 1


def test_a_get_never_changes_the_record(bantul_officer, client_for):
    worker = WorkerFactory(ready=True)
    client = client_for(bantul_officer)
    for url in (
        status_url(worker, Status.VERIFIED),
        reverse("workers:decree_create", args=[worker.pk]),
        reverse("workers:transfer", args=[worker.pk]),
    ):
        client.get(url)
    worker.refresh_from_db()
    assert worker.status == Status.APPLIED and worker.version == 1


def test_a_stale_form_gets_the_conflict_message(bantul_officer, diy_officer, client_for):
    worker = activate(WorkerFactory(ready=True), bantul_officer)
    seen = worker.version
    services.change_status(worker, Status.SUSPENDED, diy_officer, reason="audit")  # meanwhile
    response = client_for(bantul_officer).post(
        status_url(worker, Status.EXITED),
        {
            "on": TODAY.isoformat(),
            "reason": "mengundurkan diri",
            "understood": "on",
            "version": seen,
        },
    )
    assert response.status_code == 200
    assert tr(
        "Someone else changed this record while you were working on it. Reload the page "
        "and try again."
    ) in text(response)
    assert Worker.objects.get(pk=worker.pk).status == Status.SUSPENDED


def test_a_stale_transfer_and_a_stale_decree_change_nothing(bantul_officer, client_for):
    worker = WorkerFactory(ready=True)
    seen = worker.version
    services.change_status(worker, Status.VERIFIED, bantul_officer)
    client = client_for(bantul_officer)
    conflict = tr(
        "Someone else changed this record while you were working on it. Reload the page "
        "and try again."
    )
    moved = client.post(
        reverse("workers:transfer", args=[worker.pk]),
        {"village": "3402092001", "on": TODAY.isoformat(), "reason": "x", "version": seen},
    )
    assert conflict in text(moved)
    decreed = client.post(
        reverse("workers:decree_create", args=[worker.pk]),
        {"number": "1", "issued_on": TODAY.isoformat(), "office": "X", "version": seen},
    )
    assert conflict in text(decreed)
    worker.refresh_from_db()
    assert worker.village_id == "3402092004" and worker.status == Status.VERIFIED
    assert not worker.decrees.exists()


def test_a_transfer_keeps_the_history_and_moves_the_scope(
    diy_officer, bantul_officer, sleman_officer, client_for
):
    worker = activate(WorkerFactory(ready=True), bantul_officer)
    IdentityChangeRequest.objects.create(
        worker=worker, changes_json="{}", region_code=worker.region_code
    )
    events_before = worker.events.count()
    profile = reverse("workers:detail", args=[worker.pk])
    response = client_for(diy_officer).post(
        reverse("workers:transfer", args=[worker.pk]),
        {
            "village": "34.04.01.2001",
            "on": TODAY.isoformat(),
            "reason": "pindah domisili",
            "version": worker.version,
        },
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.village_id == SLEMAN_VILLAGE and worker.status == Status.ACTIVE
    assert worker.events.count() == events_before + 1
    move = worker.events.get(kind=WorkerEvent.Kind.TRANSFER)
    assert (move.from_village_id, move.to_village_id) == ("3402092004", SLEMAN_VILLAGE)
    assert worker.decrees.count() == 1
    # The old regency's officer loses the record; the new one sees it with its whole history.
    assert client_for(bantul_officer).get(profile).status_code == 404
    page = client_for(sleman_officer).get(profile + "?tab=riwayat")
    assert page.status_code == 200
    assert len(page.context["events"]) == events_before + 1
    assert WorkerEvent.objects.visible_to(sleman_officer).filter(worker=worker).count() == (
        events_before + 1
    )
    assert IdentityChangeRequest.objects.visible_to(sleman_officer).filter(worker=worker).exists()


def test_a_regency_officer_transfers_only_within_their_regency(bantul_officer, client_for):
    worker = WorkerFactory()
    response = client_for(bantul_officer).post(
        reverse("workers:transfer", args=[worker.pk]),
        {
            "village": "34.04.01.2001",
            "on": TODAY.isoformat(),
            "reason": "pindah",
            "version": worker.version,
        },
    )
    assert tr("Village %(code)s is outside your area.", code="34.04.01.2001") in text(response)
    assert Worker.objects.get(pk=worker.pk).village_id == "3402092004"


def test_a_transfer_to_the_same_village_is_refused(bantul_officer, client_for):
    worker = WorkerFactory()
    response = client_for(bantul_officer).post(
        reverse("workers:transfer", args=[worker.pk]),
        {"village": worker.village_id, "on": TODAY.isoformat(), "reason": "x", "version": 1},
    )
    assert tr("The worker already lives in this village.") in text(response)
    assert not worker.events.exists()


def test_the_profile_offers_only_the_steps_the_role_may_take(
    bantul_officer, jetis_supervisor, client_for
):
    worker = WorkerFactory(ready=True)
    profile = reverse("workers:detail", args=[worker.pk])
    officer_page = text(client_for(bantul_officer).get(profile))
    assert status_url(worker, Status.VERIFIED) in officer_page
    assert reverse("workers:decree_create", args=[worker.pk]) in officer_page
    assert reverse("workers:transfer", args=[worker.pk]) in officer_page
    supervisor_page = text(client_for(jetis_supervisor).get(profile))
    assert status_url(worker, Status.VERIFIED) not in supervisor_page
    assert reverse("workers:transfer", args=[worker.pk]) not in supervisor_page
    assert reverse("workers:update", args=[worker.pk]) in supervisor_page


def test_history_tab_opens_when_a_step_was_recorded_by_the_system(bantul_officer, client_for):
    """Seeded and imported steps have no user; the history tab said 500 for them."""
    worker = activate(WorkerFactory(), bantul_officer)
    WorkerEvent.objects.filter(worker=worker).update(by=None)
    assert WorkerEvent.objects.filter(worker=worker, by=None).exists()
    page = client_for(bantul_officer).get(
        reverse("workers:detail", args=[worker.pk]), {"tab": "riwayat"}
    )
    assert page.status_code == 200
    assert tr("recorded by %(who)s, %(at)s", who=tr("system"), at="X").split(",")[0] in text(page)


def test_a_decree_before_eligibility_is_kept_with_a_warning_on_form_and_page(
    bantul_officer, client_for
):
    """Issue 13: an SK dated before the basic training is flagged, not refused (old SKs are
    entered from paper)."""
    worker = WorkerFactory(
        ready=True,
        birth_date=datetime.date(1980, 1, 1),
        basic_training_on=datetime.date(2021, 3, 3),
    )
    services.change_status(worker, Status.VERIFIED, bantul_officer)
    client = client_for(bantul_officer)
    url = reverse("workers:decree_create", args=[worker.pk])
    with translation.override("id"):
        assert "memenuhi persyaratan pada 3 Maret 2021" in text(client.get(url))
    response = client.post(
        url,
        {
            "number": "460/12/2020",
            "issued_on": "2020-01-15",
            "office": "Dinas Sosial Kabupaten Bantul",
            "version": worker.version,
        },
        follow=True,
    )
    assert worker.decrees.filter(number="460/12/2020").exists()
    page = text(response)
    assert "sebelum pekerja memenuhi persyaratan" in page and "3 Maret 2021" in page
    overview = text(client.get(reverse("workers:detail", args=[worker.pk])))
    assert "decree-early" in overview


def test_a_decree_after_eligibility_gets_no_warning(bantul_officer, client_for):
    worker = WorkerFactory(
        ready=True,
        birth_date=datetime.date(1980, 1, 1),
        basic_training_on=datetime.date(2021, 3, 3),
    )
    services.record_decree(
        worker, bantul_officer, number="1/2022", issued_on=datetime.date(2022, 1, 5), office="DS"
    )
    page = text(client_for(bantul_officer).get(reverse("workers:detail", args=[worker.pk])))
    assert "decree-early" not in page
    assert services.eligible_on(worker) == datetime.date(2021, 3, 3)
