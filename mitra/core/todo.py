"""The home page's "My tasks": per role, what waits for the user, each as a count with a plain
sentence and a link to the existing list filtered to exactly those rows.

Every count is `.count()` of the queryset the linked list itself shows for the link's parameters
(the lists expose the function that builds their rows: `filtered_workers`, `filtered_cases`,
`filtered_reports`, ...), so a count and its list cannot disagree. Which items a user gets follows
their permissions; the role only picks the wording (a PSM's "your cases", a TKSK's "your area").

The apps are imported inside the functions: core sits below every app.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mitra.accounts.roles import OFFICER_ROLES, Role

URGENT, DUE, INFO = 0, 1, 2
AUDIT_DAYS = 7


@dataclass
class Task:
    """One line of the to-do list: how many rows wait, said as a sentence, and where they are."""

    key: str
    count: int
    text: str  # the sentence (HTML-safe, the number in <strong>)
    url: str
    rank: int = DUE  # URGENT (overdue, late) first, then DUE, then INFO
    note: str = ""  # e.g. a deadline


def link(url_name: str, args=(), **params) -> str:
    url = reverse(url_name, args=args)
    return f"{url}?{urlencode(params)}" if params else url


def say(count: int, text: str, zero: str, **values) -> str:
    """The sentence for `count` (`text`: ngettext's choice for it, with %(n)s; `zero`: what to
    say when nothing waits), HTML-escaped, with the number emphasised."""
    values = {k: conditional_escape(v) for k, v in values.items()}
    if count:
        values["n"] = format_html(
            '<strong class="todo-count">{}</strong>', number_format(count, 0, True)
        )
    sentence = conditional_escape(text if count else zero)
    return mark_safe(sentence % values if values else sentence)  # noqa: S308 - escaped above


def task(key: str, n: int, url: str, text: str, zero: str, rank: int = DUE, **values) -> Task:
    """An item: `text` is ngettext's sentence for `n`, `zero` what to say when nothing waits."""
    return Task(key, n, say(n, text, zero, **values), url, rank)


def day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def ordered(tasks: list[Task]) -> tuple[list[Task], list[Task]]:
    """(waiting, nothing waiting): items with rows, most urgent first, then those at zero."""
    waiting = sorted((t for t in tasks if t.count), key=lambda t: t.rank)
    return waiting, [t for t in tasks if not t.count]


# ---- the roles' items -------------------------------------------------------------------------


def tasks_for(user, today: datetime.date | None = None) -> list[Task]:
    today = today or timezone.localdate()
    if user.role in OFFICER_ROLES:
        return officer_tasks(user, today)
    if user.role == Role.DISTRICT_SUPERVISOR:
        return supervisor_tasks(user, today)
    if user.role == Role.WORKER:
        return worker_tasks(user, today)
    if user.role == Role.JUROR:
        return juror_tasks(user)
    if user.role == Role.AUDITOR:
        return auditor_tasks(user)
    return []


def officer_tasks(user, today) -> list[Task]:
    tasks = []
    if user.has_perm("workers.verify_worker"):
        tasks.append(_workers(user, "applied"))
    if user.has_perm("workers.appoint_worker"):
        tasks.append(_workers(user, "verified"))
    if user.has_perm("workers.decide_identity"):
        tasks.append(_identity_requests(user))
    # The TKSK verifies reports; an officer steps in when one has waited too long.
    if user.has_perm("cases.verify_report"):
        tasks.append(_late_reports(user))
    if user.has_perm("workers.import_worker"):
        tasks.append(_imports(user))
    if user.has_perm("awards.view_nomination"):
        tasks += _open_stage_nominations(user, today)
    # Appeals are decided above the ranking's region (services_publishing.may_decide): the
    # national administrator and the province officers, never a regency officer.
    if user.has_perm("awards.decide_appeal") and len(user.scope_code or "") <= 2:
        tasks.append(_appeals(user))
    if user.has_perm("training.enrol_worker"):
        tasks.append(_applications(user))
    return tasks


def supervisor_tasks(user, today) -> list[Task]:
    tasks = [_overdue_cases(user), _late_referrals(user)]
    if user.has_perm("cases.verify_report"):
        tasks.append(_reports_to_verify(user))
    return tasks


def worker_tasks(user, today) -> list[Task]:
    return [
        _overdue_cases(user),
        _returned_reports(user),
        _due_soon_cases(user),
        _cases_without_steps(user),
    ]


# ---- workers ----------------------------------------------------------------------------------


def _workers(user, status: str) -> Task:
    from mitra.workers.filters import filtered_workers

    n = filtered_workers(user, {"status": status})[1].count()
    url = link("workers:list", status=status)
    if status == "applied":
        return task(
            "workers_applied",
            n,
            url,
            ngettext(
                "%(n)s registration waits for the requirements check.",
                "%(n)s registrations wait for the requirements check.",
                n,
            ),
            _("No registration waits for the requirements check."),
        )
    return task(
        "workers_verified",
        n,
        url,
        ngettext(
            "%(n)s worker meets the requirements and waits for a decree (SK).",
            "%(n)s workers meet the requirements and wait for a decree (SK).",
            n,
        ),
        _("No worker waits for a decree (SK)."),
    )


def _identity_requests(user) -> Task:
    from mitra.workers.filters import identity_requests

    n = identity_requests(user, "pending").count()
    return task(
        "identity",
        n,
        link("workers:request_list", state="pending"),
        ngettext(
            "%(n)s identity correction waits for your decision.",
            "%(n)s identity corrections wait for your decision.",
            n,
        ),
        _("No identity correction waits for a decision."),
    )


def _imports(user) -> Task:
    from mitra.workers.importing.jobs import waiting_for

    n = waiting_for(user).count()
    return task(
        "imports",
        n,
        link("workers:import_start", waiting="1"),
        ngettext(
            "%(n)s import you started waits for your next step.",
            "%(n)s imports you started wait for your next step.",
            n,
        ),
        _("None of your imports waits for you."),
    )


# ---- field work -------------------------------------------------------------------------------


def _cases(user, key: str, flag: str, rank: int, sentences) -> Task:
    from mitra.cases.views_lists import filtered_cases

    n = filtered_cases(user, {flag: "on"})[1].count()
    url = link("cases:case_list", **{flag: "on"})
    return task(key, n, url, sentences[0](n), sentences[1], rank)


def _overdue_cases(user) -> Task:
    if user.role == Role.WORKER:
        sentences = (
            lambda n: ngettext(
                "%(n)s of your cases has an overdue follow-up.",
                "%(n)s of your cases have an overdue follow-up.",
                n,
            ),
            _("None of your follow-ups is overdue."),
        )
    else:
        sentences = (
            lambda n: ngettext(
                "%(n)s case in your area has an overdue follow-up.",
                "%(n)s cases in your area have an overdue follow-up.",
                n,
            ),
            _("No follow-up is overdue in your area."),
        )
    return _cases(user, "cases_overdue", "overdue", URGENT, sentences)


def _due_soon_cases(user) -> Task:
    sentences = (
        lambda n: ngettext(
            "%(n)s of your cases has a follow-up due in the next 7 days.",
            "%(n)s of your cases have a follow-up due in the next 7 days.",
            n,
        ),
        _("No follow-up is due in the next 7 days."),
    )
    return _cases(user, "cases_due", "due_soon", DUE, sentences)


def _cases_without_steps(user) -> Task:
    sentences = (
        lambda n: ngettext(
            "%(n)s of your open cases has nothing recorded yet.",
            "%(n)s of your open cases have nothing recorded yet.",
            n,
        ),
        _("Every open case of yours has a recorded step."),
    )
    return _cases(user, "cases_no_steps", "no_steps", DUE, sentences)


def _late_referrals(user) -> Task:
    sentences = (
        lambda n: ngettext(
            "%(n)s case has a referral unanswered for over 14 days.",
            "%(n)s cases have a referral unanswered for over 14 days.",
            n,
        ),
        _("No referral has waited over 14 days for an answer."),
    )
    return _cases(user, "referrals_late", "late_referral", URGENT, sentences)


def _reports(user, key: str, params: dict, rank: int, sentences) -> Task:
    from mitra.cases.reports_forms import filtered_reports

    n = filtered_reports(user, params)[1].count()
    return task(key, n, link("cases:report_list", **params), sentences[0](n), sentences[1], rank)


def _reports_to_verify(user) -> Task:
    sentences = (
        lambda n: ngettext(
            "%(n)s activity report waits for verification.",
            "%(n)s activity reports wait for verification.",
            n,
        ),
        _("No activity report waits for verification."),
    )
    return _reports(user, "reports_submitted", {"status": "submitted"}, DUE, sentences)


def _late_reports(user) -> Task:
    sentences = (
        lambda n: ngettext(
            "%(n)s activity report has waited for verification for over 14 days.",
            "%(n)s activity reports have waited for verification for over 14 days.",
            n,
        ),
        _("No activity report has waited for verification for over 14 days."),
    )
    params = {"status": "submitted", "late": "on"}
    return _reports(user, "reports_late", params, URGENT, sentences)


def _returned_reports(user) -> Task:
    sentences = (
        lambda n: ngettext(
            "%(n)s of your activity reports was returned for correction.",
            "%(n)s of your activity reports were returned for correction.",
            n,
        ),
        _("None of your activity reports waits for a correction."),
    )
    return _reports(user, "reports_returned", {"status": "returned"}, URGENT, sentences)


# ---- training and awards ----------------------------------------------------------------------


def _applications(user) -> Task:
    from mitra.training.filters import with_applications_waiting
    from mitra.training.views import visible_batches

    n = with_applications_waiting(visible_batches(user), user).count()
    return task(
        "applications",
        n,
        link("training:batch_list", applications="waiting"),
        ngettext(
            "%(n)s training batch has applications waiting for your decision.",
            "%(n)s training batches have applications waiting for your decision.",
            n,
        ),
        _("No training application waits for your decision."),
    )


def _appeals(user) -> Task:
    from mitra.awards.services import appeals_to_decide

    n = appeals_to_decide(user).count()
    return task(
        "appeals",
        n,
        reverse("awards:index") + "#appeals-to-decide",
        ngettext(
            "%(n)s award appeal waits for your decision.",
            "%(n)s award appeals wait for your decision.",
            n,
        ),
        _("No award appeal waits for your decision."),
        URGENT,
    )


OFFICER_LEVEL = {
    Role.NATIONAL_ADMIN: "national",
    Role.PROVINCE_OFFICER: "province",
    Role.REGENCY_OFFICER: "regency",
}


def _open_stage_nominations(user, today) -> list[Task]:
    """The award stage of the officer's own level that is open today: its candidates so far."""
    from mitra.awards.models import NominationStatus, Stage
    from mitra.awards.views_nominations import stage_rows

    stages = Stage.objects.filter(
        level=OFFICER_LEVEL[user.role],
        opens_on__lte=today,
        closes_on__gte=today,
        published_at__isnull=True,
    ).select_related("cycle")
    tasks = []
    for stage in stages:
        n = stage_rows(user, stage, NominationStatus.NOMINATED).count()
        values = {"stage": str(stage), "date": day(stage.closes_on)}
        text = say(
            n,
            ngettext(
                "%(n)s candidate so far in %(stage)s, open until %(date)s.",
                "%(n)s candidates so far in %(stage)s, open until %(date)s.",
                n,
            ),
            _("No candidate yet in %(stage)s, open until %(date)s."),
            **values,
        )
        url = link("awards:stage_nominations", (stage.pk,), status=NominationStatus.NOMINATED)
        tasks.append(Task(f"stage_{stage.pk}", n, text, url, INFO))
    return tasks


def juror_tasks(user) -> list[Task]:
    """One item per stage with candidates waiting for the juror's marks, closing soonest first."""
    from django.db.models import Count

    from mitra.awards.models import Stage
    from mitra.awards.services import sheets_waiting

    counts = dict(sheets_waiting(user).values_list("stage_id").annotate(n=Count("pk")).order_by())
    tasks = []
    for stage in Stage.objects.filter(pk__in=counts).select_related("cycle").order_by("closes_on"):
        n = counts[stage.pk]
        text = say(
            n,
            ngettext(
                "%(n)s candidate waits for your marks in %(stage)s.",
                "%(n)s candidates wait for your marks in %(stage)s.",
                n,
            ),
            "",
            stage=str(stage),
        )
        note = _("Scoring closes on %(date)s.") % {"date": day(stage.closes_on)}
        url = link("awards:jury_queue", status="waiting", stage=stage.pk)
        tasks.append(Task(f"sheets_{stage.pk}", n, text, url, DUE, note))
    if not tasks:
        url = link("awards:jury_queue", status="waiting")
        tasks.append(Task("sheets", 0, say(0, "", _("No score sheet waits for you.")), url))
    return tasks


# ---- audit ------------------------------------------------------------------------------------


def auditor_tasks(user) -> list[Task]:
    from mitra.core.access import access_rows

    days = str(AUDIT_DAYS)
    exports = {"action": "export", "days": days}
    n = access_rows(user, exports).count()
    export_task = task(
        "exports",
        n,
        link("core:accesslog", **exports),
        ngettext(
            "%(n)s export of personal data in the last 7 days.",
            "%(n)s exports of personal data in the last 7 days.",
            n,
        ),
        _("No export of personal data in the last 7 days."),
        URGENT,
    )
    pmks = {"app": "cases", "days": days}
    n = access_rows(user, pmks).count()
    pmks_task = task(
        "pmks_reads",
        n,
        link("core:accesslog", **pmks),
        ngettext(
            "%(n)s read of beneficiaries' and cases' records in the last 7 days.",
            "%(n)s reads of beneficiaries' and cases' records in the last 7 days.",
            n,
        ),
        _("No beneficiary or case record was read in the last 7 days."),
    )
    return [export_task, pmks_task]
