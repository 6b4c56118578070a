"""The dashboard pages: a region's indicators, charts, map and child table, and their exports.

`/dasbor/` sends the user to their own area; `/dasbor/nasional/` is the national level and
`/dasbor/<code>/` a region's. The service (`indicators.dashboard`) answers 404 for a region outside
the user's scope, so editing the URL shows nothing more than the user may see.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitra.core import exports as files
from mitra.core.access import log_export
from mitra.core.scope import format_code

from . import charts, maps
from .exports import BREAKDOWN_LABELS, LEVEL_LABELS, sheet_title, table, table_names, table_title
from .filters import bar_context, options, parse, query_string
from .indicators import INDICATOR_BY_KEY, INDICATORS, dashboard
from .models_reports import GeneratedReport

NATIONAL = "nasional"
GROUP_LABELS = {
    "workforce": gettext_lazy("Workforce"),
    "training": gettext_lazy("Training"),
    "fieldwork": gettext_lazy("Field work"),
    "recognition": gettext_lazy("Recognition"),
    "ventures": gettext_lazy("Economic self-reliance of PSM"),
}
# The child table shows these columns; the export has every indicator.
TABLE_KEYS = [
    "psm_total",
    "psm_active",
    "psm_per_village",
    "villages_without_psm",
    "share_of_target_5_per_village",
    "share_basic",
    "open_cases",
    "overdue_followups",
    "verified_reports",
    "people_reached",
]
DEFAULT_COMPARE = "psm_active"
TREND_CHARTS = [
    ("cases", ["new_cases", "closed_cases"]),
    ("reports", ["verified_reports"]),
    ("reached", ["people_reached"]),
    ("workers", ["new_workers"]),
    ("beneficiaries", ["beneficiaries"]),
    ("referrals", ["referrals"]),
]
BAR_BREAKDOWNS = [
    "cases_by_category",
    "beneficiaries_by_category",
    "referrals_by_programme",
    "referrals_by_outcome",
    "workers_by_age_band",
    "ventures_by_income",
    "support_by_source",
]
SHARE_BREAKDOWNS = ["workers_by_sex", "workers_by_tenure", "workers_by_kind"]


def dashboard_url(code: str, query: str = "") -> str:
    url = reverse("stats:dashboard", args=[code or NATIONAL])
    return f"{url}?{query}" if query else url


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _code(code: str) -> str:
    return "" if code == NATIONAL else code


@login_required
def index(request):
    _require(request, "stats.view_dashboard")
    query = request.GET.urlencode()
    return redirect(dashboard_url(request.user.scope_code or "", query))


def _trend_label(keys: list[str]) -> str:
    if keys == ["new_cases", "closed_cases"]:
        return _("Cases opened and closed per month")
    return str(INDICATOR_BY_KEY[keys[0]].label)


def _charts(board, compare: str, links: dict) -> dict:
    trends = []
    for slug, keys in TREND_CHARTS:
        present = [k for k in keys if k in board.trends]
        if not present:
            continue
        series = {str(INDICATOR_BY_KEY[k].label): board.trends[k] for k in present}
        chart = charts.line_chart(series, _trend_label(present), running=timezone.localdate())
        trends.append((slug, charts.to_svg(chart)))
    bars = [
        (name, charts.to_svg(charts.bar_chart(board.breakdowns[name], str(BREAKDOWN_LABELS[name]))))
        for name in BAR_BREAKDOWNS
        if name in board.breakdowns
    ]
    shares = [
        (name, charts.to_svg(charts.share_bar(board.breakdowns[name], str(BREAKDOWN_LABELS[name]))))
        for name in SHARE_BREAKDOWNS
        if name in board.breakdowns
    ]
    out = {"trend_charts": trends, "bar_charts": bars, "share_charts": shares}
    if board.children:
        indicator = INDICATOR_BY_KEY[compare]
        out["ranked"] = charts.to_svg(
            charts.ranked_bars(board.children, compare, str(indicator.label), indicator.unit, links)
        )
        out["map"] = charts.to_svg(
            maps.tile_map(
                board.children,
                compare,
                str(indicator.label),
                indicator.unit,
                links,
                national=board.level == "national",
            )
        )
    return out


def _groups(board) -> list[dict]:
    groups = []
    for key, label in GROUP_LABELS.items():
        items = [
            {"indicator": i, "value": charts.format_value(board.values.get(i.key), i.unit)}
            for i in INDICATORS
            if i.group == key
        ]
        groups.append({"key": key, "label": label, "items": items})
    return groups


def _table_body(rows: list[dict]) -> str:
    """The child table's rows as HTML, built here: a template loop over a few hundred cells
    costs more than drawing all the charts. Every text is escaped."""
    out = []
    for row in rows:
        cells = "".join(
            f'<td class="num" data-sort="{"" if raw is None else raw}">{escape(shown)}</td>'
            for raw, shown in row["cells"]
        )
        out.append(
            f'<tr><th scope="row" data-sort="{escape(row["name"])}"><a href="{escape(row["url"])}">'
            f'{escape(row["name"])}</a> <small class="muted">{row["dotted"]}</small></th>'
            f"{cells}</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every text above is escaped


@login_required
def dashboard_page(request, code: str):
    _require(request, "stats.view_dashboard")
    filters, errors = parse(request.GET)
    board = dashboard(request.user, _code(code), filters)
    query = query_string(filters)
    compare = request.GET.get("ind", DEFAULT_COMPARE)
    if compare not in INDICATOR_BY_KEY:
        compare = DEFAULT_COMPARE
    drill = f"{query}&ind={compare}"
    links = {row["code"]: dashboard_url(row["code"], drill) for row in board.children}
    rows = [
        {
            "code": row["code"],
            "dotted": format_code(row["code"]),
            "name": row["name"],
            "url": links[row["code"]],
            "cells": [
                (row.get(k), charts.format_value(row.get(k), INDICATOR_BY_KEY[k].unit))
                for k in TABLE_KEYS
            ],
        }
        for row in board.children
    ]
    scope = request.user.scope_code or ""
    crumbs = [
        (crumb[1], dashboard_url(crumb[0], drill))
        for crumb in board.crumbs
        if crumb[0].startswith(scope)  # up to the user's own area, never above it
    ]
    context = {
        "board": board,
        "code": board.region_code or NATIONAL,
        "dotted_code": format_code(board.region_code) if board.region_code else "",
        "level_label": LEVEL_LABELS.get(board.level, ""),
        "child_level_label": LEVEL_LABELS.get(board.child_level, ""),
        "errors": errors,
        "bar": bar_context(request.GET, filters),
        "query": query,
        "compare": compare,
        "compare_options": options([(i.key, i.label) for i in INDICATORS], compare),
        "groups": _groups(board),
        "table_columns": [INDICATOR_BY_KEY[k] for k in TABLE_KEYS],
        "rows": rows,
        "table_body": _table_body(rows),
        "crumbs": crumbs,
        "exports": [(name, table_title(name)) for name in table_names(board)],
        "can_export": request.user.has_perm("stats.export_stats"),
        "can_report": request.user.has_perm("stats.view_report"),
        "latest_reports": GeneratedReport.objects.visible_to(request.user).filter(
            region_code=board.region_code, language=request.LANGUAGE_CODE
        )[:3]
        if request.user.has_perm("stats.view_report")
        else [],
        **_charts(board, compare, links),
    }
    return render(request, "stats/dashboard.html", context, status=400 if errors else 200)


@login_required
def export_table(request, code: str, table_name: str, fmt: str):
    """One dashboard table as CSV (streamed) or XLSX, with the page's filters; logged."""
    _require(request, "stats.export_stats")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filters, errors = parse(request.GET)
    if errors:
        raise Http404
    board = dashboard(request.user, _code(code), filters)
    try:
        columns, rows = table(board, table_name)
    except KeyError:
        raise Http404 from None
    period = f"{filters.date_from:%Y%m}-{filters.date_to:%Y%m}"
    filename = f"mitra-{table_name}-{board.region_code or 'ID'}-{period}.{fmt}"
    purpose = f"dashboard {table_name} {period}"
    if fmt == "csv":
        log_export(request, GeneratedReport, len(rows), board.region_code, purpose)
        return files.csv_response(filename, columns, rows)
    response, count = files.xlsx_response(filename, columns, rows, sheet_title(table_name))
    log_export(request, GeneratedReport, count, board.region_code, purpose)
    return response
