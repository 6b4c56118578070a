"""Where the monthly fact rows of the rollups come from (rollups._build_from_raw): the raw
querysets, the date that places a row in a month, the worker kind, the category path and the
measures; the same counts as aggregates.RawSource. And the case totals, written from the fact
rows."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, F, Q, Sum, Value

from .aggregates import PEOPLE
from .rollups_models import CaseTotal, FactMonth


def _fact_sources():
    """(queryset factory, month field, kind expression, category path or None, measures)."""
    from mitra.cases.models import ActivityReport, Beneficiary, Case, Intervention, Referral
    from mitra.workers.models import Worker

    return [
        (
            Case.objects.all,
            "opened_on",
            F("worker__kind"),
            "categories",
            {"new_cases": Count("pk")},
        ),
        (
            lambda: Case.objects.filter(closed_on__isnull=False),
            "closed_on",
            F("worker__kind"),
            "categories",
            {"closed_cases": Count("pk")},
        ),
        (
            Beneficiary.objects.all,
            "consent_on",
            Value(""),
            "categories",
            {"beneficiaries": Count("pk")},
        ),
        (
            Referral.objects.all,
            "sent_on",
            F("case__worker__kind"),
            "case__categories",
            {"referrals": Count("pk"), "referrals_served": Count("pk", filter=Q(status="served"))},
        ),
        (
            Intervention.objects.all,
            "on",
            F("case__worker__kind"),
            "case__categories",
            {"interventions": Count("pk")},
        ),
        (
            lambda: ActivityReport.objects.filter(status="verified"),
            "on",
            F("worker__kind"),
            None,
            {"verified_reports": Count("pk"), "people_reached": Sum(PEOPLE)},
        ),
        (
            lambda: Worker.objects.registered().filter(joined_on__isnull=False),
            "joined_on",
            F("kind"),
            None,
            {"new_workers": Count("pk")},
        ),
    ]


def _case_totals(grain: int, codes) -> None:
    """`CaseTotal` rows of `grain` for `codes` (None: all) from the fact rows just written, so the
    totals are the month sums by construction."""
    facts, totals = FactMonth._meta.db_table, CaseTotal._meta.db_table
    where, params = "grain = %s", [grain]
    if codes is not None:
        if not codes:
            return
        where += f" AND region_code IN ({', '.join(['%s'] * len(codes))})"
        params += list(codes)
    sql = (
        f"INSERT INTO {totals} (region_code, grain, worker_kind, category, new_cases, "  # noqa: S608
        f"closed_cases) SELECT region_code, grain, worker_kind, category, SUM(new_cases), "
        f"SUM(closed_cases) FROM {facts} WHERE {where} "
        "GROUP BY region_code, grain, worker_kind, category "
        "HAVING SUM(new_cases) <> 0 OR SUM(closed_cases) <> 0"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
