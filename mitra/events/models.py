"""Events: the Temu Nasional PSM Berprestasi and other gatherings, with their agenda (sessions,
speakers, materials), invitations, registrations, attendance per session and participation
certificates.

Scope (docs/adr/0012-events-scope.md): an event belongs to its organiser's area (`region_code`,
'' = national). It is seen inside that area and, like a training batch, from below it (a national
event by every signed-in user); a draft only by those who manage it. An invited worker, and the
officers whose area holds them, see the event too. Invitations and what hangs from them are rows
about one worker: they follow the worker's region, and the event's organisers see them all.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core.fields import EncryptedTextField
from mitra.core.models import AuditedModel
from mitra.core.scope import RegionScopedQuerySet, ancestor_codes, prefix_q, user_scope
from mitra.regions.models import Village
from mitra.workers.models import Worker


class EventKind(models.TextChoices):
    TEMU_NASIONAL = "temu_nasional", _("Temu Nasional PSM Berprestasi")
    OTHER = "other", _("Other event")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for registration")
    CLOSED = "closed", _("closed")


class EventQuerySet(RegionScopedQuerySet):
    include_ancestors = True

    def visible_to(self, user):
        scope = user_scope(user)
        if scope is None or user.role == "juror":
            return self.none()
        if not scope:
            return self.all()
        own_area = prefix_q("region_code", scope)
        above = Q(region_code__in=["", *ancestor_codes(scope)]) & ~Q(status=EventStatus.DRAFT)
        invited = Q(
            pk__in=Invitation.objects.visible_to(user)
            .exclude(event__status=EventStatus.DRAFT)
            .values("event_id")
        )
        if user.role == "worker":
            # A PSM sees the events of the areas above them and those they are invited to.
            return self.filter(above | invited)
        return self.filter(own_area | above | invited)


class Event(AuditedModel):
    """One gathering on given dates at one place, e.g. the Temu Nasional PSM Berprestasi 2018 at
    the village hall of Trimulyo, Bantul."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.TEMU_NASIONAL
    )
    year = models.PositiveSmallIntegerField(_("year"))
    organiser = models.CharField(
        _("organiser"), max_length=150, help_text=_("e.g. Kementerian Sosial RI")
    )
    region_code = models.CharField(
        _("organiser's area"),
        max_length=10,
        blank=True,
        help_text=_("Who organises it: empty for a national event."),
    )
    host_village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("host village")
    )
    venue = models.CharField(_("venue"), max_length=200, help_text=_("e.g. Balai Desa Trimulyo"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    attendance_min = models.PositiveSmallIntegerField(
        _("attendance for a certificate (%)"),
        default=50,
        help_text=_("Share of the sessions a participant must attend to get a certificate."),
    )
    signer_name = models.CharField(_("certificate signed by"), max_length=150, blank=True)
    signer_title = models.CharField(_("signer's position"), max_length=150, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["region_code", "starts_on"])]

    def __str__(self):
        return self.name

    def registration_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == EventStatus.OPEN and today <= self.ends_on


class EventSession(models.Model):
    """One item of the agenda: a talk, a panel, a field visit."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return self.title


class Speaker(models.Model):
    """A person who speaks at a session."""

    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self):
        return self.name


class Material(models.Model):
    """A file (slides, a paper) or a link handed out at a session."""

    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="events/materials/%Y/", blank=True)
    url = models.URLField(_("link"), blank=True)
    size = models.PositiveIntegerField(default=0, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return self.title

    def download_name(self) -> str:
        """The title with the stored file's extension (the stored name is random)."""
        from pathlib import PurePath

        from django.utils.text import slugify

        return f"{slugify(self.title) or 'materi'}{PurePath(self.file.name).suffix.lower()}"


class PersonRowQuerySet(RegionScopedQuerySet):
    """Rows about one invited worker: in the worker's region; a PSM sees only their own, a juror
    none; the event's organisers see every row of their event."""

    event_path = "event"
    worker_path = "worker"

    def visible_to(self, user):
        scope = user_scope(user)
        if scope is None:
            return self.none()
        if user.role == "worker":
            return self.filter(**{f"{self.worker_path}__user": user})
        if user.role == "juror":
            return self.none()
        if not scope:
            return self.all()
        return self.filter(
            prefix_q("region_code", scope) | prefix_q(f"{self.event_path}__region_code", scope)
        )


class InvitationSource(models.TextChoices):
    AWARD_WINNER = "award_winner", _("award cycle winner")
    MANUAL = "manual", _("invited by an officer")


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("invited, no answer yet")
    ACCEPTED = "accepted", _("registered")
    DECLINED = "declined", _("declined")


class Invitation(AuditedModel):
    """One worker invited to one event."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="invitations")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="event_invitations")
    source = models.CharField(
        _("source"), max_length=20, choices=InvitationSource.choices, default="manual"
    )
    award_cycle = models.ForeignKey(
        "awards.AwardCycle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("award cycle"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default="invited"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    region_code = models.CharField(max_length=10, editable=False, db_index=True)

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        ordering = ["event", "region_code", "worker__full_name"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["event", "worker"], name="one_invitation_per_event")
        ]

    def __str__(self):
        return f"{self.worker} – {self.event}"

    def history_label(self) -> str:
        return f"{self.worker.nik_masked} – {self.event}"

    def save(self, *args, **kwargs):
        self.region_code = self.worker.region_code
        super().save(*args, **kwargs)


class Transport(models.TextChoices):
    PLANE = "plane", _("plane")
    TRAIN = "train", _("train")
    BUS = "bus", _("bus")
    SHIP = "ship", _("ship")
    CAR = "car", _("car")
    MOTORBIKE = "motorbike", _("motorbike")
    OTHER = "other", _("other")


class RegistrationQuerySet(PersonRowQuerySet):
    event_path = "invitation__event"
    worker_path = "invitation__worker"


class Registration(AuditedModel):
    """An invitee's confirmed attendance with their travel and lodging needs. Dietary and
    accessibility needs can reveal health or religion: stored encrypted."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="registration"
    )
    travel_from = models.CharField(_("travelling from"), max_length=150)
    arrival_on = models.DateField(_("arrival date"))
    departure_on = models.DateField(_("departure date"))
    transport = models.CharField(_("transport"), max_length=10, choices=Transport.choices)
    lodging_needed = models.BooleanField(_("needs lodging"), default=True)
    dietary_needs = EncryptedTextField(_("dietary needs"), blank=True)
    accessibility_needs = EncryptedTextField(_("accessibility or health needs"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(max_length=10, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    audit_redact = ("dietary_needs", "accessibility_needs")

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self):
        return str(self.invitation)

    def history_label(self) -> str:
        return self.invitation.history_label()

    def save(self, *args, **kwargs):
        self.region_code = self.invitation.region_code
        super().save(*args, **kwargs)


class Attendance(models.Model):
    """Whether one registered invitee attended one session."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "session"], name="one_event_attendance_per_session"
            )
        ]

    def __str__(self):
        return f"{self.invitation_id}/{self.session_id}: {self.present}"


def _verify_code() -> str:
    return secrets.token_urlsafe(12)


class CertificateQuerySet(PersonRowQuerySet):
    event_path = "invitation__event"
    worker_path = "invitation__worker"


class ParticipationCertificate(AuditedModel):
    """A numbered certificate of participation in an event; verifiable by its QR code at the
    same public page as training certificates, revocable."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    verify_code = models.CharField(max_length=32, unique=True, default=_verify_code, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_reason = models.CharField(_("reason for revoking"), max_length=255, blank=True)
    region_code = models.CharField(max_length=10, editable=False, db_index=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("participation certificate")
        verbose_name_plural = _("participation certificates")

    def __str__(self):
        return self.number

    def history_label(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        self.region_code = self.invitation.region_code
        super().save(*args, **kwargs)
