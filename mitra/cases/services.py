"""Field-work rules: recording a person with consent, cases and their lifecycle, interventions
and follow-ups, referrals, hand-overs, the due-and-overdue lists and report verification."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.core import crypto
from mitra.core.atomic import atomic
from mitra.core.nik import mask
from mitra.workers.models import Status as WorkerStatus
from mitra.workers.models import Worker
from mitra.workers.services import name_key, names_similar

from . import follow_ups
from .categories import add_first_categories
from .held import held
from .models import (
    ActivityReport,
    Beneficiary,
    Case,
    CaseEvent,
    CaseStatus,
    ConsentRelation,
    Intervention,
    InterventionKind,
    Referral,
    ReferralStatus,
    ReportStatus,
)

# A referral with no outcome after this many days shows on the due list.
REFERRAL_OVERDUE_DAYS = 14


def _refuse(message, code):
    raise ValidationError(message, code=code)


def age_of(person, on: datetime.date | None = None) -> int | None:
    on = on or timezone.localdate()
    if person.birth_date:
        b = person.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))
    return person.estimated_age


def fill_beneficiary_fields(b: Beneficiary) -> None:
    b.name_key = name_key(b.full_name)
    b.nik_hash = crypto.blind_index(b.nik) if b.nik else None
    b.nik_masked = mask(b.nik) if b.nik else ""
    b.region_code = b.village_id or ""


def check_consent(b: Beneficiary) -> None:
    """A child's data needs a parent's or guardian's consent (UU 27/2022)."""
    age = age_of(b)
    if (
        age is not None
        and age < 18
        and b.consent_relation not in (ConsentRelation.PARENT, ConsentRelation.GUARDIAN)
    ):
        raise ValidationError(
            {
                "consent_relation": _(
                    "This person is a child: consent must come from a parent or guardian."
                )
            },
            code="child_consent",
        )
    if b.consent_on and b.consent_on > timezone.localdate():
        raise ValidationError({"consent_on": _("The consent date is in the future.")})


def likely_duplicates(b: Beneficiary, queryset=None) -> list[Beneficiary]:
    """People already recorded who are probably this one: the same NIK, or the same birth date
    in the same district with the same or a near-identical name."""
    qs = queryset if queryset is not None else Beneficiary.objects.all()
    qs = qs.exclude(pk=b.pk)
    found = []
    if b.nik:
        found.extend(qs.filter(nik_hash=crypto.blind_index(b.nik)))
    if b.birth_date and b.village_id:
        key = name_key(b.full_name)
        for other in qs.filter(birth_date=b.birth_date, region_code__startswith=b.village_id[:6]):
            if other not in found and names_similar(key, other.name_key):
                found.append(other)
    return found


def update_beneficiary(person: Beneficiary, user, categories, expected_version) -> Beneficiary:
    """Save corrections to a person (already applied to `person`): only over the version the
    user read (ADR 0010), all or nothing. The change history records which fields changed,
    redacted like the rest of the person's history, and that the PMKS categories changed."""
    from mitra.core.models import ChangeLog

    if not user.has_perm("cases.change_beneficiary"):
        raise PermissionDenied
    check_consent(person)
    with atomic():
        _bump(person, expected_version)
        person.save()
        before = set(person.categories.values_list("pk", flat=True))
        after = {c.pk for c in categories}
        if before != after:
            person.categories.set(categories)
            # Which categories a person has is specific data too (HIV, disability, violence).
            ChangeLog.record(person, ChangeLog.Action.UPDATE, {"categories": ["•••", "•••"]}, user)
    return person


# ---- cases -----------------------------------------------------------------------------------

CASE_STEPS = {
    CaseStatus.IDENTIFIED: {CaseStatus.ASSESSED, CaseStatus.CLOSED},
    CaseStatus.ASSESSED: {CaseStatus.ASSISTING, CaseStatus.REFERRED, CaseStatus.CLOSED},
    CaseStatus.ASSISTING: {CaseStatus.REFERRED, CaseStatus.CLOSED},
    CaseStatus.REFERRED: {CaseStatus.ASSISTING, CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.ASSISTING},  # reopened
}


def _may_work_on(case: Case, user) -> bool:
    if user.role == "worker":
        return getattr(user, "worker", None) is not None and case.worker_id == user.worker.pk
    return user.has_perm("cases.change_case")


def _bump(obj, expected_version):
    model = type(obj)
    if expected_version is not None and expected_version != obj.version:
        _refuse(
            _(
                "Someone else changed this record while you were working on it. Reload the "
                "page and try again."
            ),
            "conflict",
        )
    if held(obj):  # locked and current: the save that follows writes the new version
        obj.version += 1
        return
    if not model.objects.filter(pk=obj.pk, version=obj.version).update(version=F("version") + 1):
        _refuse(
            _(
                "Someone else changed this record while you were working on it. Reload the "
                "page and try again."
            ),
            "conflict",
        )
    obj.version += 1


def open_case(
    beneficiary: Beneficiary, worker: Worker, user, categories, *, priority="normal", opened_on=None
) -> Case:
    if worker.status != WorkerStatus.ACTIVE:
        _refuse(_("Only an active worker can be responsible for a case."), "worker")
    if not categories:
        _refuse(_("Choose at least one PMKS category."), "categories")
    with atomic():
        case = Case.objects.create(
            beneficiary=beneficiary,
            worker=worker,
            priority=priority,
            opened_on=opened_on or timezone.localdate(),
        )
        add_first_categories(case, categories)
    return case


def change_case_status(
    case: Case, to: str, user, *, reason: str = "", note: str = "", on=None, expected_version=None
) -> Case:
    if not _may_work_on(case, user):
        raise PermissionDenied
    if expected_version is not None and expected_version != case.version:
        # A stale writer is told that the case changed, not judged against a status unseen.
        _bump(case, expected_version)
    if to not in CASE_STEPS.get(case.status, set()):
        _refuse(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": CaseStatus(case.status).label, "to": CaseStatus(to).label},
            "transition",
        )
    if to == CaseStatus.CLOSED and not reason:
        _refuse(_("Choose why the case is closed."), "reason")
    with atomic():
        _bump(case, expected_version)
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.STATUS,
            by=user,
            from_status=case.status,
            to_status=to,
            reason=note[:255],
            region_code=case.region_code,
        )
        was_open = case.status != CaseStatus.CLOSED
        case.status = to
        if to == CaseStatus.CLOSED:
            case.closed_on = on or timezone.localdate()
            case.closure_reason = reason
            case.closure_note = note[:255]
            case.next_follow_up_on = None
        else:
            case.closed_on = None
            case.closure_reason = ""
            if not (was_open and held(case)):  # a held open case's value is current
                follow_ups.refresh(case, save=False)
        case.save()
    return case


def transfer_case(case: Case, to_worker: Worker, user, reason: str = "") -> Case:
    """Hand a case to another worker (of this or another village); its history stays."""
    if not user.has_perm("cases.transfer_case"):
        raise PermissionDenied
    if to_worker.pk == case.worker_id:
        _refuse(_("This worker is already responsible for the case."), "same")
    if to_worker.status != WorkerStatus.ACTIVE:
        _refuse(_("Only an active worker can be responsible for a case."), "worker")
    with atomic():
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.TRANSFER,
            by=user,
            from_worker_id=case.worker_id,
            to_worker=to_worker,
            reason=reason[:255],
            region_code=case.region_code,
        )
        case.worker = to_worker
        case.save()
    return case


def add_intervention(
    case: Case,
    user,
    *,
    kind: str,
    on,
    worker: Worker | None = None,
    place: str = "",
    notes: str = "",
    next_follow_up_on=None,
    assessment: str = "",
) -> Intervention:
    if not _may_work_on(case, user):
        raise PermissionDenied
    if on > timezone.localdate():
        _refuse(_("The date is in the future."), "date")
    if next_follow_up_on and next_follow_up_on < on:
        _refuse(_("The next follow-up cannot be before the intervention."), "date")
    with atomic():
        # Doing something on a case settles the follow-ups that were due by then.
        later = follow_ups.settle(case, on)
        intervention = Intervention.objects.create(
            case=case,
            kind=kind,
            on=on,
            worker=worker or case.worker,
            place=place,
            notes=notes,
            next_follow_up_on=next_follow_up_on,
            assessment=assessment,
        )
        nxt = follow_ups.earliest(later, next_follow_up_on)
        if case.status == CaseStatus.IDENTIFIED and kind != InterventionKind.IDENTIFICATION:
            # A visit or an assessment starts the handling: the case moves on by the same step as
            # the worker's button, so its history says when and by whom (the page and the API
            # both come here). The step also saves the next follow-up.
            case.next_follow_up_on = nxt
            change_case_status(case, CaseStatus.ASSESSED, user)
        else:
            follow_ups.store(case, nxt)
    return intervention


def refer(
    case: Case, user, *, programme: str, sent_on, target_detail: str = "", notes: str = ""
) -> Referral:
    if not _may_work_on(case, user):
        raise PermissionDenied
    with atomic():
        referral = Referral.objects.create(
            case=case,
            programme=programme,
            sent_on=sent_on,
            target_detail=target_detail,
            notes=notes,
        )
        if case.status in (CaseStatus.ASSESSED, CaseStatus.ASSISTING):
            change_case_status(case, CaseStatus.REFERRED, user)
    return referral


def record_referral_outcome(referral: Referral, user, status: str, on=None) -> Referral:
    if not _may_work_on(referral.case, user):
        raise PermissionDenied
    allowed = {
        ReferralStatus.SENT: {ReferralStatus.ACCEPTED, ReferralStatus.REJECTED},
        ReferralStatus.ACCEPTED: {ReferralStatus.SERVED},
    }
    if status not in allowed.get(referral.status, set()):
        _refuse(
            _("This outcome does not follow “%(s)s”.")
            % {"s": ReferralStatus(referral.status).label},
            "transition",
        )
    referral.status = status
    referral.outcome_on = on or timezone.localdate()
    referral.save()
    return referral


# ---- due and overdue --------------------------------------------------------------------------


def due_cases(cases, on=None, horizon_days: int = 7):
    """Open cases whose next follow-up is due within the horizon or overdue (a scoped queryset
    in; the partial indexes on (worker, next_follow_up_on) and (region, ...) serve it)."""
    on = on or timezone.localdate()
    return (
        cases.filter(
            next_follow_up_on__isnull=False,
            next_follow_up_on__lte=on + datetime.timedelta(days=horizon_days),
        )
        .exclude(status=CaseStatus.CLOSED)
        .order_by("next_follow_up_on")
    )


# The columns the due and case tables show. Loading whole rows would decrypt every person's
# address and notes (and snapshot them for the history) only to print a name.
LIST_COLUMNS = (
    "id",
    "status",
    "priority",
    "opened_on",
    "next_follow_up_on",
    "region_code",
    "version",
    "beneficiary__id",
    "beneficiary__full_name",
    "beneficiary__nik_masked",
    "worker__id",
    "worker__full_name",
    # Two workers of one name are told apart by their village (issue 13).
    "worker__village__code",
    "worker__village__name",
)


def for_list(cases):
    """Cases with just what a list row shows (the person's name and masked NIK, the worker)."""
    return cases.select_related("beneficiary", "worker__village").only(*LIST_COLUMNS)


def due_summary(cases, on=None, limit: int = 25, horizon_days: int = 7) -> dict:
    """The due list as a page shows it: the first `limit` rows, how many are due and how many
    overdue. The counts come from the rows themselves when they all fit (a PSM's list), else from
    one aggregate over the same partial index."""
    on = on or timezone.localdate()
    due = due_cases(cases, on=on, horizon_days=horizon_days)
    rows = list(for_list(due.order_by("next_follow_up_on", "pk"))[:limit])
    if len(rows) < limit:
        counts = {
            "due": len(rows),
            "overdue": sum(1 for c in rows if c.next_follow_up_on < on),
        }
    else:
        counts = due.order_by().aggregate(
            due=Count("pk"), overdue=Count("pk", filter=Q(next_follow_up_on__lt=on))
        )
    return {"rows": rows, "due_count": counts["due"], "overdue_count": counts["overdue"]}


def overdue_referrals(referrals, on=None):
    on = on or timezone.localdate()
    return referrals.filter(
        status=ReferralStatus.SENT, sent_on__lt=on - datetime.timedelta(days=REFERRAL_OVERDUE_DAYS)
    )


# ---- the case list's named filters (the list, its API and the home's to-do counts share them) ----


def overdue_cases(cases, on=None):
    """Open cases whose next follow-up date has passed."""
    on = on or timezone.localdate()
    return cases.exclude(status=CaseStatus.CLOSED).filter(next_follow_up_on__lt=on)


def due_soon_cases(cases, on=None, horizon_days: int = 7):
    """Open cases whose next follow-up falls from today to `horizon_days` ahead (not overdue)."""
    on = on or timezone.localdate()
    return cases.exclude(status=CaseStatus.CLOSED).filter(
        next_follow_up_on__gte=on,
        next_follow_up_on__lte=on + datetime.timedelta(days=horizon_days),
    )


def cases_without_steps(cases):
    """Cases on which nothing has been recorded yet (no intervention)."""
    return cases.filter(~Exists(Intervention.objects.filter(case=OuterRef("pk"))))


def cases_with_late_referral(cases, on=None):
    """Cases with a referral still unanswered after REFERRAL_OVERDUE_DAYS."""
    late = overdue_referrals(Referral.objects.filter(case=OuterRef("pk")), on=on)
    return cases.filter(Exists(late))


# ---- activity reports -------------------------------------------------------------------------


def submit_report(report: ActivityReport, user) -> ActivityReport:
    if getattr(user, "worker", None) is None or report.worker_id != user.worker.pk:
        raise PermissionDenied
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        _refuse(_("This report was already submitted."), "submitted")
    if report.on > timezone.localdate():
        _refuse(_("The date is in the future."), "date")
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.return_reason = ""
    report.save()
    return report


def verify_report(
    report: ActivityReport, user, approve: bool, reason: str = "", expected_version=None
) -> ActivityReport:
    """The district supervisor (TKSK) verifies a report or returns it with a reason."""
    if not user.has_perm("cases.verify_report"):
        raise PermissionDenied
    if report.status != ReportStatus.SUBMITTED:
        _refuse(_("Only a submitted report can be verified or returned."), "state")
    if not approve and not reason.strip():
        _refuse(_("Say what must be corrected."), "reason")
    with atomic():
        _bump(report, expected_version)
        if approve:
            report.status = ReportStatus.VERIFIED
            report.verified_by = user
            report.verified_at = timezone.now()
        else:
            report.status = ReportStatus.RETURNED
            report.return_reason = reason.strip()[:255]
        report.save()
    return report


def behind_workers(cases, on=None):
    """Workers with overdue follow-ups, most overdue first (the TKSK's list)."""
    on = on or timezone.localdate()
    return (
        cases.filter(next_follow_up_on__lt=on)
        .exclude(status=CaseStatus.CLOSED)
        .values("worker_id", "worker__full_name", "worker__village__name")
        .annotate(overdue=Count("id"), oldest=Min("next_follow_up_on"))
        .order_by("-overdue", "oldest")
    )


def visible_people(user):
    """Beneficiaries a user may open (one place, so pages, API and exports agree)."""
    return Beneficiary.objects.visible_to(user)
