"""Training: the course catalogue, batches (angkatan), enrolments with attendance and scores, and
certificates. Passing the basic course completes a worker's basic-training requirement."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core.models import AuditedModel
from mitra.core.scope import RegionScopedQuerySet
from mitra.regions.models import Village
from mitra.workers.models import Worker


class Level(models.TextChoices):
    BASIC = "dasar", _("basic (dasar)")
    ADVANCED = "lanjutan", _("advanced (lanjutan)")
    THEMATIC = "tematik", _("thematic (tematik)")


class OrganiserType(models.TextChoices):
    MINISTRY = "kemensos", _("Ministry training centre (BBPPKS/BPPPKS)")
    PROVINCE = "provinsi", _("Provincial social office / training unit")
    REGENCY = "kabupaten", _("Regency/city social office")


class Course(AuditedModel):
    """A course in the national catalogue, e.g. the basic PSM training (bimtek dasar)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    hours = models.PositiveSmallIntegerField(_("hours (JPL)"))
    competencies = models.TextField(_("competencies"), blank=True)
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        verbose_name=_("prerequisite courses"),
        related_name="required_by",
    )
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (post-test, 0-100)"), default=70)
    attendance_min = models.PositiveSmallIntegerField(_("minimum attendance (%)"), default=80)
    validity_years = models.PositiveSmallIntegerField(
        _("certificate valid for (years)"),
        null=True,
        blank=True,
        help_text=_("Empty: the certificate does not expire."),
    )
    organiser_type = models.CharField(
        _("organised by"), max_length=10, choices=OrganiserType.choices
    )
    completes_basic = models.BooleanField(
        _("completes the basic-training requirement"), default=False
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return f"{self.code} {self.title}"


class BatchStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    OPEN = "open", _("open for enrolment")
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    CANCELLED = "cancelled", _("cancelled")


class BatchQuerySet(RegionScopedQuerySet):
    # A batch serves the organiser's area: a Bantul officer sees DIY's and the ministry's batches.
    include_ancestors = True


class Batch(AuditedModel):
    """One run (angkatan) of a course by one organiser, at one venue, on given dates."""

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="batches", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. Angkatan I 2026"))
    organiser = models.CharField(_("organiser"), max_length=150)
    region_code = models.CharField(
        _("area served"),
        max_length=10,
        blank=True,
        help_text=_("The organiser's area: whose workers may enrol (empty: national)."),
    )
    venue = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("venue (village)")
    )
    venue_detail = models.CharField(_("venue"), max_length=200, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    quota = models.PositiveIntegerField(_("seats"))
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PLANNED
    )
    trainers = models.TextField(_("trainers"), blank=True)
    signer_name = models.CharField(_("certificate signed by"), max_length=150, blank=True)
    signer_title = models.CharField(_("signer's position"), max_length=150, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        indexes = [models.Index(fields=["region_code", "starts_on"])]

    def __str__(self):
        return f"{self.course.code} {self.name}"


class SeatQuota(models.Model):
    """Seats of a batch reserved for one province or regency."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="seat_quotas")
    region_code = models.CharField(_("region"), max_length=4)
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "region_code"], name="one_quota_per_region")
        ]
        verbose_name = _("seat quota")
        verbose_name_plural = _("seat quotas")

    def __str__(self):
        return f"{self.region_code}: {self.seats}"


class TrainingSession(models.Model):
    """One day or part of a batch's programme, for attendance."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="sessions")
    on = models.DateField(_("date"))
    title = models.CharField(_("topic"), max_length=200)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.on} {self.title}"


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("applied, waiting for the officer")
    ENROLLED = "enrolled", _("enrolled")
    WAITLISTED = "waitlisted", _("on the waiting list")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REJECTED = "rejected", _("rejected")


class PersonRecordQuerySet(RegionScopedQuerySet):
    """Rows about one worker: a PSM sees only their own (not their village's), a juror none."""

    worker_path = "worker"

    def narrow_for_role(self, qs, user):
        from mitra.accounts.roles import Role

        if user.role == Role.WORKER:
            return qs.filter(**{f"{self.worker_path}__user": user})
        if user.role == Role.JUROR:
            return qs.none()
        return qs


class Result(models.TextChoices):
    PENDING = "pending", _("not assessed yet")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("did not pass")


class Enrolment(AuditedModel):
    """One worker's place in one batch, with attendance, scores and the result."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="enrolments")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    pre_score = models.PositiveSmallIntegerField(_("pre-test"), null=True, blank=True)
    post_score = models.PositiveSmallIntegerField(_("post-test"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    result_note = models.CharField(_("note"), max_length=255, blank=True)
    region_code = models.CharField(max_length=10, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "worker__full_name"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["batch", "worker"], name="one_enrolment_per_batch")
        ]
        # The seats taken, waiting and applied of each batch listed (filters.batch_counts).
        indexes = [models.Index(fields=["batch", "status"], name="enrolment_batch_status")]

    def __str__(self):
        return f"{self.worker} – {self.batch}"

    def history_label(self) -> str:
        return f"{self.worker.nik_masked} – {self.batch}"

    def save(self, *args, **kwargs):
        self.region_code = self.worker.region_code
        super().save(*args, **kwargs)


class Attendance(models.Model):
    """Whether one enrolled worker attended one session."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="one_attendance_per_session"
            )
        ]

    def __str__(self):
        return f"{self.enrolment_id}/{self.session_id}: {self.present}"


def _verify_code() -> str:
    return secrets.token_urlsafe(12)


class CertificateQuerySet(PersonRecordQuerySet):
    worker_path = "enrolment__worker"

    def valid(self, on=None):
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on)
        )


class Certificate(AuditedModel):
    """A numbered certificate for a passed enrolment; verifiable by its QR code, revocable."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    verify_code = models.CharField(max_length=32, unique=True, default=_verify_code, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_reason = models.CharField(_("reason for revoking"), max_length=255, blank=True)
    region_code = models.CharField(max_length=10, editable=False, db_index=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        self.region_code = self.enrolment.region_code
        super().save(*args, **kwargs)

    def is_valid(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.revoked_at is None and (self.valid_until is None or self.valid_until >= on)
