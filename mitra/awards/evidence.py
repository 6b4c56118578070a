"""The evidence sheet: what Mitra's records say about a worker's service in the evaluated period.

Computed in bulk: seven grouped queries answer any number of workers (the ids go in as a subquery
or in chunks), so a stage with ten thousand nominees costs the same few statements as one. Reading
counts across the region (a juror sees a candidate's figures, never the cases behind them) is why
these queries start from the managers' plain querysets, not from `visible_to`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import models, transaction
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from mitra.cases.models import (
    ActivityReport,
    Case,
    ClosureReason,
    Referral,
    ReferralStatus,
    ReportStatus,
)
from mitra.cases.models import CaseStatus as CS
from mitra.training.models import Certificate, Enrolment, Result
from mitra.ventures.models import Venture, VentureStatus
from mitra.workers.models import Decree, Worker

EVIDENCE_VERSION = 1
CHUNK = 2000
RESOLVED = (ClosureReason.RESOLVED, ClosureReason.REFERRAL_ACCEPTED)
_REACHED = (
    F("reached_children_m")
    + F("reached_children_f")
    + F("reached_adults_m")
    + F("reached_adults_f")
    + F("reached_elderly_m")
    + F("reached_elderly_f")
)


def _empty(start: datetime.date, end: datetime.date) -> dict:
    return {
        "version": EVIDENCE_VERSION,
        "period": [start.isoformat(), end.isoformat()],
        "tenure_years": 0.0,
        "joined_on": None,
        "basic_training_on": None,
        "verified_activities": 0,
        "people_reached": 0,
        "activities_by_type": {},
        "cases_handled": 0,
        "cases_by_category": {},
        "cases_by_outcome": {},
        "cases_resolved": 0,
        "referrals_served": 0,
        "trainings_completed": 0,
        "trainings_by_level": {},
        "certificates": 0,
        "ventures_running": 0,
    }


def _chunks(worker_ids):
    """A queryset of ids is used whole as a subquery; a list is cut to keep statements small."""
    if isinstance(worker_ids, models.QuerySet):
        yield worker_ids
        return
    ids = list(worker_ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _handled_in_period(start, end, prefix: str = "") -> Q:
    """Cases open at some time during the period: opened by its end, not closed before it."""
    return Q(**{f"{prefix}opened_on__lte": end}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": start})
    )


def tenure_years(since: datetime.date | None, on: datetime.date) -> float:
    if since is None or since > on:
        return 0.0
    return round((on - since).days / 365.25, 1)


def evidence_for_workers(
    worker_ids, period_start: datetime.date, period_end: datetime.date
) -> dict:
    """{worker_id: sheet} for all `worker_ids` (a list, or a queryset of ids used as a subquery).

    Sheet keys: period, tenure_years (from joined_on or the first decree, whichever is earlier,
    to the end of the period), joined_on, basic_training_on, verified_activities and
    people_reached (activity reports verified, dated in the period), activities_by_type,
    cases_handled (cases open at any time in the period), cases_by_category {PMKS number: n},
    cases_by_outcome (closed in the period: by closure reason; otherwise "open"), cases_resolved
    (closed in the period as resolved or referred and accepted), referrals_served (outcome
    "served" in the period), trainings_completed / trainings_by_level (courses passed by the end
    of the period), certificates (issued by the end of the period, not revoked), ventures_running (the PSM's
    productive ventures started by the end of the period and not stopped before it)."""
    start, end = period_start, period_end
    sheets: dict = {}
    for ids in _chunks(worker_ids):
        _fill(sheets, ids, start, end)
    return sheets


def _fill(sheets: dict, ids, start, end) -> None:
    def sheet(worker_id):
        return sheets.setdefault(worker_id, _empty(start, end))

    first_decree = dict(
        Decree.objects.filter(worker_id__in=ids)
        .values("worker_id")
        .annotate(first=Min("issued_on"))
        .values_list("worker_id", "first")
    )
    for wid, joined, trained in Worker.objects.filter(pk__in=ids).values_list(
        "id", "joined_on", "basic_training_on"
    ):
        s = sheet(wid)
        known = [d for d in (joined, first_decree.get(wid)) if d]
        since = min(known) if known else None
        s["joined_on"] = since.isoformat() if since else None
        s["tenure_years"] = tenure_years(since, end)
        s["basic_training_on"] = trained.isoformat() if trained and trained <= end else None

    reports = (
        ActivityReport.objects.filter(
            worker_id__in=ids, status=ReportStatus.VERIFIED, on__gte=start, on__lte=end
        )
        .values("worker_id", "activity_type")
        .annotate(n=Count("id"), people=Sum(_REACHED))
        .order_by()
    )
    for row in reports:
        s = sheet(row["worker_id"])
        s["verified_activities"] += row["n"]
        s["people_reached"] += row["people"] or 0
        s["activities_by_type"][row["activity_type"]] = row["n"]

    cases = (
        Case.objects.filter(_handled_in_period(start, end), worker_id__in=ids)
        .annotate(
            outcome=models.Case(
                models.When(Q(status=CS.CLOSED, closed_on__lte=end), then=F("closure_reason")),
                default=models.Value("open"),
                output_field=models.CharField(),
            )
        )
        .values("worker_id", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in cases:
        s = sheet(row["worker_id"])
        outcome = row["outcome"] or "other"
        s["cases_handled"] += row["n"]
        s["cases_by_outcome"][outcome] = s["cases_by_outcome"].get(outcome, 0) + row["n"]
        if outcome in RESOLVED:
            s["cases_resolved"] += row["n"]

    through = Case.categories.through
    by_category = (
        through.objects.filter(_handled_in_period(start, end, "case__"), case__worker_id__in=ids)
        .values("case__worker_id", "pmkscategory__number")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in by_category:
        sheet(row["case__worker_id"])["cases_by_category"][str(row["pmkscategory__number"])] = row[
            "n"
        ]

    referrals = (
        Referral.objects.filter(
            case__worker_id__in=ids,
            status=ReferralStatus.SERVED,
            outcome_on__gte=start,
            outcome_on__lte=end,
        )
        .values("case__worker_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in referrals:
        sheet(row["case__worker_id"])["referrals_served"] = row["n"]

    trainings = (
        Enrolment.objects.filter(worker_id__in=ids, result=Result.PASSED, batch__ends_on__lte=end)
        .values("worker_id", "batch__course__level")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in trainings:
        s = sheet(row["worker_id"])
        s["trainings_completed"] += row["n"]
        s["trainings_by_level"][row["batch__course__level"]] = row["n"]

    certificates = (
        Certificate.objects.filter(
            enrolment__worker_id__in=ids, issued_on__lte=end, revoked_at__isnull=True
        )
        .values("enrolment__worker_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in certificates:
        sheet(row["enrolment__worker_id"])["certificates"] = row["n"]

    # Economic self-reliance: the PSM's ventures running at the end of the period (started by
    # then, and not stopped before it).
    ventures = (
        Venture.objects.filter(worker_id__in=ids, started_on__lte=end)
        .exclude(status=VentureStatus.PLANNED)
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gt=end))
        .values("worker_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in ventures:
        sheet(row["worker_id"])["ventures_running"] = row["n"]


def evidence_for_nominations(nominations) -> dict:
    """{nomination_id: sheet}: frozen snapshots as stored, the others computed in bulk."""
    result, live = {}, defaultdict(list)
    for nom in nominations:
        if nom.evidence_frozen_at:
            result[nom.pk] = nom.evidence
        else:
            live[(nom.cycle.period_start, nom.cycle.period_end)].append(nom)
    for (start, end), noms in live.items():
        sheets = evidence_for_workers([n.worker_id for n in noms], start, end)
        for nom in noms:
            result[nom.pk] = sheets.get(nom.worker_id) or _empty(start, end)
    return result


def evidence_sheet(nomination) -> dict:
    """The nomination's sheet: the frozen snapshot if frozen, else computed now."""
    return evidence_for_nominations([nomination])[nomination.pk]


def freeze_evidence(nominations, at=None, *, refresh: bool = False) -> int:
    """Compute (in bulk) and store the snapshot of the nominations not yet frozen (all of them
    with `refresh`, after an upheld appeal). Returns how many were stored."""
    from .models import Nomination

    noms = [n for n in nominations if refresh or not n.evidence_frozen_at]
    if not noms:
        return 0
    at = at or timezone.now()
    for nom in noms:
        nom.evidence_frozen_at = None
    sheets = evidence_for_nominations(noms)
    for nom in noms:
        nom.evidence = sheets[nom.pk]
        nom.evidence_frozen_at = at
    with transaction.atomic():
        # The snapshot is derived data, not an edit: bulk_update skips the change history.
        Nomination.objects.bulk_update(noms, ["evidence", "evidence_frozen_at"], batch_size=500)
    return len(noms)


def freeze_closed_stages(on: datetime.date | None = None) -> int:
    """Freeze the evidence of every nomination whose stage has closed (run daily by a scheduler
    or by hand; publishing freezes its own ranking's nominations anyway). Returns how many."""
    from .models import Nomination, NominationStatus

    on = on or timezone.localdate()
    pending = (
        Nomination.objects.filter(stage__closes_on__lt=on, evidence_frozen_at__isnull=True)
        .exclude(status=NominationStatus.WITHDRAWN)
        .select_related("cycle")
    )
    return freeze_evidence(list(pending))
