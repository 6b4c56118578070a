"""The indicators the dashboards show: key, label, one-sentence definition, group and unit, in
display order. Values are computed in `indicators.derive()` from additive measures."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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
        _("Workers registered"),
        _("Workers of the selected kind in the registry, except those who have exited."),
        "workforce",
        "count",
        True,
    ),
    _i(
        "psm_active",
        _("Active workers"),
        _("Workers of the selected kind whose status is active."),
        "workforce",
        "count",
        True,
    ),
    _i(
        "psm_per_village",
        _("Active workers per village"),
        _("Active workers divided by the number of villages in the area."),
        "workforce",
        "ratio",
        True,
    ),
    _i(
        "villages_without_psm",
        _("Villages without an active worker"),
        _("Villages in the area where no worker of the selected kind is active."),
        "workforce",
        "count",
        True,
    ),
    _i(
        "share_of_target_5_per_village",
        _("Progress to 5 per village"),
        _(
            "Active workers counted up to five per village, as a share of five in every village "
            "(the IPSM target)."
        ),
        "workforce",
        "percent",
        True,
    ),
    _i(
        "women_share",
        _("Women among active workers"),
        _("Share of active workers who are women."),
        "workforce",
        "percent",
        True,
    ),
    _i(
        "mean_age",
        _("Average age (years)"),
        _("Average age of active workers today."),
        "workforce",
        "ratio",
        True,
    ),
    _i(
        "mean_tenure",
        _("Average time in service (years)"),
        _("Average years since active workers joined, over those with a known joining date."),
        "workforce",
        "ratio",
        True,
    ),
    _i(
        "new_workers",
        _("New workers"),
        _("Workers of the selected kind who joined during the period."),
        "workforce",
        "count",
    ),
    _i(
        "share_basic",
        _("With basic training"),
        _("Share of active workers who completed the basic training."),
        "training",
        "percent",
        True,
    ),
    _i(
        "share_advanced",
        _("With advanced training"),
        _("Share of active workers who passed an advanced (lanjutan) course."),
        "training",
        "percent",
        True,
    ),
    _i(
        "in_pipeline",
        _("In training now"),
        _(
            "Active workers applied, enrolled or waiting for a batch that is planned, open or "
            "running, without a result yet."
        ),
        "training",
        "count",
        True,
    ),
    _i(
        "beneficiaries",
        _("New beneficiaries"),
        _("Persons needing social-welfare services registered (consent given) in the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "open_cases",
        _("Open cases"),
        _("Cases opened up to the end of the period and not closed by then."),
        "fieldwork",
        "count",
    ),
    _i(
        "new_cases",
        _("New cases"),
        _("Cases opened during the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "closed_cases",
        _("Closed cases"),
        _("Cases closed during the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "interventions",
        _("Interventions"),
        _("Visits, assessments, assistance, referrals and follow-ups recorded in the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "referrals",
        _("Referrals"),
        _("Referrals to aid programmes or services sent during the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "referrals_served",
        _("Referrals served"),
        _("Referrals sent during the period that the programme or service has served."),
        "fieldwork",
        "count",
    ),
    _i(
        "overdue_followups",
        _("Overdue follow-ups"),
        _("Open cases whose next follow-up date has passed."),
        "fieldwork",
        "count",
        True,
    ),
    _i(
        "verified_reports",
        _("Verified activity reports"),
        _("Activity reports dated in the period and verified by the district supervisor."),
        "fieldwork",
        "count",
    ),
    _i(
        "people_reached",
        _("People reached"),
        _("People reached by the verified activity reports of the period."),
        "fieldwork",
        "count",
    ),
    _i(
        "nominees",
        _("Award nominees"),
        _("Workers nominated for an award in the years of the period."),
        "recognition",
        "count",
    ),
    _i(
        "winners",
        _("Award winners"),
        _("Workers who won an award in the years of the period."),
        "recognition",
        "count",
    ),
    _i(
        "psm_running",
        _("PSM with a running venture"),
        _("Workers registered in the area who have at least one running venture."),
        "ventures",
        "count",
        True,
    ),
    _i(
        "ventures_running",
        _("Running ventures"),
        _("Ventures in the area whose status is running."),
        "ventures",
        "count",
        True,
    ),
    _i(
        "support_given",
        _("Support given to ventures"),
        _("Times the area's ventures received support, from any programme, up to today."),
        "ventures",
        "count",
        True,
    ),
    _i(
        "support_amount",
        _("Support received (Rp)"),
        _("Rupiah value of the money and goods the area's ventures received, up to today."),
        "ventures",
        "count",
        True,
    ),
    _i(
        "survival_12",
        _("Still running after 12 months"),
        _(
            "Of the ventures that started at least 12 months ago, the share that had not stopped "
            "12 months after their start."
        ),
        "ventures",
        "percent",
        True,
    ),
    _i(
        "survival_24",
        _("Still running after 24 months"),
        _(
            "Of the ventures that started at least 24 months ago, the share that had not stopped "
            "24 months after their start."
        ),
        "ventures",
        "percent",
        True,
    ),
    _i(
        "income_over_1m",
        _("Ventures earning Rp 1 million or more"),
        _(
            "Share of running ventures whose latest result shows a net income of Rp 1 million a "
            "month or more (running ventures without a result count as not)."
        ),
        "ventures",
        "percent",
        True,
    ),
]
INDICATOR_BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}
