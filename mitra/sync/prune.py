"""The clean-up of the push's receipts (ADR 0025, addendum 2), run by `mitra prune-sync-receipts`
from cron.

A receipt answers a resent entry "duplicate" instead of writing it again. The push refuses an
entry made before `cutoff()` (by the device's clock), so a receipt is needed only while its entry
is younger than that, or while it was written more recently than that (a device whose clock ran
ahead). Receipts past both are removed; every entry a push still accepts keeps its receipt."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import SyncReceipt

CHUNK = 5000  # rows per delete: each its own short transaction, never a long lock on the table


def cutoff(now=None) -> datetime.datetime:
    now = now or timezone.now()
    return now - datetime.timedelta(days=settings.SYNC_RECEIPT_RETENTION_DAYS)


def expired(now=None):
    before = cutoff(now)
    return SyncReceipt.objects.filter(applied_at__lt=before).filter(
        Q(entry_created_at__isnull=True) | Q(entry_created_at__lt=before)
    )


def prune_receipts(now=None, chunk: int = CHUNK) -> int:
    """Deletes the expired receipts in chunks; answers how many."""
    deleted = 0
    while True:
        ids = list(expired(now).values_list("pk", flat=True)[:chunk])
        if not ids:
            return deleted
        deleted += SyncReceipt.objects.filter(pk__in=ids).delete()[0]
