"""Who sees which event: the organiser's area and the areas below it, national events for every
signed-in user, drafts only for their organisers, invited workers and their officers; everyone
else gets 404. Pages that change things answer 403 without the permission or the organiser role."""

import pytest

from mitra.events.models import Event

from .builders import invite, make_event, worker_in

pytestmark = pytest.mark.django_db


def _visible(user):
    return set(Event.objects.visible_to(user).values_list("name", flat=True))


def test_the_scope_rule(bantul_officer, sleman_officer, diy_officer, trimulyo_worker, juror):
    make_event(region="", name="nasional")
    make_event(region="34", name="DIY")
    make_event(region="3402", name="Bantul")
    make_event(region="3404", name="Sleman")
    make_event(region="3402", name="Bantul draf", status="draft")
    make_event(region="", name="nasional draf", status="draft")
    assert _visible(bantul_officer) == {"nasional", "DIY", "Bantul", "Bantul draf"}
    assert _visible(sleman_officer) == {"nasional", "DIY", "Sleman"}
    assert _visible(diy_officer) == {"nasional", "DIY", "Bantul", "Sleman", "Bantul draf"}
    assert _visible(trimulyo_worker) == {"nasional", "DIY", "Bantul"}
    assert _visible(juror) == set()


def test_an_invitation_opens_an_event_of_another_area(sleman_officer, trimulyo_worker, client_for):
    event = make_event(region="3404", name="Sleman")
    psm = worker_in("3402", user=trimulyo_worker)
    client = client_for(trimulyo_worker)
    assert client.get(f"/acara/{event.pk}/").status_code == 404
    invite(event, psm)
    page = client.get(f"/acara/{event.pk}/")
    assert page.status_code == 200
    assert page.context["mine"].worker == psm


def test_pages_open_for_the_organiser(national_admin, client_for):
    event = make_event()
    client = client_for(national_admin)
    session = event.sessions.first()
    for url in (
        "/acara/",
        "/acara/baru/",
        f"/acara/{event.pk}/",
        f"/acara/{event.pk}/ubah/",
        f"/acara/{event.pk}/sesi/baru/",
        f"/acara/{event.pk}/sesi/{session.pk}/ubah/",
        f"/acara/{event.pk}/sesi/{session.pk}/materi/",
        f"/acara/{event.pk}/undangan/",
        f"/acara/{event.pk}/kehadiran/",
        f"/acara/{event.pk}/sertifikat/",
    ):
        assert client.get(url).status_code == 200, url


def test_viewers_who_do_not_organise_get_403_on_changing_pages(bantul_officer, client_for):
    event = make_event()  # national
    client = client_for(bantul_officer)
    assert client.get(f"/acara/{event.pk}/").status_code == 200
    for url in (f"/acara/{event.pk}/ubah/", f"/acara/{event.pk}/sesi/baru/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/acara/{event.pk}/status/closed/").status_code == 403


def test_creating_an_event_in_ones_own_area(bantul_officer, client_for):
    client = client_for(bantul_officer)
    response = client.post(
        "/acara/baru/",
        {
            "name": "Temu PSM Bantul",
            "kind": "other",
            "organiser": "Dinas Sosial Kabupaten Bantul",
            "region_code": "3402",
            "host_code": "34.02.09.2004",
            "venue": "Balai Desa Trimulyo",
            "starts_on": "2026-08-17",
            "ends_on": "2026-08-18",
            "attendance_min": 50,
        },
    )
    event = Event.objects.get(name="Temu PSM Bantul")
    assert response.status_code == 302
    assert (event.region_code, event.status, event.host_village_id) == (
        "3402",
        "draft",
        "3402092004",
    )
    refused = client.post(
        "/acara/baru/", {"name": "x", "region_code": "3404", "host_code": "3404012001"}
    )
    assert "region_code" in refused.context["form"].errors


def test_a_session_outside_the_event_dates_is_refused_and_speakers_are_parsed(
    national_admin, client_for
):
    event = make_event(sessions=0)
    client = client_for(national_admin)
    day = event.starts_on.isoformat()
    bad = client.post(
        f"/acara/{event.pk}/sesi/baru/",
        {"title": "Pembukaan", "starts_at": "2001-01-01T08:00", "ends_at": "2001-01-01T09:00"},
    )
    assert "starts_at" in bad.context["form"].errors
    client.post(
        f"/acara/{event.pk}/sesi/baru/",
        {
            "title": "Pembukaan",
            "starts_at": f"{day}T08:00",
            "ends_at": f"{day}T09:00",
            "speakers": "Menteri Sosial | Pembicara kunci | Kementerian Sosial RI\nBupati Bantul",
        },
    )
    session = event.sessions.get()
    assert [(s.name, s.organisation) for s in session.speakers.all()] == [
        ("Menteri Sosial", "Kementerian Sosial RI"),
        ("Bupati Bantul", ""),
    ]


def test_materials_refuse_wrong_files(national_admin, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    event = make_event(sessions=1)
    session = event.sessions.get()
    client = client_for(national_admin)
    url = f"/acara/{event.pk}/sesi/{session.pk}/materi/"
    fake = SimpleUploadedFile("slides.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    refused = client.post(url, {"title": "Materi", "file": fake})
    assert "file" in refused.context["form"].errors
    exe = SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")
    assert "file" in client.post(url, {"title": "x", "file": exe}).context["form"].errors
    client.post(url, {"title": "Video", "url": "https://example.org/video"})
    assert session.materials.get().url == "https://example.org/video"


def test_worker_and_juror_permissions(trimulyo_worker, juror, client_for):
    event = make_event()
    worker = client_for(trimulyo_worker)
    assert worker.get("/acara/baru/").status_code == 403
    assert worker.get(f"/acara/{event.pk}/undangan/").status_code == 403
    assert client_for(juror).get("/acara/").status_code == 403
