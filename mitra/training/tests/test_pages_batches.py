"""Batch pages: who sees which batches (a regency sees its province's and the ministry's batches
too), who creates and changes them (only inside their own area), status steps, seat quotas and
sessions."""

import datetime

import pytest
from django.urls import reverse

from mitra.core.models import ChangeLog
from mitra.training import services
from mitra.training.models import Batch, BatchStatus, EnrolmentStatus, SeatQuota, TrainingSession
from mitra.training.tests.pagehelpers import batch_in, english, form_data, text
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def _names(response):
    return {b.name for b in response.context["object_list"]}


# ---- the list -------------------------------------------------------------------------------


def test_a_regency_officer_sees_national_province_and_own_batches_only(bantul_officer, client):
    for region in ("", "34", "3402", "340209", "3404", "33"):
        batch_in(region)
    response = english(client, bantul_officer).get(reverse("training:batch_list"))
    assert response.status_code == 200
    assert _names(response) == {
        "Angkatan nasional",
        "Angkatan 34",
        "Angkatan 3402",
        "Angkatan 340209",
    }


def test_the_province_officer_sees_every_regency_of_the_province(diy_officer, client):
    for region in ("3402", "3404", "33"):
        batch_in(region)
    response = english(client, diy_officer).get(reverse("training:batch_list"))
    assert _names(response) == {"Angkatan 3402", "Angkatan 3404"}


@pytest.mark.parametrize("persona", ["jetis_supervisor", "auditor", "national_admin"])
def test_read_only_roles_see_the_list_without_a_create_button(persona, request, client):
    user = request.getfixturevalue(persona)
    batch_in("3402")
    response = english(client, user).get(reverse("training:batch_list"))
    assert response.status_code == 200
    assert "Angkatan 3402" in text(response)
    assert ("New batch" in text(response)) == (persona == "national_admin")


def test_the_list_filters_by_course_status_year_and_area(bantul_officer, client):
    from mitra.training.models import Course

    batch_in("34", name="DIY 2025", starts=datetime.date(2025, 4, 7), status="finished")
    batch_in("3402", name="Bantul 2026")
    batch_in("3402", code="PSM-L", name="Lanjutan 2026", starts=datetime.date(2026, 9, 7))
    c = english(client, bantul_officer)
    url = reverse("training:batch_list")
    assert _names(c.get(url, {"year": "2025"})) == {"DIY 2025"}
    assert _names(c.get(url, {"status": "finished"})) == {"DIY 2025"}
    assert _names(c.get(url, {"status": "current"})) == {"Bantul 2026", "Lanjutan 2026"}
    assert _names(c.get(url, {"area": "3402"})) == {"Bantul 2026", "Lanjutan 2026"}
    advanced = Course.objects.get(code="PSM-L")
    assert _names(c.get(url, {"course": advanced.pk})) == {"Lanjutan 2026"}
    # htmx asks for the table only
    part = c.get(url, {"year": "2025"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="batch-table")
    assert text(part).lstrip().startswith('<div id="batch-table">')


def test_a_worker_is_sent_to_their_own_training_page(trimulyo_worker, client):
    response = english(client, trimulyo_worker).get(reverse("training:batch_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:mine")


def test_a_juror_has_no_training_section(juror, client):
    c = english(client, juror)
    assert c.get(reverse("training:batch_list")).status_code == 403
    assert "/pelatihan/" not in text(c.get(reverse("core:home")))


# ---- create and edit -----------------------------------------------------------------------


def test_a_regency_officer_creates_a_batch_for_their_regency(bantul_officer, client):
    response = english(client, bantul_officer).post(
        reverse("training:batch_create"),
        form_data(**{"quota-0-region": "3402", "quota-0-seats": "20"}),
    )
    batch = Batch.objects.get(name="Angkatan II 2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("training:batch_detail", args=[batch.pk])
    assert batch.region_code == "3402"
    assert batch.venue_id == "3402092004"
    assert batch.status == BatchStatus.PLANNED
    assert list(batch.seat_quotas.values_list("region_code", "seats")) == [("3402", 20)]
    assert ChangeLog.for_object(batch).filter(actor=bantul_officer).exists()


@pytest.mark.parametrize("area", ["34", "3404", "", "3402092004"])
def test_a_batch_for_an_area_outside_the_officers_own_is_refused(area, bantul_officer, client):
    response = english(client, bantul_officer).post(
        reverse("training:batch_create"), form_data(region_code=area)
    )
    assert response.status_code == 200
    assert "region_code" in response.context["form"].errors
    assert not Batch.objects.filter(name="Angkatan II 2026").exists()


def test_the_national_administrator_may_create_a_national_batch(national_admin, client):
    response = english(client, national_admin).post(
        reverse("training:batch_create"), form_data(region_code="")
    )
    assert response.status_code == 302
    assert Batch.objects.get(name="Angkatan II 2026").region_code == ""


def test_the_last_day_cannot_be_before_the_first(bantul_officer, client):
    response = english(client, bantul_officer).post(
        reverse("training:batch_create"), form_data(starts_on="2026-07-10", ends_on="2026-07-06")
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors


def test_seat_quotas_must_lie_in_the_area_and_fit_the_seats(bantul_officer, diy_officer, client):
    # The province officer may reserve seats for any of its regencies, but only inside the
    # area the batch serves.
    outside = english(client, diy_officer).post(
        reverse("training:batch_create"),
        form_data(**{"quota-0-region": "3404", "quota-0-seats": "5"}),
    )
    assert outside.status_code == 200
    assert "outside the area" in str(outside.context["quotas"].forms[0].errors)
    # A regency officer is not even offered another regency.
    c = english(client, bantul_officer)
    other = c.post(
        reverse("training:batch_create"),
        form_data(**{"quota-0-region": "3404", "quota-0-seats": "5"}),
    )
    assert "region" in other.context["quotas"].forms[0].errors
    too_many = c.post(
        reverse("training:batch_create"),
        form_data(quota="10", **{"quota-0-region": "3402", "quota-0-seats": "11"}),
    )
    assert too_many.status_code == 200
    assert "more than all seats" in str(too_many.context["quotas"].non_form_errors())
    assert not Batch.objects.exists()


def test_a_regency_officer_may_view_a_province_batch_but_not_change_it(bantul_officer, client):
    diy = batch_in("34")
    c = english(client, bantul_officer)
    detail = c.get(reverse("training:batch_detail", args=[diy.pk]))
    assert detail.status_code == 200
    assert "Edit batch" not in text(detail)
    assert c.get(reverse("training:batch_update", args=[diy.pk])).status_code == 403
    assert c.post(reverse("training:batch_update", args=[diy.pk]), form_data()).status_code == 403
    assert c.get(reverse("training:batch_sessions", args=[diy.pk])).status_code == 403
    assert c.post(reverse("training:batch_status", args=[diy.pk, "running"])).status_code == 403
    diy.refresh_from_db()
    assert diy.status == BatchStatus.OPEN and diy.name == "Angkatan 34"


def test_a_batch_of_another_regency_is_not_found(bantul_officer, client):
    sleman = batch_in("3404")
    c = english(client, bantul_officer)
    for name in ("batch_detail", "batch_update", "batch_sessions", "nominate", "grid"):
        assert c.get(reverse(f"training:{name}", args=[sleman.pk])).status_code == 404, name


def test_editing_keeps_seats_for_those_who_hold_them(bantul_officer, client):
    batch = batch_in("3402", quota=2)
    for name in ("Ani", "Budi"):
        services.nominate(batch, build_worker(full_name=name), bantul_officer)
    data = form_data(
        course=batch.course_id,
        name=batch.name,
        starts_on="2026-03-02",
        ends_on="2026-03-06",
        quota="1",
    )
    response = english(client, bantul_officer).post(
        reverse("training:batch_update", args=[batch.pk]), data
    )
    assert response.status_code == 200
    assert "quota" in response.context["form"].errors


def test_more_seats_go_to_the_waiting_list_at_once(bantul_officer, client):
    batch = batch_in("3402", quota=1)
    services.nominate(batch, build_worker(full_name="Ani"), bantul_officer)
    waiting = services.nominate(batch, build_worker(full_name="Budi"), bantul_officer)
    assert waiting.status == EnrolmentStatus.WAITLISTED
    data = form_data(
        course=batch.course_id, name=batch.name, starts_on="2026-03-02", ends_on="2026-03-05"
    )
    data["quota"] = "2"
    response = english(client, bantul_officer).post(
        reverse("training:batch_update", args=[batch.pk]), data, follow=True
    )
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ENROLLED
    assert "went to the waiting list: Budi" in text(response)


def test_the_course_is_locked_once_workers_are_on_the_list(bantul_officer, client):
    from mitra.training.models import Course

    batch = batch_in("3402")
    services.nominate(batch, build_worker(), bantul_officer)
    data = form_data(
        course=Course.objects.get(code="TEM-LK3").pk,
        name=batch.name,
        starts_on="2026-03-02",
        ends_on="2026-03-05",
    )
    response = english(client, bantul_officer).post(
        reverse("training:batch_update", args=[batch.pk]), data
    )
    assert response.status_code == 302  # the rest was saved
    batch.refresh_from_db()
    assert batch.course.code == "PSM-D"


# ---- status steps ---------------------------------------------------------------------------


def test_a_batch_goes_from_planned_to_finished_one_step_at_a_time(bantul_officer, client):
    batch = batch_in("3402", status=BatchStatus.PLANNED)
    c = english(client, bantul_officer)

    def step(to):
        c.post(reverse("training:batch_status", args=[batch.pk, to]))
        batch.refresh_from_db()
        return batch.status

    assert step("finished") == BatchStatus.PLANNED  # not a step from planned
    assert step("open") == BatchStatus.OPEN
    assert step("running") == BatchStatus.RUNNING
    assert step("open") == BatchStatus.RUNNING
    assert step("finished") == BatchStatus.FINISHED
    assert step("cancelled") == BatchStatus.FINISHED


def test_starting_needs_sessions_and_the_refusal_is_shown(bantul_officer, client):
    batch = batch_in("3402", sessions=0)
    response = english(client, bantul_officer).post(
        reverse("training:batch_status", args=[batch.pk, "running"]), follow=True
    )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN
    assert "Add the sessions" in text(response)


def test_cancel_asks_for_confirmation_first(bantul_officer, client):
    batch = batch_in("3402")
    c = english(client, bantul_officer)
    page = c.get(reverse("training:batch_status", args=[batch.pk, "cancelled"]))
    assert page.status_code == 200 and "cannot be opened again" in text(page)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN  # GET changes nothing
    c.post(reverse("training:batch_status", args=[batch.pk, "cancelled"]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED


def test_status_changes_need_the_csrf_token(bantul_officer, client):
    from django.test import Client

    batch = batch_in("3402")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bantul_officer)
    assert (
        strict.post(reverse("training:batch_status", args=[batch.pk, "running"])).status_code == 403
    )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN


# ---- sessions -------------------------------------------------------------------------------


def test_sessions_are_generated_per_day_then_edited(bantul_officer, client):
    batch = batch_in("3402", sessions=0, days=3)
    c = english(client, bantul_officer)
    c.post(reverse("training:batch_sessions", args=[batch.pk]), {"action": "generate"})
    sessions = list(batch.sessions.all())
    assert [s.on for s in sessions] == [
        datetime.date(2026, 3, 2),
        datetime.date(2026, 3, 3),
        datetime.date(2026, 3, 4),
    ]
    data = {
        "session-TOTAL_FORMS": "4",
        "session-INITIAL_FORMS": "3",
        "session-MIN_NUM_FORMS": "0",
        "session-MAX_NUM_FORMS": "100",
    }
    for i, s in enumerate(sessions):
        data |= {f"session-{i}-id": s.pk, f"session-{i}-on": s.on.isoformat()}
        data[f"session-{i}-title"] = ["Konsep kesejahteraan sosial", "Peran PSM", "x"][i]
    data["session-2-DELETE"] = "on"
    data |= {"session-3-on": "2026-03-09", "session-3-title": "Praktik lapangan"}
    response = c.post(reverse("training:batch_sessions", args=[batch.pk]), data)
    assert response.status_code == 200  # 9 March is after the batch's last day
    assert "The batch runs from" in text(response)
    data["session-3-on"] = "2026-03-04"
    response = c.post(reverse("training:batch_sessions", args=[batch.pk]), data)
    assert response.status_code == 302
    assert list(batch.sessions.values_list("title", flat=True)) == [
        "Konsep kesejahteraan sosial",
        "Peran PSM",
        "Praktik lapangan",
    ]


def test_removing_a_session_decides_results_again(bantul_officer, client):
    batch = batch_in("3402", sessions=4)
    sessions = list(batch.sessions.all())
    enrolment = services.nominate(batch, build_worker(), bantul_officer)
    enrolment = services.record_results(
        enrolment,
        bantul_officer,
        post_score=90,
        present_session_ids=[s.pk for s in sessions[:3]],
    )
    assert enrolment.result == "failed"  # 75% < 80%
    data = {
        "session-TOTAL_FORMS": "4",
        "session-INITIAL_FORMS": "4",
        "session-MIN_NUM_FORMS": "0",
        "session-MAX_NUM_FORMS": "100",
    }
    for i, s in enumerate(sessions):
        data |= {f"session-{i}-id": s.pk, f"session-{i}-on": s.on, f"session-{i}-title": s.title}
    data["session-3-DELETE"] = "on"  # the one session they missed
    english(client, bantul_officer).post(reverse("training:batch_sessions", args=[batch.pk]), data)
    enrolment.refresh_from_db()
    assert TrainingSession.objects.filter(batch=batch).count() == 3
    assert enrolment.result == "passed"


# ---- the detail page -------------------------------------------------------------------------


def test_detail_shows_seats_waiting_list_in_order_and_reserved_seats(bantul_officer, client):
    batch = batch_in("3402", quota=1)
    SeatQuota.objects.create(batch=batch, region_code="3402", seats=1)
    for name in ("Ani", "Budi", "Citra"):
        services.nominate(batch, build_worker(full_name=name), bantul_officer)
    response = english(client, bantul_officer).get(
        reverse("training:batch_detail", args=[batch.pk])
    )
    people = response.context["people"]
    assert [e.worker.full_name for e in people["enrolled"]] == ["Ani"]
    assert [e.worker.full_name for e in people["waiting"]] == ["Budi", "Citra"]
    seats = response.context["seats"]
    assert (seats["enrolled"], seats["quota"], seats["waiting"], seats["free"]) == (1, 1, 2, 0)
    assert "1 of 1 taken" in text(response)


def test_participants_outside_the_users_area_are_counted_not_named(
    bantul_officer, sleman_officer, client
):
    batch = batch_in("34")
    services.nominate(batch, build_worker(full_name="Ani"), bantul_officer)
    services.nominate(
        batch, build_worker(full_name="Sri Sleman", village="3404012001"), sleman_officer
    )
    response = english(client, bantul_officer).get(
        reverse("training:batch_detail", args=[batch.pk])
    )
    page = text(response)
    assert "Ani" in page and "Sri Sleman" not in page
    assert response.context["hidden_count"] == 1
    assert response.context["seats"]["enrolled"] == 2


# persona -> (may open, sees "Edit batch", sees "Nominate workers", sees the participants)
DETAIL_BY_ROLE = {
    "national_admin": (True, True, True, True),
    "diy_officer": (True, True, True, True),
    "bantul_officer": (True, False, True, True),
    "sleman_officer": (True, False, True, True),
    "jetis_supervisor": (True, False, False, True),
    "auditor": (True, False, False, True),
    "trimulyo_worker": (True, False, False, False),
    "juror": (False, False, False, False),
}


@pytest.mark.parametrize("persona", DETAIL_BY_ROLE)
def test_the_province_batch_page_for_each_role(persona, request, bantul_officer, client):
    user = request.getfixturevalue(persona)
    batch = batch_in("34")
    services.nominate(batch, build_worker(full_name="Ani Jetis"), bantul_officer)
    opens, edits, nominates, lists = DETAIL_BY_ROLE[persona]
    response = english(client, user).get(reverse("training:batch_detail", args=[batch.pk]))
    assert response.status_code == (200 if opens else 403)
    if not opens:
        return
    page = text(response)
    assert ("Edit batch" in page) == edits
    assert ("Nominate workers" in page) == nominates
    # Ani lives in Jetis (Bantul): every role that lists participants sees her; the PSM does not
    assert ("Ani Jetis" in page) == (lists and persona != "sleman_officer")
