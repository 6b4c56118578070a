"""An auditor reads a worker's address, phone number and photo masked; a stated reason shows them
in full for that read and writes it to the access log with the reason (ADR 0021). Other roles see
the profile as before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from mitra.core.current import acting_as
from mitra.core.models import AccessLog
from mitra.core.reasons import mask_address, mask_phone
from mitra.testing_files import png_bytes
from mitra.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db
PNG = png_bytes()
PHONE = "081234567890"
ADDRESS = "Jl. Parangtritis No. 17, RT 04"
REASON = "Audit BPK 2026, surat tugas 12/AUD/2026"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker():
    return WorkerFactory(phone=PHONE, address=ADDRESS, photo=SimpleUploadedFile("p.png", PNG))


def _born(worker) -> str:
    with translation.override("id"):
        return date_format(worker.birth_date, "j F Y")


def _urls(worker):
    return (
        reverse("workers:detail", args=[worker.pk]),
        reverse("workers:detail_full", args=[worker.pk]),
        reverse("workers:photo", args=[worker.pk]),
    )


def test_masks_keep_the_kind_of_place_and_the_ends_of_the_number():
    assert mask_phone(PHONE) == "0812****7890"
    assert mask_phone("+6281234567890") == "+628****7890"
    assert mask_phone("12345") == "****45"
    assert mask_address(ADDRESS) == "Jl. ****"
    assert mask_address("Dusun Krapyak Kulon RT 3") == "Dusun ****"
    assert mask_address("Krapyak Kulon RT 3") == "****"
    assert mask_phone("") == mask_address("") == ""


def test_an_auditor_sees_the_phone_address_and_photo_masked(auditor, client_for, worker):
    profile, full, photo = _urls(worker)
    page = client_for(auditor).get(profile).content.decode()
    assert "0812****7890" in page and "Jl. ****" in page
    assert PHONE not in page and "Parangtritis" not in page
    assert photo not in page and "data:image" not in page
    assert _born(worker) not in page  # with the NIK's visible digits
    assert full in page  # the action that asks for a reason
    log = AccessLog.objects.get(object_id=str(worker.pk), user=auditor)
    assert log.purpose == "profil"


def test_a_blank_or_short_reason_shows_the_form_and_nothing_unmasked(auditor, client_for, worker):
    _profile, full, photo = _urls(worker)
    client = client_for(auditor)
    for response in (
        client.get(full),
        client.post(full, {"reason": "   "}),
        client.post(full, {"reason": "audit"}),
    ):
        assert response.status_code == 200
        assert "core/reason.html" in [t.name for t in response.templates]
        page = response.content.decode()
        assert PHONE not in page and "Parangtritis" not in page and "data:image" not in page
    assert client.post(full, {"reason": "audit"}).context["form"].errors["reason"]
    asked = client.get(photo)
    assert asked["Content-Type"].startswith("text/html")
    assert "core/reason.html" in [t.name for t in asked.templates]
    assert not AccessLog.objects.filter(object_id=str(worker.pk), user=auditor).exists()


def test_a_reason_shows_the_full_values_for_that_read_and_is_logged(auditor, client_for, worker):
    profile, full, _photo = _urls(worker)
    client = client_for(auditor)
    response = client.post(full, {"reason": REASON})
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert PHONE in page and ADDRESS in page
    assert _born(worker) in page
    assert "data:image/png;base64," in page  # the photo inline: no second, unlogged read
    log = AccessLog.objects.get(object_id=str(worker.pk), user=auditor)
    assert REASON in log.purpose and log.action == AccessLog.Action.VIEW
    # The next read is masked again: the reason is asked for each read.
    assert PHONE not in client.get(profile).content.decode()


def test_the_photo_file_needs_a_reason_from_an_auditor(auditor, client_for, worker):
    _profile, _full, photo = _urls(worker)
    response = client_for(auditor).post(photo, {"reason": REASON})
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert REASON in AccessLog.objects.get(object_id=str(worker.pk), user=auditor).purpose


def test_an_officer_sees_the_full_values_as_before(bantul_officer, client_for, worker):
    profile, full, photo = _urls(worker)
    client = client_for(bantul_officer)
    page = client.get(profile).content.decode()
    assert PHONE in page and ADDRESS in page and photo in page
    assert full not in page and "****" not in page
    assert client.get(full).url == profile
    assert client.get(photo)["Content-Type"] == "image/png"
    assert client.post(photo).status_code == 405


def test_the_change_history_masks_the_phone_for_an_auditor(auditor, client_for, bantul_officer):
    worker = WorkerFactory(phone=PHONE)
    with acting_as(bantul_officer):
        worker.phone = "085700001111"
        worker.save()
    url = reverse("workers:detail", args=[worker.pk]) + "?tab=perubahan"
    page = client_for(auditor).get(url).content.decode()
    assert "0812****7890" in page and "0857****1111" in page and "085700001111" not in page
    full = client_for(auditor).post(
        reverse("workers:detail_full", args=[worker.pk]) + "?tab=perubahan", {"reason": REASON}
    )
    assert "085700001111" in full.content.decode()


# ---- the API ------------------------------------------------------------------------------------


def test_the_api_gives_an_auditor_the_phone_and_address_masked(auditor, client_for, worker):
    response = client_for(auditor).get(f"/api/v1/workers/{worker.pk}")
    body = response.json()
    assert response.status_code == 200
    assert (body["phone"], body["address"]) == ("0812****7890", "Jl. ****")
    assert body["nik"] == worker.nik_masked
    assert body["birth_date"] is None and body["age"] == worker.age
    listed = client_for(auditor).get("/api/v1/workers/").json()["items"]
    assert [w["birth_date"] for w in listed] == [None]
    assert PHONE not in response.content.decode()


def test_the_api_gives_an_officer_the_full_values(bantul_officer, client_for, worker):
    body = client_for(bantul_officer).get(f"/api/v1/workers/{worker.pk}").json()
    assert (body["phone"], body["address"]) == (PHONE, ADDRESS)
    assert body["birth_date"] == worker.birth_date.isoformat()


def test_the_openapi_description_says_what_an_auditor_reads_masked(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "0812****7890" in schema["info"]["description"]
    fields = schema["components"]["schemas"]["WorkerOut"]["properties"]
    assert "auditor" in fields["phone"]["description"]
    assert "auditor" in fields["address"]["description"]
