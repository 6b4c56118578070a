"""The indicators' base measures computed straight from the raw tables with GROUP BY.

This is the reference the rollups must agree with (the correctness tests compare the two), the
baseline of the dashboard benchmark, and the source of the district and village levels, whose
child regions (villages) are too fine for the rollups (see ADR dashboard-rollups).

Every query starts from `Model.objects.visible_to(user)`.

A "measure" is an additive number (a count or a sum) per region; the indicators are derived from
measures (ratios, shares, means), so the measures of a region are the sums of its children's.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils import timezone

from mitra.core.scope import prefix_q

from .dbfuncs import DayNumber

WORKER_MEASURES = (
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
FLOW_MEASURES = (
    "new_cases",
    "closed_cases",
    "cases_opened_upto",
    "cases_closed_upto",
    "beneficiaries",
    "referrals",
    "referrals_served",
    "verified_reports",
    "people_reached",
    "interventions",
    "new_workers",
)
SNAPSHOT_MEASURES = ("overdue_followups",)
MEASURES = WORKER_MEASURES + FLOW_MEASURES + SNAPSHOT_MEASURES

TREND_KEYS = (
    "new_cases",
    "closed_cases",
    "verified_reports",
    "people_reached",
    "new_workers",
    "referrals",
    "beneficiaries",
)

AGE_BANDS = (
    (0, 30, "<30"),
    (30, 40, "30-39"),
    (40, 50, "40-49"),
    (50, 60, "50-59"),
    (60, 999, "60+"),
)
TENURE_BANDS = ((0, 2, "<2"), (2, 5, "2-4"), (5, 10, "5-9"), (10, 999, "10+"))
TARGET_PER_VILLAGE = 5
PIPELINE_ENROLMENT = ("applied", "enrolled", "waitlisted")
PIPELINE_BATCH = ("planned", "open", "running")

PEOPLE = (
    F("reached_children_m")
    + F("reached_children_f")
    + F("reached_adults_m")
    + F("reached_adults_f")
    + F("reached_elderly_m")
    + F("reached_elderly_f")
)


def group_expr(field: str, child_len: int | None):
    if child_len:
        return Substr(field, 1, child_len)
    return Value("")


def band_of(value: int, bands) -> str:
    for low, high, key in bands:
        if low <= value < high:
            return key
    return bands[-1][2]


def years_between(earlier: datetime.date, later: datetime.date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def _merge(into: dict, rows, key="g") -> None:
    for row in rows:
        bucket = into[row.pop(key) or ""]
        for name, value in row.items():
            bucket[name] = bucket.get(name, 0) + (value or 0)


def _merge_ventures(out: dict, source, g) -> None:
    """The ventures' measures (snapshots: no period, kind or category filter), counted by the
    function the rollups count with (stats.rollups_ventures)."""
    from mitra.ventures.indicators import venture_measures
    from mitra.ventures.models import Support, Venture
    from mitra.workers.models import Worker

    user, code = source.user, source.code
    measures = venture_measures(
        Worker.objects.visible_to(user).in_region(code),
        Venture.objects.visible_to(user).in_region(code),
        Support.objects.visible_to(user).in_region(code),
        lambda field: group_expr(field, g),
        source.today,
    )
    for key, values in measures.items():
        bucket = out[key]
        for name, value in values.items():
            bucket[name] = bucket.get(name, 0) + value


class RawSource:
    """Measures of `code` and its child regions from the raw tables, as seen by `user`."""

    name = "raw"

    def __init__(self, user, code: str, child_len: int | None, filters, today: datetime.date):
        self.user, self.code, self.child_len, self.f, self.today = (
            user,
            code,
            child_len,
            filters,
            today,
        )

    def as_of(self) -> datetime.datetime:
        return timezone.now()

    # querysets ---------------------------------------------------------------------------------
    def _workers(self):
        from mitra.workers.models import Worker

        qs = Worker.objects.visible_to(self.user).in_region(self.code).registered()
        return qs.filter(kind=self.f.worker_kind) if self.f.worker_kind else qs

    def _cases(self):
        from mitra.cases.models import Case

        qs = Case.objects.visible_to(self.user).in_region(self.code)
        if self.f.worker_kind:
            qs = qs.filter(worker__kind=self.f.worker_kind)
        if self.f.category:
            qs = qs.filter(categories=int(self.f.category))
        return qs

    def _beneficiaries(self):
        from mitra.cases.models import Beneficiary

        qs = Beneficiary.objects.visible_to(self.user).in_region(self.code)
        if self.f.category:
            qs = qs.filter(categories=int(self.f.category))
        return qs.filter(consent_on__gte=self.f.date_from, consent_on__lte=self.f.date_to)

    def _referrals(self):
        from mitra.cases.models import Referral

        qs = Referral.objects.visible_to(self.user).in_region(self.code)
        if self.f.worker_kind:
            qs = qs.filter(case__worker__kind=self.f.worker_kind)
        if self.f.category:
            qs = qs.filter(case__categories=int(self.f.category))
        return qs.filter(sent_on__gte=self.f.date_from, sent_on__lte=self.f.date_to)

    def _interventions(self):
        from mitra.cases.models import Intervention

        # An intervention counts where its case is: interventions have no region index of their
        # own, and the case's lets the planner come in through the cases of the area.
        qs = Intervention.objects.visible_to(self.user)
        if self.code:
            qs = qs.filter(prefix_q("case__region_code", self.code))
        if self.f.worker_kind:
            qs = qs.filter(case__worker__kind=self.f.worker_kind)
        if self.f.category:
            qs = qs.filter(case__categories=int(self.f.category))
        return qs.filter(on__gte=self.f.date_from, on__lte=self.f.date_to)

    def _reports(self):
        from mitra.cases.models import ActivityReport, ReportStatus

        qs = ActivityReport.objects.visible_to(self.user).in_region(self.code)
        if self.f.worker_kind:
            qs = qs.filter(worker__kind=self.f.worker_kind)
        return qs.filter(
            status=ReportStatus.VERIFIED, on__gte=self.f.date_from, on__lte=self.f.date_to
        )

    def _villages(self):
        from mitra.regions.models import Village

        return Village.objects.visible_to(self.user).filter(prefix_q("code", self.code))

    # measures ----------------------------------------------------------------------------------
    def measures(self) -> dict[str, dict[str, int]]:
        """{child code: {measure: value}}; the key is '' when not grouped by child."""
        from mitra.training.models import Enrolment

        g = self.child_len
        out: dict[str, dict[str, int]] = defaultdict(dict)
        active = Q(status="active")
        in_pipeline = Enrolment.objects.filter(
            worker=OuterRef("pk"),
            status__in=PIPELINE_ENROLMENT,
            result="pending",
            batch__status__in=PIPELINE_BATCH,
        )
        advanced = Enrolment.objects.filter(
            worker=OuterRef("pk"), result="passed", batch__course__level="lanjutan"
        )
        workers = (
            self._workers()
            .annotate(
                g=group_expr("region_code", g),
                is_advanced=Exists(advanced),
                is_pipeline=Exists(in_pipeline),
            )
            .values("g")
            .order_by()
        )
        _merge(
            out,
            workers.annotate(
                total=Count("pk", filter=~Q(status="exited")),
                active=Count("pk", filter=active),
                female=Count("pk", filter=active & Q(sex="P")),
                birth_days_sum=Coalesce(Sum(DayNumber("birth_date"), filter=active), 0),
                tenure_n=Count("pk", filter=active & Q(joined_on__isnull=False)),
                joined_days_sum=Coalesce(
                    Sum(DayNumber("joined_on"), filter=active & Q(joined_on__isnull=False)), 0
                ),
                basic=Count("pk", filter=active & Q(basic_training_on__isnull=False)),
                advanced=Count("pk", filter=active & Q(is_advanced=True)),
                pipeline=Count("pk", filter=active & Q(is_pipeline=True)),
                new_workers=Count(
                    "pk",
                    filter=Q(joined_on__gte=self.f.date_from, joined_on__lte=self.f.date_to),
                ),
            ),
        )
        _merge(
            out,
            self._villages()
            .annotate(g=group_expr("code", g))
            .values("g")
            .order_by()
            .annotate(villages=Count("pk")),
        )
        per_village = (
            self._workers().filter(active).values("region_code").order_by().annotate(n=Count("pk"))
        )
        for row in per_village:
            bucket = out[row["region_code"][:g] if g else ""]
            bucket["villages_with_active"] = bucket.get("villages_with_active", 0) + 1
            bucket["capped5"] = bucket.get("capped5", 0) + min(row["n"], TARGET_PER_VILLAGE)
        upto = self.f.date_to
        frm = self.f.date_from
        today = self.today
        _merge(
            out,
            self._cases()
            .annotate(g=group_expr("region_code", g))
            .values("g")
            .order_by()
            .annotate(
                new_cases=Count("pk", filter=Q(opened_on__gte=frm, opened_on__lte=upto)),
                closed_cases=Count("pk", filter=Q(closed_on__gte=frm, closed_on__lte=upto)),
                cases_opened_upto=Count("pk", filter=Q(opened_on__lte=upto)),
                cases_closed_upto=Count("pk", filter=Q(closed_on__lte=upto)),
                overdue_followups=Count(
                    "pk", filter=~Q(status="closed") & Q(next_follow_up_on__lt=today)
                ),
            ),
        )
        _merge(
            out,
            self._beneficiaries()
            .annotate(g=group_expr("region_code", g))
            .values("g")
            .order_by()
            .annotate(beneficiaries=Count("pk")),
        )
        _merge(
            out,
            self._referrals()
            .annotate(g=group_expr("region_code", g))
            .values("g")
            .order_by()
            .annotate(
                referrals=Count("pk"), referrals_served=Count("pk", filter=Q(status="served"))
            ),
        )
        _merge(
            out,
            self._interventions()
            .annotate(g=group_expr("case__region_code", g))
            .values("g")
            .order_by()
            .annotate(interventions=Count("pk")),
        )
        _merge(
            out,
            self._reports()
            .annotate(g=group_expr("region_code", g))
            .values("g")
            .order_by()
            .annotate(verified_reports=Count("pk"), people_reached=Coalesce(Sum(PEOPLE), 0)),
        )
        _merge_ventures(out, self, g)
        return out

    # trends and breakdowns of the region as a whole ------------------------------------------
    def trends(self) -> dict[str, dict[datetime.date, int]]:
        out: dict[str, dict[datetime.date, int]] = defaultdict(dict)
        frm, upto = self.f.date_from, self.f.date_to

        def put(key, qs, field, agg):
            rows = qs.annotate(m=TruncMonth(field)).values("m").order_by().annotate(v=agg)
            for row in rows:
                month = row["m"]
                if isinstance(month, datetime.datetime):
                    month = month.date()
                out[key][month] = out[key].get(month, 0) + (row["v"] or 0)

        cases = self._cases()
        put(
            "new_cases",
            cases.filter(opened_on__gte=frm, opened_on__lte=upto),
            "opened_on",
            Count("pk"),
        )
        put(
            "closed_cases",
            cases.filter(closed_on__gte=frm, closed_on__lte=upto),
            "closed_on",
            Count("pk"),
        )
        reports = self._reports()
        put("verified_reports", reports, "on", Count("pk"))
        put("people_reached", reports, "on", Sum(PEOPLE))
        put(
            "new_workers",
            self._workers().filter(joined_on__gte=frm, joined_on__lte=upto),
            "joined_on",
            Count("pk"),
        )
        put("referrals", self._referrals(), "sent_on", Count("pk"))
        put("beneficiaries", self._beneficiaries(), "consent_on", Count("pk"))
        return out

    def breakdowns(self) -> dict[str, dict[str, int]]:
        out = self.category_breakdowns()
        out.update(self.other_breakdowns())
        return out

    def category_breakdowns(self) -> dict[str, dict[str, int]]:
        from mitra.cases.models import Beneficiary, Case

        out: dict[str, dict[str, int]] = defaultdict(dict)
        frm, upto = self.f.date_from, self.f.date_to
        new_cases = self._cases().filter(opened_on__gte=frm, opened_on__lte=upto)
        rows = (
            Case.categories.through.objects.filter(case__in=new_cases.values("pk"))
            .values("pmkscategory_id")
            .order_by()
            .annotate(v=Count("pk"))
        )
        if self.f.category:
            rows = rows.filter(pmkscategory_id=int(self.f.category))
        out["cases_by_category"] = {str(r["pmkscategory_id"]): r["v"] for r in rows}
        rows = (
            Beneficiary.categories.through.objects.filter(
                beneficiary__in=self._beneficiaries().values("pk")
            )
            .values("pmkscategory_id")
            .order_by()
            .annotate(v=Count("pk"))
        )
        if self.f.category:
            rows = rows.filter(pmkscategory_id=int(self.f.category))
        out["beneficiaries_by_category"] = {str(r["pmkscategory_id"]): r["v"] for r in rows}
        return out

    def other_breakdowns(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(dict)
        # Pairs of breakdowns in one query each, split here: a round trip costs more than the rows.
        by_programme: dict[str, int] = defaultdict(int)
        by_outcome: dict[str, int] = defaultdict(int)
        pairs = self._referrals().values_list("programme", "status").order_by()
        for programme, status, n in pairs.annotate(v=Count("pk")):
            by_programme[programme] += n
            by_outcome[status] += n
        out["referrals_by_programme"] = dict(by_programme)
        out["referrals_by_outcome"] = dict(by_outcome)
        active = self._workers().filter(status="active")
        by_sex: dict[str, int] = defaultdict(int)
        by_kind: dict[str, int] = defaultdict(int)
        for sex, kind, n in active.values_list("sex", "kind").order_by().annotate(v=Count("pk")):
            by_sex[sex] += n
            by_kind[kind] += n
        out["workers_by_sex"] = dict(by_sex)
        out["workers_by_kind"] = dict(by_kind)
        ages: dict[str, int] = defaultdict(int)
        for birth, n in active.values_list("birth_date").order_by().annotate(v=Count("pk")):
            ages[band_of(years_between(birth, self.today), AGE_BANDS)] += n
        out["workers_by_age_band"] = dict(ages)
        tenure: dict[str, int] = defaultdict(int)
        joined_rows = (
            active.filter(joined_on__isnull=False)
            .values_list("joined_on")
            .order_by()
            .annotate(v=Count("pk"))
        )
        for joined, n in joined_rows:
            tenure[band_of(years_between(joined, self.today), TENURE_BANDS)] += n
        out["workers_by_tenure"] = dict(tenure)
        return out
