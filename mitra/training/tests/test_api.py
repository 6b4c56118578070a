"""/api/v1/training: the catalogue, batches, nominations, results and withdrawals with the pages'
scope, permissions and rules; bodies that try to set other fields are refused; the public
certificate check needs no login and says nothing beyond validity, a masked name, the course and
the dates; the needs counts equal the page's.

Personas: a Bantul officer (manages Bantul), a Sleman officer, the Jetis TKSK (reads, may not
nominate or assess), the Trimulyo PSM (sees only their own place), a juror (no training at all)
and an auditor (reads everything, changes nothing)."""

import datetime
import json

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from mitra.core.models import AccessLog
from mitra.training import needs
from mitra.training.models import (
    BatchStatus,
    Certificate,
    Course,
    Enrolment,
    EnrolmentStatus,
    Result,
)
from mitra.training.tests.builders import make_batch
from mitra.training.tests.test_needs import random_workforce
from mitra.workers.models import Status, Worker
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db

URL = "/api/v1/training"
TODAY = timezone.localdate()


def tr(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


def send(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def field_messages(error: dict) -> dict:
    return {d["field"]: d["message"] for d in error.get("details", [])}


@pytest.fixture
def people(regions):
    siti = build_worker(full_name="Siti Rahayu", status=Status.ACTIVE)
    budi = build_worker("3402012001", sex="L", full_name="Budi Santoso", status=Status.ACTIVE)
    sri = build_worker("3404012001", full_name="Sri Sleman", status=Status.ACTIVE)
    return siti, budi, sri


@pytest.fixture
def batches(regions):
    return {
        "diy": make_batch(region="34", name="DIY"),
        "national": make_batch(region="", name="Nasional", starts=datetime.date(2026, 4, 6)),
        "bantul": make_batch(region="3402", name="Bantul", starts=datetime.date(2026, 5, 4)),
        "sleman": make_batch(region="3404", name="Sleman", starts=datetime.date(2026, 6, 1)),
        "jateng": make_batch(region="33", name="Jateng", starts=datetime.date(2025, 6, 2)),
    }


def nominate(client, batch, worker):
    return send(client, f"{URL}/batches/{batch.pk}/enrolments", {"worker_id": str(worker.pk)})


# --- catalogue ----------------------------------------------------------------------------------


def test_courses_are_listed_with_their_prerequisites(regions, jetis_supervisor, client_for):
    body = client_for(jetis_supervisor).get(f"{URL}/courses").json()

    assert set(body) == {"items", "count", "limit", "offset"}
    assert body["count"] == Course.objects.count() == 5
    advanced = next(c for c in body["items"] if c["code"] == "PSM-L")
    assert advanced["prerequisites"] == ["PSM-D"]
    assert (advanced["level"], advanced["validity_years"]) == ("lanjutan", 5)
    one = client_for(jetis_supervisor).get(f"{URL}/courses/{advanced['id']}").json()
    assert one == advanced


def test_unknown_course_is_404_and_a_juror_may_not_read_the_catalogue(
    regions, juror, auditor, client_for
):
    error_of(client_for(juror).get(f"{URL}/courses"), 403, "forbidden")
    error_of(client_for(auditor).get(f"{URL}/courses/99999"), 404, "not_found")


def test_anonymous_callers_are_401(regions, client):
    error_of(client.get(f"{URL}/batches"), 401, "unauthenticated")
    error_of(client.get(f"{URL}/needs"), 401, "unauthenticated")


# --- batches ------------------------------------------------------------------------------------


def test_batches_are_those_serving_the_area(batches, bantul_officer, client_for):
    body = client_for(bantul_officer).get(f"{URL}/batches").json()

    assert {b["name"] for b in body["items"]} == {"DIY", "Nasional", "Bantul"}
    assert body["count"] == 3
    item = next(b for b in body["items"] if b["name"] == "DIY")
    assert item["course"]["code"] == "PSM-D" and item["venue_code"] == "3402092004"
    assert (item["enrolled"], item["waitlisted"], item["status"]) == (0, 0, "open")


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"status": "open"}, {"DIY", "Nasional", "Bantul"}),
        ({"status": "finished"}, set()),
        ({"course": "PSM-D"}, {"DIY", "Nasional", "Bantul"}),
        ({"course": "psm-l"}, set()),
        ({"year": 2026}, {"DIY", "Nasional", "Bantul"}),
        ({"year": 2025}, set()),  # the 2025 batch is Jawa Tengah's: not served here
    ],
)
def test_batch_filters(batches, bantul_officer, client_for, params, names):
    body = client_for(bantul_officer).get(f"{URL}/batches", params).json()

    assert {b["name"] for b in body["items"]} == names


def test_batch_filter_by_course_id_and_a_bad_status(batches, bantul_officer, client_for):
    client = client_for(bantul_officer)
    course = Course.objects.get(code="PSM-D")
    assert client.get(f"{URL}/batches", {"course": course.pk}).json()["count"] == 3
    assert client.get(f"{URL}/batches", {"course": "9" * 30}).json()["count"] == 0
    error = error_of(client.get(f"{URL}/batches", {"status": "bogus"}), 422, "invalid")
    assert list(field_messages(error)) == ["status"]


def test_batch_detail_has_sessions_and_other_areas_are_404(batches, bantul_officer, client_for):
    client = client_for(bantul_officer)
    body = client.get(f"{URL}/batches/{batches['diy'].pk}").json()

    assert [s["title"] for s in body["sessions"]] == ["Sesi 1", "Sesi 2", "Sesi 3", "Sesi 4"]
    assert body["signer_title"] == "Kepala BBPPKS Yogyakarta"
    error_of(client.get(f"{URL}/batches/{batches['sleman'].pk}"), 404, "not_found")
    error_of(client.get(f"{URL}/batches/{batches['jateng'].pk}"), 404, "not_found")


# --- nominations --------------------------------------------------------------------------------


def test_officer_nominates_into_a_seat_then_the_waiting_list(
    people, regions, bantul_officer, client_for
):
    siti, budi, _sri = people
    batch = make_batch(quota=1)
    client = client_for(bantul_officer)

    first = nominate(client, batch, siti)
    second = nominate(client, batch, budi)

    assert first.status_code == 201, first.content
    assert (first.json()["status"], first.json()["worker"]["id"]) == ("enrolled", str(siti.pk))
    assert first.json()["worker"]["nik"] == siti.nik_masked
    assert (second.json()["status"], second.json()["waitlist_position"]) == ("waitlisted", 1)
    listed = client.get(f"{URL}/batches/{batch.pk}/enrolments").json()
    assert [e["worker"]["full_name"] for e in listed["items"]] == ["Siti Rahayu", "Budi Santoso"]
    assert client.get(f"{URL}/batches/{batch.pk}").json()["enrolled"] == 1


def test_a_rule_refuses_with_its_indonesian_reason(people, regions, bantul_officer, client_for):
    siti = people[0]
    client = client_for(bantul_officer)

    error = error_of(nominate(client, make_batch("PSM-L"), siti), 422, "invalid")
    message = tr("%(name)s has not passed the prerequisite course(s): %(courses)s.") % {
        "name": siti.full_name,
        "courses": str(Course.objects.get(code="PSM-D")),
    }
    assert [d["message"] for d in error["details"]] == [message]

    batch = make_batch(name="Dua")
    assert nominate(client, batch, siti).status_code == 201
    error = error_of(nominate(client, batch, siti), 422, "invalid")
    assert (
        tr("%(name)s is already on this batch's list.") % {"name": siti.full_name}
        in (error["details"][0]["message"])
    )
    closed = make_batch(status=BatchStatus.FINISHED, name="Tutup", starts=datetime.date(2024, 1, 8))
    error = error_of(nominate(client, closed, people[1]), 422, "invalid")
    assert error["details"][0]["message"] == tr("This batch is not open for enrolment.")


def test_nomination_needs_the_permission_and_the_scope(
    people, batches, bantul_officer, jetis_supervisor, auditor, client_for
):
    siti, _budi, sri = people
    error_of(nominate(client_for(jetis_supervisor), batches["diy"], siti), 403, "forbidden")
    error_of(nominate(client_for(auditor), batches["diy"], siti), 403, "forbidden")
    client = client_for(bantul_officer)
    error_of(nominate(client, batches["diy"], sri), 404, "not_found")  # a Sleman worker
    error_of(nominate(client, batches["sleman"], siti), 404, "not_found")  # a Sleman batch
    error_of(
        send(client, f"{URL}/batches/{batches['diy'].pk}/enrolments", {"worker_id": "nope"}),
        422,
        "invalid",
    )
    assert not Enrolment.objects.exists()


def test_a_nomination_body_cannot_set_the_status_region_result_or_version(
    people, batches, bantul_officer, client_for
):
    siti = people[0]
    body = {
        "worker_id": str(siti.pk),
        "status": "enrolled",
        "region_code": "3404",
        "result": "passed",
        "version": 9,
        "waitlist_position": 1,
    }

    response = send(
        client_for(bantul_officer), f"{URL}/batches/{batches['diy'].pk}/enrolments", body
    )

    error = error_of(response, 422, "invalid")
    assert set(field_messages(error)) == {
        "status",
        "region_code",
        "result",
        "version",
        "waitlist_position",
    }
    assert not Enrolment.objects.exists()


def test_participants_shown_are_those_in_the_callers_scope(
    people, batches, bantul_officer, sleman_officer, trimulyo_worker, diy_officer, client_for
):
    siti, budi, sri = people
    Worker.objects.filter(pk=siti.pk).update(user=trimulyo_worker)
    batch = batches["diy"]
    nominate(client_for(bantul_officer), batch, siti)
    nominate(client_for(bantul_officer), batch, budi)
    nominate(client_for(sleman_officer), batch, sri)
    url = f"{URL}/batches/{batch.pk}/enrolments"

    def names(user):
        return {e["worker"]["full_name"] for e in client_for(user).get(url).json()["items"]}

    assert names(diy_officer) == {"Siti Rahayu", "Budi Santoso", "Sri Sleman"}
    assert names(bantul_officer) == {"Siti Rahayu", "Budi Santoso"}
    assert names(sleman_officer) == {"Sri Sleman"}
    assert names(trimulyo_worker) == {"Siti Rahayu"}  # their own place, not their village's
    assert all("*" in e["worker"]["nik"] for e in client_for(diy_officer).get(url).json()["items"])
    assert not AccessLog.objects.exists()


# --- results and withdrawals --------------------------------------------------------------------


@pytest.fixture
def enrolled(people, batches, bantul_officer, client_for):
    response = nominate(client_for(bantul_officer), batches["diy"], people[0])
    return Enrolment.objects.get(pk=response.json()["id"])


def results_url(enrolment):
    return f"{URL}/enrolments/{enrolment.pk}/results"


def test_results_decide_the_pass_and_complete_basic_training(
    enrolled, bantul_officer, diy_officer, client_for
):
    sessions = list(enrolled.batch.sessions.values_list("pk", flat=True))
    other = make_batch(name="Lain", starts=datetime.date(2026, 8, 3))
    foreign = list(other.sessions.values_list("pk", flat=True))
    # The batch is DI Yogyakarta's: the Bantul officer sees the participant but does not assess.
    refused = send(
        client_for(bantul_officer), results_url(enrolled), {"post_score": 88, "version": 1}
    )
    assert refused.status_code == 403

    response = send(
        client_for(diy_officer),
        results_url(enrolled),
        {
            "pre_score": 40,
            "post_score": 88,
            "present_session_ids": sessions + foreign,
            "version": enrolled.version,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["pre_score"], body["post_score"], body["result"]) == (40, 88, "passed")
    assert body["version"] == enrolled.version + 1
    assert Worker.objects.get(pk=enrolled.worker_id).basic_training_on == enrolled.batch.ends_on
    assert not other.sessions.filter(attendance__isnull=False).exists()


def test_results_refusals(
    enrolled, people, bantul_officer, diy_officer, sleman_officer, jetis_supervisor, client_for
):
    error_of(
        send(client_for(jetis_supervisor), results_url(enrolled), {"post_score": 80}),
        403,
        "forbidden",
    )
    error_of(
        send(client_for(sleman_officer), results_url(enrolled), {"post_score": 80}),
        404,
        "not_found",
    )
    error = error_of(
        send(client_for(diy_officer), results_url(enrolled), {"post_score": 101, "version": 1}),
        422,
        "invalid",
    )
    assert error["details"][0]["message"] == tr("The %(what)s score must be between 0 and 100.") % {
        "what": tr("post-test")
    }
    error = error_of(
        send(
            client_for(bantul_officer),
            results_url(enrolled),
            {"post_score": 90, "result": "passed", "version": 3},
        ),
        422,
        "invalid",
    )
    assert set(field_messages(error)) == {"result"}
    enrolled.refresh_from_db()
    assert (enrolled.post_score, enrolled.result) == (None, Result.PENDING)


def test_results_state_the_version_they_read(enrolled, diy_officer, client_for):
    """ADR 0010: no version -> 428; a stale one -> 409 with the conflict message and nothing
    written; If-Match counts as the version."""
    client = client_for(diy_officer)
    start = enrolled.version
    error_of(send(client, results_url(enrolled), {"post_score": 80}), 428, "http_428")
    stale = error_of(
        send(client, results_url(enrolled), {"post_score": 80, "version": start + 1}),
        409,
        "conflict",
    )
    assert stale["message"] == tr(
        "Someone else changed this record while you were working on it. Reload the page and "
        "try again."
    )
    enrolled.refresh_from_db()
    assert (enrolled.post_score, enrolled.version) == (None, start)
    saved = client.post(
        results_url(enrolled),
        data=json.dumps({"post_score": 80}),
        content_type="application/json",
        headers={"If-Match": f'"{start}"'},
    )
    assert saved.status_code == 200, saved.content
    assert (saved.json()["post_score"], saved.json()["version"]) == (80, start + 1)
    again = send(client, results_url(enrolled), {"post_score": 90, "version": start})
    error_of(again, 409, "conflict")
    enrolled.refresh_from_db()
    assert (enrolled.post_score, enrolled.version) == (80, start + 1)


def test_withdrawing_frees_the_seat_for_the_waiting_list(
    people, regions, bantul_officer, client_for
):
    siti, budi, _sri = people
    batch = make_batch(quota=1)
    client = client_for(bantul_officer)
    first = nominate(client, batch, siti).json()
    nominate(client, batch, budi)

    response = send(client, f"{URL}/enrolments/{first['id']}/withdraw", {"reason": "sakit"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["result_note"]) == ("withdrawn", "sakit")
    assert Enrolment.objects.get(worker=budi).status == EnrolmentStatus.ENROLLED
    again = send(client, f"{URL}/enrolments/{first['id']}/withdraw")
    assert error_of(again, 422, "invalid")["details"][0]["message"] == tr(
        "This place was already given up."
    )


def test_a_psm_withdraws_their_own_place_only(
    people, batches, bantul_officer, trimulyo_worker, client_for
):
    siti, budi, _sri = people
    Worker.objects.filter(pk=siti.pk).update(user=trimulyo_worker)
    own = nominate(client_for(bantul_officer), batches["diy"], siti).json()
    other = nominate(client_for(bantul_officer), batches["diy"], budi).json()
    client = client_for(trimulyo_worker)

    error_of(send(client, f"{URL}/enrolments/{other['id']}/withdraw"), 404, "not_found")
    error_of(
        send(client, f"{URL}/enrolments/{own['id']}/withdraw", {"status": "enrolled"}),
        422,
        "invalid",
    )
    assert send(client, f"{URL}/enrolments/{own['id']}/withdraw").json()["status"] == "withdrawn"


# --- the public certificate check ---------------------------------------------------------------


@pytest.fixture
def certificate(enrolled, bantul_officer):
    from mitra.training import services

    sessions = list(enrolled.batch.sessions.values_list("pk", flat=True))
    services.record_results(enrolled, bantul_officer, post_score=90, present_session_ids=sessions)
    return services.issue_certificate(enrolled, bantul_officer)


def verify_url(certificate):
    return f"{URL}/certificates/verify/{certificate.verify_code}"


def test_anyone_can_check_a_certificate_without_logging_in(certificate, client):
    response = client.get(verify_url(certificate))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "valid",
        "holder": "Sit* Rah***",  # as on the public verification page
        "course": {
            "id": certificate.enrolment.batch.course_id,
            "code": "PSM-D",
            "title": "Pelatihan Dasar Pekerja Sosial Masyarakat",
            "level": "dasar",
        },
        "issued_on": certificate.issued_on.isoformat(),
        "valid_until": None,
        "revoked_on": None,
    }
    worker = certificate.enrolment.worker
    text = response.content.decode()
    for secret in (worker.full_name, worker.nik, worker.nik_masked, worker.region_code, "Rahayu"):
        assert secret not in text
    assert not AccessLog.objects.exists()


def test_revoked_expired_and_unknown_certificates(certificate, bantul_officer, client):
    from mitra.training import services

    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=TODAY - datetime.timedelta(days=1)
    )
    assert client.get(verify_url(certificate)).json()["status"] == "expired"
    certificate.refresh_from_db()
    services.revoke_certificate(certificate, bantul_officer, "Data tidak benar")
    body = client.get(verify_url(certificate)).json()
    assert (body["status"], body["revoked_on"]) == ("revoked", TODAY.isoformat())
    assert "Data tidak benar" not in json.dumps(body)
    error_of(client.get(f"{URL}/certificates/verify/not-a-code"), 404, "not_found")
    error_of(client.get(f"{URL}/certificates/verify/{'x' * 80}"), 404, "not_found")


# --- needs counts -------------------------------------------------------------------------------


def test_needs_counts_equal_the_pages(regions, bantul_officer, client_for):
    random_workforce(4)
    client = client_for(bantul_officer)

    body = client.get(f"{URL}/needs").json()
    area = needs.resolve_area(bantul_officer, "")
    children, totals = needs.needs_counts(bantul_officer, area)

    assert (body["region_code"], body["region_name"], body["level"], body["child_level"]) == (
        "3402",
        "Kabupaten Bantul",
        "regency",
        "district",
    )
    assert body["totals"] == totals and totals["active"] > 0
    assert body["children"] == [{"code": c.code, "name": c.name, **c.counts} for c in children]
    page = client.get(needs.needs_url("3402")).context
    assert body["totals"] == page["totals"]
    district = client.get(f"{URL}/needs", {"region": "34.02.01"}).json()
    assert district["child_level"] == "village"
    assert all(c["code"].startswith("340201") for c in district["children"])


def test_needs_scope_and_permission(regions, bantul_officer, juror, client_for):
    client = client_for(bantul_officer)
    for region in ("3404", "34", "12345", "abc"):
        error_of(client.get(f"{URL}/needs", {"region": region}), 404, "not_found")
    error_of(client_for(juror).get(f"{URL}/needs"), 403, "forbidden")


def test_the_schema_documents_the_training_endpoints(regions, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for path in (
        "/api/v1/training/courses",
        "/api/v1/training/batches/{batch_id}/enrolments",
        "/api/v1/training/enrolments/{enrolment_id}/results",
        "/api/v1/training/certificates/verify/{code}",
        "/api/v1/training/needs",
    ):
        assert path in paths, path
    assert "security" not in paths["/api/v1/training/certificates/verify/{code}"]["get"]
