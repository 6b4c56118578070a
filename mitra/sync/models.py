"""The offline field app's receipts (issue 14, ADR 0025)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    BENEFICIARY = "beneficiary", _("new person")
    CASE = "case", _("new case")
    INTERVENTION = "intervention", _("visit or intervention")
    REFERRAL = "referral", _("referral")
    REPORT = "report", _("activity report")


class SyncReceipt(models.Model):
    """One entry a PSM's device sent that was written: the device's own id for the entry (its
    uuid) and the row it became. A second push of the same uuid finds the receipt and writes
    nothing again (the primary key makes a racing duplicate fail). Holds no personal data: the
    person, visit or report is the object's row, under its own scope and history."""

    uuid = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=15, choices=EntryKind.choices)
    object_id = models.CharField(max_length=64)
    applied_at = models.DateTimeField(default=timezone.now)
    # The entry's `created_at` (the device's clock), kept so that the clean-up never removes the
    # receipt of an entry a push would still accept (`prune.prune_receipts`).
    entry_created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sync receipt")
        verbose_name_plural = _("sync receipts")
        indexes = [models.Index(fields=["applied_at"], name="sync_receipt_applied")]

    def __str__(self):
        return f"{self.kind} {self.uuid}"
