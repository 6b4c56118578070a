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

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Router

from .indicators import INDICATOR_BY_KEY, INDICATORS, Dashboard, Filters, child_table, dashboard

router = Router(tags=["stats"])


def _allowed(request) -> None:
    if not request.auth.has_perm("stats.view_dashboard"):
        raise PermissionDenied


def _region(request) -> str:
    region = request.GET.get("region")
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


@router.get("/indicators", summary="Indicator definitions")
def indicators(request):
    _allowed(request)
    return {"indicators": [_indicator(i) for i in INDICATORS]}


@router.get("/dashboard", summary="A region's dashboard figures")
def region_dashboard(request):
    _allowed(request)
    filters = Filters.from_params(request.GET)
    return dashboard_json(dashboard(request.auth, _region(request), filters))


@router.get("/children", summary="The figures of a region's child regions")
def children(request):
    _allowed(request)
    filters = Filters.from_params(request.GET)
    keys = None
    wanted = (request.GET.get("indicators") or "").strip()
    if wanted:
        keys = [k.strip() for k in wanted.split(",") if k.strip()]
        unknown = [k for k in keys if k not in INDICATOR_BY_KEY]
        if unknown:
            raise ValidationError(
                _("Unknown indicator: %(keys)s.") % {"keys": ", ".join(unknown)}, code="invalid"
            )
    rows = child_table(request.auth, _region(request), filters, keys)
    return {"filters": _filters_json(filters), "children": rows}
