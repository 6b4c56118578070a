"""What a push costs in statements: the same per entry however long the batch (a baseline that
fails when an entry grows a statement), the rollups' dirty marks written once per batch, the
village and categories read once per batch (ADR 0028), and no savepoint but the entry's own
(mitra/core/atomic.py) while an error deep in an entry still rolls back that entry alone."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitra.cases import services
from mitra.cases.models import ActivityReport, Case, CaseStatus, Intervention
from mitra.core import batch as lookups
from mitra.core.models import ChangeLog, PmksCategory
from mitra.stats import rollups
from mitra.stats.rollups_models import DirtyDistrict

from .conftest import entry, new_person, push, report, today, visit

pytestmark = pytest.mark.django_db

# Statements of one more entry (a visit and a report, alternately): 3 since the entry's savepoint
# is not released and a visit reads no follow-ups it can tell from its locked case (7 Dec 2026),
# 6 since the change history is inserted once per batch (6 Dec), 7.5 before, 12.5 before the
# nested blocks lost their savepoints and the marks were batched.
PER_ENTRY = 3
# Of a push of 10 such entries, the request's own included (session, user, worker, receipts).
BASELINE_10 = 45


def _batch(case, n: int) -> list[dict]:
    return [
        entry("intervention", visit(case.pk)) if i % 2 else entry("report", report())
        for i in range(n)
    ]


def _statements(client, batch) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        answer = push(client, *batch)
    assert {r["status"] for r in answer["results"]} == {"applied"}
    return [q["sql"] for q in queries.captured_queries]


def test_a_push_costs_the_same_statements_per_entry_however_long(psm_client, case):
    _statements(psm_client, _batch(case, 2))  # content types and the like, cached once
    ten = _statements(psm_client, _batch(case, 10))
    thirty = _statements(psm_client, _batch(case, 30))
    per_entry = (len(thirty) - len(ten)) / 20
    assert per_entry <= PER_ENTRY, per_entry
    assert len(ten) <= BASELINE_10, len(ten)
    # One savepoint per entry (its own); the shared functions' nested blocks take none. The two
    # more: the push's block (inside the test's transaction) and the session's save.
    savepoints = [s for s in thirty if s.startswith("SAVEPOINT")]
    assert len(savepoints) <= 30 + 2, len(savepoints)
    # An applied entry's savepoint is left to the batch's commit (mitra/core/atomic.py): the
    # releases are those of the two blocks named above.
    releases = [s for s in thirty if s.startswith("RELEASE SAVEPOINT")]
    assert len(releases) <= 2, len(releases)
    # The rollups' dirty marks: one statement for the batch, not one per entry.
    marks = [s for s in thirty if DirtyDistrict._meta.db_table in s and "INSERT" in s]
    assert len(marks) == 1, marks


def test_the_batch_marks_its_district_once(psm_client, case):
    DirtyDistrict.objects.all().delete()
    push(psm_client, *_batch(case, 4))
    assert list(DirtyDistrict.objects.values_list("code", flat=True)) == ["340209"]


def test_the_village_and_the_categories_are_read_once_per_batch(psm_client):
    person = entry("beneficiary", new_person())
    batch = [person, entry("case", {"beneficiary_ref": person["uuid"], "categories": [8]})]
    batch += [entry("report", report()) for _ in range(4)]
    statements = _statements(psm_client, batch)
    assert sum('FROM "regions_village"' in s for s in statements) == 1
    assert sum('"core_pmkscategory"."number" IN' in s for s in statements) == 1
    # The new rows' categories: one INSERT each, nothing read back or touched again.
    categories = [s for s in statements if "_categories" in s]
    assert [s.split()[0] for s in categories] == ["INSERT", "INSERT"], categories


def test_memo_outside_a_batch_asks_every_time_and_keeps_no_error():
    calls = []

    def count():
        calls.append(1)
        return len(calls)

    assert lookups.memo("k", count) == 1 and lookups.memo("k", count) == 2
    with lookups.batch():
        assert lookups.memo("k", count) == 3 and lookups.memo("k", count) == 3
        with pytest.raises(PmksCategory.DoesNotExist):
            lookups.memo("missing", lambda: PmksCategory.objects.get(number=999))
        assert lookups.memo("missing", lambda: "found") == "found"
    assert lookups.memo("k", count) == 4


def test_batched_marks_merge_as_mark_dirty_does_and_write_at_the_end():
    DirtyDistrict.objects.all().delete()
    with rollups.batched_marks():
        rollups.mark_dirty(["3402092004"], since=datetime.date(2026, 3, 5))
        rollups.mark_dirty(["3402092003"], since=datetime.date(2026, 1, 9))
        rollups.mark_dirty(["3404012001"], since=datetime.date(2026, 2, 1))
        rollups.mark_dirty(["3404012001"], since=None)
        rollups.mark_dirty(["3471010001"], since=datetime.date(2026, 4, 2))
        assert not DirtyDistrict.objects.exists()  # nothing before the batch ends
    assert dict(DirtyDistrict.objects.values_list("code", "since")) == {
        "340209": datetime.date(2026, 1, 1),
        "340401": None,
        "347101": datetime.date(2026, 4, 1),
    }


def test_batched_marks_write_nothing_when_the_batch_fails():
    DirtyDistrict.objects.all().delete()
    with pytest.raises(RuntimeError), rollups.batched_marks():
        rollups.mark_dirty(["3402092004"])
        raise RuntimeError
    assert not DirtyDistrict.objects.exists()


def test_an_error_in_a_nested_block_rolls_back_that_entry_alone(psm_client, case, monkeypatch):
    """The change history is written inside the audited save's nested block, which has no
    savepoint of its own in a push: its failure still undoes the entry's visit (written just
    before it, in the same block) and nothing of the other entries."""
    record = ChangeLog.record

    def broken(obj, *args, **kwargs):
        if isinstance(obj, Intervention):
            raise RuntimeError("disk full")
        return record(obj, *args, **kwargs)

    monkeypatch.setattr(ChangeLog, "record", broken)
    answer = push(psm_client, entry("report", report()), entry("intervention", visit(case.pk)))
    monkeypatch.undo()
    assert [r["status"] for r in answer["results"]] == ["applied", "invalid"]
    assert not Intervention.objects.filter(case=case).exists()
    assert ActivityReport.objects.count() == 1
    # The transaction is usable after the failed entry: the next push writes.
    answer = push(psm_client, entry("intervention", visit(case.pk)))
    assert answer["results"][0]["status"] == "applied"


def test_the_history_of_a_batch_is_one_insert_and_a_refused_entry_leaves_none(
    psm_client, case, monkeypatch
):
    from django.core.exceptions import ValidationError

    from mitra.cases import services

    def refused_step(*args, **kwargs):
        raise ValidationError("Langkah ditolak.")

    monkeypatch.setattr(services, "change_case_status", refused_step)
    batch = [
        entry("report", report()),
        entry("intervention", visit(case.pk)),  # written, then its case step refused
        entry("report", report()),
    ]
    with CaptureQueriesContext(connection) as queries:
        answer = push(psm_client, *batch)
    assert [r["status"] for r in answer["results"]] == ["applied", "invalid", "applied"]
    inserts = [
        q["sql"] for q in queries.captured_queries if 'INSERT INTO "core_changelog"' in q["sql"]
    ]
    assert len(inserts) == 1, inserts
    reports = ActivityReport.objects.order_by("pk")
    assert reports.count() == 2
    for row in reports:
        history = ChangeLog.for_object(row).get()
        assert history.action == ChangeLog.Action.CREATE and history.actor is not None
        assert history.region_code == row.region_code
    assert not ChangeLog.objects.filter(content_type__model="intervention").exists()


def test_outside_a_batch_the_history_is_written_at_once(psm_client, case):
    from mitra.core.history_batch import pending_rows

    assert pending_rows() is None
    with CaptureQueriesContext(connection) as queries:
        response = psm_client.post(
            f"/api/v1/cases/{case.pk}/interventions",
            visit(),
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert ChangeLog.objects.filter(content_type__model="intervention").count() == 1
    assert any('INSERT INTO "core_changelog"' in q["sql"] for q in queries.captured_queries)


def test_the_batch_reads_its_cases_once(psm_client, case):
    visits = [entry("intervention", visit(case.pk), base_version=case.version) for _ in range(5)]
    statements = _statements(psm_client, visits)
    # The whole row, as a visit works on it (the rollups' marks read four columns apart).
    case_reads = [
        s for s in statements if s.startswith("SELECT") and '"cases_case"."version" FROM' in s
    ]
    assert len(case_reads) == 1, case_reads
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in case_reads[0]


def test_an_entry_rolled_back_does_not_leave_its_case_changed_for_the_next(
    psm_client, case, monkeypatch
):
    """The first visit's status step fails after it raised the case's version in memory; its
    savepoint undoes the database, and the next visit on the case reads the case again: it is
    applied (not a conflict with a version that was never stored)."""
    from django.core.exceptions import ValidationError

    from mitra.cases.models import CaseEvent

    create = CaseEvent.objects.create
    calls = []

    def fail_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ValidationError("Gangguan sesaat.")
        return create(**kwargs)

    monkeypatch.setattr(CaseEvent.objects, "create", fail_once)
    version = case.version
    batch = [entry("intervention", visit(case.pk), base_version=version) for _ in range(2)]
    answer = push(psm_client, *batch)
    assert [r["status"] for r in answer["results"]] == ["invalid", "applied"]
    case.refresh_from_db()
    assert case.status == "assessed" and case.version == version + 1
    assert Intervention.objects.filter(case=case).count() == 1


def test_a_referral_moves_its_locked_case_on_with_one_write_of_the_row(psm_client, case):
    services.change_case_status(case, CaseStatus.ASSESSED, case.worker.user)
    version = Case.objects.get(pk=case.pk).version
    referral = {"case": str(case.pk), "programme": "pkh", "sent_on": today().isoformat()}
    with CaptureQueriesContext(connection) as queries:
        answer = push(psm_client, entry("referral", referral, base_version=version))
    assert answer["results"][0]["status"] == "applied", answer
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.version) == (CaseStatus.REFERRED, version + 1)
    # The batch locked the case: its version is not checked by an UPDATE of its own (mitra/cases/
    # held.py); the step's save writes the row, version included.
    writes = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "cases_case"')]
    assert len(writes) == 1, writes
