"""Published rankings (every number kept with its parts) and the appeals against them."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core.models import AuditedModel
from mitra.core.scope import RegionScopedQuerySet, prefix_q


def panels_q(juror, stage_field: str = "stage_id", region_field: str = "region_code") -> Q:
    """Rows of the panels a juror sits on: the stage and region of one of their assignments
    (ADR 0021: a juror's national scope reaches only their panels, not every regency)."""
    from .models import JuryAssignment

    q = Q(pk__in=[])
    for stage_id, region in JuryAssignment.objects.filter(juror=juror).values_list(
        "stage_id", "region_code"
    ):
        q |= Q(**{stage_field: stage_id}) & prefix_q(region_field, region)
    return q


class JurorPanelQuerySet(RegionScopedQuerySet):
    """Rankings and their entries: a juror sees those of their panels only. Appeals are the
    officers' business: a juror sees none (the scope alone is national)."""

    juror_stage_field = "stage_id"
    juror_region_field = "region_code"

    def narrow_for_role(self, qs, user):
        from mitra.accounts.roles import Role

        if user.role != Role.JUROR:
            return qs
        if self.juror_stage_field is None:
            return qs.none()
        return qs.filter(panels_q(user, self.juror_stage_field, self.juror_region_field))


class RankingEntryQuerySet(JurorPanelQuerySet):
    juror_stage_field = "ranking__stage_id"
    juror_region_field = "ranking__region_code"


class AppealQuerySet(JurorPanelQuerySet):
    juror_stage_field = None


class Award(models.TextChoices):
    FIRST = "1", _("rank I")
    SECOND = "2", _("rank II")
    THIRD = "3", _("rank III")
    HONOURABLE = "hm", _("honourable mention")


class RankingQuerySet(JurorPanelQuerySet):
    # A regency officer sees the province and national rankings their candidates are in.
    include_ancestors = True

    def current(self):
        return self.filter(superseded_at__isnull=True)


class Ranking(models.Model):
    """A published ranking of one stage in one region (regency, province, or '' for national),
    frozen with every component. An upheld appeal supersedes it with a new revision."""

    stage = models.ForeignKey("awards.Stage", on_delete=models.PROTECT, related_name="rankings")
    region_code = models.CharField(_("region"), max_length=4, blank=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    method = models.TextField(_("method"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    reason = models.CharField(_("reason for the revision"), max_length=255, blank=True)

    objects = RankingQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "region_code", "-revision"]
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "region_code", "revision"], name="one_ranking_revision"
            ),
            models.UniqueConstraint(
                fields=["stage", "region_code"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_ranking",
            ),
        ]

    def __str__(self):
        return f"{self.stage} {self.region_code or '–'} r{self.revision}"

    @property
    def appeal_deadline(self):
        return timezone.localtime(self.published_at).date() + datetime.timedelta(
            days=self.stage.appeal_days
        )


class RankingEntry(models.Model):
    """One nomination's place in a published ranking, with every part of its total: for each
    criterion the raw figure or marks, the normalised values and the weighted contribution."""

    ranking = models.ForeignKey(Ranking, on_delete=models.CASCADE, related_name="entries")
    nomination = models.ForeignKey(
        "awards.Nomination", on_delete=models.PROTECT, related_name="ranking_entries"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=4)
    juror_total = models.DecimalField(_("jury part"), max_digits=7, decimal_places=4)
    computed_total = models.DecimalField(_("evidence part"), max_digits=7, decimal_places=4)
    components = models.JSONField(default=dict)
    advanced = models.BooleanField(_("advances"), default=False)
    award = models.CharField(_("award"), max_length=2, choices=Award.choices, blank=True)
    region_code = models.CharField(max_length=10, editable=False)

    objects = RankingEntryQuerySet.as_manager()

    class Meta:
        ordering = ["ranking", "rank"]
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        constraints = [
            models.UniqueConstraint(fields=["ranking", "nomination"], name="one_entry_per_ranking")
        ]

    def __str__(self):
        return f"{self.rank}. {self.nomination}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a decision")
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", _("rejected")


class Appeal(AuditedModel):
    """An objection by the nominee's officer to a published ranking, filed within the stage's
    appeal window, and the decision on it (by the officer of the level above)."""

    ranking = models.ForeignKey(Ranking, on_delete=models.PROTECT, related_name="appeals")
    nomination = models.ForeignKey(
        "awards.Nomination", on_delete=models.PROTECT, related_name="appeals"
    )
    reason = models.TextField(_("grounds of the appeal"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    # The revision published because this appeal was upheld.
    new_ranking = models.ForeignKey(
        Ranking, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(max_length=10, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AppealQuerySet.as_manager()

    audit_skip = ("version",)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self):
        return f"{self.nomination} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        self.region_code = self.nomination.region_code
        super().save(*args, **kwargs)
