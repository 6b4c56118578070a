"""The receipts of a batch (mitra/sync/receipts.py): claimed in one statement before the entries,
completed in one after them; an entry that is not applied leaves no receipt, so the device can
send it again, and nothing half-made (a claim without its row) outlives the push."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitra.cases.models import ActivityReport, Intervention
from mitra.sync.models import SyncReceipt

from .conftest import entry, push, report, visit

pytestmark = pytest.mark.django_db


def test_only_applied_entries_keep_a_receipt_and_a_refused_one_can_be_sent_again(psm_client, case):
    bad = entry("report", report(on="2999-01-01"))
    batch = [entry("intervention", visit(case.pk)), bad, entry("report", report())]
    answer = push(psm_client, *batch)
    assert [r["status"] for r in answer["results"]] == ["applied", "invalid", "applied"]
    stored = dict(SyncReceipt.objects.values_list("uuid", "object_id"))
    assert {str(u) for u in stored} == {batch[0]["uuid"], batch[2]["uuid"]}
    visit_id = str(Intervention.objects.get(case=case).pk)
    assert stored[next(u for u in stored if str(u) == batch[0]["uuid"])] == visit_id
    # The same entry, corrected, under the same uuid: written now, once.
    bad["data"]["on"] = report()["on"]
    again = push(psm_client, bad)
    assert again["results"][0]["status"] == "applied", again
    assert ActivityReport.objects.count() == 2
    assert SyncReceipt.objects.get(pk=bad["uuid"]).object_id == again["results"][0]["object"]["id"]


def test_a_reference_to_an_entry_later_in_the_batch_is_not_sent_yet(psm_client, case):
    later = entry("case", {"beneficiary": str(case.beneficiary_id), "categories": [8]})
    early = entry("intervention", {**visit(), "case_ref": later["uuid"]})
    answer = push(psm_client, early, later)
    assert [r["status"] for r in answer["results"]] == ["invalid", "applied"]
    # Named by its reference (a claim of this batch is not a row to point to yet).
    assert list(answer["results"][0]["errors"]) == ["case_ref"], answer
    assert not SyncReceipt.objects.filter(pk=early["uuid"]).exists()


def test_the_receipts_of_a_batch_cost_three_statements_however_long(psm_client, case):
    batch = [entry("report", report()) for _ in range(20)]
    batch.append(entry("report", report(on="2999-01-01")))
    with CaptureQueriesContext(connection) as queries:
        push(psm_client, *batch)
    on_receipts = [q["sql"].split()[0] for q in queries if "sync_syncreceipt" in q["sql"]]
    # Looked up, claimed, completed, the refused entry's claim taken back.
    assert on_receipts == ["SELECT", "INSERT", "UPDATE", "DELETE"], on_receipts
    assert SyncReceipt.objects.count() == 20
