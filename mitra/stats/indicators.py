"""The dashboard service: indicator definitions and the figures of one region and its children.

Pages, exports, reports and the API all read figures through `dashboard()` / `child_table()`, so
they agree with each other. Scope: a region outside the user's scope is a 404, and every row is
read through `visible_to(user)`.

Where figures come from (ADR dashboard-rollups): national, province and regency levels read the
rollup tables (`mitra.stats.rollups`); district and village levels, whose children are villages,
read the raw tables through `mitra.stats.aggregates`, which is also the reference the rollups are
tested against.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from mitra.core.categories import WorkerKind
from mitra.core.scope import (
    LEVEL_BY_LENGTH,
    ancestor_codes,
    code_in_scope,
    normalize_code,
    user_scope,
)

from .aggregates import AGE_BANDS, TARGET_PER_VILLAGE, TENURE_BANDS, TREND_KEYS
from .definitions import INDICATOR_BY_KEY, INDICATORS, Indicator  # noqa: F401 - the contract

GROUPS = ("workforce", "training", "fieldwork", "recognition")
CHILD_LEN = {"": 2, "province": 4, "regency": 6, "district": 10, "village": None}
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def bad_year_message() -> str:
    return _("The year must be a number between %(low)s and %(high)s.") % {
        "low": FIRST_YEAR,
        "high": LAST_YEAR,
    }


def bad_month_message() -> str:
    return _("The month must be a number from 1 to 12.")


@dataclass(frozen=True)
class Filters:
    date_from: datetime.date
    date_to: datetime.date
    worker_kind: str = ""
    category: str = ""

    @classmethod
    def default(cls) -> Filters:
        today = timezone.localdate()
        return cls(datetime.date(today.year, 1, 1), _month_end(today.year, today.month))

    @classmethod
    def from_params(cls, params) -> Filters:
        """From request parameters; missing ones take the default's values."""
        default = cls.default()

        def number(name: str, fallback: int, low: int, high: int, message) -> int:
            raw = (params.get(name) or "").strip() if hasattr(params, "get") else ""
            if raw == "":
                return fallback
            try:
                value = int(raw)
            except ValueError:
                raise ValidationError(message, code="invalid") from None
            if not low <= value <= high:
                raise ValidationError(message, code="invalid")
            return value

        bad_year, bad_month = bad_year_message(), bad_month_message()
        year_from = number("year_from", default.date_from.year, FIRST_YEAR, LAST_YEAR, bad_year)
        month_from = number("month_from", default.date_from.month, 1, 12, bad_month)
        year_to = number("year_to", default.date_to.year, FIRST_YEAR, LAST_YEAR, bad_year)
        month_to = number("month_to", default.date_to.month, 1, 12, bad_month)
        date_from = datetime.date(year_from, month_from, 1)
        date_to = _month_end(year_to, month_to)
        if date_from > date_to:
            raise ValidationError(
                _("The start of the period must not be after its end."), code="invalid"
            )
        kind = (params.get("kind") or "").strip()
        if kind and kind not in WorkerKind.values:
            raise ValidationError(_("Unknown worker kind."), code="invalid")
        category = (params.get("category") or "").strip()
        if category:
            from mitra.core.models import PmksCategory

            if (
                not category.isdigit()
                or not PmksCategory.objects.filter(number=int(category)).exists()
            ):
                raise ValidationError(_("Unknown PMKS category."), code="invalid")
            category = str(int(category))
        return cls(date_from, date_to, kind, category)

    def months(self) -> list[datetime.date]:
        out, day = [], self.date_from.replace(day=1)
        while day <= self.date_to:
            out.append(day)
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        return out

    def as_params(self) -> dict[str, str]:
        params = {
            "year_from": str(self.date_from.year),
            "month_from": str(self.date_from.month),
            "year_to": str(self.date_to.year),
            "month_to": str(self.date_to.month),
        }
        if self.worker_kind:
            params["kind"] = self.worker_kind
        if self.category:
            params["category"] = self.category
        return params


class Crumb(tuple):
    """(code, name), unpackable as a pair, with `.linkable`: inside the user's scope."""

    def __new__(cls, code: str, name: str, linkable: bool):
        crumb = super().__new__(cls, (code, name))
        crumb.linkable = linkable
        return crumb

    @property
    def code(self) -> str:
        return self[0]

    @property
    def name(self) -> str:
        return self[1]


@dataclass
class Dashboard:
    level: str
    region_code: str
    region_name: str
    crumbs: list[tuple[str, str]]
    as_of: datetime.datetime
    values: dict[str, float | int | None]
    children: list[dict]
    trends: dict[str, list[tuple[datetime.date, float | int]]]
    breakdowns: dict[str, list[tuple[str, str, float | int]]]
    recognition: dict
    filters: Filters | None = None
    child_level: str = ""
    source: str = ""  # "rollups", "raw" or "raw+rollups": where the figures were read from
    extra: dict = field(default_factory=dict)


# --- derived indicators ---------------------------------------------------------------------------


def _share(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def derive(m: dict, today: datetime.date) -> dict[str, float | int | None]:
    """Indicator values from a region's additive measures."""
    g = m.get
    active, villages = g("active", 0), g("villages", 0)
    today_days = (today - datetime.date(1970, 1, 1)).days
    tenure_n = g("tenure_n", 0)
    return {
        "psm_total": g("total", 0),
        "psm_active": active,
        "psm_per_village": round(active / villages, 2) if villages else None,
        "villages_without_psm": villages - g("villages_with_active", 0),
        "share_of_target_5_per_village": _share(g("capped5", 0), TARGET_PER_VILLAGE * villages),
        "women_share": _share(g("female", 0), active),
        "mean_age": round((today_days - g("birth_days_sum", 0) / active) / 365.25, 1)
        if active
        else None,
        "mean_tenure": round((today_days - g("joined_days_sum", 0) / tenure_n) / 365.25, 1)
        if tenure_n
        else None,
        "new_workers": g("new_workers", 0),
        "share_basic": _share(g("basic", 0), active),
        "share_advanced": _share(g("advanced", 0), active),
        "in_pipeline": g("pipeline", 0),
        "beneficiaries": g("beneficiaries", 0),
        "open_cases": g("cases_opened_upto", 0) - g("cases_closed_upto", 0),
        "new_cases": g("new_cases", 0),
        "closed_cases": g("closed_cases", 0),
        "interventions": g("interventions", 0),
        "referrals": g("referrals", 0),
        "referrals_served": g("referrals_served", 0),
        "overdue_followups": g("overdue_followups", 0),
        "verified_reports": g("verified_reports", 0),
        "people_reached": g("people_reached", 0),
        "nominees": None,
        "winners": None,
        "psm_running": g("psm_running", 0),
        "ventures_running": g("ventures_running", 0),
        "support_given": g("support_given", 0),
        "support_amount": g("support_amount", 0),
        "survival_12": _share(g("survived_12", 0), g("cohort_12", 0)),
        "survival_24": _share(g("survived_24", 0), g("cohort_24", 0)),
        "income_over_1m": _share(
            sum(g(f"income_{band}", 0) for band in (2, 3, 4)),
            g("ventures_running", 0),
        ),
    }


# --- the service ----------------------------------------------------------------------------------


def _resolve(user, region_code: str) -> tuple[str, dict[str, str]]:
    """(code, names of the code and the regions above it) after the scope check; 404 outside the
    scope or unknown. The names come in one query: the crumbs need them all."""
    from mitra.regions.models import MODEL_BY_LENGTH

    try:
        code = normalize_code(region_code or "")
    except ValueError:
        raise Http404 from None
    scope = user_scope(user)
    if scope is None or not code_in_scope(code, scope):
        raise Http404
    if not code:
        return code, {}
    parts = [
        MODEL_BY_LENGTH[len(c)].objects.filter(code=c).values_list("code", "name").order_by()
        for c in [*ancestor_codes(code), code]
    ]
    names = dict(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
    if code not in names:
        raise Http404
    return code, names


def _crumbs(code: str, names: dict[str, str], scope: str) -> list[Crumb]:
    crumbs = [Crumb("", str(_("Indonesia")), scope == "")]
    for above in ancestor_codes(code):
        crumbs.append(Crumb(above, names.get(above, above), code_in_scope(above, scope)))
    if code:
        crumbs.append(Crumb(code, names[code], True))
    return crumbs


def _child_names(code: str, child_len: int | None) -> dict[str, str]:
    from mitra.core.scope import prefix_q
    from mitra.regions.models import MODEL_BY_LENGTH

    if not child_len:
        return {}
    model = MODEL_BY_LENGTH[child_len]
    qs = model.objects.filter(prefix_q("code", code)) if code else model.objects.all()
    return dict(qs.order_by("code").values_list("code", "name"))


def _source(user, code: str, level: str, filters: Filters, today):
    from .aggregates import RawSource
    from .rollups import ready_and_as_of
    from .rollups_reader import DistrictSource, RollupSource

    child_len = CHILD_LEN[level]
    if RollupSource.supports(child_len, filters):
        ready, as_of = ready_and_as_of()
        if ready:
            return RollupSource(user, code, child_len, filters, today, as_of)
    elif DistrictSource.supports(code, child_len, filters, user):
        ready, as_of = ready_and_as_of()
        if ready:
            return DistrictSource(user, code, child_len, filters, today, as_of)
    return RawSource(user, code, child_len, filters, today)


def _child_rows(code, child_len, measures, today, indicator_keys=None) -> list[dict]:
    rows = []
    for child_code, name in _child_names(code, child_len).items():
        values = derive(measures.get(child_code, {}), today)
        if indicator_keys is not None:
            values = {k: values[k] for k in indicator_keys if k in values}
        rows.append({"code": child_code, "name": name, **values})
    return rows


def _labels(kind: str, categories: dict[str, str]) -> dict[str, str]:
    from mitra.cases.models import Programme, ReferralStatus
    from mitra.core.categories import SEX_CHOICES

    if kind in ("cases_by_category", "beneficiaries_by_category"):
        return categories
    if kind == "referrals_by_programme":
        return {k: str(v) for k, v in Programme.choices}
    if kind == "referrals_by_outcome":
        return {k: str(v) for k, v in ReferralStatus.choices}
    if kind == "workers_by_sex":
        return {k: str(v) for k, v in SEX_CHOICES}
    if kind == "workers_by_kind":
        return {k: str(v) for k, v in WorkerKind.choices}
    if kind == "ventures_by_income":
        from mitra.ventures.models import IncomeBand

        return {k: str(v) for k, v in IncomeBand.choices}
    if kind == "support_by_source":
        from mitra.ventures.models import SupportSource

        return {k: str(v) for k, v in SupportSource.choices}
    if kind == "workers_by_age_band":
        return {key: _("%(band)s years") % {"band": key} for _lo, _hi, key in AGE_BANDS}
    if kind == "workers_by_tenure":
        return {key: _("%(band)s years") % {"band": key} for _lo, _hi, key in TENURE_BANDS}
    return {}


BREAKDOWN_ORDER = {
    "workers_by_age_band": [b[2] for b in AGE_BANDS],
    "workers_by_tenure": [b[2] for b in TENURE_BANDS],
}


def _breakdowns(raw: dict[str, dict[str, int]]) -> dict[str, list[tuple[str, str, int]]]:
    from mitra.core.models import PmksCategory

    categories = {str(n): name for n, name in PmksCategory.objects.values_list("number", "name")}
    out = {}
    for kind in (
        "cases_by_category",
        "beneficiaries_by_category",
        "referrals_by_programme",
        "referrals_by_outcome",
        "workers_by_age_band",
        "workers_by_sex",
        "workers_by_tenure",
        "workers_by_kind",
        "ventures_by_income",
        "support_by_source",
    ):
        labels = _labels(kind, categories)
        values = raw.get(kind, {})
        order = BREAKDOWN_ORDER.get(kind) or list(labels)
        keys = [k for k in order if values.get(k)] + [k for k in values if k not in labels]
        # Sentence case: the choices are lower case for use inside sentences, but here each
        # one names a bar or a row of a table.
        out[kind] = [(k, capfirst(labels.get(k, k)), values[k]) for k in keys]
    return out


def _venture_breakdowns(total: dict) -> dict[str, dict[str, int]]:
    """The region's running ventures by income band and support by source, from its measures
    (the sums of its children's: VentureSnapshot columns, or the raw counts)."""
    from mitra.ventures.models import SupportSource

    return {
        "ventures_by_income": {
            str(band): total.get(f"income_{band}", 0) for band in range(5)
        },  # fmt: skip
        "support_by_source": {s: total.get(f"support_{s}", 0) for s in SupportSource.values},
    }


def _recognition(user, code: str, filters: Filters) -> dict:
    from .recognition import recognition_by_year

    return recognition_by_year(user, code, filters)


def dashboard(user, region_code: str, filters: Filters) -> Dashboard:
    code, names = _resolve(user, region_code)
    level = LEVEL_BY_LENGTH[len(code)] if code else "national"
    level_key = "" if level == "national" else level
    child_len = CHILD_LEN[level_key]
    today = timezone.localdate()
    source = _source(user, code, level_key, filters, today)
    measures = source.measures()
    total: dict[str, int] = {}
    for bucket in measures.values():
        for name, value in bucket.items():
            total[name] = total.get(name, 0) + value
    values = derive(total, today)
    recognition = _recognition(user, code, filters)
    if recognition:
        values["nominees"] = sum(y.get("nominees", 0) for y in recognition.values())
        values["winners"] = sum(y.get("winners", 0) for y in recognition.values())
    raw_trends = source.trends()
    months = filters.months()
    trends = {
        key: [(month, raw_trends.get(key, {}).get(month, 0)) for month in months]
        for key in TREND_KEYS
    }
    return Dashboard(
        level=level,
        region_code=code,
        region_name=names[code] if code else str(_("Indonesia")),
        crumbs=_crumbs(code, names, user_scope(user) or ""),
        as_of=source.as_of(),
        values=values,
        children=_child_rows(code, child_len, measures, today),
        trends=trends,
        breakdowns=_breakdowns({**source.breakdowns(), **_venture_breakdowns(total)}),
        recognition=recognition,
        filters=filters,
        child_level=LEVEL_BY_LENGTH.get(child_len, "") if child_len else "",
        source=source.name,
    )


def child_table(user, region_code: str, filters: Filters, indicator_keys=None) -> list[dict]:
    code, _names = _resolve(user, region_code)
    level_key = LEVEL_BY_LENGTH[len(code)] if code else ""
    child_len = CHILD_LEN[level_key]
    if not child_len:
        return []
    today = timezone.localdate()
    measures = _source(user, code, level_key, filters, today).measures()
    return _child_rows(code, child_len, measures, today, indicator_keys)
