"""The dashboard's filter bar (period, worker kind, PMKS category) and the query string it keeps.

The bar is a plain GET form: its parameters hold no personal data, so a filtered dashboard can be
bookmarked and shared. Validation is the service's (`Filters.from_params`, Indonesian messages);
this module only offers the choices and carries the chosen filters into links.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from mitra.core.categories import WorkerKind

from .indicators import Filters

FILTER_PARAMS = ("year_from", "month_from", "year_to", "month_to", "kind", "category")
YEARS_BACK = 6


def parse(params) -> tuple[Filters, list[str]]:
    """The filters from a query string, and the errors (then the default filters are used)."""
    try:
        return Filters.from_params(params), []
    except ValidationError as error:
        return Filters.default(), list(error.messages)


def query_string(filters: Filters) -> str:
    return urlencode(filters.as_params())


def options(choices, selected) -> str:
    """<option> elements with the chosen one selected (built here: cheaper than a template loop)."""
    selected = str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == selected else "", label)
            for value, label in choices
        ),
    )


def bar_context(params, filters: Filters) -> dict:
    """What the filter bar template needs: choices, and the values to show as selected."""
    from mitra.core.models import PmksCategory

    this_year = timezone.localdate().year
    years = list(range(this_year - YEARS_BACK, this_year + 1))
    for year in (filters.date_from.year, filters.date_to.year):
        if year not in years:
            years.append(year)
    chosen = {name: (params.get(name) or "").strip() for name in FILTER_PARAMS}
    kind = chosen["kind"] if chosen["kind"] in WorkerKind.values else filters.worker_kind
    months = list(MONTHS.items())
    year_choices = [(y, y) for y in sorted(years, reverse=True)]
    categories = [
        (number, f"{number}. {name}")
        for number, name in PmksCategory.objects.values_list("number", "name")
    ]
    return {
        "month_from": options(months, filters.date_from.month),
        "month_to": options(months, filters.date_to.month),
        "year_from": options(year_choices, filters.date_from.year),
        "year_to": options(year_choices, filters.date_to.year),
        "kind_options": options(WorkerKind.choices, kind),
        "category_options": options(categories, filters.category),
        "chosen": {
            "year_from": filters.date_from.year,
            "month_from": filters.date_from.month,
            "year_to": filters.date_to.year,
            "month_to": filters.date_to.month,
            "kind": kind,
            "category": filters.category,
        },
    }


def month_start(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)
