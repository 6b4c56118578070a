"""The PSM Berprestasi award: yearly cycles with their stages (regency, province, national) and
criteria, nominations with their portfolio and frozen evidence, the jury and its score sheets,
published rankings (every number kept with its parts) and appeals against them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core.categories import WorkerKind
from mitra.core.models import AuditedModel
from mitra.core.scope import RegionScopedQuerySet, prefix_q
from mitra.workers.models import Worker

from .models_ranking import Appeal, AppealStatus, Award, Ranking, RankingEntry  # noqa: F401


class Level(models.TextChoices):
    REGENCY = "regency", _("regency/city")
    PROVINCE = "province", _("province")
    NATIONAL = "national", _("national")


# The order of the stages, and the length of the region code a ranking at each level groups by.
LEVEL_ORDER = [Level.REGENCY, Level.PROVINCE, Level.NATIONAL]
GROUP_CODE_LENGTH = {Level.REGENCY: 4, Level.PROVINCE: 2, Level.NATIONAL: 0}


class AwardCycle(AuditedModel):
    """One year's award for one worker kind (e.g. PSM Berprestasi 2026), judged on the work done in
    the evaluated period."""

    year = models.PositiveSmallIntegerField(_("year"))
    worker_kind = models.CharField(
        _("worker kind"), max_length=10, choices=WorkerKind.choices, default=WorkerKind.PSM
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("evaluated period from"))
    period_end = models.DateField(_("evaluated period until"))
    min_tenure_years = models.PositiveSmallIntegerField(_("minimum years of service"), default=2)
    exclusion_years = models.PositiveSmallIntegerField(
        _("years a national winner must wait"),
        default=3,
        help_text=_("A national winner (ranks I-III) of the last N years cannot be nominated."),
    )
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    audit_skip = ("version",)

    class Meta:
        ordering = ["-year", "worker_kind"]
        verbose_name = _("award cycle")
        verbose_name_plural = _("award cycles")
        constraints = [
            models.UniqueConstraint(fields=["year", "worker_kind"], name="one_cycle_per_year_kind"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="cycle_period_in_order",
            ),
        ]

    def __str__(self):
        return self.title


class Stage(AuditedModel):
    """One level of a cycle's contest: open for nominations/scoring between two dates, after which
    each region's ranking is published and the top `advance_count` go on to the next level."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.CASCADE, related_name="stages")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    advance_count = models.PositiveSmallIntegerField(
        _("candidates who advance"),
        default=1,
        help_text=_(
            "How many of each region's ranking go on to the next stage (at the national "
            "stage: how many get ranks I, II, III...)."
        ),
    )
    honourable_mentions = models.PositiveSmallIntegerField(_("honourable mentions"), default=0)
    appeal_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=7)
    # Set when every ranking of the stage is published (the stage is over).
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["cycle", "opens_on"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "level"], name="one_stage_per_level"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="stage_dates_in_order"
            ),
        ]

    def __str__(self):
        return f"{self.cycle} – {self.get_level_display()}"

    @property
    def group_code_length(self) -> int:
        return GROUP_CODE_LENGTH[self.level]

    def group_code(self, region_code: str) -> str:
        """The ranking group (regency, province or '' for national) a region code falls in."""
        return (region_code or "")[: self.group_code_length]

    def is_open(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.opens_on <= on <= self.closes_on


class Source(models.TextChoices):
    COMPUTED = "computed", _("computed from Mitra's data")
    JUROR = "juror", _("scored by the jury")


class Metric(models.TextChoices):
    """Figures of the evidence sheet a computed criterion can use."""

    TENURE_YEARS = "tenure_years", _("years of service")
    VERIFIED_ACTIVITIES = "verified_activities", _("verified activity reports")
    PEOPLE_REACHED = "people_reached", _("people reached by verified activities")
    CASES_HANDLED = "cases_handled", _("cases handled")
    CASES_RESOLVED = "cases_resolved", _("cases closed as resolved or referred and accepted")
    REFERRALS_SERVED = "referrals_served", _("referrals served")
    TRAININGS_COMPLETED = "trainings_completed", _("training courses passed")
    CERTIFICATES = "certificates", _("training certificates")
    VENTURES_RUNNING = "ventures_running", _("productive ventures running at the end of the period")


class Criterion(models.Model):
    """One thing a stage judges, with its weight: a figure computed from the evidence sheet, or a
    mark the jurors give on a stated scale following a rubric."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("criterion"), max_length=150)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    metric = models.CharField(
        _("computed figure"), max_length=30, choices=Metric.choices, blank=True
    )
    scale_min = models.PositiveSmallIntegerField(_("lowest mark"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest mark"), default=10)
    rubric = models.TextField(_("rubric"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage", "position", "key"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="criterion_key_per_stage"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="criterion_scale_in_order"
            ),
            models.CheckConstraint(
                condition=(Q(source="computed") & ~Q(metric="")) | Q(source="juror", metric=""),
                name="criterion_metric_iff_computed",
            ),
        ]

    def __str__(self):
        return self.label


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("nominated")
    WITHDRAWN = "withdrawn", _("withdrawn")
    ADVANCED = "advanced", _("advanced to the next stage")
    ELIMINATED = "eliminated", _("not advanced")
    WINNER = "winner", _("winner")


class NominationQuerySet(RegionScopedQuerySet):
    def narrow_for_role(self, qs, user):
        from mitra.accounts.roles import Role

        if user.role == Role.WORKER:
            return qs.filter(worker__user=user)
        if user.role == Role.JUROR:
            return qs.filter(assigned_q(user))
        return qs

    def active(self):
        return self.exclude(status=NominationStatus.WITHDRAWN)

    def assigned_to(self, juror):
        """The nominations `juror` must score: their stage and area, never their home region."""
        return self.filter(assigned_q(juror))


def assigned_q(juror) -> Q:
    """Nominations covered by one of the juror's assignments, minus those from their home region
    (conflict of interest). Built from the few assignment rows, so it stays an index range."""
    q = Q(pk__in=[])
    for stage_id, region, home in JuryAssignment.objects.filter(juror=juror).values_list(
        "stage_id", "region_code", "home_region_code"
    ):
        part = Q(stage_id=stage_id) & prefix_q("region_code", region)
        if home:
            part &= ~prefix_q("region_code", home)
        q |= part
    return q


class Nomination(AuditedModel):
    """One worker competing at one stage of a cycle: nominated by their regency officer at the
    regency stage, or carried forward from the previous stage (`previous`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(AwardCycle, on_delete=models.PROTECT, related_name="nominations")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="nominations")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="nominations")
    # The worker's village when nominated: the contest follows where they served.
    region_code = models.CharField(max_length=10, editable=False)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_nominations",
        editable=False,
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField(_("nominated at"), default=timezone.now)
    innovation_title = models.CharField(_("innovation title"), max_length=200)
    innovation_summary = models.CharField(
        _("summary"), max_length=500, help_text=_("Shown publicly if the candidate wins.")
    )
    innovation_text = models.TextField(_("innovation write-up"))
    testimony = models.TextField(_("community testimony"), blank=True)
    photo = models.FileField(
        _("photo for the public page"), upload_to="awards/photos/%Y/", blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NominationStatus.choices,
        default=NominationStatus.NOMINATED,
    )
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    # From the current published ranking of the nomination's stage and region.
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True, editable=False)
    award = models.CharField(_("award"), max_length=2, choices=Award.choices, blank=True)
    # The evidence sheet (see evidence.py), frozen when the stage closes or its ranking is published.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True, editable=False)
    evidence_frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = NominationQuerySet.as_manager()

    audit_skip = ("version", "evidence")

    class Meta:
        ordering = ["stage", "region_code", "nominated_at"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(fields=["stage", "worker"], name="one_nomination_per_stage")
        ]
        indexes = [
            models.Index(fields=["stage", "region_code"]),
            models.Index(fields=["cycle", "worker"]),
        ]

    def __str__(self):
        return f"{self.worker} – {self.stage}"

    def history_label(self) -> str:
        return f"{self.worker.nik_masked} – {self.stage}"

    @property
    def is_frozen(self) -> bool:
        return self.evidence_frozen_at is not None


class FileKind(models.TextChoices):
    DOCUMENT = "document", _("document")
    PHOTO = "photo", _("photo")


class NominationFile(AuditedModel):
    """A document or photo of a nomination's portfolio."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(
        _("kind"), max_length=10, choices=FileKind.choices, default=FileKind.DOCUMENT
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="awards/portfolio/%Y/")
    region_code = models.CharField(max_length=10, editable=False)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["nomination", "created_at"]
        verbose_name = _("portfolio file")
        verbose_name_plural = _("portfolio files")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.region_code = self.nomination.region_code
        super().save(*args, **kwargs)


class JuryAssignmentQuerySet(RegionScopedQuerySet):
    def narrow_for_role(self, qs, user):
        from mitra.accounts.roles import Role

        if user.role == Role.JUROR:
            return qs.filter(juror=user)
        return qs


class JuryAssignment(AuditedModel):
    """A juror appointed to score a stage's nominations in a region. `home_region_code` is the
    regency (or city) the juror lives or works in: they never score a candidate from there."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="jury")
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("juror"),
        on_delete=models.PROTECT,
        related_name="jury_assignments",
    )
    region_code = models.CharField(_("region covered"), max_length=10, blank=True)
    home_region_code = models.CharField(
        _("juror's home regency/city"),
        max_length=4,
        help_text=_("Candidates from this regency/city are never shown to this juror."),
    )

    objects = JuryAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "region_code", "juror"]
        verbose_name = _("jury assignment")
        verbose_name_plural = _("jury assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "juror", "region_code"], name="one_assignment_per_region"
            )
        ]

    def __str__(self):
        return f"{self.juror} – {self.stage}"


class ScoreSheetQuerySet(RegionScopedQuerySet):
    def narrow_for_role(self, qs, user):
        from mitra.accounts.roles import Role

        if user.role == Role.JUROR:
            return qs.filter(juror=user)
        if user.role == Role.WORKER:
            return qs.none()
        return qs

    def submitted(self):
        return self.filter(submitted_at__isnull=False)


class ScoreSheet(AuditedModel):
    """One juror's marks for one nomination. Once submitted it is locked: no mark changes."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="sheets")
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    region_code = models.CharField(max_length=10, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScoreSheetQuerySet.as_manager()

    audit_skip = ("version",)

    class Meta:
        ordering = ["nomination", "juror"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "juror"], name="one_sheet_per_juror")
        ]

    def __str__(self):
        return f"{self.juror} – {self.nomination}"

    @property
    def is_locked(self) -> bool:
        return self.submitted_at is not None


class Score(models.Model):
    """One juror's mark for one juror-scored criterion of one nomination, with a comment."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("mark"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["sheet", "criterion"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"
