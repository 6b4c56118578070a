"""Receipts are pruned once no accepted entry can need them (ADR 0025, addendum 2): an entry made
longer ago than the retention is refused with a message the PSM can act on, a receipt is kept
while its entry or its write is younger than that, and a recent batch sent again after the
clean-up still writes once."""

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from mitra.cases.models import ActivityReport, Intervention
from mitra.sync.models import SyncReceipt

from .conftest import entry, push, report, visit

pytestmark = pytest.mark.django_db


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _receipt(user, applied_days, created_days) -> SyncReceipt:
    created = None if created_days is None else _ago(created_days)
    return SyncReceipt.objects.create(
        uuid=uuid.uuid4(),
        user=user,
        kind="report",
        object_id="1",
        applied_at=_ago(applied_days),
        entry_created_at=created,
    )


def test_old_receipts_go_recent_ones_stay_and_a_recent_batch_sent_again_writes_once(
    psm_client, case, trimulyo_worker, settings
):
    assert settings.SYNC_RECEIPT_RETENTION_DAYS == 180
    now = timezone.now().isoformat()
    batch = [
        entry("intervention", visit(case.pk), created_at=now),
        entry("report", report(), created_at=now),
    ]
    assert [r["status"] for r in push(psm_client, *batch)["results"]] == ["applied"] * 2
    old = _receipt(trimulyo_worker, 200, 200)
    old_without_time = _receipt(trimulyo_worker, 181, None)
    # Written long ago from a phone whose clock ran ahead: a resend would still be accepted.
    ahead = _receipt(trimulyo_worker, 181, 100)
    # Made long ago, written lately: its write is recent.
    late = _receipt(trimulyo_worker, 10, 200)
    recent_without_time = _receipt(trimulyo_worker, 179, None)

    out = io.StringIO()
    call_command("prune_sync_receipts", stdout=out)
    assert out.getvalue().startswith("2 sync receipt(s) older than 180 days removed")
    kept = set(SyncReceipt.objects.values_list("pk", flat=True))
    assert old.pk not in kept and old_without_time.pk not in kept
    assert {ahead.pk, late.pk, recent_without_time.pk} <= kept
    assert {uuid.UUID(e["uuid"]) for e in batch} <= kept

    again = push(psm_client, *batch)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 2
    assert Intervention.objects.count() == 1 and ActivityReport.objects.count() == 1


def test_an_entry_older_than_the_retention_is_refused_and_not_written(psm_client, case):
    stale = entry("intervention", visit(case.pk), created_at=_ago(181).isoformat())
    fresh = entry("report", report(), created_at=_ago(179).isoformat())
    naive = entry("report", report(), created_at=_ago(181).replace(tzinfo=None).isoformat())
    answer = push(psm_client, stale, fresh, naive)
    refused, applied, naive_refused = answer["results"]
    assert refused["status"] == "refused" and naive_refused["status"] == "refused"
    assert refused["message"].startswith("Catatan ini dibuat lebih dari 180 hari yang lalu")
    assert "tanggal di ponsel" in refused["message"]
    assert refused["object"] is None
    assert applied["status"] == "applied"
    assert Intervention.objects.count() == 0 and ActivityReport.objects.count() == 1
    assert not SyncReceipt.objects.filter(pk=stale["uuid"]).exists()
    receipt = SyncReceipt.objects.get(pk=fresh["uuid"])
    assert abs(receipt.entry_created_at - _ago(179)) < datetime.timedelta(hours=1)


def test_an_old_entry_whose_receipt_is_kept_answers_duplicate_not_refused(
    psm_client, case, settings
):
    """Sent 100 days after it was made, its answer lost; by the next push the retention (here 90
    days) has passed for its device time, but its receipt was written lately and is kept."""
    sent = entry("report", report(), created_at=_ago(100).isoformat())
    settings.SYNC_RECEIPT_RETENTION_DAYS = 120
    assert push(psm_client, sent)["results"][0]["status"] == "applied"
    settings.SYNC_RECEIPT_RETENTION_DAYS = 90
    call_command("prune_sync_receipts", stdout=io.StringIO())
    again = push(psm_client, sent)["results"][0]
    assert again["status"] == "duplicate" and ActivityReport.objects.count() == 1
    # A device with no time on its entries (another API client) is not refused.
    assert push(psm_client, entry("report", report()))["results"][0]["status"] == "applied"


def test_the_message_follows_the_users_language(psm_client, case):
    psm_client.cookies["django_language"] = "en"
    stale = entry("report", report(), created_at=_ago(400).isoformat())
    result = push(psm_client, stale)["results"][0]
    assert result["message"].startswith("This entry was made more than 180 days ago")
