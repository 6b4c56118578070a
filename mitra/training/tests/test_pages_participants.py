"""Participants: officers nominate workers of their own area, several at once, and see why a
worker was refused; a withdrawal gives the seat to the waiting list; PSM apply and officers decide;
a PSM sees and manages only their own places."""

import datetime
from html import escape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from mitra.training import services
from mitra.training.models import Enrolment, EnrolmentStatus
from mitra.training.tests.builders import make_batch
from mitra.training.tests.pagehelpers import batch_in, english, text
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def _refusal(batch, worker) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.check_can_enrol(batch, worker)
    return " ".join(exc.value.messages)


def _nominate(client, batch, *workers, follow=True):
    return client.post(
        reverse("training:nominate", args=[batch.pk]),
        {"action": "nominate", "worker": [str(w.pk) for w in workers]},
        follow=follow,
    )


# ---- candidates -----------------------------------------------------------------------------


def test_candidates_are_the_officers_own_workers_who_may_still_take_a_place(bantul_officer, client):
    batch = batch_in("34")
    ani = build_worker(full_name="Ani")
    build_worker(full_name="Budi Keluar", status=Status.EXITED)
    build_worker(full_name="Citra Sleman", village="3404012001")
    on_list = build_worker(full_name="Dewi")
    services.nominate(batch, on_list, bantul_officer)
    response = english(client, bantul_officer).get(reverse("training:nominate", args=[batch.pk]))
    assert response.status_code == 200
    assert [w.full_name for w in response.context["candidates"]] == [ani.full_name]


def test_the_search_is_posted_and_answers_the_candidate_table(bantul_officer, client):
    batch = batch_in("3402")
    build_worker(full_name="Ani Lestari")
    siti = build_worker(full_name="Siti Rahayu")
    c = english(client, bantul_officer)
    response = c.post(
        reverse("training:nominate", args=[batch.pk]),
        {"action": "search", "q": "siti", "untrained": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert text(response).lstrip().startswith('<div id="candidates">')
    assert [w.pk for w in response.context["candidates"]] == [siti.pk]
    by_nik = c.post(
        reverse("training:nominate", args=[batch.pk]), {"action": "search", "q": siti.nik}
    )
    assert [w.pk for w in by_nik.context["candidates"]] == [siti.pk]


def test_a_supervisor_may_not_nominate(jetis_supervisor, client):
    batch = batch_in("3402")
    worker = build_worker()
    c = english(client, jetis_supervisor)
    assert c.get(reverse("training:nominate", args=[batch.pk])).status_code == 403
    assert _nominate(c, batch, worker, follow=False).status_code == 403
    assert not Enrolment.objects.exists()


# ---- nominating several at once --------------------------------------------------------------


def test_bulk_nomination_reports_each_outcome_with_its_reason(bantul_officer, client):
    basic_earlier = make_batch("PSM-D", starts=datetime.date(2025, 5, 5), region="3402")
    advanced = make_batch("PSM-L", quota=1, region="3402")  # 2-6 March 2026
    other = make_batch("TEM-LK3", starts=datetime.date(2026, 3, 4), region="3402", name="B")
    ani, budi = build_worker(full_name="Ani"), build_worker(full_name="Budi")
    for w in (ani, budi):
        e = services.nominate(basic_earlier, w, bantul_officer)
        services.record_results(
            e,
            bantul_officer,
            post_score=90,
            present_session_ids=list(basic_earlier.sessions.values_list("pk", flat=True)),
        )
    citra = build_worker(full_name="Citra")  # no basic course: prerequisite missing
    dewi = build_worker(full_name="Dewi")
    e = services.nominate(basic_earlier, dewi, bantul_officer)
    services.record_results(
        e,
        bantul_officer,
        post_score=90,
        present_session_ids=list(basic_earlier.sessions.values_list("pk", flat=True)),
    )
    other.course.prerequisites.clear()
    services.nominate(other, dewi, bantul_officer)  # busy on overlapping dates
    prerequisite = _refusal(advanced, citra)
    overlap = _refusal(advanced, dewi)
    assert "prerequisite" in prerequisite and "overlapping" in overlap

    response = _nominate(english(client, bantul_officer), advanced, ani, budi, citra, dewi)
    report = {r["name"]: r for r in response.context["report"]}
    assert report["Ani"]["outcome"] == "enrolled"
    assert report["Budi"]["outcome"] == "waitlisted"
    assert "number 1 on the waiting list" in report["Budi"]["detail"]
    assert (report["Citra"]["outcome"], report["Citra"]["detail"]) == ("refused", prerequisite)
    assert (report["Dewi"]["outcome"], report["Dewi"]["detail"]) == ("refused", overlap)
    page = text(response)
    for detail in (prerequisite, overlap, "the batch is full"):
        assert escape(detail) in page
    statuses = dict(
        Enrolment.objects.filter(batch=advanced).values_list("worker__full_name", "status")
    )
    assert statuses == {"Ani": EnrolmentStatus.ENROLLED, "Budi": EnrolmentStatus.WAITLISTED}
    # the report is shown once
    again = english(client, bantul_officer).get(reverse("training:nominate", args=[advanced.pk]))
    assert again.context["report"] is None


def test_a_worker_of_another_regency_cannot_be_slipped_in(bantul_officer, client):
    batch = batch_in("34")
    sleman = build_worker(full_name="Sri", village="3404012001")
    response = _nominate(english(client, bantul_officer), batch, sleman)
    assert response.context["report"][0]["outcome"] == "refused"
    assert not Enrolment.objects.exists()


def test_nominating_into_a_running_batch_is_refused(bantul_officer, client):
    batch = batch_in("3402", status="running")
    response = _nominate(english(client, bantul_officer), batch, build_worker())
    assert "not open for enrolment" in text(response)
    assert not Enrolment.objects.exists()


# ---- withdrawing ----------------------------------------------------------------------------


def test_withdrawing_gives_the_seat_to_the_first_waiting_and_says_who(bantul_officer, client):
    batch = batch_in("3402", quota=1)
    first = services.nominate(batch, build_worker(full_name="Ani"), bantul_officer)
    second = services.nominate(batch, build_worker(full_name="Budi"), bantul_officer)
    third = services.nominate(batch, build_worker(full_name="Citra"), bantul_officer)
    c = english(client, bantul_officer)
    url = reverse("training:withdraw", args=[batch.pk, first.pk])
    confirm = c.get(url)
    assert confirm.status_code == 200
    first.refresh_from_db()
    assert first.status == EnrolmentStatus.ENROLLED  # GET changes nothing
    assert c.post(url, {"reason": ""}).status_code == 200  # a reason is needed
    response = c.post(url, {"reason": "sakit"}, follow=True)
    for e in (first, second, third):
        e.refresh_from_db()
    assert (first.status, first.result_note) == (EnrolmentStatus.WITHDRAWN, "sakit")
    assert second.status == EnrolmentStatus.ENROLLED
    assert third.status == EnrolmentStatus.WAITLISTED
    assert "The freed seat went to Budi" in text(response)
    people = response.context["people"]
    assert [e.worker.full_name for e in people["enrolled"]] == ["Budi"]
    assert [e.worker.full_name for e in people["gone"]] == ["Ani"]


def test_an_officer_cannot_withdraw_a_worker_of_another_regency(
    bantul_officer, sleman_officer, client
):
    batch = batch_in("34")
    enrolment = services.nominate(batch, build_worker(), bantul_officer)
    c = english(client, sleman_officer)
    url = reverse("training:withdraw", args=[batch.pk, enrolment.pk])
    assert c.get(url).status_code == 404
    assert c.post(url, {"reason": "x"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED


# ---- applications ----------------------------------------------------------------------------


def _soon():
    return timezone.localdate() + datetime.timedelta(days=30)


def test_a_psm_applies_and_the_officer_accepts(bantul_officer, trimulyo_worker, client):
    batch = batch_in("3402", starts=_soon())
    worker = build_worker(user=trimulyo_worker)
    c = english(client, trimulyo_worker)
    mine = c.get(reverse("training:mine"))
    assert [o["batch"] for o in mine.context["offers"]] == [batch]
    assert mine.context["offers"][0]["refusal"] == ""
    assert c.get(reverse("training:apply", args=[batch.pk])).status_code == 405
    c.post(reverse("training:apply", args=[batch.pk]))
    enrolment = Enrolment.objects.get(batch=batch, worker=worker)
    assert enrolment.status == EnrolmentStatus.APPLIED

    officer = english(client, bantul_officer)
    detail = officer.get(reverse("training:batch_detail", args=[batch.pk]))
    assert [e.pk for e in detail.context["people"]["applied"]] == [enrolment.pk]
    response = officer.post(
        reverse("training:decide", args=[batch.pk, enrolment.pk]),
        {"decision": "approve"},
        follow=True,
    )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert "got a seat" in text(response)


def test_refusing_an_application_needs_a_reason_the_psm_then_sees(
    bantul_officer, trimulyo_worker, client
):
    batch = batch_in("3402")
    worker = build_worker(user=trimulyo_worker)
    enrolment = services.apply(batch, worker, trimulyo_worker)
    officer = english(client, bantul_officer)
    url = reverse("training:decide", args=[batch.pk, enrolment.pk])
    response = officer.post(url, {"decision": "reject", "reason": ""}, follow=True)
    assert "Give a reason for refusing" in text(response)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.APPLIED
    officer.post(url, {"decision": "reject", "reason": "Kuota desa sudah penuh"})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REJECTED
    page = text(english(client, trimulyo_worker).get(reverse("training:mine")))
    assert "Kuota desa sudah penuh" in page


def test_a_psm_cannot_apply_to_a_batch_that_is_only_planned(trimulyo_worker, client):
    batch = batch_in("3402", status="planned", starts=_soon())
    build_worker(user=trimulyo_worker)
    c = english(client, trimulyo_worker)
    assert c.get(reverse("training:mine")).context["offers"] == []
    response = c.post(reverse("training:apply", args=[batch.pk]), follow=True)
    assert "does not take applications now" in text(response)
    assert not Enrolment.objects.exists()


def test_a_psm_sees_why_they_cannot_apply(trimulyo_worker, client):
    batch = batch_in("3402", code="PSM-L", starts=_soon())
    build_worker(user=trimulyo_worker)
    offers = english(client, trimulyo_worker).get(reverse("training:mine")).context["offers"]
    assert offers[0]["batch"] == batch
    assert "prerequisite" in offers[0]["refusal"]


def test_a_psm_sees_only_their_own_places_and_gives_one_up(bantul_officer, trimulyo_worker, client):
    batch = batch_in("3402", quota=1)
    me = build_worker(full_name="Saya Sendiri", user=trimulyo_worker)
    neighbour = build_worker(full_name="Tetangga")  # same village
    mine = services.nominate(batch, me, bantul_officer)
    theirs = services.nominate(batch, neighbour, bantul_officer)
    c = english(client, trimulyo_worker)
    assert list(Enrolment.objects.visible_to(trimulyo_worker)) == [mine]
    detail = c.get(reverse("training:batch_detail", args=[batch.pk]))
    assert "Tetangga" not in text(detail)
    assert detail.context["my_enrolment"] == mine
    page = c.get(reverse("training:mine"))
    assert [e.pk for e in page.context["places"]] == [mine.pk]
    # someone else's place is not theirs to give up
    other = reverse("training:withdraw", args=[batch.pk, theirs.pk])
    assert c.post(other, {"reason": "x"}).status_code == 404
    response = c.post(
        reverse("training:withdraw", args=[batch.pk, mine.pk]), {"reason": "pindah"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("training:mine")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == EnrolmentStatus.WITHDRAWN
    assert theirs.status == EnrolmentStatus.ENROLLED  # promoted from the waiting list


def test_a_psm_cannot_use_the_officer_pages(trimulyo_worker, client):
    batch = batch_in("3402", status="running")
    build_worker(user=trimulyo_worker)
    c = english(client, trimulyo_worker)
    for name in ("nominate", "grid", "batch_update", "batch_sessions", "results_import"):
        assert c.get(reverse(f"training:{name}", args=[batch.pk])).status_code == 403, name
    assert c.get(reverse("training:batch_create")).status_code == 403


def test_a_login_without_a_worker_record_is_told_so(trimulyo_worker, client):
    page = text(english(client, trimulyo_worker).get(reverse("training:mine")))
    assert "not linked to a worker record" in page
