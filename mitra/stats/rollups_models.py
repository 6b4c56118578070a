"""Rollup tables of the dashboards (ADR dashboard-rollups).

Each table holds the same facts at four grains, told apart by `grain` (the length of
`region_code`): 0 = the nation (code ''), 2 = province, 4 = regency, 6 = district. A level reads the
rows of its children's grain under its own code (prefix_q) for its table and figures, and its own
row for trends and breakdowns, so one table serves the national, province and regency levels;
district and village levels read the raw tables. Per-category rows (category > 0) exist at grains 0, 2
and 4 only: at district grain they would be nearly as many as the raw rows.

The tables are region-bound: they are read through `visible_to(user)` like every other table.
"""

from django.db import models

from mitra.core.scope import RegionScopedQuerySet

ALL_KINDS = "*"


class RollupQuerySet(RegionScopedQuerySet):
    def narrow_for_role(self, qs, user):
        # A PSM or a juror sees no aggregates beyond what their own rows give (the village level,
        # computed from the raw tables through their narrowed querysets).
        if user.role in ("worker", "juror"):
            return qs.none()
        return qs


class FactMonth(models.Model):
    """Flows per month: what happened in a region in a month, per worker kind and PMKS category.

    worker_kind is the kind of the responsible worker; '' for beneficiaries (no worker: they count
    under every kind filter). category 0 is the row of all categories (a case with two categories
    counts once there, and once under each of its categories)."""

    region_code = models.CharField(max_length=6)
    grain = models.PositiveSmallIntegerField()
    month = models.DateField()
    worker_kind = models.CharField(max_length=10, blank=True)
    category = models.PositiveSmallIntegerField(default=0)
    new_cases = models.IntegerField(default=0)
    closed_cases = models.IntegerField(default=0)
    beneficiaries = models.IntegerField(default=0)
    referrals = models.IntegerField(default=0)
    referrals_served = models.IntegerField(default=0)
    interventions = models.IntegerField(default=0)
    verified_reports = models.IntegerField(default=0)
    people_reached = models.BigIntegerField(default=0)
    new_workers = models.IntegerField(default=0)

    objects = RollupQuerySet.as_manager()

    MEASURES = (
        "new_cases",
        "closed_cases",
        "beneficiaries",
        "referrals",
        "referrals_served",
        "interventions",
        "verified_reports",
        "people_reached",
        "new_workers",
    )

    class Meta:
        indexes = [
            # Children's rows of one category under a code; a region's own rows of all categories.
            # Covering (PostgreSQL): the rows of one region are spread over the heap, so reading
            # only the index saves a page per row on the province and regency dashboards.
            models.Index(
                fields=["grain", "category", "region_code", "month"],
                include=[
                    "worker_kind",
                    "new_cases",
                    "closed_cases",
                    "beneficiaries",
                    "referrals",
                    "referrals_served",
                    "interventions",
                    "verified_reports",
                    "people_reached",
                    "new_workers",
                ],
                name="stats_fact_children",
            ),
            models.Index(fields=["grain", "region_code", "month"], name="stats_fact_own_month"),
        ]

    def __str__(self):
        return f"{self.region_code} {self.month:%Y-%m} {self.worker_kind}/{self.category}"


class ReferralMonth(models.Model):
    """Referrals sent per month, by programme and current outcome."""

    region_code = models.CharField(max_length=6)
    grain = models.PositiveSmallIntegerField()
    month = models.DateField()
    worker_kind = models.CharField(max_length=10, blank=True)
    category = models.PositiveSmallIntegerField(default=0)
    programme = models.CharField(max_length=10)
    status = models.CharField(max_length=10)
    referrals = models.IntegerField(default=0)

    objects = RollupQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["grain", "category", "region_code", "month"])]

    def __str__(self):
        return f"{self.region_code} {self.month:%Y-%m} {self.programme}/{self.status}"


class CaseSnapshot(models.Model):
    """Open cases whose next follow-up is overdue, as of `RollupState.overdue_on`."""

    region_code = models.CharField(max_length=6)
    grain = models.PositiveSmallIntegerField()
    worker_kind = models.CharField(max_length=10, blank=True)
    category = models.PositiveSmallIntegerField(default=0)
    overdue_followups = models.IntegerField(default=0)

    objects = RollupQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["grain", "category", "region_code"])]

    def __str__(self):
        return f"{self.region_code} {self.worker_kind}/{self.category}"


class CaseTotal(models.Model):
    """Cases opened and closed over all months, per key: the sums of `FactMonth` over every month,
    written by the same refresh. Open cases at a period's end are these totals less what was
    opened and closed after it, which reads only the few months after the period instead of
    every month since the data began (ADR dashboard-rollups)."""

    region_code = models.CharField(max_length=6)
    grain = models.PositiveSmallIntegerField()
    worker_kind = models.CharField(max_length=10, blank=True)
    category = models.PositiveSmallIntegerField(default=0)
    new_cases = models.IntegerField(default=0)
    closed_cases = models.IntegerField(default=0)

    objects = RollupQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["grain", "category", "region_code"])]

    def __str__(self):
        return f"{self.region_code} {self.worker_kind}/{self.category}"


class WorkerSnapshot(models.Model):
    """The workforce of a region now, per worker kind ('*' = all kinds together: the per-village
    figures, villages with an active worker and the capped target count, are not sums of kinds).

    Every district has a row per kind, so its villages are counted even where nobody works."""

    region_code = models.CharField(max_length=6)
    grain = models.PositiveSmallIntegerField()
    worker_kind = models.CharField(max_length=10)
    total = models.IntegerField(default=0)
    active = models.IntegerField(default=0)
    female = models.IntegerField(default=0)
    birth_days_sum = models.BigIntegerField(default=0)
    tenure_n = models.IntegerField(default=0)
    joined_days_sum = models.BigIntegerField(default=0)
    basic = models.IntegerField(default=0)
    advanced = models.IntegerField(default=0)
    pipeline = models.IntegerField(default=0)
    villages = models.IntegerField(default=0)
    villages_with_active = models.IntegerField(default=0)
    capped5 = models.IntegerField(default=0)
    age_0 = models.IntegerField(default=0)
    age_1 = models.IntegerField(default=0)
    age_2 = models.IntegerField(default=0)
    age_3 = models.IntegerField(default=0)
    age_4 = models.IntegerField(default=0)
    tenure_0 = models.IntegerField(default=0)
    tenure_1 = models.IntegerField(default=0)
    tenure_2 = models.IntegerField(default=0)
    tenure_3 = models.IntegerField(default=0)

    objects = RollupQuerySet.as_manager()

    MEASURES = (
        "total",
        "active",
        "female",
        "birth_days_sum",
        "tenure_n",
        "joined_days_sum",
        "basic",
        "advanced",
        "pipeline",
        "villages",
        "villages_with_active",
        "capped5",
    )
    AGE_COLUMNS = ("age_0", "age_1", "age_2", "age_3", "age_4")
    TENURE_COLUMNS = ("tenure_0", "tenure_1", "tenure_2", "tenure_3")

    class Meta:
        indexes = [models.Index(fields=["grain", "worker_kind", "region_code"])]

    def __str__(self):
        return f"{self.region_code} {self.worker_kind}"


class VentureSnapshot(models.Model):
    """The ventures of a region now (rollups_ventures.py): PSM with a running venture (counted
    where the PSM is registered), support received to date, survival after 12 and 24 months,
    income bands of the running ventures. worker_kind is always '' (ventures count under every
    kind filter, like beneficiaries); it keeps the key shape of the other snapshot tables."""

    region_code = models.CharField(max_length=6)
    grain = models.PositiveSmallIntegerField()
    worker_kind = models.CharField(max_length=10, blank=True, default="")
    psm_running = models.IntegerField(default=0)
    ventures_running = models.IntegerField(default=0)
    support_given = models.IntegerField(default=0)
    support_amount = models.BigIntegerField(default=0)
    survived_12 = models.IntegerField(default=0)
    cohort_12 = models.IntegerField(default=0)
    survived_24 = models.IntegerField(default=0)
    cohort_24 = models.IntegerField(default=0)
    income_0 = models.IntegerField(default=0)
    income_1 = models.IntegerField(default=0)
    income_2 = models.IntegerField(default=0)
    income_3 = models.IntegerField(default=0)
    income_4 = models.IntegerField(default=0)
    # Support received (Rp) per source (ventures.SupportSource).
    support_kemensos = models.BigIntegerField(default=0)
    support_dinas = models.BigIntegerField(default=0)
    support_other_gov = models.BigIntegerField(default=0)
    support_csr = models.BigIntegerField(default=0)
    support_bank = models.BigIntegerField(default=0)
    support_other = models.BigIntegerField(default=0)

    objects = RollupQuerySet.as_manager()

    MEASURES = (
        "psm_running",
        "ventures_running",
        "support_given",
        "support_amount",
        "survived_12",
        "cohort_12",
        "survived_24",
        "cohort_24",
        "income_0",
        "income_1",
        "income_2",
        "income_3",
        "income_4",
        "support_kemensos",
        "support_dinas",
        "support_other_gov",
        "support_csr",
        "support_bank",
        "support_other",
    )
    INCOME_COLUMNS = ("income_0", "income_1", "income_2", "income_3", "income_4")

    class Meta:
        indexes = [models.Index(fields=["grain", "region_code"])]

    def __str__(self):
        return self.region_code


class DirtyDistrict(models.Model):
    """A district whose rollup rows are behind its raw rows, since `marked_at` (the latest mark)."""

    code = models.CharField(max_length=6, primary_key=True)
    marked_at = models.DateTimeField()
    # The first month whose rows changed (None: any month may have, e.g. a case moved): the
    # refresh rebuilds the monthly rows from there on only.
    since = models.DateField(null=True)

    def __str__(self):
        return self.code


class RollupState(models.Model):
    """One row: when the rollups were last brought up to date."""

    refreshed_at = models.DateTimeField(null=True)
    built_at = models.DateTimeField(null=True)
    overdue_on = models.DateField(null=True)
    workers_swept_at = models.DateTimeField(null=True)
    # Set when a refresh task was queued and has not started: later changes ride on it.
    refresh_queued_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"rollups as of {self.refreshed_at}"
