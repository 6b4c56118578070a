"""Check 7: no lost updates. 50 writers who all read version 1 send their change at once: exactly one
succeeds, the other 49 get the clear conflict message (409 in the API, a form error or message on
the pages), and the stored row is the winner's.

On PostgreSQL the writers are real threads with their own connections, released together by a
barrier. SQLite serialises writers on its one file lock, so there they run one after another, which
still proves the rule (a stale version never wins) but not the race.

Every model with a `version` column must appear in VERSIONED: a race here, or the existing test that
proves its stale-write refusal, or a TODO the integrator resolves."""

import threading

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

WRITERS = 50
CONFLICT = (
    "Someone else changed this record while you were working on it. Reload the page and try again."
)

VERSIONED = {
    "workers.Worker": "race: worker-api, worker-form (here)",
    "cases.Case": "race: case-status-api, case-status-form (here)",
    "cases.Beneficiary": "mitra/cases/tests/test_beneficiary_edit.py (stale form and API)",
    "cases.ActivityReport": "mitra/cases/tests/test_reports_pages.py (stale verification: 409)",
    "training.Enrolment": "race: enrolment-results-api, enrolment-grid-row (here)",
    "awards.Appeal": "race: appeal-decision-api, appeal-decision-form (here)",
    "awards.AwardCycle": "race: cycle-form (here)",
    "awards.Nomination": "race: nomination-portfolio-form (here)",
    "awards.ScoreSheet": "mitra/awards/tests/test_api_awards.py::"
    "test_a_juror_scores_submits_and_is_then_locked_out (stale: 409, no version: 428) and "
    "test_rules_jury.py (stale save_scores)",
    "events.Event": "race: event-form (here)",
    "events.Registration": "race: registration-api (here)",
    "ventures.Venture": "mitra/ventures/tests/test_api.py (stale patch: 409, nothing written) and "
    "test_rules.py (stale update_venture refused)",
}


def conflict_text() -> str:
    with translation.override("id"):
        return gettext(CONFLICT)


def test_every_versioned_model_is_covered():
    versioned = {
        m._meta.label
        for m in apps.get_models()
        if any(f.name == "version" for f in m._meta.concrete_fields)
    }
    missing = versioned - set(VERSIONED)
    assert not missing, f"models with a version column but no lost-update check: {sorted(missing)}"


_CLIENTS: dict = {}


def race(user, attempt, n=WRITERS) -> list:
    """Run `attempt(client, i)` for n writers logged in as `user`; all at once on PostgreSQL."""
    clients = _CLIENTS.setdefault(user.pk, [])  # logged in once, reused by every check
    while len(clients) < n:
        client = Client()
        client.force_login(user)
        clients.append(client)
    if connection.vendor != "postgresql":
        return [attempt(clients[i], i) for i in range(n)]
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        try:
            barrier.wait(timeout=60)
            results[i] = attempt(clients[i], i)
        except Exception as exc:  # reported by the assertions, not lost in the thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def outcome_counts(results, won, lost) -> tuple[int, int, list]:
    wins = [i for i, r in enumerate(results) if won(r)]
    losses = [i for i, r in enumerate(results) if lost(r)]
    other = [r for i, r in enumerate(results) if i not in wins and i not in losses]
    return len(wins), len(losses), other


@pytest.fixture
def scene(request):
    """Committed data on PostgreSQL (the writers' own connections must see it)."""
    _CLIENTS.clear()
    request.addfinalizer(_CLIENTS.clear)
    from mitra.core.current import acting_as
    from mitra.workers.models import Status
    from mitra.workers.tests.builders import build_worker
    from mitra.workers.tests.factories import WorkerFactory

    officer = request.getfixturevalue("bantul_officer")
    psm_user = request.getfixturevalue("trimulyo_worker")
    from mitra.cases.tests.test_api import open_case, person

    worker = WorkerFactory()
    psm = build_worker(user=psm_user, status=Status.ACTIVE, full_name="PSM Trimulyo")
    with acting_as(psm_user):
        beneficiary = person()
    case_api = open_case(psm, psm_user, beneficiary=beneficiary)
    with acting_as(psm_user):
        other = person(nik="3402090101400002", full_name="Mbah Karto")
    case_form = open_case(psm, psm_user, beneficiary=other)
    from mitra.awards.tests.builders import eligible_psm, make_cycle, nominate
    from mitra.events.tests.builders import invite, make_event

    invitation = invite(make_event(sessions=1), psm)
    bantul_event = make_event(region="3402", sessions=1, name="Bimtek PSM Bantul")
    nomination = nominate(make_cycle(), eligible_psm(), officer)
    return {
        "invitation": invitation,
        "event": bantul_event,
        "nomination": nomination,
        "officer": officer,
        "psm_user": psm_user,
        "worker": worker,
        "case_api": case_api,
        "case_form": case_form,
        "enrolments": _running_enrolments(officer),
        "appeals": _pending_appeals(request, officer),
        "admin": request.getfixturevalue("national_admin"),
    }


def _running_enrolments(officer):
    """Two participants of a running Bantul batch the officer organises."""
    from mitra.training import services
    from mitra.training.tests.pagehelpers import batch_in
    from mitra.workers.tests.builders import build_worker

    batch = batch_in("3402", quota=5, name="Angkatan Balapan")
    enrolments = [
        services.nominate(batch, build_worker(full_name=f"Peserta {i}"), officer) for i in (1, 2)
    ]
    services.change_batch_status(batch, "running", officer)
    return enrolments


def _pending_appeals(request, officer):
    """Two pending appeals against Bantul's published regency ranking of a cycle of its own
    (decided by the DIY officer, the level above)."""
    from mitra.awards import services
    from mitra.awards.tests.builders import eligible_psm, make_cycle, nominate, score, stage

    diy_officer = request.getfixturevalue("diy_officer")
    cycle = make_cycle(year=2027)
    juror = request.getfixturevalue("make_user")(
        username="juri.balapan", role="juror", scope_code=""
    )
    services.assign_juror(
        stage=stage(cycle), juror=juror, region_code="34", home_region_code="3471", by=diy_officer
    )
    nominations = [nominate(cycle, eligible_psm(), officer) for _ in range(3)]
    for mark, nomination in zip((9, 8, 7), nominations, strict=True):
        score(nomination, juror, innovation=mark, interview=mark)
    ranking = services.publish_ranking(stage(cycle), "3402", officer)
    appeals = [
        services.file_appeal(ranking, nomination, officer, "Laporan belum dihitung")
        for nomination in nominations[1:]
    ]
    return {"decider": diy_officer, "api": appeals[0], "form": appeals[1]}


def _message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def check_worker_api(scene):
    worker = scene["worker"]

    def attempt(client, i):
        return client.patch(
            f"/api/v1/workers/{worker.pk}",
            {"occupation": f"Pekerjaan {i}"},
            content_type="application/json",
            headers={"if-match": '"1"'},
        )

    results = race(scene["officer"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: getattr(r, "status_code", 0) == 200,
        lambda r: (
            getattr(r, "status_code", 0) == 409 and r.json()["error"]["message"] == conflict_text()
        ),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    worker.refresh_from_db()
    assert (worker.version, worker.occupation) == (2, f"Pekerjaan {winner}")


def check_worker_form(scene):
    from mitra.workers.tests.test_register import edit_data

    worker = scene["worker"]
    worker.refresh_from_db()
    start = worker.version
    stale = {i: edit_data(worker, address=f"Jalan {i}") for i in range(WRITERS)}

    def attempt(client, i):
        return client.post(reverse("workers:update", args=[worker.pk]), stale[i])

    results = race(scene["officer"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: getattr(r, "status_code", 0) == 302,
        lambda r: getattr(r, "status_code", 0) == 200 and conflict_text() in r.content.decode(),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if r.status_code == 302)
    worker.refresh_from_db()
    assert (worker.version, worker.address) == (start + 1, f"Jalan {winner}")


def check_case_status_api(scene):
    case = scene["case_api"]

    def attempt(client, i):
        return client.post(
            f"/api/v1/cases/{case.pk}/status",
            {"to": "assessed", "version": 1},
            content_type="application/json",
        )

    results = race(scene["psm_user"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: getattr(r, "status_code", 0) == 200,
        lambda r: getattr(r, "status_code", 0) == 409 and r.json()["error"]["code"] == "conflict",
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    case.refresh_from_db()
    assert (case.status, case.version) == ("assessed", 2)
    assert case.events.count() == 1  # one status event, not fifty


def check_case_status_form(scene):
    case = scene["case_form"]

    def attempt(client, i):
        response = client.post(
            reverse("cases:case_status", args=[case.pk]), {"to": "assessed", "version": 1}
        )
        return response, _message_texts(response)

    results = race(scene["psm_user"], attempt)
    with translation.override("id"):
        done = gettext("The case is now “%(status)s”.").split("“")[0]
    wins, losses, other = outcome_counts(
        results,
        lambda r: isinstance(r, tuple) and any(m.startswith(done) for m in r[1]),
        lambda r: isinstance(r, tuple) and conflict_text() in " ".join(r[1]),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    case.refresh_from_db()
    assert (case.status, case.version) == ("assessed", 2)


def check_registration_api(scene):
    """The PSM's own registration for an event, saved once (version 1), then 50 stale saves."""
    invitation = scene["invitation"]
    event = invitation.event
    url = f"/api/v1/events/{event.pk}/invitations/{invitation.pk}/registration"
    body = {
        "travel_from": "Bantul",
        "arrival_on": event.starts_on.isoformat(),
        "departure_on": event.ends_on.isoformat(),
        "transport": "bus",
    }
    first = Client()
    first.force_login(scene["psm_user"])
    assert first.put(url, body, content_type="application/json").status_code == 200

    def attempt(client, i):
        changed = {**body, "travel_from": f"Desa {i}", "version": 1}
        return client.put(url, changed, content_type="application/json")

    results = race(scene["psm_user"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: getattr(r, "status_code", 0) == 200,
        lambda r: getattr(r, "status_code", 0) == 409 and r.json()["error"]["message"],
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    registration = invitation.registration
    registration.refresh_from_db()
    assert (registration.version, registration.travel_from) == (2, f"Desa {winner}")


def check_nomination_portfolio_form(scene):
    nomination = scene["nomination"]
    nomination.refresh_from_db()
    start = nomination.version

    def attempt(client, i):
        data = {
            "innovation_title": f"Bank Sampah {i}",
            "innovation_summary": "Ringkasan.",
            "innovation_text": "Uraian.",
            "version": start,
        }
        return client.post(reverse("awards:portfolio_edit", args=[nomination.pk]), data)

    results = race(scene["officer"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: getattr(r, "status_code", 0) == 302,
        lambda r: getattr(r, "status_code", 0) == 200 and conflict_text() in r.content.decode(),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if r.status_code == 302)
    nomination.refresh_from_db()
    assert (nomination.version, nomination.innovation_title) == (start + 1, f"Bank Sampah {winner}")


def form_data(form) -> dict:
    """What the browser sends back for an unchanged form (its bound or initial values)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        key = form[name].html_name  # with the form's prefix, if it has one
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            data[key] = value.isoformat()
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = str(value)
    return data


def check_event_form(scene):
    event = scene["event"]
    url = reverse("events:update", args=[event.pk])
    reader = Client()
    reader.force_login(scene["officer"])
    page = reader.get(url)
    assert page.status_code == 200
    stale = {**form_data(page.context["form"]), "version": str(event.version)}

    def attempt(client, i):
        return client.post(url, {**stale, "venue": f"Aula {i}"})

    results = race(scene["officer"], attempt)
    with translation.override("id"):
        refused = gettext("Someone else changed this event in the meantime. Reload and try again.")
    wins, losses, other = outcome_counts(
        results,
        lambda r: getattr(r, "status_code", 0) == 302,
        lambda r: getattr(r, "status_code", 0) == 200 and refused in r.content.decode(),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if r.status_code == 302)
    event.refresh_from_db()
    assert event.venue == f"Aula {winner}"


def check_enrolment_results_api(scene):
    enrolment = scene["enrolments"][0]
    enrolment.refresh_from_db()
    start = enrolment.version
    url = f"/api/v1/training/enrolments/{enrolment.pk}/results"

    def attempt(client, i):
        # Post-test 51..100, so the stored score names the winner.
        body = {"pre_score": 40, "post_score": 51 + i, "version": start}
        return client.post(url, body, content_type="application/json")

    results = race(scene["officer"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: getattr(r, "status_code", 0) == 200,
        lambda r: (
            getattr(r, "status_code", 0) == 409 and r.json()["error"]["message"] == conflict_text()
        ),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    enrolment.refresh_from_db()
    assert (enrolment.version, enrolment.post_score) == (start + 1, 51 + winner)


def check_enrolment_grid_row(scene):
    """The grid saves a row on every change (htmx); 50 pages read at the same version."""
    enrolment = scene["enrolments"][1]
    enrolment.refresh_from_db()
    start = enrolment.version
    url = reverse("training:grid_row", args=[enrolment.batch_id, enrolment.pk])

    def attempt(client, i):
        data = {
            f"row-{enrolment.pk}": "1",
            f"post-{enrolment.pk}": str(51 + i),
            f"version-{enrolment.pk}": str(start),
        }
        return client.post(url, data, headers={"hx-request": "true"})

    results = race(scene["officer"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: (
            getattr(r, "status_code", 0) == 200
            and "row-errors" not in r.content.decode()
            and f'value="{start + 1}"' in r.content.decode()
        ),
        lambda r: getattr(r, "status_code", 0) == 200 and conflict_text() in r.content.decode(),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if conflict_text() not in r.content.decode())
    enrolment.refresh_from_db()
    assert (enrolment.version, enrolment.post_score) == (start + 1, 51 + winner)


def check_appeal_decision_api(scene):
    appeal = scene["appeals"]["api"]
    appeal.refresh_from_db()
    start = appeal.version

    def attempt(client, i):
        body = {"upheld": False, "reason": f"Alasan {i}", "version": start}
        return client.post(
            f"/api/v1/awards/appeals/{appeal.pk}/decision", body, content_type="application/json"
        )

    results = race(scene["appeals"]["decider"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: getattr(r, "status_code", 0) == 200,
        lambda r: (
            getattr(r, "status_code", 0) == 409 and r.json()["error"]["message"] == conflict_text()
        ),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version, appeal.decision_reason) == (
        "rejected",
        start + 1,
        f"Alasan {winner}",
    )


def check_appeal_decision_form(scene):
    appeal = scene["appeals"]["form"]
    appeal.refresh_from_db()
    start = appeal.version
    url = reverse("awards:appeal_decide", args=[appeal.pk])

    def attempt(client, i):
        response = client.post(url, {"upheld": "0", "reason": f"Alasan {i}", "version": start})
        return response, _message_texts(response)

    results = race(scene["appeals"]["decider"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: isinstance(r, tuple) and r[0].status_code == 302,
        lambda r: (
            isinstance(r, tuple)
            and r[0].status_code == 200
            and conflict_text() in " ".join(r[1]) + r[0].content.decode()
        ),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if r[0].status_code == 302)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version, appeal.decision_reason) == (
        "rejected",
        start + 1,
        f"Alasan {winner}",
    )


def check_cycle_form(scene):
    cycle = scene["nomination"].cycle
    cycle.refresh_from_db()
    start = cycle.version
    url = reverse("awards:cycle_update", args=[cycle.pk])
    reader = Client()
    reader.force_login(scene["admin"])
    page = reader.get(url)
    assert page.status_code == 200
    stale = form_data(page.context["form"])
    for stage_form in page.context["stages"]:
        stale |= form_data(stage_form)
    assert stale["version"] == str(start)

    def attempt(client, i):
        return client.post(url, {**stale, "title": f"PSM Berprestasi {i}"})

    results = race(scene["admin"], attempt)
    wins, losses, other = outcome_counts(
        results,
        lambda r: getattr(r, "status_code", 0) == 302,
        lambda r: getattr(r, "status_code", 0) == 200 and conflict_text() in r.content.decode(),
    )
    assert (wins, losses, other) == (1, WRITERS - 1, [])
    winner = next(i for i, r in enumerate(results) if r.status_code == 302)
    cycle.refresh_from_db()
    assert (cycle.version, cycle.title) == (start + 1, f"PSM Berprestasi {winner}")


CHECKS = [
    check_worker_api,
    check_worker_form,
    check_case_status_api,
    check_case_status_form,
    check_registration_api,
    check_nomination_portfolio_form,
    check_event_form,
    check_enrolment_results_api,
    check_enrolment_grid_row,
    check_appeal_decision_api,
    check_appeal_decision_form,
    check_cycle_form,
]


@pytest.mark.django_db(transaction=True)
def test_fifty_stale_writers_exactly_one_wins_postgresql(scene):
    if connection.vendor != "postgresql":
        pytest.skip("the threaded race runs on PostgreSQL (DATABASE_URL)")
    for check in CHECKS:
        check(scene)


@pytest.mark.django_db
def test_fifty_stale_writers_exactly_one_wins_in_sequence(scene):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL runs the real race above")
    for check in CHECKS:
        check(scene)
