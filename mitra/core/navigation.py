"""The product's sections, in menu order. A section that is not built yet says so plainly."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    label: Promise
    url_name: str
    available: bool
    description: Promise
    permission: str = ""

    @property
    def url(self) -> str:
        """Where the section's menu item and home-page card lead (a placeholder until built)."""
        if self.url_name == "core:section":
            return reverse("core:section", args=[self.key])
        return reverse(self.url_name)


SECTIONS = [
    Section("home", _("Home"), "core:home", True, _("Your area at a glance.")),
    Section(
        "regions",
        _("Regions"),
        "regions:index",
        True,
        _("The official region tree: provinces, regencies, districts and villages."),
    ),
    Section(
        "workers",
        _("Social workers"),
        "workers:list",
        True,
        _("Registry of PSM and the other social-welfare workers, from application to exit."),
        "workers.view_worker",
    ),
    Section(
        "training",
        _("Training"),
        "training:batch_list",
        True,
        _("Basic and advanced training, batches, results and certificates."),
        "training.view_batch",
    ),
    Section(
        "cases",
        _("Cases & activities"),
        "cases:home",
        True,
        _("PMKS beneficiaries, cases, interventions, referrals and activity reports."),
        "cases.view_case",
    ),
    Section(
        "ventures",
        _("Ventures"),
        "ventures:list",
        True,
        _("Economic self-reliance of PSM: productive ventures, support received, results."),
        "ventures.view_venture",
    ),
    Section(
        "awards",
        _("Awards"),
        "awards:index",
        True,
        _("The yearly PSM Berprestasi award: nominations, jury and rankings."),
        "awards.view_cycle",
    ),
    Section(
        "events",
        _("Events"),
        "events:list",
        True,
        _("Temu Nasional PSM Berprestasi and other events."),
        "events.view_event",
    ),
    Section(
        "reports",
        _("Reports"),
        "stats:index",
        True,
        _("Dashboards, maps, monthly and yearly reports and exports."),
        "stats.view_dashboard",
    ),
    Section(
        "admin",
        _("Admin"),
        "accounts:user_list",
        True,
        _("Users, roles and region scopes; change history and access log."),
        "accounts.view_user",
    ),
]
