"""The worker's profile: what it shows to whom, the access log of every opening, the photo."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from mitra.core.current import acting_as
from mitra.core.models import AccessLog, ChangeLog
from mitra.testing_files import pdf_bytes, png_bytes
from mitra.workers.models import Status
from mitra.workers.tests.factories import DecreeFactory, WorkerFactory, activate

pytestmark = pytest.mark.django_db

PNG = png_bytes()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def tr(message: str, **params) -> str:
    with translation.override("id"):
        text = gettext(message)
    return escape(text % params if params else text)


def profile_url(worker, tab=None):
    url = reverse("workers:detail", args=[worker.pk])
    return f"{url}?tab={tab}" if tab else url


def test_every_opening_writes_an_access_log_row(bantul_officer, client_for):
    worker = WorkerFactory()
    client = client_for(bantul_officer)
    client.get(profile_url(worker), REMOTE_ADDR="10.9.8.7")
    client.get(profile_url(worker, "riwayat"))
    rows = AccessLog.objects.filter(object_id=str(worker.pk)).order_by("at", "id")
    assert rows.count() == 2
    first = rows.first()
    assert first.user == bantul_officer and first.address == "10.9.8.7"
    assert first.action == AccessLog.Action.VIEW and first.region_code == worker.region_code
    assert first.content_type.model == "worker"


def test_a_refused_opening_writes_nothing(sleman_officer, juror, client_for):
    worker = WorkerFactory()
    assert client_for(sleman_officer).get(profile_url(worker)).status_code == 404
    assert client_for(juror).get(profile_url(worker)).status_code == 403
    assert not AccessLog.objects.exists()


def test_the_full_nik_only_with_view_nik(bantul_officer, jetis_supervisor, auditor, client_for):
    worker = WorkerFactory()
    officer_page = client_for(bantul_officer).get(profile_url(worker)).content.decode()
    assert worker.nik in officer_page
    for user in (jetis_supervisor, auditor):
        page = client_for(user).get(profile_url(worker)).content.decode()
        assert worker.nik not in page, user.username
        assert worker.nik_masked in page


def test_no_address_on_the_page_carries_the_nik_or_the_name(bantul_officer, client_for):
    worker = activate(WorkerFactory(ready=True, full_name="Siti Rahayu"), bantul_officer)
    for tab in (None, "sk", "riwayat", "perubahan"):
        page = client_for(bantul_officer).get(profile_url(worker, tab)).content.decode()
        for href in re.findall(r'(?:href|src|action)="([^"]*)"', page):
            assert worker.nik not in href and "Siti" not in href, href


def test_the_overview_shows_identity_contact_village_and_requirements(bantul_officer, client_for):
    worker = WorkerFactory(ktp_checked=True, basic_training_on=None, phone="081299990000")
    worker.focus_areas.set([8, 24])
    response = client_for(bantul_officer).get(profile_url(worker))
    page = response.content.decode()
    assert escape(worker.full_name) in page and "081299990000" in page
    assert reverse("regions:detail", args=[worker.village_id]) in page
    assert "Lanjut Usia Telantar" in page and "Fakir Miskin" in page
    met = {r.key: r.met for r in response.context["requirements"]}
    assert met == {"age": True, "ktp": True, "training": False}
    assert tr("No basic training recorded.") in page
    assert tr(Status.APPLIED.label) in page


def test_the_decrees_tab_lists_each_decree_with_its_scan(bantul_officer, client_for):
    worker = activate(WorkerFactory(ready=True), bantul_officer, number="460/9/2024")
    old = DecreeFactory(
        worker=worker, number="460/1/2019", scan=SimpleUploadedFile("x.pdf", pdf_bytes())
    )
    page = client_for(bantul_officer).get(profile_url(worker, "sk")).content.decode()
    assert "460/9/2024" in page and "460/1/2019" in page
    assert reverse("workers:decree_scan", args=[worker.pk, old.pk]) in page
    assert "/media/" not in page


def test_the_timeline_shows_the_events(bantul_officer, client_for):
    worker = activate(WorkerFactory(ready=True), bantul_officer)
    response = client_for(bantul_officer).get(profile_url(worker, "riwayat"))
    steps = [(e.from_status, e.to_status) for e in response.context["events"]]
    assert steps == [(Status.VERIFIED, Status.ACTIVE), (Status.APPLIED, Status.VERIFIED)]
    assert tr(Status.ACTIVE.label) in response.content.decode()


def test_the_change_history_is_for_those_who_may_read_it(
    bantul_officer, jetis_supervisor, client_for
):
    with acting_as(bantul_officer):
        worker = WorkerFactory(address="Jl. Lama")
        worker.address = "Jl. Baru"
        worker.save()
    response = client_for(bantul_officer).get(profile_url(worker, "perubahan"))
    page = response.content.decode()
    assert len(response.context["history"]) == ChangeLog.for_object(worker).count() == 2
    assert "Jl. Lama" in page and "Jl. Baru" in page
    assert worker.nik not in page
    # The supervisor has no core.view_changelog: no tab, and the address falls back to the overview.
    other = client_for(jetis_supervisor).get(profile_url(worker, "perubahan"))
    assert other.context["tab"] == "ringkasan"
    assert "perubahan" not in dict(other.context["tabs"])


@pytest.mark.parametrize("tab", ["kasus", "laporan", "penghargaan"])
def test_the_later_tabs_say_plainly_they_come_later(tab, bantul_officer, client_for):
    worker = WorkerFactory()
    page = client_for(bantul_officer).get(profile_url(worker, tab)).content.decode()
    assert tr("This part comes later.") in page


def test_the_photo_is_served_through_the_scope(bantul_officer, sleman_officer, client_for):
    worker = WorkerFactory(photo=SimpleUploadedFile("p.png", PNG))
    url = reverse("workers:photo", args=[worker.pk])
    assert url in client_for(bantul_officer).get(profile_url(worker)).content.decode()
    response = client_for(bantul_officer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert client_for(sleman_officer).get(url).status_code == 404
    assert (
        client_for(bantul_officer)
        .get(reverse("workers:photo", args=[WorkerFactory().pk]))
        .status_code
        == 404
    )


def test_a_merged_record_says_where_it_went_and_offers_no_steps(bantul_officer, client_for):
    from mitra.workers import services

    keep, gone = WorkerFactory(), WorkerFactory()
    services.merge(keep, gone, bantul_officer)
    response = client_for(bantul_officer).get(profile_url(gone))
    assert profile_url(keep) in response.content.decode()
    assert response.context["transitions"] == [] and not response.context["can_edit"]
    edit = client_for(bantul_officer).get(reverse("workers:update", args=[gone.pk]))
    assert edit.status_code == 302


def test_the_training_tab_shows_the_training_records(bantul_officer, client_for):
    worker = WorkerFactory()
    response = client_for(bantul_officer).get(profile_url(worker, "pelatihan"))
    assert response.status_code == 200
    assert response.context["training"] is not None
    assert tr("This part comes later.") not in response.content.decode()
