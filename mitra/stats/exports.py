"""The dashboard's tables as export tables (columns and rows), shared by the export downloads and
the XLSX report: the child regions, the monthly trends and each breakdown.

Rows come from the same `Dashboard` the page shows, so a downloaded table always matches the page.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mitra.core.exports import NUMBER, TEXT, Column
from mitra.core.scope import format_code

from .indicators import INDICATOR_BY_KEY, INDICATORS, Dashboard

LEVEL_LABELS = {
    "national": _("National"),
    "province": _("Province"),
    "regency": _("Regency/city"),
    "district": _("District"),
    "village": _("Village"),
}
BREAKDOWN_LABELS = {
    "cases_by_category": _("New cases by PMKS category"),
    "beneficiaries_by_category": _("New beneficiaries by PMKS category"),
    "referrals_by_programme": _("Referrals by programme"),
    "referrals_by_outcome": _("Referrals by outcome"),
    "workers_by_age_band": _("Active workers by age"),
    "workers_by_sex": _("Active workers by sex"),
    "workers_by_tenure": _("Active workers by years in service"),
    "workers_by_kind": _("Active workers by kind"),
    "ventures_by_income": _("Running ventures by net income a month"),
    "support_by_source": _("Support to ventures by source (Rp)"),
}
# Each breakdown's columns: the code (only where it means something to the reader: a PMKS
# number, L/P; the other keys are Mitra's internal English names) and what the rows are.
BREAKDOWN_COLUMNS = {
    "cases_by_category": (_("PMKS number"), _("PMKS category")),
    "beneficiaries_by_category": (_("PMKS number"), _("PMKS category")),
    "referrals_by_programme": (None, _("Programme or service")),
    "referrals_by_outcome": (None, _("Outcome")),
    "workers_by_age_band": (None, _("Age")),
    "workers_by_sex": (_("Code"), _("Sex")),
    "workers_by_tenure": (None, _("Length of service")),
    "workers_by_kind": (None, _("Worker kind")),
    "ventures_by_income": (None, _("Net income a month")),
    "support_by_source": (None, _("Given by")),
}
# Shorter names for the tables whose title does not fit a worksheet tab (31 characters at most).
SHEET_TITLES = {
    "cases_by_category": _("Cases by PMKS category"),
    "beneficiaries_by_category": _("Beneficiaries by category"),
    "workers_by_sex": _("Workers by sex"),
    "workers_by_tenure": _("Workers by years in service"),
    "ventures_by_income": _("Ventures by income"),
    "support_by_source": _("Support by source"),
}
TRENDS_TABLE, CHILDREN_TABLE = "tren", "wilayah"


def table_names(board: Dashboard) -> list[str]:
    names = [TRENDS_TABLE, *board.breakdowns]
    if board.children:
        names.insert(0, CHILDREN_TABLE)
    return names


def table_title(name: str) -> str:
    if name == CHILDREN_TABLE:
        return str(_("Figures per region"))
    if name == TRENDS_TABLE:
        return str(_("Monthly trends"))
    return str(BREAKDOWN_LABELS.get(name, name))


def sheet_title(name: str) -> str:
    """The table's worksheet name in the XLSX files (whole, never clipped)."""
    return str(SHEET_TITLES.get(name) or table_title(name))


def _value(value):
    return value if value is not None else None


def table(board: Dashboard, name: str) -> tuple[list[Column], list[tuple]]:
    """(columns, rows) of one dashboard table; KeyError for a table the dashboard has not."""
    if name == CHILDREN_TABLE:
        if not board.children:
            raise KeyError(name)
        columns = [Column(_("Code"), TEXT, 14), Column(_("Region"), TEXT, 30)] + [
            Column(i.label, NUMBER, 14) for i in INDICATORS
        ]
        rows = [
            (format_code(r["code"]), r["name"], *(_value(r.get(i.key)) for i in INDICATORS))
            for r in board.children
        ]
        return columns, rows
    if name == TRENDS_TABLE:
        keys = list(board.trends)
        columns = [Column(_("Month"), TEXT, 14)] + [
            Column(INDICATOR_BY_KEY[k].label if k in INDICATOR_BY_KEY else k, NUMBER, 16)
            for k in keys
        ]
        months = [m for m, _v in next(iter(board.trends.values()), [])]
        by_key = {k: dict(points) for k, points in board.trends.items()}
        rows = [(date_format(m, "F Y"), *(by_key[k].get(m) for k in keys)) for m in months]
        return columns, rows
    if name in board.breakdowns:
        code, label = BREAKDOWN_COLUMNS.get(name, (_("Code"), _("Category")))
        columns = [Column(label, TEXT, 48), Column(_("Count"), NUMBER, 12)]
        if code is None:
            return columns, [(text, count) for _key, text, count in board.breakdowns[name]]
        return [Column(code, TEXT, 12), *columns], [tuple(item) for item in board.breakdowns[name]]
    raise KeyError(name)
