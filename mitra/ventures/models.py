"""Economic self-reliance of PSM (kemandirian ekonomi): a PSM's productive ventures (usaha
ekonomi produktif, alone or as a KUBE-style joint business group), the support each received
(grants, equipment, entrepreneurship training, mentoring, credit) and its results over time.

A venture's turnover and income are a person's financial data (specific data under UU 27/2022):
reads of a venture are logged like reads of a worker, and a PSM sees only their own ventures.
Decisions a successor would question: ADR 0022."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.cases.models import Beneficiary
from mitra.core.fields import EncryptedTextField
from mitra.core.models import AuditedModel
from mitra.core.scope import RegionScopedQuerySet
from mitra.regions.models import Village
from mitra.training.models import Enrolment
from mitra.workers.models import Worker


class VentureKindQuerySet(RegionScopedQuerySet):
    # The national list plus what an officer's own area (or an area above it) added.
    include_ancestors = True


class VentureKind(AuditedModel):
    """One kind of business (warung, catering, livestock...): a short national list that an
    officer extends for their area."""

    name = models.CharField(_("name"), max_length=80)
    region_code = models.CharField(_("area"), max_length=10, blank=True, editable=False)

    objects = VentureKindQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("kind of business")
        verbose_name_plural = _("kinds of business")
        constraints = [
            models.UniqueConstraint(fields=["region_code", "name"], name="venture_kind_once")
        ]

    def __str__(self):
        return self.name


class VentureStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    RUNNING = "running", _("running")
    STOPPED = "stopped", _("stopped")


class StopReason(models.TextChoices):
    CAPITAL = "capital", _("ran out of capital")
    MARKET = "market", _("no buyers")
    HEALTH = "health", _("illness or family reasons")
    DISASTER = "disaster", _("disaster")
    MOVED = "moved", _("moved away")
    OTHER = "other", _("other")


def _own_worker(user):
    return getattr(user, "worker", None) if user.role == "worker" else None


class VentureQuerySet(RegionScopedQuerySet):
    """A PSM sees their own ventures (wherever the business is), a juror none; supervisors,
    officers and auditors their area's."""

    worker_path = "worker"

    def beyond_region(self, user):
        worker = _own_worker(user)
        return Q(**{self.worker_path: worker}) if worker else None

    def narrow_for_role(self, qs, user):
        if user.role == "worker":
            worker = _own_worker(user)
            return qs.filter(**{self.worker_path: worker}) if worker else qs.none()
        if user.role == "juror":
            return qs.none()
        return qs

    def running(self):
        return self.filter(status=VentureStatus.RUNNING)


class VenturePartQuerySet(VentureQuerySet):
    """Rows of a venture (support, results, members): seen with the venture."""

    worker_path = "venture__worker"


class Venture(AuditedModel):
    """One productive business a PSM runs, alone or with others as a joint business group."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name of the business"), max_length=120)
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="ventures", verbose_name=_("PSM")
    )
    kind = models.ForeignKey(
        VentureKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind of business")
    )
    is_group = models.BooleanField(
        _("joint business group (KUBE)"),
        default=False,
        help_text=_("Run together with other PSM or beneficiaries."),
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("location (village)")
    )
    region_code = models.CharField(max_length=10, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=VentureStatus.choices, default=VentureStatus.PLANNED
    )
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    stop_reason = models.CharField(
        _("reason for stopping"), max_length=10, choices=StopReason.choices, blank=True
    )
    stop_note = models.CharField(_("note on stopping"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = VentureQuerySet.as_manager()

    audit_skip = ("version",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("productive venture")
        verbose_name_plural = _("productive ventures")
        indexes = [
            models.Index(fields=["region_code", "status"]),
            models.Index(fields=["worker", "status"]),
        ]

    def __str__(self):
        return self.name

    def history_label(self) -> str:
        return f"{self.name} ({self.worker.nik_masked})"

    def save(self, *args, **kwargs):
        self.region_code = self.village_id
        super().save(*args, **kwargs)


class MemberRole(models.TextChoices):
    PSM = "psm", _("PSM")
    BENEFICIARY = "beneficiary", _("beneficiary of a case")


class VentureMember(AuditedModel):
    """A person who works in a joint venture besides its PSM: another PSM, or a beneficiary of
    one of the PSM's cases (linked, never copied: the person's data stays encrypted in field
    work, and the link needs the person's recorded consent)."""

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("member is"), max_length=12, choices=MemberRole.choices)
    worker = models.ForeignKey(
        Worker,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("PSM"),
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("beneficiary"),
    )
    consent_on = models.DateField(
        _("consent to take part recorded on"),
        null=True,
        blank=True,
        help_text=_("Beneficiaries only: the date the person (or guardian) agreed."),
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    region_code = models.CharField(max_length=10, editable=False)

    objects = VenturePartQuerySet.as_manager()

    class Meta:
        ordering = ["joined_on", "id"]
        verbose_name = _("member of a venture")
        verbose_name_plural = _("members of a venture")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="psm", worker__isnull=False, beneficiary__isnull=True))
                | Q(role="beneficiary", worker__isnull=True, beneficiary__isnull=False),
                name="venture_member_one_person",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} #{self.pk}"

    def history_label(self) -> str:
        # A beneficiary is never named in the history (as in field work).
        if self.worker_id:
            return f"{self.venture.name}: {self.worker.nik_masked}"
        return f"{self.venture.name}: {self.beneficiary.nik_masked or '#'}"

    def save(self, *args, **kwargs):
        self.region_code = self.venture.region_code
        super().save(*args, **kwargs)


class SupportKind(models.TextChoices):
    CAPITAL = "capital", _("capital grant")
    EQUIPMENT = "equipment", _("equipment")
    TRAINING = "training", _("entrepreneurship training")
    MENTORING = "mentoring", _("mentoring")
    CREDIT = "credit", _("credit (KUR)")


class SupportSource(models.TextChoices):
    KEMENSOS = "kemensos", "Kemensos"
    DINAS = "dinas", _("Social office (Dinas Sosial)")
    OTHER_GOV = "other_gov", _("other government office")
    CSR = "csr", _("company (CSR)")
    BANK = "bank", _("bank (KUR)")
    OTHER = "other", _("other")


# Kinds of support that are money or goods: an amount is required for them.
KINDS_WITH_AMOUNT = {SupportKind.CAPITAL, SupportKind.EQUIPMENT, SupportKind.CREDIT}


class Support(AuditedModel):
    """One piece of support a venture received: from which programme or partner, how much,
    when, with the scanned proof (receipt, handover record)."""

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="supports")
    kind = models.CharField(_("kind of support"), max_length=10, choices=SupportKind.choices)
    source = models.CharField(_("given by"), max_length=10, choices=SupportSource.choices)
    programme = models.CharField(
        _("programme or partner"),
        max_length=150,
        help_text=_("e.g. PENA Kemensos, KUR BRI Unit Imogiri, CSR PT ..."),
    )
    amount = models.DecimalField(
        _("amount (Rp)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    received_on = models.DateField(_("received on"))
    enrolment = models.ForeignKey(
        Enrolment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Mitra training"),
    )
    proof = models.FileField(_("scan of the proof"), upload_to="ventures/proofs/%Y/", blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    region_code = models.CharField(max_length=10, editable=False)

    objects = VenturePartQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("support received")
        verbose_name_plural = _("support received")
        indexes = [models.Index(fields=["region_code", "source", "received_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.received_on:%d-%m-%Y}"

    def history_label(self) -> str:
        return f"{self.venture.name}: {self}"

    def save(self, *args, **kwargs):
        self.region_code = self.venture.region_code
        super().save(*args, **kwargs)


class PeriodKind(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")


class IncomeBand(models.TextChoices):
    """Net income a month from the venture, in bands: a PSM rarely keeps books, a band is
    honest and enough for the indicators."""

    NONE = "0", _("no income yet")
    UNDER_1M = "1", _("under Rp 1 million")
    UNDER_2_5M = "2", _("Rp 1 – 2.5 million")
    UNDER_5M = "3", _("Rp 2.5 – 5 million")
    OVER_5M = "4", _("over Rp 5 million")


class VentureResult(AuditedModel):
    """What a venture achieved in one month or quarter: turnover, income band, how many people
    work in it and how many beneficiaries of the PSM's cases take part."""

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="results")
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period starting"))
    turnover = models.DecimalField(_("turnover (Rp)"), max_digits=14, decimal_places=0)
    income_band = models.CharField(
        _("net income a month"), max_length=1, choices=IncomeBand.choices
    )
    people_working = models.PositiveSmallIntegerField(_("people working in it"))
    beneficiaries_involved = models.PositiveSmallIntegerField(
        _("beneficiaries taking part"), default=0
    )
    note = EncryptedTextField(_("note"), blank=True)
    region_code = models.CharField(max_length=10, editable=False)

    objects = VenturePartQuerySet.as_manager()

    audit_redact = ("note",)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("venture result")
        verbose_name_plural = _("venture results")
        constraints = [
            models.UniqueConstraint(
                fields=["venture", "period_kind", "period_start"], name="venture_result_once"
            )
        ]
        indexes = [models.Index(fields=["region_code", "period_start"])]

    def __str__(self):
        return f"{self.get_period_kind_display()} {self.period_start:%m-%Y}"

    def history_label(self) -> str:
        return f"{self.venture.name}: {self}"

    def save(self, *args, **kwargs):
        self.region_code = self.venture.region_code
        super().save(*args, **kwargs)
