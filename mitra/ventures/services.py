"""The rules of the ventures section, shared by the pages, the API and the importer: who may
record what, which status changes are allowed, what a support or a result must hold.

Each function raises ValidationError with per-field reasons in the user's language, or
PermissionDenied when the user may not act on the row at all."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.cases.models import Beneficiary, Case
from mitra.core.categories import WorkerKind
from mitra.workers.models import Status as WorkerStatus
from mitra.workers.models import Worker

from .models import (
    KINDS_WITH_AMOUNT,
    MemberRole,
    PeriodKind,
    Support,
    SupportKind,
    Venture,
    VentureKind,
    VentureMember,
    VentureResult,
    VentureStatus,
)

MANAGE = "ventures.change_venture"
# The amounts a PSM's venture receives or turns over; a larger figure is a typing slip.
MAX_AMOUNT = 10_000_000_000


def conflict():
    return ValidationError(
        _(
            "Someone else changed this record while you were working on it. Reload the page and try again."
        ),
        code="conflict",
    )


def bump(venture: Venture, expected_version: int | None) -> None:
    """Optimistic concurrency: a change applies only over the version the user read."""
    if expected_version is not None and expected_version != venture.version:
        raise conflict()
    if not Venture.objects.filter(pk=venture.pk, version=venture.version).update(
        version=F("version") + 1
    ):
        raise conflict()
    venture.version += 1


def may_manage(user, venture: Venture) -> bool:
    """Officers and supervisors change the ventures of their own area (not a wider one's)."""
    if not user.has_perm(MANAGE):
        return False
    return Venture.objects.managed_by(user).filter(pk=venture.pk).exists()


def may_add_result(user, venture: Venture) -> bool:
    """The PSM records their own venture's results; officers and supervisors their area's."""
    if user.role == "worker":
        own = getattr(user, "worker", None)
        return (
            own is not None and venture.worker_id == own.pk and user.has_perm("ventures.add_result")
        )
    return may_manage(user, venture) and user.has_perm("ventures.add_result")


# ---- kinds of business --------------------------------------------------------------------------


def add_kind(user, name: str) -> VentureKind:
    """An officer extends the list for their area; a name already visible there is refused."""
    if not user.has_perm("ventures.add_venturekind"):
        raise PermissionDenied
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Write the name of the kind of business.")})
    if VentureKind.objects.visible_to(user).filter(name__iexact=name).exists():
        raise ValidationError({"name": _("This kind of business is already on the list.")})
    return VentureKind.objects.create(name=name[:80], region_code=user.scope_code or "")


# ---- ventures -----------------------------------------------------------------------------------


def check_venture(venture: Venture, today: datetime.date | None = None) -> None:
    """The rules one venture must keep, whoever writes it."""
    today = today or timezone.localdate()
    errors = {}
    worker = venture.worker
    if worker.kind != WorkerKind.PSM:
        errors["worker"] = _("Only a PSM's venture is recorded here.")
    elif worker.merged_into_id or worker.status == WorkerStatus.APPLIED:
        errors["worker"] = _("This worker is not a registered PSM.")
    if venture.started_on and venture.started_on > today:
        errors["started_on"] = _("The start date is in the future; keep the venture planned.")
    if venture.status == VentureStatus.RUNNING and not venture.started_on:
        errors["started_on"] = _("A running venture needs its start date.")
    if venture.status == VentureStatus.STOPPED:
        if not venture.stop_reason:
            errors["stop_reason"] = _("Say why the venture stopped.")
        if not venture.stopped_on:
            errors["stopped_on"] = _("Give the date the venture stopped.")
        elif venture.stopped_on > today:
            errors["stopped_on"] = _("The date is in the future.")
        elif venture.started_on and venture.stopped_on < venture.started_on:
            errors["stopped_on"] = _("The venture cannot stop before it started.")
    if errors:
        raise ValidationError(errors)


def _clear_stop(venture: Venture) -> None:
    if venture.status != VentureStatus.STOPPED:
        venture.stopped_on, venture.stop_reason, venture.stop_note = None, "", ""


def create_venture(venture: Venture, user) -> Venture:
    if not user.has_perm("ventures.add_venture"):
        raise PermissionDenied
    if not Worker.objects.visible_to(user).filter(pk=venture.worker_id).exists():
        raise ValidationError({"worker": _("This PSM is outside your area.")})
    _clear_stop(venture)
    check_venture(venture)
    with transaction.atomic():
        venture.save()
    return venture


def update_venture(venture: Venture, user, expected_version: int | None) -> Venture:
    """Save changes already applied to `venture` (its data and its status)."""
    if not may_manage(user, venture):
        raise PermissionDenied
    _clear_stop(venture)
    check_venture(venture)
    with transaction.atomic():
        bump(venture, expected_version)
        venture.save()
    return venture


# ---- members ------------------------------------------------------------------------------------


def beneficiaries_of(worker: Worker):
    """The persons whose cases the PSM works on: the only beneficiaries their venture links."""
    return Beneficiary.objects.filter(
        pk__in=Case.objects.filter(worker=worker).values("beneficiary_id")
    )


def add_member(venture: Venture, user, *, worker=None, beneficiary=None, consent_on=None):
    if not may_manage(user, venture):
        raise PermissionDenied
    if not venture.is_group:
        raise ValidationError(_("Only a joint business group (KUBE) has members."))
    today = timezone.localdate()
    if (worker is None) == (beneficiary is None):
        raise ValidationError(_("Choose either a PSM or a beneficiary."))
    members = venture.members.filter(left_on__isnull=True)
    if worker is not None:
        if worker.pk == venture.worker_id or members.filter(worker=worker).exists():
            raise ValidationError({"worker": _("This PSM is already in the venture.")})
        if not Worker.objects.visible_to(user).filter(pk=worker.pk, kind=WorkerKind.PSM).exists():
            raise ValidationError({"worker": _("This PSM is outside your area.")})
        return VentureMember.objects.create(venture=venture, role=MemberRole.PSM, worker=worker)
    if not beneficiaries_of(venture.worker).filter(pk=beneficiary.pk).exists():
        raise ValidationError(
            {"beneficiary": _("Only a beneficiary of one of the PSM's cases can be linked.")}
        )
    if consent_on is None:
        raise ValidationError(
            {"consent_on": _("Record the date the person (or guardian) agreed to take part.")}
        )
    if consent_on > today:
        raise ValidationError({"consent_on": _("The date is in the future.")})
    if members.filter(beneficiary=beneficiary).exists():
        raise ValidationError({"beneficiary": _("This person is already in the venture.")})
    return VentureMember.objects.create(
        venture=venture,
        role=MemberRole.BENEFICIARY,
        beneficiary=beneficiary,
        consent_on=consent_on,
    )


# ---- support ------------------------------------------------------------------------------------


def check_support(support: Support, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    errors = {}
    if support.kind in KINDS_WITH_AMOUNT and not support.amount:
        errors["amount"] = _("Give the amount in rupiah (for equipment: its value).")
    if support.amount is not None and not (0 <= support.amount <= MAX_AMOUNT):
        errors["amount"] = _("The amount is not plausible.")
    if support.received_on and support.received_on > today:
        errors["received_on"] = _("The date is in the future.")
    if support.enrolment_id is not None:
        if support.kind != SupportKind.TRAINING:
            errors["enrolment"] = _("Only a training support is linked to a Mitra course.")
        elif support.enrolment.worker_id != support.venture.worker_id:
            errors["enrolment"] = _("This enrolment is not the venture's PSM's.")
    if errors:
        raise ValidationError(errors)


def add_support(support: Support, user) -> Support:
    if not (user.has_perm("ventures.add_support") and may_manage(user, support.venture)):
        raise PermissionDenied
    check_support(support)
    support.save()
    return support


# ---- results ------------------------------------------------------------------------------------


def period_start(kind: str, day: datetime.date) -> datetime.date:
    """The first day of the month or quarter holding `day`."""
    if kind == PeriodKind.QUARTER:
        return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def check_result(result: VentureResult, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    venture = result.venture
    errors = {}
    if result.period_kind and result.period_start:
        result.period_start = period_start(result.period_kind, result.period_start)
        if result.period_start > today:
            errors["period_start"] = _("The period has not begun yet.")
        elif venture.status == VentureStatus.PLANNED:
            errors["period_start"] = _("The venture has not started yet: set it running first.")
        elif venture.started_on and result.period_start < period_start(
            result.period_kind, venture.started_on
        ):
            errors["period_start"] = _("The period is before the venture started.")
        elif venture.stopped_on and result.period_start > venture.stopped_on:
            errors["period_start"] = _("The period is after the venture stopped.")
        duplicate = VentureResult.objects.filter(
            venture=venture, period_kind=result.period_kind, period_start=result.period_start
        ).exclude(pk=result.pk)
        if duplicate.exists():
            errors["period_start"] = _("A result for this period is already recorded.")
    if result.turnover is not None and not (0 <= result.turnover <= MAX_AMOUNT):
        errors["turnover"] = _("The amount is not plausible.")
    if result.people_working is not None and result.people_working < 1:
        errors["people_working"] = _("At least one person works in a running venture.")
    linked = venture.members.filter(role=MemberRole.BENEFICIARY, left_on__isnull=True).count()
    if result.beneficiaries_involved and result.beneficiaries_involved > linked:
        errors["beneficiaries_involved"] = _(
            "Only %(n)s beneficiaries are linked to this venture; link them as members first."
        ) % {"n": linked}
    if errors:
        raise ValidationError(errors)


def add_result(result: VentureResult, user) -> VentureResult:
    if not may_add_result(user, result.venture):
        raise PermissionDenied
    check_result(result)
    result.save()
    return result
