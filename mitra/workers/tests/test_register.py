"""Registering a worker and editing their data: the form, its rules and their messages."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from mitra.core.models import ChangeLog
from mitra.testing_files import jpeg_bytes, png_bytes
from mitra.workers import services
from mitra.workers.forms import WorkerForm
from mitra.workers.models import Status, Worker
from mitra.workers.tests.factories import WorkerFactory, nik_for

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("workers:create")
TRIMULYO = "3402092004"
SLEMAN_VILLAGE = "3404012001"
BIRTH = datetime.date(1985, 8, 17)
PNG = png_bytes()
JPEG = jpeg_bytes()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def tr(message: str, **params) -> str:
    """The message as the page shows it (Indonesian is the default language), HTML-escaped."""
    with translation.override("id"):
        text = gettext(message)
    return escape(text % params if params else text)


def page_text(response) -> str:
    return response.content.decode()


def register_data(**overrides) -> dict:
    data = {
        "kind": "psm",
        "nik": nik_for("340209", "P", BIRTH),
        "full_name": "Sri Wahyuni",
        "sex": "P",
        "birth_place": "Bantul",
        "birth_date": BIRTH.isoformat(),
        "address": "Dusun Kembangsongo RT 03",
        "village": "34.02.09.2004",
        "phone": "0812 3456 7890",
        "education": "sma",
        "occupation": "Pedagang",
        "joined_on": "2020-01-15",
        "focus_areas": ["8", "24"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_officer_registers_a_worker_who_starts_as_an_application(bantul_officer, client_for):
    client = client_for(bantul_officer)
    nik = nik_for("340209", "P", BIRTH)
    photo = SimpleUploadedFile("sri-wahyuni-ktp.png", PNG, content_type="image/png")
    response = client.post(
        CREATE_URL, register_data(nik=f"{nik[:4]} {nik[4:8]}.{nik[8:]}", photo=photo)
    )
    worker = Worker.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workers:detail", args=[worker.pk])
    assert nik not in response["Location"]
    assert worker.nik == nik  # spaces and dots dropped
    assert worker.status == Status.APPLIED
    assert worker.village_id == TRIMULYO and worker.region_code == TRIMULYO
    assert worker.phone == "081234567890"
    assert sorted(c.number for c in worker.focus_areas.all()) == [8, 24]
    # The stored file has a random name: the uploaded name held the person's name.
    assert worker.photo.name.endswith(".png") and "sri" not in worker.photo.name
    assert worker.created_by == bantul_officer
    assert ChangeLog.for_object(worker).get().action == "create"


def test_the_supervisor_registers_in_their_district_only(jetis_supervisor, client_for):
    client = client_for(jetis_supervisor)
    response = client.post(CREATE_URL, register_data())
    assert response.status_code == 302
    outside = client.post(
        CREATE_URL,
        register_data(nik=nik_for("340401", "P", BIRTH), village="34.04.01.2001", full_name="Lain"),
    )
    assert outside.status_code == 200
    assert tr("Village %(code)s is outside your area.", code="34.04.01.2001") in page_text(outside)
    assert Worker.objects.count() == 1


def test_the_form_collects_nothing_else_about_a_person(bantul_officer):
    form = WorkerForm(user=bantul_officer)
    assert set(form.fields) == {
        "kind",
        "nik",
        "full_name",
        "sex",
        "birth_place",
        "birth_date",
        "address",
        "village",
        "phone",
        "education",
        "occupation",
        "joined_on",
        "focus_areas",
        "photo",
        "ktp_checked",
        "basic_training_on",
        "confirm_duplicates",
    }
    assert list(form.fields["kind"].choices)[0][0] == "psm"


def _future():
    return (datetime.date.today() + datetime.timedelta(days=3)).isoformat()


# (what is posted, the field that is wrong, the message the page must show)
INVALID = {
    "NIK too short": (
        {"nik": "340209570885"},
        "nik",
        lambda: tr("NIK must have 16 digits; this one has %(n)d.", n=12),
    ),
    "NIK with letters": (
        {"nik": "34020957088500O1"},
        "nik",
        lambda: tr("NIK may contain digits only."),
    ),
    "NIK day impossible": (
        {"nik": "3402093508850001"},
        "nik",
        lambda: tr("Digits 7-8 of the NIK (day of birth, +40 for women) must be 01-31 or 41-71."),
    ),
    "NIK date not real": (
        {"nik": "3402097102850001"},
        "nik",
        lambda: tr("Digits 7-12 of the NIK are not a real date of birth."),
    ),
    "NIK serial 0000": (
        {"nik": "3402095708850000"},
        "nik",
        lambda: tr("The last 4 digits of the NIK cannot be 0000."),
    ),
    "NIK unknown region": (
        {"nik": "9912995708850001"},
        "nik",
        lambda: tr(
            "The first digits of the NIK (%(code)s) are not a known region code.",
            code="99.12.99",
        ),
    ),
    "NIK says a woman, sex male": (
        {"sex": "L"},
        "nik",
        lambda: tr("The NIK says a woman (day of birth + 40) but the sex is male."),
    ),
    "NIK date differs from birth date": (
        {"birth_date": "1985-08-18"},
        "nik",
        lambda: tr(
            "The date in the NIK (%(nik_date)s) does not match the date of birth.",
            nik_date="17-08-85",
        ),
    ),
    "birth date in the future": (
        {"birth_date": _future()},
        "birth_date",
        lambda: tr("The date of birth is in the future."),
    ),
    "village is a district": (
        {"village": "34.02.09"},
        "village",
        lambda: tr("Choose a village (desa/kelurahan), not a larger region."),
    ),
    "village does not exist": (
        {"village": "34.02.09.9999"},
        "village",
        lambda: tr("There is no region with code %(code)s.", code="34.02.09.9999"),
    ),
    "village outside the officer's area": (
        {"village": "34.04.01.2001"},
        "village",
        lambda: tr("Village %(code)s is outside your area.", code="34.04.01.2001"),
    ),
    "phone not a number": (
        {"phone": "12ab"},
        "phone",
        lambda: tr(
            "Write a phone number of digits only, starting with 0 or +62, e.g. 081234567890."
        ),
    ),
    "joined in the future": (
        {"joined_on": _future()},
        "joined_on",
        lambda: tr("The date of joining is in the future."),
    ),
    "name missing": ({"full_name": ""}, "full_name", lambda: tr("This field is required.")),
}


@pytest.mark.parametrize("case", INVALID)
def test_each_validation_error_reaches_the_page(case, bantul_officer, client_for):
    overrides, field, message = INVALID[case]
    data = register_data(**overrides)
    if "sex" in overrides or "birth_date" in overrides:
        data["nik"] = nik_for("340209", "P", BIRTH)
    response = client_for(bantul_officer).post(CREATE_URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message() in page_text(response)
    assert not Worker.objects.exists()


def test_a_duplicate_nik_names_the_region_holding_it_never_the_person(
    diy_officer, bantul_officer, client_for
):
    holder = WorkerFactory(village_code=SLEMAN_VILLAGE, full_name="Ratna Kusumawati", sex="P")
    response = client_for(bantul_officer).post(
        CREATE_URL,
        register_data(
            nik=holder.nik, sex="P", birth_date=holder.birth_date.isoformat(), full_name="X"
        ),
    )
    text = page_text(response)
    expected = tr(
        "This NIK is already registered, in region %(code)s. A NIK can be registered only "
        "once nationally; ask that region's officer.",
        code="34.04.01.2001",
    )
    assert expected in text
    assert "Ratna" not in text and "Kusumawati" not in text
    assert Worker.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"just some text, not a picture", "foto.jpg", "not-real"),
        (b"%PDF-1.7 a pdf", "foto.png", "not-real"),
        # A PNG/PHP polyglot: the signature is right, the rest is a script (issue 16).
        (b"\x89PNG\r\n\x1a\n<?php system($_GET['c']); ?>", "foto.png", "not-real"),
        (PNG + b"\x00" * (2 * 1024 * 1024), "besar.png", "too-large"),
    ],
)
def test_the_photo_must_be_a_real_jpeg_or_png_of_at_most_2_mb(
    content, name, message, bantul_officer, client_for
):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client_for(bantul_officer).post(CREATE_URL, register_data(photo=upload))
    errors = response.context["form"].errors.as_data()["photo"]
    assert [e.code for e in errors] == [{"not-real": "type", "too-large": "size"}[message]]
    assert tr(errors[0].message) in page_text(response)
    assert not Worker.objects.exists()


def test_a_jpeg_photo_is_accepted(bantul_officer, client_for):
    upload = SimpleUploadedFile("x.jpeg", JPEG, content_type="image/jpeg")
    client_for(bantul_officer).post(CREATE_URL, register_data(photo=upload))
    assert Worker.objects.get().photo.name.endswith(".jpg")


def test_likely_duplicates_are_shown_before_saving_and_can_be_overridden(
    bantul_officer, client_for
):
    existing = WorkerFactory(full_name="Siti Rahayu", sex="P", birth_date=BIRTH)
    client = client_for(bantul_officer)
    data = register_data(full_name="Hj. Siti Rahayu, S.Pd")
    response = client.post(CREATE_URL, data)
    assert response.status_code == 200
    assert response.context["duplicates"] == [existing]
    assert escape("Siti Rahayu") in page_text(response)
    assert existing.nik_masked in page_text(response)
    assert Worker.objects.count() == 1  # nothing saved yet
    confirmed = client.post(CREATE_URL, {**data, "confirm_duplicates": "on"})
    assert confirmed.status_code == 302
    assert Worker.objects.count() == 2


def test_a_namesake_in_another_district_is_not_a_duplicate(bantul_officer, client_for):
    WorkerFactory(full_name="Sri Wahyuni", sex="P", birth_date=BIRTH, village_code="3402012001")
    response = client_for(bantul_officer).post(CREATE_URL, register_data())
    assert response.status_code == 302


def test_a_psm_and_a_juror_may_not_register(trimulyo_worker, juror, client_for):
    assert client_for(trimulyo_worker).get(CREATE_URL).status_code == 403
    assert client_for(juror).post(CREATE_URL, register_data()).status_code == 403
    assert not Worker.objects.exists()


# ---- editing ----------------------------------------------------------------------------------


def edit_data(worker: Worker, **overrides) -> dict:
    data = {
        "kind": worker.kind,
        "nik": worker.nik,
        "full_name": worker.full_name,
        "sex": worker.sex,
        "birth_place": worker.birth_place,
        "birth_date": worker.birth_date.isoformat(),
        "address": worker.address,
        "village": worker.village_id,
        "phone": worker.phone,
        "education": worker.education,
        "occupation": worker.occupation,
        "joined_on": worker.joined_on.isoformat() if worker.joined_on else "",
        "version": worker.version,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_officer_edits_a_worker_and_the_history_records_it(bantul_officer, client_for):
    worker = WorkerFactory()
    url = reverse("workers:update", args=[worker.pk])
    response = client_for(bantul_officer).post(
        url, edit_data(worker, address="Jl. Baru 1", ktp_checked="on")
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.address == "Jl. Baru 1" and worker.ktp_checked
    assert worker.version == 2
    latest = ChangeLog.for_object(worker).first()
    assert latest.actor == bantul_officer and "address" in latest.changes


def test_a_stale_edit_gets_the_conflict_message_and_changes_nothing(bantul_officer, client_for):
    worker = WorkerFactory(ready=True)
    stale = edit_data(worker, address="Jl. Lama")
    services.change_status(worker, Status.VERIFIED, bantul_officer)  # someone else, meanwhile
    response = client_for(bantul_officer).post(reverse("workers:update", args=[worker.pk]), stale)
    assert response.status_code == 200
    assert tr(
        "Someone else changed this record while you were working on it. Reload the page "
        "and try again."
    ) in page_text(response)
    worker.refresh_from_db()
    assert worker.address != "Jl. Lama" and worker.status == Status.VERIFIED


def test_without_view_nik_the_edit_form_hides_the_nik_and_keeps_it(jetis_supervisor, client_for):
    worker = WorkerFactory(ktp_checked=False)
    nik = worker.nik
    url = reverse("workers:update", args=[worker.pk])
    client = client_for(jetis_supervisor)
    page = client.get(url)
    assert worker.nik not in page_text(page)
    assert worker.nik_masked in page_text(page)
    # The supervisor cannot record the KTP check: the field is not offered and not taken.
    response = client.post(url, edit_data(worker, nik="", occupation="Guru", ktp_checked="on"))
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.occupation == "Guru" and not worker.ktp_checked
    assert worker.nik == nik


def test_opening_the_edit_form_is_logged(bantul_officer, client_for):
    from mitra.core.models import AccessLog

    worker = WorkerFactory()
    client_for(bantul_officer).get(reverse("workers:update", args=[worker.pk]))
    assert AccessLog.objects.filter(object_id=str(worker.pk), user=bantul_officer).count() == 1


def test_the_officer_links_the_psm_login_to_the_record(bantul_officer, trimulyo_worker, client_for):
    worker = WorkerFactory(village_code=TRIMULYO)
    url = reverse("workers:update", args=[worker.pk])
    client = client_for(bantul_officer)
    assert re.search(rf'<option value="{trimulyo_worker.pk}"', page_text(client.get(url)))
    client.post(url, edit_data(worker, user=trimulyo_worker.pk))
    worker.refresh_from_db()
    assert worker.user == trimulyo_worker


def test_a_sleman_officer_cannot_edit_a_bantul_worker(sleman_officer, client_for):
    worker = WorkerFactory()
    response = client_for(sleman_officer).post(
        reverse("workers:update", args=[worker.pk]), edit_data(worker, address="x")
    )
    assert response.status_code == 404


def test_an_error_report_would_not_show_the_posted_personal_data(bantul_officer):
    from django.test import RequestFactory
    from django.views.debug import SafeExceptionReporterFilter

    from mitra.workers import views

    nik = nik_for("340209", "P", BIRTH)
    request = RequestFactory().post(CREATE_URL, register_data(nik=nik, village="99"))
    request.user = bantul_officer
    views.worker_create(request)
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert shown["nik"] != nik and shown["full_name"] != "Sri Wahyuni"
    assert nik not in str(shown)
