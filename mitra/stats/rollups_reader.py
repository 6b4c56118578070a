"""The indicators' measures read from the rollup tables: same shape as `aggregates.RawSource`."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q, Sum

from mitra.core.scope import prefix_q

from .aggregates import AGE_BANDS, TENURE_BANDS, RawSource
from .rollups import as_of
from .rollups_models import (
    ALL_KINDS,
    CaseSnapshot,
    CaseTotal,
    FactMonth,
    ReferralMonth,
    VentureSnapshot,
    WorkerSnapshot,
)

PERIOD_MEASURES = (
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


# Measures without a PMKS category: under a category filter they still count in full.
NO_CATEGORY = {"verified_reports", "people_reached", "new_workers"}


class RollupSource:
    """Measures of `code` and its children (of grain `child_len`: 2, 4 or 6) from the rollups."""

    name = "rollups"

    def __init__(
        self,
        user,
        code: str,
        child_len: int,
        filters,
        today: datetime.date,
        as_of: datetime.datetime | None = None,
    ):
        self._as_of = as_of
        self.user, self.code, self.grain, self.f, self.today = (
            user,
            code,
            child_len,
            filters,
            today,
        )
        self.category = int(filters.category or 0)

    @staticmethod
    def supports(child_len: int | None, filters) -> bool:
        return child_len in (2, 4) or (child_len == 6 and not filters.category)

    def as_of(self) -> datetime.datetime:
        return self._as_of or as_of()

    def _rows(self, model, category=True):
        """The child regions' rows."""
        qs = model.objects.visible_to(self.user).filter(grain=self.grain)
        if self.code:
            qs = qs.filter(prefix_q("region_code", self.code))
        if category:
            qs = qs.filter(category=self.category)
        return qs

    def _own(self, model, category=True):
        """The region's own row(s): what trends and breakdowns read (one row per key instead of
        one per child)."""
        qs = model.objects.visible_to(self.user).filter(grain=len(self.code), region_code=self.code)
        return qs.filter(category=self.category) if category else qs

    def _kind(self, qs):
        # Rows without a worker kind ('', beneficiaries) count under every kind.
        return qs.filter(worker_kind__in=[self.f.worker_kind, ""]) if self.f.worker_kind else qs

    def _facts(self, own=False):
        """Fact rows of the category filter, and the all-category rows for the measures that
        have no category (activity reports, new workers)."""
        rows = self._own(FactMonth, False) if own else self._rows(FactMonth, category=False)
        return self._kind(rows).filter(category__in={self.category, 0})

    def _fact_sum(self, measure: str, extra: Q | None = None) -> Sum:
        where = Q(category=0 if measure in NO_CATEGORY else self.category)
        return Sum(measure, filter=where & extra if extra is not None else where)

    def measures(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(dict)
        frm, upto = self.f.date_from, self.f.date_to
        in_period = Q(month__gte=frm, month__lte=upto)
        after = Q(month__gt=upto)
        sums = {m: self._fact_sum(m, in_period) for m in PERIOD_MEASURES}
        # Open at the period's end = all-time totals less what was opened/closed after it: only
        # the months from the period's start on are read, not every month since the data began.
        facts = (
            self._facts()
            .filter(month__gte=min(frm, upto + datetime.timedelta(days=1)))
            .values("region_code")
            .order_by()
            .annotate(
                opened_after=self._fact_sum("new_cases", after),
                closed_after=self._fact_sum("closed_cases", after),
                **sums,
            )
        )
        opened_after: dict[str, int] = {}
        closed_after: dict[str, int] = {}
        for row in facts:
            code = row.pop("region_code")
            opened_after[code] = row.pop("opened_after") or 0
            closed_after[code] = row.pop("closed_after") or 0
            bucket = out[code]
            for name, value in row.items():
                bucket[name] = value or 0
        totals = (
            self._kind(self._rows(CaseTotal))
            .values("region_code")
            .order_by()
            .annotate(opened=Sum("new_cases"), closed=Sum("closed_cases"))
        )
        for row in totals:
            code = row["region_code"]
            bucket = out[code]
            bucket["cases_opened_upto"] = (row["opened"] or 0) - opened_after.get(code, 0)
            bucket["cases_closed_upto"] = (row["closed"] or 0) - closed_after.get(code, 0)
        overdue = (
            self._kind(self._rows(CaseSnapshot))
            .values("region_code")
            .order_by()
            .annotate(v=Sum("overdue_followups"))
        )
        for row in overdue:
            out[row["region_code"]]["overdue_followups"] = row["v"] or 0
        # Villages are counted on the all-kinds rows (a district has one even with no worker).
        kind = self.f.worker_kind or ALL_KINDS
        workers = (
            self._rows(WorkerSnapshot, category=False)
            .filter(worker_kind__in={kind, ALL_KINDS})
            .values("region_code")
            .order_by()
            .annotate(
                villages=Sum("villages", filter=Q(worker_kind=ALL_KINDS)),
                **{
                    m: Sum(m, filter=Q(worker_kind=kind))
                    for m in WorkerSnapshot.MEASURES
                    if m != "villages"
                },
            )
        )
        for row in workers:
            bucket = out[row.pop("region_code")]
            for name, value in row.items():
                bucket[name] = value or 0
        ventures = (
            self._rows(VentureSnapshot, category=False)
            .values("region_code")
            .order_by()
            .annotate(**{m: Sum(m) for m in VentureSnapshot.MEASURES})
        )
        for row in ventures:
            bucket = out[row.pop("region_code")]
            for name, value in row.items():
                bucket[name] = value or 0
        return out

    def trends(self) -> dict[str, dict[datetime.date, int]]:
        out: dict[str, dict[datetime.date, int]] = defaultdict(dict)
        keys = (
            "new_cases",
            "closed_cases",
            "verified_reports",
            "people_reached",
            "new_workers",
            "referrals",
            "beneficiaries",
        )
        rows = (
            self._facts(own=True)
            .filter(month__gte=self.f.date_from, month__lte=self.f.date_to)
            .values("month")
            .order_by()
            .annotate(**{k: self._fact_sum(k) for k in keys})
        )
        for row in rows:
            month = row.pop("month")
            for name, value in row.items():
                if value is not None:
                    out[name][month] = value
        return out

    def breakdowns(self, categories: bool = True) -> dict[str, dict[str, int]]:
        """`categories=False`: without the two PMKS category breakdowns (a district has no
        per-category rows)."""
        out: dict[str, dict[str, int]] = {}
        period = Q(month__gte=self.f.date_from, month__lte=self.f.date_to)
        if categories:
            cats = self._kind(self._own(FactMonth, category=False)).filter(period)
            cats = (
                cats.filter(category=self.category) if self.category else cats.exclude(category=0)
            )
            rows = (
                cats.values("category")
                .order_by()
                .annotate(c=Sum("new_cases"), b=Sum("beneficiaries"))
            )
            out["cases_by_category"] = {str(r["category"]): r["c"] for r in rows if r["c"]}
            out["beneficiaries_by_category"] = {str(r["category"]): r["b"] for r in rows if r["b"]}
        # One query per table, split in Python: each round trip costs more than the rows.
        referrals = self._kind(self._own(ReferralMonth)).filter(period)
        by_programme: dict[str, int] = defaultdict(int)
        by_outcome: dict[str, int] = defaultdict(int)
        for programme, status, v in (
            referrals.values_list("programme", "status").order_by().annotate(v=Sum("referrals"))
        ):
            by_programme[programme] += v
            by_outcome[status] += v
        out["referrals_by_programme"] = dict(by_programme)
        out["referrals_by_outcome"] = dict(by_outcome)
        chosen_kind = self.f.worker_kind or ALL_KINDS
        columns = ("active", "female", *WorkerSnapshot.AGE_COLUMNS, *WorkerSnapshot.TENURE_COLUMNS)
        per_kind = {
            row.pop("worker_kind"): row
            for row in self._own(WorkerSnapshot, category=False)
            .values("worker_kind")
            .order_by()
            .annotate(**{c: Sum(c) for c in columns})
        }
        out["workers_by_kind"] = {
            k: row["active"]
            for k, row in per_kind.items()
            if k != ALL_KINDS and (not self.f.worker_kind or k == self.f.worker_kind)
            if row["active"]
        }
        chosen = per_kind.get(chosen_kind, {})
        totals = {c: chosen.get(c) or 0 for c in columns}
        out["workers_by_sex"] = {
            k: v
            for k, v in (("L", totals["active"] - totals["female"]), ("P", totals["female"]))
            if v
        }
        out["workers_by_age_band"] = {
            band[2]: totals[f"age_{i}"] for i, band in enumerate(AGE_BANDS) if totals[f"age_{i}"]
        }
        out["workers_by_tenure"] = {
            band[2]: totals[f"tenure_{i}"]
            for i, band in enumerate(TENURE_BANDS)
            if totals[f"tenure_{i}"]
        }
        return out


class DistrictSource(RawSource):
    """A district without a category filter: its villages' figures from the raw tables (there
    are no village rollups), its own trends and breakdowns from the district's rollup rows (one
    query each instead of one per measure); the PMKS category breakdowns stay raw, as districts
    have no per-category rows. Figures are as of the rollups' refresh."""

    name = "raw+rollups"

    @staticmethod
    def supports(code: str, child_len: int | None, filters, user) -> bool:
        return len(code) == 6 and not filters.category and user.role not in ("worker", "juror")

    def __init__(self, user, code, child_len, filters, today, as_of=None):
        super().__init__(user, code, child_len, filters, today)
        self.rolled = RollupSource(user, code, child_len, filters, today, as_of)

    def as_of(self) -> datetime.datetime:
        return self.rolled.as_of()

    def trends(self) -> dict[str, dict[datetime.date, int]]:
        return self.rolled.trends()

    def breakdowns(self) -> dict[str, dict[str, int]]:
        out = self.category_breakdowns()
        out.update(self.rolled.breakdowns(categories=False))
        return out
