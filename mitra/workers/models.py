"""The workforce registry: PSM and the other social-welfare workers (PSKS persons), their decrees
(SK), their lifecycle events and requests to correct their identity."""

import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core.categories import SEX_CHOICES, WorkerKind
from mitra.core.fields import EncryptedTextField
from mitra.core.models import AuditedModel, PmksCategory
from mitra.core.scope import RegionScopedQuerySet
from mitra.regions.models import Village


class Status(models.TextChoices):
    APPLIED = "applied", _("application")
    VERIFIED = "verified", _("requirements met")
    ACTIVE = "active", _("active")
    INACTIVE = "inactive", _("inactive")
    SUSPENDED = "suspended", _("suspended")
    EXITED = "exited", _("exited")


class Education(models.TextChoices):
    NONE = "none", _("no formal schooling")
    SD = "sd", "SD"
    SMP = "smp", "SMP"
    SMA = "sma", "SMA/SMK"
    D3 = "d3", "D1-D3"
    S1 = "s1", "D4/S1"
    S2 = "s2", "S2"
    S3 = "s3", "S3"


class WorkerQuerySet(RegionScopedQuerySet):
    def narrow_for_role(self, qs, user):
        from mitra.accounts.roles import Role

        if user.role == Role.WORKER:
            return qs.filter(user=user)
        if user.role == Role.JUROR:
            return qs.none()
        return qs

    def registered(self):
        """Rows that are workers (not records merged into another)."""
        return self.filter(merged_into__isnull=True)


class Worker(AuditedModel):
    """One social-welfare worker (a PSM, TKSK, Tagana member, ...) based in one village."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(
        _("kind"), max_length=10, choices=WorkerKind.choices, default=WorkerKind.PSM
    )
    nik = EncryptedTextField(_("NIK"))
    nik_hash = models.CharField(max_length=64, unique=True, editable=False)
    nik_masked = models.CharField(_("NIK"), max_length=16, editable=False)
    full_name = models.CharField(_("full name"), max_length=150)
    name_key = models.CharField(max_length=150, editable=False, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=SEX_CHOICES)
    birth_place = models.CharField(_("place of birth"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    address = models.CharField(_("address"), max_length=255)
    village = models.ForeignKey(
        Village, verbose_name=_("village of domicile"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(max_length=10, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    education = models.CharField(
        _("education"), max_length=5, choices=Education.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    focus_areas = models.ManyToManyField(
        PmksCategory, verbose_name=_("focus areas"), blank=True, related_name="+"
    )
    photo = models.FileField(_("photo"), upload_to="workers/photos/%Y/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    status_since = models.DateField(_("status since"), default=timezone.localdate)
    ktp_checked = models.BooleanField(
        _("KTP checked: domicile in this village"),
        default=False,
        help_text=_("An officer saw the identity card (KTP) showing this village."),
    )
    basic_training_on = models.DateField(
        _("basic training completed on"),
        null=True,
        blank=True,
        help_text=_("Set by the training records; an officer may record training done elsewhere."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worker",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = WorkerQuerySet.as_manager()

    audit_redact = ("nik",)
    audit_skip = ("nik_hash", "name_key", "version")

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("social worker")
        verbose_name_plural = _("social workers")
        indexes = [
            models.Index(fields=["region_code", "status"]),
            models.Index(fields=["region_code", "full_name"]),
            models.Index(fields=["status", "kind"]),
            # The registry's order, for the wide scopes (a province is 1/38 of the rows).
            models.Index(fields=["full_name", "id"], name="worker_list_order"),
            # Registered workers by status (the home's "waiting for the requirements check" and
            # "waiting for a decree" counts): index-only, without reading merged records' rows.
            models.Index(
                fields=["status", "region_code"],
                condition=Q(merged_into__isnull=True),
                name="worker_registered_status",
            ),
        ]

    def __str__(self):
        return self.full_name

    def history_label(self) -> str:
        return f"{self.full_name} ({self.nik_masked})"

    def save(self, *args, **kwargs):
        from .services import fill_derived_fields

        fill_derived_fields(self)
        super().save(*args, **kwargs)

    @property
    def age(self) -> int:
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    @property
    def is_trained(self) -> bool:
        return self.basic_training_on is not None


class Decree(AuditedModel):
    """A decree letter (SK) of a social office appointing (or re-appointing) a worker."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="decrees")
    number = models.CharField(_("decree (SK) number"), max_length=100)
    issued_on = models.DateField(_("decree date"))
    office = models.CharField(_("signing office"), max_length=150)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scan = models.FileField(_("scan of the decree"), upload_to="workers/decrees/%Y/", blank=True)
    region_code = models.CharField(max_length=10, editable=False)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("decree (SK)")
        verbose_name_plural = _("decrees (SK)")

    def __str__(self):
        return f"SK {self.number} ({self.issued_on:%d-%m-%Y})"

    def save(self, *args, **kwargs):
        self.region_code = self.worker.region_code
        super().save(*args, **kwargs)


class WorkerEvent(models.Model):
    """One step in a worker's life in the programme: a status change, a transfer, a merge."""

    class Kind(models.TextChoices):
        STATUS = "status", _("status changed")
        TRANSFER = "transfer", _("moved to another village")
        MERGE = "merge", _("duplicate record merged")
        IDENTITY = "identity", _("identity corrected")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    on = models.DateField(_("effective date"), default=timezone.localdate)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    from_village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    region_code = models.CharField(max_length=10, editable=False)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("worker event")
        verbose_name_plural = _("worker events")

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"


class IdentityChangeRequest(models.Model):
    """A worker's request to correct their identity data; their regency officer decides."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="identity_requests")
    # The requested values are personal data (a NIK, a birth date): encrypted like the worker's.
    changes_json = EncryptedTextField(_("requested changes"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=255, blank=True)
    region_code = models.CharField(max_length=10, editable=False)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("identity correction request")
        verbose_name_plural = _("identity correction requests")

    def __str__(self):
        return f"{self.worker} ({self.get_state_display()})"

    @property
    def changes(self) -> dict:
        return json.loads(self.changes_json) if self.changes_json else {}

    @changes.setter
    def changes(self, value: dict) -> None:
        self.changes_json = json.dumps(value, default=str)
