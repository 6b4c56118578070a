"""Base models and the records every app shares: change history, access log, background jobs."""

import copy
import datetime
import decimal
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .atomic import atomic
from .current import current_actor, current_address
from .history_batch import pending_rows
from .scope import RegionScopedQuerySet

AUDIT_SKIP_FIELDS = {"created_at", "created_by", "updated_at", "updated_by", "version"}


def _plain(value):
    """A JSON-friendly copy of a field value for the change history."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _display_value(field, value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    choices = dict(getattr(field, "flatchoices", None) or ())
    if value in choices:
        return str(choices[value])
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            parsed = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
        return date_format(parsed, "j F Y")
    return value


def _field_label(field, name: str):
    """A field's name for people. A relation declared without a label of its own (`worker`,
    `case`) is named after the model it points to, whose name is translated; the region code,
    kept on every region-bound row, shares one label."""
    if field is None:
        return name
    if name == "region_code":
        return _("region code")
    # Django's default label is the field's name with spaces: then none was declared.
    declared = field.verbose_name != name.replace("_", " ")
    if field.is_relation and field.related_model is not None and not declared:
        return field.related_model._meta.verbose_name
    return field.verbose_name


class AuditedModel(models.Model):
    """Abstract base: who created and last changed a row, and a change history of every save.

    Fields named in `audit_redact` (encrypted personal data, password hashes) appear in the history
    as changed, never with their values.
    """

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    audit_redact: tuple[str, ...] = ()
    audit_skip: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        # Most loaded rows are only read (lists, due lists): keep the loaded values as they are
        # and build the history's "before" only when the row is saved. Field values are
        # immutable except JSON-like ones, which are copied so that in-place edits still show.
        loaded = dict(instance.__dict__)
        for name, value in loaded.items():
            if isinstance(value, dict | list):
                loaded[name] = copy.deepcopy(value)
        instance._audit_loaded = loaded
        return instance

    def _audit_before_values(self) -> tuple[dict, dict]:
        if hasattr(self, "_audit_before"):
            return self._audit_before, self._audit_raw
        loaded = getattr(self, "_audit_loaded", None)
        if loaded is None:
            return {}, {}
        return self.audit_snapshot(loaded), self._redacted_values(loaded)

    def _redacted_values(self, source: dict | None = None) -> dict:
        if source is not None:
            return {name: source.get(name) for name in self.audit_redact}
        return {name: getattr(self, name, None) for name in self.audit_redact}

    def audit_snapshot(self, source: dict | None = None) -> dict:
        """Field values for the history, from the instance or from a dict of loaded values."""
        values = self.__dict__ if source is None else source
        snapshot = {}
        for field in self._meta.concrete_fields:
            if (
                field.name in AUDIT_SKIP_FIELDS
                or field.name in self.audit_skip
                or field.attname not in values
            ):
                continue
            value = values[field.attname]
            snapshot[field.name] = (
                "•••" if field.name in self.audit_redact and value else _plain(value)
            )
        return snapshot

    def audit_region_code(self) -> str:
        """The region the row belongs to, so its history is scoped like the row itself."""
        field = getattr(type(self)._default_manager.get_queryset(), "scope_field", None)
        return (getattr(self, field, "") or "") if field else ""

    def save(self, *args, **kwargs):
        actor = current_actor()
        creating = self._state.adding
        if actor is not None:
            if creating and self.created_by_id is None:
                self.created_by = actor
            self.updated_by = actor
        before, raw_before = ({}, {}) if creating else self._audit_before_values()
        with atomic():
            super().save(*args, **kwargs)
            after = self.audit_snapshot()
            raw_after = self._redacted_values()
            changes = {}
            for name, value in after.items():
                if name in self.audit_redact:
                    if raw_before.get(name) != raw_after.get(name):
                        changes[name] = ["•••" if raw_before.get(name) else None, value]
                elif before.get(name) != value:
                    changes[name] = [before.get(name), value]
            if creating or changes:
                action = ChangeLog.Action.CREATE if creating else ChangeLog.Action.UPDATE
                ChangeLog.record(self, action, changes, actor)
        self._audit_before = after
        self._audit_raw = raw_after

    def delete(self, *args, **kwargs):
        with atomic():
            ChangeLog.record(
                self,
                ChangeLog.Action.DELETE,
                {name: [value, None] for name, value in self.audit_snapshot().items()},
                current_actor(),
            )
            return super().delete(*args, **kwargs)


class AppendOnlyQuerySet(RegionScopedQuerySet):
    """Logs are evidence: the application can add rows, never change or remove them."""

    def update(self, **kwargs):
        raise PermissionError("Log rows cannot be changed.")

    def delete(self):
        raise PermissionError("Log rows cannot be deleted.")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Log rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Log rows cannot be deleted.")


class ChangeLog(AppendOnlyModel):
    """One change to one domain row: who made it, when, and each field's value before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    object_label = models.CharField(_("record"), max_length=200, blank=True)
    region_code = models.CharField(_("region"), max_length=10, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("change history")
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_label} ({self.at:%Y-%m-%d %H:%M})"

    @classmethod
    def record(cls, instance, action, changes, actor):
        row = cls(
            actor=actor,
            address=current_address(),
            action=action,
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_id=str(instance.pk),
            object_label=instance.history_label()[:200]
            if hasattr(instance, "history_label")
            else f"{instance._meta.verbose_name} #{instance.pk}",
            region_code=instance.audit_region_code(),
            changes=changes,
        )
        pending = pending_rows()
        if pending is not None:  # a batch of writes: inserted with the others at its end
            pending.append(row)
        else:
            row.save()
        return row

    def display_changes(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) for people: verbose names and choice labels, not codes;
        personal fields masked when the entry was marked so for its reader (`mask_history`)."""
        from .reasons import masked_value

        mask = getattr(self, "mask_personal", False)
        model = self.content_type.model_class()
        rows = []
        for name, pair in self.changes.items():
            before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            field = None
            if model is not None:
                try:
                    field = model._meta.get_field(name)
                except Exception:  # noqa: BLE001 - a field removed since the change was logged
                    field = None
            label = str(_field_label(field, name))
            if mask:
                before, after = masked_value(name, before), masked_value(name, after)
            rows.append((label, _display_value(field, before), _display_value(field, after)))
        return rows

    @classmethod
    def for_object(cls, instance):
        return cls.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_id=str(instance.pk),
        ).select_related("actor")


class AccessLog(AppendOnlyModel):
    """One read of personal data: who opened or exported which record (or list), when, from where.

    Holds identifiers only, never the names or NIKs that were read.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("opened")
        API = "api", _("read through the API")
        EXPORT = "export", _("exported")
        PRINT = "print", _("printed")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("record"), max_length=64, blank=True, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"), default=1)
    region_code = models.CharField(_("region"), max_length=10, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.content_type_id}:{self.object_id} ({self.at:%Y-%m-%d %H:%M})"


class JobQuerySet(RegionScopedQuerySet):
    def narrow_for_role(self, qs, user):
        # Officers share their area's jobs; everyone else sees only the jobs they started.
        if user.is_officer:
            return qs
        return qs.filter(created_by=user)


class Job(models.Model):
    """One background job a user started (an import, an export, a data load) and its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    region_code = models.CharField(_("region"), max_length=10, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.progress * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class PmksCategory(models.Model):
    """One of the 26 official kinds of persons needing social-welfare services (PMKS/PPKS,
    Permensos 08/2012), with its official number. Seeded data, not free text."""

    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("PMKS category")
        verbose_name_plural = _("PMKS categories")

    def __str__(self):
        return f"{self.number}. {self.name}"
