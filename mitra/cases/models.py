"""Field work: the persons a worker helps (PMKS/PPKS beneficiaries), their cases, the
interventions and referrals on a case, and activity reports verified by the district supervisor.

This is the most sensitive data in Mitra (disability, HIV, children, victims of violence): details
are encrypted at rest, lists never show a NIK in full, and every read of a person is logged."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mitra.core.categories import SEX_CHOICES
from mitra.core.fields import EncryptedTextField
from mitra.core.models import AuditedModel, PmksCategory
from mitra.core.scope import RegionScopedQuerySet
from mitra.regions.models import Village
from mitra.workers.models import Worker


def _own_worker(user):
    return getattr(user, "worker", None) if user.role == "worker" else None


class BeneficiaryQuerySet(RegionScopedQuerySet):
    def beyond_region(self, user):
        # A PSM who received a case from another village opens that person too (ADR 0012).
        worker = _own_worker(user)
        return Q(pk__in=_cases_of(worker)) if worker else None

    def narrow_for_role(self, qs, user):
        # A PSM opens only the people whose cases they are responsible for, or whom they
        # recorded while nobody has a case for them yet; supervisors and officers see their area.
        # Subqueries, not a join: no DISTINCT over the list (ADR 0012).
        if user.role == "worker":
            worker = _own_worker(user)
            if worker is None:
                return qs.none()
            no_case = ~Exists(Case.objects.filter(beneficiary=OuterRef("pk")))
            return qs.filter(Q(pk__in=_cases_of(worker)) | (Q(created_by=user) & no_case))
        if user.role == "juror":
            return qs.none()
        return qs


def _cases_of(worker):
    return Case.objects.filter(worker=worker).values("beneficiary_id")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("signed form")
    THUMBPRINT = "thumbprint", _("thumbprint")
    VERBAL = "verbal", _("spoken, witnessed")


class ConsentRelation(models.TextChoices):
    SELF = "self", _("the person themself")
    PARENT = "parent", _("parent")
    GUARDIAN = "guardian", _("guardian")
    FAMILY = "family", _("other family member")


class Beneficiary(AuditedModel):
    """A person needing social-welfare services (PMKS/PPKS) whom a worker found and helps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.CharField(_("full name"), max_length=150)
    name_key = models.CharField(max_length=150, editable=False, db_index=True)
    nik = EncryptedTextField(_("NIK"), blank=True)
    nik_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    nik_masked = models.CharField(_("NIK"), max_length=16, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=SEX_CHOICES)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(
        _("estimated age"),
        null=True,
        blank=True,
        help_text=_("When the date of birth is not known."),
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    region_code = models.CharField(max_length=10, editable=False)
    address = EncryptedTextField(_("address"))
    household_notes = EncryptedTextField(_("household notes"), blank=True)
    categories = models.ManyToManyField(
        PmksCategory, verbose_name=_("PMKS categories"), related_name="+"
    )
    # Specific (sensitive) personal data under UU 27/2022, encrypted at rest.
    disability_type = EncryptedTextField(_("type of disability"), blank=True)
    health_notes = EncryptedTextField(_("health notes"), blank=True)
    violence_details = EncryptedTextField(_("details of violence or exploitation"), blank=True)
    consent_by = models.CharField(_("consent given by"), max_length=150)
    consent_relation = models.CharField(
        _("relation to the person"), max_length=10, choices=ConsentRelation.choices
    )
    consent_on = models.DateField(_("consent date"))
    consent_method = models.CharField(
        _("how consent was given"), max_length=10, choices=ConsentMethod.choices
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = BeneficiaryQuerySet.as_manager()

    audit_redact = (
        "nik",
        "address",
        "household_notes",
        "disability_type",
        "health_notes",
        "violence_details",
        "full_name",
        "consent_by",
    )
    audit_skip = ("nik_hash", "name_key", "version")

    SENSITIVE_FIELDS = ("disability_type", "health_notes", "violence_details", "household_notes")

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        indexes = [
            models.Index(fields=["region_code", "full_name"]),
            # The list's order: a national or province list reads its first page from here
            # instead of sorting every beneficiary in reach (bench/lists.py).
            models.Index(fields=["full_name", "id"], name="beneficiary_list_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nik_hash"],
                condition=Q(nik_hash__isnull=False),
                name="beneficiary_nik_once",
            ),
        ]

    def __str__(self):
        return self.full_name

    def history_label(self) -> str:
        # The history names no one: a beneficiary's name is personal data of the most sensitive
        # kind; the masked NIK or the id is enough to find the record.
        return self.nik_masked or f"#{str(self.pk)[:8]}"

    def save(self, *args, **kwargs):
        from .services import fill_beneficiary_fields

        fill_beneficiary_fields(self)
        super().save(*args, **kwargs)

    @property
    def is_child(self) -> bool:
        from .services import age_of

        age = age_of(self)
        return age is not None and age < 18


class CaseStatus(models.TextChoices):
    IDENTIFIED = "identified", _("identified")
    ASSESSED = "assessed", _("assessed")
    ASSISTING = "assisting", _("in assistance")
    REFERRED = "referred", _("referred")
    CLOSED = "closed", _("closed")


class ClosureReason(models.TextChoices):
    RESOLVED = "resolved", _("resolved")
    REFERRAL_ACCEPTED = "referral_accepted", _("referred and accepted")
    MOVED = "moved", _("moved away")
    DIED = "died", _("died")
    REFUSED = "refused", _("refused help")
    OTHER = "other", _("other")


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class WorkerOwnedQuerySet(RegionScopedQuerySet):
    """Rows a worker owns (their cases, their reports): a PSM sees only their own; a juror none."""

    def narrow_for_role(self, qs, user):
        if user.role == "worker":
            worker = _own_worker(user)
            return qs.filter(worker=worker) if worker else qs.none()
        if user.role == "juror":
            return qs.none()
        return qs


class CasePartQuerySet(RegionScopedQuerySet):
    """Rows of a case (interventions, referrals, events): seen with the case, so a PSM sees
    those of their own cases wherever the person lives (ADR 0012)."""

    def beyond_region(self, user):
        worker = _own_worker(user)
        return Q(case__worker=worker) if worker else None

    def narrow_for_role(self, qs, user):
        if user.role == "worker":
            worker = _own_worker(user)
            return qs.filter(case__worker=worker) if worker else qs.none()
        if user.role == "juror":
            return qs.none()
        return qs


class CaseQuerySet(WorkerOwnedQuerySet):
    def beyond_region(self, user):
        # A case handed over to a PSM of another village is theirs to work on (ADR 0012).
        worker = _own_worker(user)
        return Q(worker=worker) if worker else None

    def open(self):
        return self.exclude(status=CaseStatus.CLOSED)


class Case(AuditedModel):
    """One beneficiary's need being worked on by one responsible worker, from identification to
    closure."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="cases")
    categories = models.ManyToManyField(
        PmksCategory, verbose_name=_("PMKS categories"), related_name="+"
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="cases", verbose_name=_("responsible worker")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.IDENTIFIED
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.CharField(_("closure note"), max_length=255, blank=True)
    # Denormalised for the due-and-overdue lists: the earliest open follow-up date of the case.
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    region_code = models.CharField(max_length=10, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    audit_skip = ("version",)

    class Meta:
        ordering = ["-opened_on"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(
                fields=["worker", "next_follow_up_on"],
                condition=~Q(status="closed"),
                name="case_worker_due",
            ),
            models.Index(
                fields=["region_code", "next_follow_up_on"],
                condition=~Q(status="closed"),
                name="case_region_due",
            ),
            models.Index(fields=["region_code", "status"]),
            # The case list's order (most urgent first): a national or province page reads its
            # first 50 open cases from here instead of sorting a million.
            models.Index(
                fields=["next_follow_up_on", "-opened_on", "id"],
                condition=~Q(status="closed"),
                name="case_open_list_order",
            ),
            # The API's case list order (newest first, closed ones too).
            models.Index(fields=["-opened_on", "id"], name="case_api_list_order"),
        ]

    def __str__(self):
        # Breadcrumbs and logs name the case by when it was opened, not by a raw id (issue 13);
        # no personal data: the person's name stays on the pages that may show it.
        return str(_("Case opened %(date)s") % {"date": date_format(self.opened_on, "j M Y")})

    def history_label(self) -> str:
        return f"{self} · {self.beneficiary.history_label()}"

    def save(self, *args, **kwargs):
        self.region_code = self.beneficiary.region_code
        super().save(*args, **kwargs)


class InterventionKind(models.TextChoices):
    IDENTIFICATION = "identification", _("identification")
    HOME_VISIT = "home_visit", _("home visit")
    ASSESSMENT = "assessment", _("assessment")
    ASSISTANCE = "assistance", _("assistance")
    REFERRAL = "referral", _("referral")
    FOLLOW_UP = "follow_up", _("follow-up")


class Intervention(AuditedModel):
    """One thing a worker did on a case (a visit, an assessment, a referral...)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    kind = models.CharField(_("kind"), max_length=15, choices=InterventionKind.choices)
    on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    assessment = EncryptedTextField(_("assessment answers"), blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="+", verbose_name=_("by worker")
    )
    region_code = models.CharField(max_length=10, editable=False)

    objects = CasePartQuerySet.as_manager()

    audit_redact = ("notes", "assessment")

    class Meta:
        ordering = ["-on", "-created_at"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        indexes = [models.Index(fields=["case", "-on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"

    def save(self, *args, **kwargs):
        self.region_code = self.case.region_code
        super().save(*args, **kwargs)


class Programme(models.TextChoices):
    PKH = "pkh", "PKH (Program Keluarga Harapan)"
    SEMBAKO = "sembako", "BPNT / Sembako"
    PBI_JK = "pbi_jk", "PBI-JK (BPJS Kesehatan)"
    REHAB = "rehab", _("rehabilitation centre")
    LKS = "lks", _("LKS / panti")
    HEALTH = "health", _("health centre (puskesmas)")
    PPA = "ppa", _("police / UPTD PPA (violence)")
    OTHER = "other", _("other")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("sent")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    SERVED = "served", _("served")


class Referral(AuditedModel):
    """A case referred to an aid programme or service, and what became of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    programme = models.CharField(_("referred to"), max_length=10, choices=Programme.choices)
    target_detail = models.CharField(_("institution"), max_length=200, blank=True)
    status = models.CharField(
        _("outcome"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    sent_on = models.DateField(_("sent on"))
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    region_code = models.CharField(max_length=10, editable=False)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["region_code", "status", "sent_on"])]

    def __str__(self):
        return f"{self.get_programme_display()} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        self.region_code = self.case.region_code
        super().save(*args, **kwargs)


class CaseEvent(models.Model):
    """A step in a case's life: status change or hand-over to another worker."""

    class Kind(models.TextChoices):
        STATUS = "status", _("status changed")
        TRANSFER = "transfer", _("handed over to another worker")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CaseStatus.choices, blank=True)
    from_worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    region_code = models.CharField(max_length=10, editable=False)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class ActivityType(models.TextChoices):
    OUTREACH = "outreach", _("outreach")
    DISASTER = "disaster", _("disaster response")
    MEETING = "meeting", _("community meeting")
    SOCIALISATION = "socialisation", _("socialisation of programmes")
    DTSEN = "dtsen", _("DTSEN data validation")
    OTHER = "other", _("other")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("waiting for verification")
    VERIFIED = "verified", _("verified")
    RETURNED = "returned", _("returned for correction")


class ActivityReport(AuditedModel):
    """Work that is not a case (outreach, disaster response, meetings...), verified by the TKSK."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="activity_reports")
    on = models.DateField(_("date"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    region_code = models.CharField(max_length=10, editable=False)
    activity_type = models.CharField(_("activity"), max_length=15, choices=ActivityType.choices)
    description = models.TextField(_("description"))
    reached_children_m = models.PositiveIntegerField(_("boys (under 18)"), default=0)
    reached_children_f = models.PositiveIntegerField(_("girls (under 18)"), default=0)
    reached_adults_m = models.PositiveIntegerField(_("men (18-59)"), default=0)
    reached_adults_f = models.PositiveIntegerField(_("women (18-59)"), default=0)
    reached_elderly_m = models.PositiveIntegerField(_("older men (60+)"), default=0)
    reached_elderly_f = models.PositiveIntegerField(_("older women (60+)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("reason returned"), max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = WorkerOwnedQuerySet.as_manager()

    audit_skip = ("version",)

    class Meta:
        ordering = ["-on", "-created_at"]
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        indexes = [
            models.Index(fields=["region_code", "status", "on"]),
            # The report list's order, for the wide scopes (see Case).
            models.Index(fields=["-on", "-created_at", "id"], name="report_list_order"),
            # Reports waiting for verification, and since when (the home's to-do counts:
            # an index-only count at any scope).
            models.Index(
                fields=["region_code", "submitted_at"],
                condition=Q(status="submitted"),
                name="report_waiting",
            ),
        ]

    def __str__(self):
        return f"{self.get_activity_type_display()} {self.on}"

    def save(self, *args, **kwargs):
        self.region_code = self.village_id
        super().save(*args, **kwargs)

    @property
    def people_reached(self) -> int:
        return (
            self.reached_children_m
            + self.reached_children_f
            + self.reached_adults_m
            + self.reached_adults_f
            + self.reached_elderly_m
            + self.reached_elderly_f
        )
