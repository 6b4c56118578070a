"""What the home page shows beside the to-do list (todo.py): the actions a user starts from
there, a PSM's month in figures, an auditor's latest reads, and the user's area in one line."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mitra.accounts.roles import Role

from .todo import link

RECENT_READS = 5
AREA_ROLES = {
    Role.NATIONAL_ADMIN,
    Role.PROVINCE_OFFICER,
    Role.REGENCY_OFFICER,
    Role.DISTRICT_SUPERVISOR,
    Role.WORKER,
}


@dataclass
class Action:
    label: str
    url: str


def actions_for(user) -> list[Action]:
    """The things a PSM starts from the home page (the first is the main one)."""
    if user.role != Role.WORKER:
        return []
    actions = []
    if user.has_perm("cases.view_case"):
        # A visit is recorded on its case: the list of their open cases is where it starts.
        actions.append(Action(_("Record a visit"), reverse("cases:case_list")))
    if user.has_perm("cases.add_activityreport"):
        actions.append(Action(_("Write an activity report"), reverse("cases:report_create")))
    if user.has_perm("cases.add_beneficiary"):
        actions.append(Action(_("Record a new person"), reverse("cases:beneficiary_create")))
    from mitra.training.views import own_worker  # the app works on the PSM's own worker record

    if own_worker(user) is not None:
        actions.append(Action(_("Field app (offline)"), reverse("field:app")))
    return actions


@dataclass
class Figure:
    label: str
    value: int
    url: str = ""


def worker_month(user, today: datetime.date) -> dict | None:
    """A PSM's current month: their reports by status (each linked to the filtered report list),
    the steps recorded on their cases and the people their reports reached."""
    if user.role != Role.WORKER:
        return None
    from mitra.cases.models import Intervention, ReportStatus
    from mitra.cases.reports_forms import REACHED_FIELDS, filtered_reports

    month = today.strftime("%Y-%m")
    reached = sum((F(name) for name in REACHED_FIELDS[1:]), F(REACHED_FIELDS[0]))
    by_status = {
        row["status"]: row
        for row in filtered_reports(user, {"month": month})[1]
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), reached=Sum(reached))
    }
    labels = {
        ReportStatus.DRAFT: _("Reports in draft"),
        ReportStatus.SUBMITTED: _("Reports waiting for verification"),
        ReportStatus.VERIFIED: _("Reports verified"),
        ReportStatus.RETURNED: _("Reports returned for correction"),
    }
    figures = [
        Figure(
            label,
            by_status.get(status, {}).get("n", 0),
            link("cases:report_list", month=month, status=status),
        )
        for status, label in labels.items()
    ]
    worker = getattr(user, "worker", None)
    start = today.replace(day=1)
    steps = (
        Intervention.objects.visible_to(user)
        .filter(worker=worker, on__gte=start, on__lte=today)
        .count()
        if worker
        else 0
    )
    figures.append(Figure(_("Visits and other steps on your cases"), steps))
    people = sum(row["reached"] or 0 for row in by_status.values())
    figures.append(Figure(_("People reached by your reports"), people))
    return {"label": date_format(today, "F Y"), "figures": figures}


def recent_reads(user):
    """An auditor's last few access-log rows (who read what, when)."""
    if not user.has_perm("core.view_accesslog") or user.role != Role.AUDITOR:
        return None
    from .access import access_rows

    return list(
        access_rows(user, {})
        .select_related("user", "content_type")
        .order_by("-at", "-id")[:RECENT_READS]
    )
