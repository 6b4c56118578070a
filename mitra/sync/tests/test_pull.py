"""GET /api/v1/sync/pull: the working set as a snapshot with no sensitive field, the cursor that
answers "unchanged" cheaply, and "changed" after someone else's change, a visit, a hand-over or a
new day."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitra.cases import services
from mitra.core.current import acting_as
from mitra.core.models import AccessLog, PmksCategory
from mitra.sync import pull

from .conftest import PULL, entry, make_person, push, today, visit

pytestmark = pytest.mark.django_db


def _pull(client, cursor=None):
    response = client.get(PULL, {"cursor": cursor} if cursor else {})
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_the_first_pull_gives_the_working_set_without_sensitive_fields(
    psm_client, psm, case, trimulyo_worker
):
    services.add_intervention(
        case,
        trimulyo_worker,
        kind="home_visit",
        on=today(),
        next_follow_up_on=today() + datetime.timedelta(days=2),
        notes="catatan rahasia",
    )
    recorded = make_person(nik="3402090101400005", full_name="Bu Sumi", created_by=trimulyo_worker)
    logged = AccessLog.objects.count()
    answer = _pull(psm_client)
    assert answer["changed"] is True and answer["cursor"]
    assert answer["user"] == {
        "username": "psm.trimulyo",
        "worker_id": str(psm.pk),
        "village": {"code": "3402092004", "name": psm.village.name},
    }
    ws = answer["working_set"]
    assert [c["id"] for c in ws["cases"]] == [str(case.pk)]
    row = ws["cases"][0]
    assert row["status"] == "assessed" and row["status_label"] == "sudah diasesmen"
    assert row["categories"] == [8] and row["overdue"] is False
    assert ws["due"] == [str(case.pk)]
    people = {p["id"]: p for p in ws["beneficiaries"]}
    assert set(people) == {str(case.beneficiary_id), str(recorded.pk)}
    assert people[str(case.beneficiary_id)]["nik_masked"] == "3402********0001"
    assert people[str(case.beneficiary_id)]["age"] == services.age_of(case.beneficiary)
    text = json.dumps(answer)
    for secret in ("diabetes", "Kembangsongo", "3402090101400001", "catatan rahasia"):
        assert secret not in text
    for name in ("health_notes", "address", "disability_type", "violence_details", 'nik"'):
        assert name not in text
    lookups = ws["lookups"]
    assert {"number": 8, "name": PmksCategory.objects.get(number=8).name} in lookups["pmks"]
    assert {"value": "home_visit", "label": "kunjungan rumah"} in lookups["intervention_kinds"]
    # A list, like the list pages: no access-log row.
    assert AccessLog.objects.count() == logged


def test_an_unchanged_working_set_answers_changed_false_with_a_few_aggregate_queries(
    psm_client, case
):
    cursor = _pull(psm_client)["cursor"]
    with CaptureQueriesContext(connection) as queries:
        again = _pull(psm_client, cursor)
    assert again == {**again, "changed": False, "working_set": None, "cursor": cursor}
    fingerprint_queries = [q for q in queries.captured_queries if "cases_" in q["sql"]]
    assert len(fingerprint_queries) == 4


def test_changes_by_others_a_visit_a_hand_over_and_a_new_day_change_the_cursor(
    psm_client, case, psm, trimulyo_worker, jetis_supervisor, other_psm, bantul_officer, monkeypatch
):
    cursor = _pull(psm_client)["cursor"]
    with acting_as(jetis_supervisor):
        services.change_case_status(case, "assessed", jetis_supervisor)
    changed = _pull(psm_client, cursor)
    assert changed["changed"] is True and changed["working_set"]["cases"][0]["version"] == 2
    cursor = changed["cursor"]
    # A follow-up set by a visit (the case row is not saved, its next follow-up is).
    services.add_intervention(
        case,
        trimulyo_worker,
        kind="home_visit",
        on=today(),
        next_follow_up_on=today() + datetime.timedelta(days=3),
    )
    changed = _pull(psm_client, cursor)
    assert changed["changed"] is True and changed["working_set"]["due"] == [str(case.pk)]
    cursor = changed["cursor"]
    # The PSM's own push answers the new cursor: pulling with it is "unchanged".
    answer = push(psm_client, entry("intervention", visit(case.pk)))
    assert answer["cursor"] != cursor
    assert _pull(psm_client, answer["cursor"])["changed"] is False
    cursor = answer["cursor"]
    # Tomorrow the due list may differ.
    tomorrow = today() + datetime.timedelta(days=1)
    monkeypatch.setattr(pull.timezone, "localdate", lambda: tomorrow)
    assert _pull(psm_client, cursor)["changed"] is True
    monkeypatch.undo()
    # Handed over: the case leaves the working set.
    services.transfer_case(case, other_psm, bantul_officer)
    after = _pull(psm_client, cursor)
    assert after["changed"] is True and after["working_set"]["cases"] == []
    assert str(case.beneficiary_id) not in {p["id"] for p in after["working_set"]["beneficiaries"]}


def test_closed_cases_and_other_workers_people_are_not_in_the_working_set(
    psm_client, case, psm, trimulyo_worker, other_psm
):
    closed = services.open_case(
        make_person(nik="3402090101400005", full_name="Pak Karto"),
        psm,
        trimulyo_worker,
        [PmksCategory.objects.get(number=8)],
    )
    services.change_case_status(closed, "closed", trimulyo_worker, reason="resolved")
    theirs = services.open_case(
        make_person(nik="3402090101400007", full_name="Bu Warsi"),
        other_psm,
        other_psm.user,
        [PmksCategory.objects.get(number=8)],
    )
    ws = _pull(psm_client)["working_set"]
    assert [c["id"] for c in ws["cases"]] == [str(case.pk)]
    names = {p["full_name"] for p in ws["beneficiaries"]}
    assert "Bu Warsi" not in names and str(theirs.pk) not in json.dumps(ws)


def test_a_category_added_or_removed_alone_changes_the_cursor(
    psm_client, case, trimulyo_worker, bantul_officer
):
    """The categories live in their own table: a change to them alone moves the case's
    updated_at (mitra/cases/signals.py), so the device does not keep the old ones."""
    pulled = _pull(psm_client)
    cursor, version = pulled["cursor"], pulled["working_set"]["cases"][0]["version"]
    with acting_as(bantul_officer):
        case.categories.add(PmksCategory.objects.get(number=9))
    changed = _pull(psm_client, cursor)
    assert changed["changed"] is True
    assert changed["working_set"]["cases"][0]["categories"] == [8, 9]
    case.refresh_from_db()
    assert case.updated_by == bantul_officer and case.version == version
    cursor = changed["cursor"]
    with acting_as(bantul_officer):
        case.categories.remove(PmksCategory.objects.get(number=8))
    changed = _pull(psm_client, cursor)
    assert changed["changed"] is True and changed["working_set"]["cases"][0]["categories"] == [9]
    assert _pull(psm_client, changed["cursor"])["changed"] is False
    # The version did not move: the PSM's visit on the version they pulled is no conflict.
    answer = push(psm_client, entry("intervention", visit(case.pk), base_version=version))
    assert answer["results"][0]["status"] == "applied"
    # A person's categories corrected by an officer reach the device too.
    cursor = answer["cursor"]
    person = case.beneficiary
    with acting_as(bantul_officer):
        services.update_beneficiary(
            person, bantul_officer, [PmksCategory.objects.get(number=24)], person.version
        )
    changed = _pull(psm_client, cursor)
    people = {p["id"]: p for p in changed["working_set"]["beneficiaries"]}
    assert changed["changed"] is True and people[str(person.pk)]["categories"] == [24]
