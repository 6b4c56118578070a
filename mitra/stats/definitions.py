"""The indicators the dashboards show: key, label, one-sentence definition, group and unit, in
display order. Values are computed in `indicators.derive()` from additive measures."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _l


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Promise
    definition: Promise
    group: str
    unit: str  # "count" | "percent" | "ratio" (a decimal number, e.g. years or workers per village)
    # True when the figure is a state at the time of the last refresh, not a sum over the period.
    snapshot: bool = False


def _i(key, label, definition, group, unit, snapshot=False) -> Indicator:
    return Indicator(key, label, definition, group, unit, snapshot)


INDICATORS: list[Indicator] = [
    _i(
        "psm_total",
        _l("Workers registered"),
        _l("Workers of the selected kind in the registry, except those who have exited."),
        "workforce",
        "count",
        True,
    ),
    _i(
        "psm_active",
        _l("Active workers"),
        _l("Workers of the selected kind whose status is active."),
        "workforce",
        "count",
        True,
    ),
    _i(
        "psm_per_village",
        _l("Active workers per village"),
        _l("Active workers divided by the number of villages in the area."),
        "workforce",
        "ratio",
        True,
    ),
    _i(
        "villages_without_psm",
        _l("Villages without an active worker"),
        _l("Villages in the area where no worker of the selected kind is active."),
        "workforce",
        "count",
        True,
    ),
    _i(
        "share_of_target_5_per_village",
        _l("Progress to 5 per village"),
        _l(
            "Active workers counted up to five per village, as a share of five in every village "
            "(the IPSM target)."
        ),
        "workforce",
        "percent",
        True,
    ),
    _i(
        "women_share",
        _l("Women among active workers"),
        _l("Share of active workers who are women."),
        "workforce",
        "percent",
        True,
    ),
    _i(
        "mean_age",
        _l("Average age (years)"),
        _l("Average age of active workers today."),
        "workforce",
        "ratio",
        True,
    ),
    _i(
        "mean_tenure",
        _l("Average time in service (years)"),
        _l("Average years since active workers joined, over those with a known joining date."),
        "workforce",
        "ratio",
        True,
    ),
    _i(
        "new_workers",
        _l("New workers"),
        _l("Workers of the selected kind who joined during the period."),
        "workforce",
        "count",
    ),
    _i(
        "share_basic",
        _l("With basic training"),
        _l("Share of active workers who completed the basic training."),
        "training",
        "percent",
        True,
    ),
    _i(
        "share_advanced",
        _l("With advanced training"),
        _l("Share of active workers who passed an advanced (lanjutan) course."),
        "training",
        "percent",
        True,
    ),
    _i(
        "in_pipeline",
        _l("In training now"),
        _l(
            "Active workers applied, enrolled or waiting for a batch that is planned, open or "
            "running, without a result yet."
        ),
        "training",
        "count",
        True,
    ),
    _i(
        "beneficiaries",
        _l("New beneficiaries"),
        _l("Persons needing social-welfare services registered (consent given) in the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "open_cases",
        _l("Open cases"),
        _l("Cases opened up to the end of the period and not closed by then."),
        "fieldwork",
        "count",
    ),
    _i(
        "new_cases",
        _l("New cases"),
        _l("Cases opened during the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "closed_cases",
        _l("Closed cases"),
        _l("Cases closed during the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "interventions",
        _l("Interventions"),
        _l("Visits, assessments, assistance, referrals and follow-ups recorded in the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "referrals",
        _l("Referrals"),
        _l("Referrals to aid programmes or services sent during the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "referrals_served",
        _l("Referrals served"),
        _l("Referrals sent during the period that the programme or service has served."),
        "fieldwork",
        "count",
    ),
    _i(
        "overdue_followups",
        _l("Overdue follow-ups"),
        _l("Open cases whose next follow-up date has passed."),
        "fieldwork",
        "count",
        True,
    ),
    _i(
        "verified_reports",
        _l("Verified activity reports"),
        _l("Activity reports dated in the period and verified by the district supervisor."),
        "fieldwork",
        "count",
    ),
    _i(
        "people_reached",
        _l("People reached"),
        _l("People reached by the verified activity reports of the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "nominees",
        _l("Award nominees"),
        _l("Workers nominated for an award in the years of the period."),
        "recognition",
        "count",
    ),
    _i(
        "winners",
        _l("Award winners"),
        _l("Workers who won an award in the years of the period."),
        "recognition",
        "count",
    ),
]
INDICATOR_BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}
