"""Dashboards & reports over JSON, under /api/v1/stats/: the same indicators as the pages, from
the same service (`indicators.dashboard()`), with the same scope (a region outside it is 404).

* GET /indicators: the definitions (key, label, definition, group, unit);
* GET /dashboard?region=&year_from=&month_from=&year_to=&month_to=&kind=&category=: one region's
  figures, its child regions, trends per month and breakdowns; region defaults to the caller's
  own area;
* GET /children?region=…&indicators=a,b: only the child regions' rows (all indicators unless
  named).

Bad filters answer 422 with the reason in the caller's language.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from mitra.api.openapi import one_of
from mitra.core.categories import WorkerKind

from .indicators import (
    FIRST_YEAR,
    INDICATOR_BY_KEY,
    INDICATORS,
    LAST_YEAR,
    Dashboard,
    Filters,
    bad_month_message,
    bad_year_message,
    child_table,
    dashboard,
)

router = Router(tags=["stats"])
Number = int | float


# --- query parameters -----------------------------------------------------------------------------


def _year(description: str):
    return Field(
        None,
        description=f"{description} ({FIRST_YEAR}-{LAST_YEAR}).",
        json_schema_extra={"minimum": FIRST_YEAR, "maximum": LAST_YEAR},
    )


def _month(description: str):
    return Field(
        None, description=f"{description} (1-12).", json_schema_extra={"minimum": 1, "maximum": 12}
    )


class StatsFilters(Schema):
    """The dashboard's filters. An empty value is the same as a missing one (a shared page link);
    the ranges, the kind and the category are checked by `Filters.from_params`, whose messages are
    in the caller's language."""

    region: str | None = Field(
        None,
        description="Region code (2, 4, 6 or 10 digits, dots allowed); empty: all of Indonesia; "
        "default: the caller's own area. A region outside the caller's scope answers 404.",
    )
    year_from: int | None = _year("First year of the period; default: this year")
    month_from: int | None = _month("First month of the period; default: January")
    year_to: int | None = _year("Last year of the period; default: this year")
    month_to: int | None = _month("Last month of the period; default: this month")
    kind: str | None = one_of(WorkerKind.values, "Only workers of this kind; default: all kinds.")
    category: int | None = Field(None, description="Only this PMKS category (its number).")

    @field_validator("year_from", "year_to", "month_from", "month_to", "category", mode="before")
    @classmethod
    def _number_or_missing(cls, value, info):
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
            try:
                return int(value)
            except ValueError:
                message = {
                    "category": lambda: _("Unknown PMKS category."),
                    "month_from": bad_month_message,
                    "month_to": bad_month_message,
                }.get(info.field_name, bad_year_message)()
                raise PydanticCustomError("invalid", message) from None
        return value

    @field_validator("kind", mode="before")
    @classmethod
    def _kind_or_missing(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    def as_params(self) -> dict[str, str]:
        """The filters as `Filters.from_params` reads them (strings, missing ones left out)."""
        names = ("year_from", "month_from", "year_to", "month_to", "kind", "category")
        return {n: str(getattr(self, n)) for n in names if getattr(self, n) is not None}


class ChildrenFilters(StatsFilters):
    indicators: str | None = Field(
        None,
        description="Comma-separated indicator keys (see /stats/indicators); default: all.",
        examples=["psm_active,women_share"],
    )


# --- answers --------------------------------------------------------------------------------------


class IndicatorOut(Schema):
    key: str
    label: str = Field(description="In the caller's language.")
    definition: str = Field(description="One sentence, in the caller's language.")
    group: str = Field(description="workforce, training, fieldwork, recognition or ventures.")
    unit: str = Field(description="count, percent or ratio (a decimal number).")
    snapshot: bool = Field(
        description="True: a state at the last refresh, not a sum over the period."
    )


class IndicatorList(Schema):
    indicators: list[IndicatorOut]


class RegionName(Schema):
    code: str = Field(description="Empty for Indonesia.")
    name: str


class StatsCrumb(RegionName):
    linkable: bool = Field(description="Inside the caller's scope.")


class FiltersOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    kind: str = Field(description="Empty: all kinds.")
    category: str = Field(description="PMKS category number; empty: all.")


class MonthValue(Schema):
    month: datetime.date = Field(description="The first day of the month.")
    value: Number


class BreakdownRow(Schema):
    key: str
    label: str
    value: Number


class RecognitionYear(Schema):
    nominees: int
    winners: int


class ChildFigures(BaseModel):
    """One child region's indicator values, keyed by indicator key (all of them, or the named
    ones); null where the value is undefined (a share of nothing)."""

    # A plain pydantic model: ninja's Schema reads known attributes only, dropping the extras.
    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Number | None]
    code: str
    name: str


class DashboardOut(Schema):
    level: str = Field(description="national, province, regency, district or village.")
    region: RegionName
    crumbs: list[StatsCrumb] = Field(description="Indonesia and the regions above, down to it.")
    as_of: datetime.datetime = Field(description="When the figures were last brought up to date.")
    filters: FiltersOut | None
    child_level: str = Field(description="The level of `children`; empty at village level.")
    values: dict[str, Number | None] = Field(
        description="The region's value of each indicator (see /stats/indicators)."
    )
    children: list[ChildFigures]
    trends: dict[str, list[MonthValue]] = Field(description="Per trend key, one value a month.")
    breakdowns: dict[str, list[BreakdownRow]]
    recognition: dict[str, RecognitionYear] = Field(description="Award figures per cycle year.")


class ChildrenOut(Schema):
    filters: FiltersOut
    children: list[ChildFigures]


def _allowed(request) -> None:
    if not request.auth.has_perm("stats.view_dashboard"):
        raise PermissionDenied


def _region(request, region: str | None) -> str:
    return (request.auth.scope_code or "") if region is None else region


def _indicator(indicator) -> dict:
    return {
        "key": indicator.key,
        "label": str(indicator.label),
        "definition": str(indicator.definition),
        "group": indicator.group,
        "unit": indicator.unit,
        "snapshot": indicator.snapshot,
    }


def _filters_json(filters: Filters) -> dict:
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "kind": filters.worker_kind,
        "category": filters.category,
    }


def dashboard_json(board: Dashboard) -> dict:
    return {
        "level": board.level,
        "region": {"code": board.region_code, "name": board.region_name},
        "crumbs": [
            {"code": c[0], "name": c[1], "linkable": getattr(c, "linkable", True)}
            for c in board.crumbs
        ],
        "as_of": board.as_of,
        "filters": _filters_json(board.filters) if board.filters else None,
        "child_level": board.child_level,
        "values": board.values,
        "children": board.children,
        "trends": {
            key: [{"month": month, "value": value} for month, value in series]
            for key, series in board.trends.items()
        },
        "breakdowns": {
            key: [{"key": k, "label": label, "value": value} for k, label, value in rows]
            for key, rows in board.breakdowns.items()
        },
        "recognition": {str(year): row for year, row in board.recognition.items()},
    }


@router.get("/indicators", response=IndicatorList, summary="Indicator definitions")
def indicators(request):
    _allowed(request)
    return {"indicators": [_indicator(i) for i in INDICATORS]}


@router.get("/dashboard", response=DashboardOut, summary="A region's dashboard figures")
def region_dashboard(request, params: Query[StatsFilters]):
    _allowed(request)
    filters = Filters.from_params(params.as_params())
    return dashboard_json(dashboard(request.auth, _region(request, params.region), filters))


@router.get("/children", response=ChildrenOut, summary="The figures of a region's child regions")
def children(request, params: Query[ChildrenFilters]):
    _allowed(request)
    filters = Filters.from_params(params.as_params())
    keys = None
    wanted = (params.indicators or "").strip()
    if wanted:
        keys = [k.strip() for k in wanted.split(",") if k.strip()]
        unknown = [k for k in keys if k not in INDICATOR_BY_KEY]
        if unknown:
            raise ValidationError(
                _("Unknown indicator: %(keys)s.") % {"keys": ", ".join(unknown)}, code="invalid"
            )
    rows = child_table(request.auth, _region(request, params.region), filters, keys)
    return {"filters": _filters_json(filters), "children": rows}
