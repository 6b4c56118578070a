"""`mitra prune-sync-receipts`: remove the field app's push receipts that no accepted entry can
need any more (older than MITRA_SYNC_RECEIPT_RETENTION_DAYS, ADR 0025 addendum 2). Run it from
cron once a day (docs/operations.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from mitra.sync.prune import prune_receipts


class Command(BaseCommand):
    help = "Remove sync receipts older than the retention (MITRA_SYNC_RECEIPT_RETENTION_DAYS)."

    def handle(self, *args, **options):
        deleted = prune_receipts()
        days = settings.SYNC_RECEIPT_RETENTION_DAYS
        self.stdout.write(f"{deleted} sync receipt(s) older than {days} days removed.")
