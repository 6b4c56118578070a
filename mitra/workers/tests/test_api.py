"""/api/v1/workers: the registry over JSON, with the pages' scope, permissions and rules.

Personas: a Bantul officer (manages Bantul), a Sleman officer, the Jetis TKSK (proposes, may not
verify, appoint, transfer or see NIKs), the Trimulyo PSM (sees only their own record), a juror
(sees no workers) and an auditor (reads everything, changes nothing)."""

import datetime
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from mitra.core.models import AccessLog, PmksCategory
from mitra.regions.models import Village
from mitra.workers.models import Decree, Status, Worker, WorkerEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/workers"
LIST = f"{URL}/"  # the collection (list, create)
_serial = itertools.count(8001)
TODAY = timezone.localdate()


def tr(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


def nik_for(district: str, birth_date: datetime.date, sex: str) -> str:
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{birth_date:%m%y}{next(_serial):04d}"


def make_worker(
    village="3402092004",
    *,
    sex="P",
    birth_date=datetime.date(1985, 8, 17),
    full_name="Siti Rahayu",
    **fields,
) -> Worker:
    fields = {"birth_place": "Bantul", "address": "Dusun Kembangsongo RT 03", **fields}
    worker = Worker(
        nik=nik_for(village[:6], birth_date, sex),
        full_name=full_name,
        sex=sex,
        birth_date=birth_date,
        village_id=village,
        **fields,
    )
    worker.save()
    return worker


def new_worker_body(village="34.02.09.2004", **fields) -> dict:
    birth = datetime.date(1979, 3, 12)
    return {
        "nik": nik_for("340209", birth, "P"),
        "full_name": "Sri Wahyuni",
        "sex": "P",
        "birth_place": "Bantul",
        "birth_date": birth.isoformat(),
        "address": "Dusun Kembangsongo RT 03",
        "village": village,
        "phone": "0812-3456-7890",
        "education": "sma",
        "occupation": "Pedagang",
        "focus_areas": [24, 8],
        **fields,
    }


def send(client, method, url, body=None, **headers):
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json", **headers
    )


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
    siti = make_worker(
        full_name="Siti Rahayu", status=Status.ACTIVE, basic_training_on=datetime.date(2019, 3, 1)
    )
    budi = make_worker(
        "3402012001", sex="L", full_name="Budi Santoso", birth_date=datetime.date(1960, 1, 2)
    )
    sleman = make_worker("3404012001", full_name="Sri Sleman")
    return siti, budi, sleman


# --- list ---------------------------------------------------------------------------------------


def test_list_shows_the_area_paginated_with_masked_niks(people, bantul_officer, client_for):
    siti, budi, _sleman = people

    body = client_for(bantul_officer).get(LIST).json()

    assert set(body) == {"items", "count", "limit", "offset"}
    assert body["count"] == 2
    assert [w["full_name"] for w in body["items"]] == ["Budi Santoso", "Siti Rahayu"]
    item = body["items"][1]
    assert item["id"] == str(siti.pk)
    assert item["nik"] == siti.nik_masked != siti.nik  # lists never carry full NIKs
    assert item["village_code"] == "3402092004"
    assert (item["village_name"], item["district_name"], item["regency_name"]) == (
        "Trimulyo",
        "Jetis",
        "Kabupaten Bantul",
    )
    assert item["status"] == "active" and item["version"] == 1
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"status": "active"}, ["Siti Rahayu"]),
        ({"sex": "L"}, ["Budi Santoso"]),
        ({"region": "34.02.09"}, ["Siti Rahayu"]),
        ({"q": "santoso"}, ["Budi Santoso"]),
        ({"trained": "yes"}, ["Siti Rahayu"]),
        ({"age": "60-"}, ["Budi Santoso"]),
        ({"kind": "tksk"}, []),
        ({"region": "3404"}, []),  # Sleman: outside the scope, so nothing (not Sleman's rows)
    ],
)
def test_list_takes_the_list_pages_filters(people, bantul_officer, client_for, params, names):
    body = client_for(bantul_officer).get(LIST, params).json()

    assert [w["full_name"] for w in body["items"]] == names


def test_search_finds_a_worker_by_full_nik_sent_in_the_body(people, bantul_officer, client_for):
    siti = people[0]

    response = client_for(bantul_officer).post(
        f"{URL}/search", {"q": siti.nik}, content_type="application/json"
    )

    assert response.status_code == 200
    assert [w["id"] for w in response.json()["items"]] == [str(siti.pk)]


def test_a_nik_in_the_list_url_is_refused_naming_the_search(bantul_officer, client_for):
    # The NIK is split by spaces so that the test's own URL carries no 16-digit run either.
    response = client_for(bantul_officer).get(LIST, {"q": "3402 0112 8500 0001"})

    error = error_of(response, 422, "invalid")
    assert list(field_messages(error)) == ["q"]
    assert "/api/v1/workers/search" in field_messages(error)["q"]


def test_invalid_filter_is_422_naming_it_in_indonesian(people, bantul_officer, client_for):
    error = error_of(client_for(bantul_officer).get(LIST, {"status": "bogus"}), 422, "invalid")

    assert error["message"] == tr("Some values are not valid.") != "Some values are not valid."
    assert list(field_messages(error)) == ["status"]


def test_list_costs_the_same_queries_for_more_rows(people, bantul_officer, client_for):
    client = client_for(bantul_officer)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i, code in enumerate(
        Village.objects.filter(code__startswith="3402").values_list("code", flat=True)[:10]
    ):
        make_worker(code, birth_date=datetime.date(1970 + i, 2, 3))

    assert queries() == few


def test_psm_sees_only_their_own_record(people, trimulyo_worker, client_for):
    own = make_worker(full_name="Dewi Trimulyo", user=trimulyo_worker)
    client = client_for(trimulyo_worker)

    body = client.get(LIST).json()

    assert [w["id"] for w in body["items"]] == [str(own.pk)]
    assert client.get(f"{URL}/{own.pk}").status_code == 200
    assert client.get(f"{URL}/{people[0].pk}").status_code == 404  # same village, not theirs


def test_juror_may_not_list_workers(people, juror, client_for):
    error_of(client_for(juror).get(LIST), 403, "forbidden")


# --- detail -------------------------------------------------------------------------------------


def test_detail_shows_full_nik_to_an_officer_and_logs_the_read(people, bantul_officer, client_for):
    siti = people[0]
    siti.focus_areas.set(PmksCategory.objects.filter(number__in=[24, 9]))

    response = client_for(bantul_officer).get(f"{URL}/{siti.pk}", REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 200
    body = response.json()
    assert body["nik"] == siti.nik
    assert body["focus_areas"] == [9, 24]
    assert body["decrees"] == [] and body["merged_into"] is None
    assert response["ETag"] == '"1"'
    entry = AccessLog.objects.get()
    assert (entry.action, entry.user, entry.object_id) == ("api", bantul_officer, str(siti.pk))
    assert (entry.region_code, entry.address) == ("3402092004", "10.0.0.7")


def test_detail_masks_nik_for_a_tksk(people, jetis_supervisor, client_for):
    siti = people[0]

    body = client_for(jetis_supervisor).get(f"{URL}/{siti.pk}").json()

    assert body["nik"] == siti.nik_masked


def test_detail_outside_the_area_is_404_and_not_logged(people, bantul_officer, client_for):
    sleman = people[2]

    error_of(client_for(bantul_officer).get(f"{URL}/{sleman.pk}"), 404, "not_found")
    assert not AccessLog.objects.exists()


# --- create -------------------------------------------------------------------------------------


def test_officer_registers_a_worker_as_an_application(bantul_officer, client_for, regions):
    body = new_worker_body()

    response = send(client_for(bantul_officer), "post", LIST, body)

    assert response.status_code == 201, response.content
    data = response.json()
    worker = Worker.objects.get(pk=data["id"])
    assert (worker.status, worker.status_since) == (Status.APPLIED, TODAY)
    assert worker.nik == body["nik"] == data["nik"]
    assert worker.region_code == "3402092004"
    assert worker.phone == "081234567890"  # cleaned like the form does
    assert worker.created_by == bantul_officer
    assert sorted(c.number for c in worker.focus_areas.all()) == [8, 24]
    assert data["version"] == 1


def test_tksk_registers_in_their_district_and_sees_the_nik_masked(
    jetis_supervisor, client_for, regions
):
    response = send(client_for(jetis_supervisor), "post", LIST, new_worker_body())

    assert response.status_code == 201, response.content
    worker = Worker.objects.get()
    assert response.json()["nik"] == worker.nik_masked


def test_village_outside_the_area_is_422_with_a_clear_message(bantul_officer, client_for, regions):
    response = send(client_for(bantul_officer), "post", LIST, new_worker_body("34.04.01.2001"))

    error = error_of(response, 422, "invalid")
    assert field_messages(error)["village"] == tr("Village %(code)s is outside your area.") % {
        "code": "34.04.01.2001"
    }
    assert not Worker.objects.exists()


def test_invalid_nik_is_422_in_indonesian(bantul_officer, client_for, regions):
    response = send(client_for(bantul_officer), "post", LIST, new_worker_body(nik="34020912"))

    message = field_messages(error_of(response, 422, "invalid"))["nik"]
    english = "NIK must have 16 digits; this one has 8."
    assert message == tr("NIK must have 16 digits; this one has %(n)d.") % {"n": 8} != english


def test_nik_that_does_not_match_the_sex_is_refused(bantul_officer, client_for, regions):
    response = send(client_for(bantul_officer), "post", LIST, new_worker_body(sex="L"))

    assert "nik" in field_messages(error_of(response, 422, "invalid"))


def test_a_nik_registered_anywhere_is_refused_saying_where_not_who(
    people, bantul_officer, client_for
):
    sleman = people[2]

    body = new_worker_body(
        nik=sleman.nik, sex="P", birth_date=sleman.birth_date.isoformat(), full_name="Lain"
    )
    error = error_of(send(client_for(bantul_officer), "post", LIST, body), 422, "invalid")

    message = field_messages(error)["nik"]
    assert "34.04.01.2001" in message and "Sri Sleman" not in message


def test_likely_duplicate_needs_confirmation(people, bantul_officer, client_for):
    siti = people[0]
    body = new_worker_body(full_name="Siti Rahayu", birth_date=siti.birth_date.isoformat(), sex="P")
    body["nik"] = nik_for("340209", siti.birth_date, "P")
    client = client_for(bantul_officer)

    error = error_of(send(client, "post", LIST, body), 422, "invalid")
    assert "confirm_duplicates" in field_messages(error)

    body["confirm_duplicates"] = True
    assert send(client, "post", LIST, body).status_code == 201


@pytest.mark.parametrize(
    "field",
    ["status", "region_code", "nik_hash", "version", "merged_into", "created_by", "user", "id"],
)
def test_create_refuses_fields_that_cannot_be_set(field, bantul_officer, client_for, regions):
    value = {"status": "active", "region_code": "3404", "version": 7}.get(field, "x")

    response = send(client_for(bantul_officer), "post", LIST, new_worker_body(**{field: value}))

    error = error_of(response, 422, "invalid")
    assert list(field_messages(error)) == [field]
    assert not Worker.objects.exists()


def test_tksk_may_not_record_verification_fields(jetis_supervisor, client_for, regions):
    response = send(client_for(jetis_supervisor), "post", LIST, new_worker_body(ktp_checked=True))

    assert list(field_messages(error_of(response, 422, "invalid"))) == ["ktp_checked"]


@pytest.mark.parametrize("persona", ["trimulyo_worker", "auditor", "juror"])
def test_roles_that_may_not_register_get_403(persona, request, client_for, regions):
    user = request.getfixturevalue(persona)

    error_of(send(client_for(user), "post", LIST, new_worker_body()), 403, "forbidden")
    assert not Worker.objects.exists()


def test_create_needs_login(client, regions):
    error_of(send(client, "post", LIST, new_worker_body()), 401, "unauthenticated")


# --- update -------------------------------------------------------------------------------------


def test_patch_with_the_current_version_changes_the_fields(people, bantul_officer, client_for):
    siti = people[0]

    response = send(
        client_for(bantul_officer),
        "patch",
        f"{URL}/{siti.pk}",
        {"occupation": "Guru honorer", "phone": "+62 812 1111 2222", "focus_areas": [9]},
        HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    siti.refresh_from_db()
    assert (siti.occupation, siti.phone, siti.version) == ("Guru honorer", "+6281211112222", 2)
    assert [c.number for c in siti.focus_areas.all()] == [9]
    assert siti.updated_by == bantul_officer


def test_patch_takes_the_version_in_the_body_too(people, bantul_officer, client_for):
    siti = people[0]

    response = send(
        client_for(bantul_officer), "patch", f"{URL}/{siti.pk}", {"version": 1, "address": "Baru"}
    )

    assert response.status_code == 200
    assert response.json()["address"] == "Baru"


def test_stale_version_is_409_and_changes_nothing(people, bantul_officer, client_for):
    siti = people[0]
    Worker.objects.filter(pk=siti.pk).update(version=2)  # someone saved in between

    response = send(
        client_for(bantul_officer),
        "patch",
        f"{URL}/{siti.pk}",
        {"occupation": "Petani"},
        HTTP_IF_MATCH='"1"',
    )

    error = error_of(response, 409, "conflict")
    english = (
        "Someone else changed this record while you were working on it. Reload the page and "
        "try again."
    )
    assert error["message"] == tr(english) != english
    siti.refresh_from_db()
    assert (siti.occupation, siti.version) == ("", 2)


def test_patch_without_a_version_is_refused(people, bantul_officer, client_for):
    response = send(client_for(bantul_officer), "patch", f"{URL}/{people[0].pk}", {"address": "x"})

    assert response.status_code == 428
    assert response.json()["error"]["message"]


def test_invalid_values_are_422_and_leave_the_version(people, bantul_officer, client_for):
    siti = people[0]

    response = send(
        client_for(bantul_officer),
        "patch",
        f"{URL}/{siti.pk}",
        {"version": 1, "phone": "abc", "full_name": "  ", "birth_date": None},
    )

    assert set(field_messages(error_of(response, 422, "invalid"))) == {
        "phone",
        "full_name",
        "birth_date",
    }
    siti.refresh_from_db()
    assert siti.version == 1 and siti.full_name == "Siti Rahayu"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "active"),
        ("village", "3402092001"),
        ("region_code", "3404"),
        ("nik_hash", "0" * 64),
        ("merged_into", None),
        ("user", 1),
        ("created_by", 1),
    ],
)
def test_patch_refuses_fields_that_cannot_be_set(field, value, people, bantul_officer, client_for):
    siti = people[0]

    response = send(
        client_for(bantul_officer), "patch", f"{URL}/{siti.pk}", {"version": 1, field: value}
    )

    assert list(field_messages(error_of(response, 422, "invalid"))) == [field]
    siti.refresh_from_db()
    assert (siti.status, siti.village_id, siti.version) == ("active", "3402092004", 1)


def test_patch_outside_the_area_is_404(people, bantul_officer, client_for):
    response = send(
        client_for(bantul_officer), "patch", f"{URL}/{people[2].pk}", {"version": 1, "address": "x"}
    )

    error_of(response, 404, "not_found")


@pytest.mark.parametrize("persona", ["auditor", "trimulyo_worker"])
def test_readers_may_not_patch(persona, people, request, client_for):
    user = request.getfixturevalue(persona)
    own = make_worker(full_name="Dewi", user=user if persona == "trimulyo_worker" else None)

    response = send(client_for(user), "patch", f"{URL}/{own.pk}", {"version": 1, "address": "x"})

    error_of(response, 403, "forbidden")


# --- lifecycle: status, decrees, transfer -------------------------------------------------------


def test_verification_needs_the_requirements(people, bantul_officer, client_for):
    budi = people[1]
    client = client_for(bantul_officer)

    refused = send(client, "post", f"{URL}/{budi.pk}/status", {"to": "verified"})

    assert error_of(refused, 422, "invalid")["details"][0]["message"].startswith(
        tr("Requirements not met: %(list)s.").split("%")[0]
    )
    Worker.objects.filter(pk=budi.pk).update(
        ktp_checked=True, basic_training_on=datetime.date(2020, 1, 1)
    )
    done = send(client, "post", f"{URL}/{budi.pk}/status", {"to": "verified", "version": 1})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["version"]) == ("verified", 2)
    assert WorkerEvent.objects.get(worker=budi).to_status == "verified"


def test_a_decree_activates_a_verified_worker(people, bantul_officer, client_for):
    budi = people[1]
    Worker.objects.filter(pk=budi.pk).update(status=Status.VERIFIED)
    client = client_for(bantul_officer)

    no_decree = send(client, "post", f"{URL}/{budi.pk}/status", {"to": "active"})
    error_of(no_decree, 422, "invalid")
    response = send(
        client,
        "post",
        f"{URL}/{budi.pk}/decrees",
        {
            "number": "460/123/2026",
            "issued_on": (TODAY - datetime.timedelta(days=3)).isoformat(),
            "office": "Dinas Sosial Kabupaten Bantul",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["number"] == "460/123/2026"
    budi.refresh_from_db()
    assert budi.status == Status.ACTIVE
    assert Decree.objects.get(worker=budi).region_code == "3402012001"


def test_decree_dated_in_the_future_or_without_number_is_422(people, bantul_officer, client_for):
    url = f"{URL}/{people[0].pk}/decrees"
    client = client_for(bantul_officer)
    future = {
        "number": "460/1/2030",
        "issued_on": (TODAY + datetime.timedelta(days=1)).isoformat(),
        "office": "Dinas Sosial Kabupaten Bantul",
    }

    error_of(send(client, "post", url, future), 422, "invalid")
    blank = {**future, "number": " ", "issued_on": TODAY.isoformat()}
    assert list(field_messages(error_of(send(client, "post", url, blank), 422, "invalid"))) == [
        "number"
    ]
    assert not Decree.objects.exists()


def test_leaving_the_programme_needs_a_reason(people, bantul_officer, client_for):
    url = f"{URL}/{people[0].pk}/status"
    client = client_for(bantul_officer)

    error = error_of(send(client, "post", url, {"to": "exited"}), 422, "invalid")
    assert error["details"][0]["message"] == tr("Give a reason for this change.")

    done = send(client, "post", url, {"to": "exited", "reason": "Mengundurkan diri"})
    assert done.json()["status"] == "exited"


def test_stale_status_change_is_409(people, bantul_officer, client_for):
    response = send(
        client_for(bantul_officer),
        "post",
        f"{URL}/{people[0].pk}/status",
        {"to": "inactive", "reason": "Sakit"},
        HTTP_IF_MATCH='"5"',
    )

    error_of(response, 409, "conflict")
    assert Worker.objects.get(pk=people[0].pk).status == Status.ACTIVE


def test_unknown_status_is_422(people, bantul_officer, client_for):
    response = send(client_for(bantul_officer), "post", f"{URL}/{people[0].pk}/status", {"to": "x"})

    assert "to" in field_messages(error_of(response, 422, "invalid"))


def test_tksk_may_not_appoint_or_transfer(people, jetis_supervisor, client_for):
    siti = people[0]
    client = client_for(jetis_supervisor)

    error_of(
        send(client, "post", f"{URL}/{siti.pk}/status", {"to": "inactive", "reason": "x"}),
        403,
        "forbidden",
    )
    decree = {"number": "1", "issued_on": TODAY.isoformat(), "office": "Dinas Sosial"}
    error_of(send(client, "post", f"{URL}/{siti.pk}/decrees", decree), 403, "forbidden")
    error_of(
        send(client, "post", f"{URL}/{siti.pk}/transfer", {"village": "3402092001"}),
        403,
        "forbidden",
    )


def test_psm_may_not_change_their_own_status(people, trimulyo_worker, client_for):
    own = make_worker(full_name="Dewi", user=trimulyo_worker, status=Status.ACTIVE)

    response = send(
        client_for(trimulyo_worker),
        "post",
        f"{URL}/{own.pk}/status",
        {"to": "exited", "reason": "x"},
    )

    error_of(response, 403, "forbidden")


def test_transfer_moves_the_worker_within_the_area(people, bantul_officer, client_for):
    siti = people[0]
    Worker.objects.filter(pk=siti.pk).update(ktp_checked=True)

    response = send(
        client_for(bantul_officer),
        "post",
        f"{URL}/{siti.pk}/transfer",
        {"village": "34.02.09.2001", "reason": "Pindah rumah", "version": 1},
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["village_code"], data["ktp_checked"], data["version"]) == ("3402092001", False, 2)
    event = WorkerEvent.objects.get(worker=siti)
    assert (event.kind, event.from_village_id, event.reason) == (
        "transfer",
        "3402092004",
        "Pindah rumah",
    )


def test_transfer_out_of_the_area_is_422(people, bantul_officer, client_for):
    siti = people[0]

    response = send(
        client_for(bantul_officer), "post", f"{URL}/{siti.pk}/transfer", {"village": "3404012001"}
    )

    error = error_of(response, 422, "invalid")
    assert field_messages(error)["village"] == tr("Village %(code)s is outside your area.") % {
        "code": "34.04.01.2001"
    }
    assert Worker.objects.get(pk=siti.pk).village_id == "3402092004"


def test_stale_transfer_is_409(people, bantul_officer, client_for):
    response = send(
        client_for(bantul_officer),
        "post",
        f"{URL}/{people[0].pk}/transfer",
        {"village": "3402092001", "version": 4},
    )

    error_of(response, 409, "conflict")


@pytest.mark.parametrize("action", ["status", "decrees", "transfer"])
def test_lifecycle_outside_the_area_is_404(action, people, bantul_officer, client_for):
    body = {
        "status": {"to": "inactive", "reason": "x"},
        "decrees": {"number": "1", "issued_on": TODAY.isoformat(), "office": "Dinsos"},
        "transfer": {"village": "3402092001"},
    }[action]

    response = send(client_for(bantul_officer), "post", f"{URL}/{people[2].pk}/{action}", body)

    error_of(response, 404, "not_found")


def test_merged_record_cannot_be_changed(people, bantul_officer, client_for):
    siti, budi, _ = people
    Worker.objects.filter(pk=budi.pk).update(merged_into=siti)

    response = send(
        client_for(bantul_officer), "patch", f"{URL}/{budi.pk}", {"version": 1, "address": "x"}
    )

    error_of(response, 422, "invalid")


def test_openapi_documents_the_worker_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {
        "/api/v1/workers/",
        "/api/v1/workers/{worker_id}",
        "/api/v1/workers/{worker_id}/status",
        "/api/v1/workers/{worker_id}/decrees",
        "/api/v1/workers/{worker_id}/transfer",
    } <= set(paths)
    assert set(paths["/api/v1/workers/{worker_id}"]) == {"get", "patch"}
