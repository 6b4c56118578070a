"""Who may be nominated for a cycle, with the reasons (in Indonesian) when someone may not."""

from __future__ import annotations

import datetime

from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from mitra.workers.models import Decree, Status, Worker

from .evidence import tenure_years
from .models import Award, AwardCycle, Level, Nomination, NominationStatus
from .services_base import stage_at

NATIONAL_AWARDS = (Award.FIRST, Award.SECOND, Award.THIRD)


def _valid_decree_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}issued_on__lte": on}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": on})
    )


def _recent_national_winner_q(cycle: AwardCycle) -> Q:
    return Q(
        stage__level=Level.NATIONAL,
        status=NominationStatus.WINNER,
        award__in=NATIONAL_AWARDS,
        cycle__year__gte=cycle.year - cycle.exclusion_years,
        cycle__year__lt=cycle.year,
    )


def check_eligibility(
    cycle: AwardCycle, worker: Worker, by, on: datetime.date | None = None
) -> list[str]:
    """Every reason `worker` cannot be nominated by `by` for `cycle` on `on` (today); [] = eligible.

    Checks: the regency stage is open, worker kind matches, active, a decree (SK) valid on the
    date, basic training done, tenure >= cycle.min_tenure_years at the end of the evaluated
    period, no national rank I-III in the last cycle.exclusion_years years, inside the officer's
    own area (managed_by), and not already nominated (not withdrawn) in the cycle."""
    on = on or timezone.localdate()
    reasons = []
    stage = stage_at(cycle, Level.REGENCY)
    if stage is None:
        reasons.append(_("This cycle has no regency/city stage."))
    elif not stage.is_open(on):
        reasons.append(
            _("Nominations are open from %(start)s to %(end)s.")
            % {
                "start": date_format(stage.opens_on, "j F Y"),
                "end": date_format(stage.closes_on, "j F Y"),
            }
        )
    if not Worker.objects.managed_by(by).filter(pk=worker.pk).exists():
        reasons.append(_("The worker is outside your area."))
    if worker.kind != cycle.worker_kind:
        reasons.append(
            _("This cycle is for %(kind)s only.") % {"kind": cycle.get_worker_kind_display()}
        )
    if worker.merged_into_id or worker.status != Status.ACTIVE:
        reasons.append(_("The worker is not active."))
    if not Decree.objects.filter(_valid_decree_q(on), worker=worker).exists():
        reasons.append(_("The worker has no decree (SK) valid on this date."))
    if worker.basic_training_on is None:
        reasons.append(_("The worker has not completed the basic training."))
    first_decree = worker.decrees.aggregate(first=Min("issued_on"))["first"]
    known = [d for d in (worker.joined_on, first_decree) if d]
    years = tenure_years(min(known) if known else None, cycle.period_end)
    if years < cycle.min_tenure_years:
        reasons.append(
            _("The worker has %(years)s years of service; at least %(min)d are required.")
            % {"years": number_format(years, 1), "min": cycle.min_tenure_years}
        )
    if (
        cycle.exclusion_years
        and Nomination.objects.filter(_recent_national_winner_q(cycle), worker=worker).exists()
    ):
        reasons.append(
            _("The worker was a national winner in the last %(years)d years.")
            % {"years": cycle.exclusion_years}
        )
    if Nomination.objects.active().filter(cycle=cycle, worker=worker).exists():
        reasons.append(_("The worker is already nominated in this cycle."))
    return reasons


def eligible_workers(cycle: AwardCycle, by, on: datetime.date | None = None):
    """Workers `by` could nominate: the same rules as one set-based query (for form choices).

    Tenure is checked on joined_on or the first decree, as in check_eligibility."""
    on = on or timezone.localdate()
    end = cycle.period_end
    cutoff = end - datetime.timedelta(days=round(365.25 * cycle.min_tenure_years))
    first_decree = (
        Decree.objects.filter(worker=OuterRef("pk")).order_by("issued_on").values("issued_on")[:1]
    )
    return (
        Worker.objects.managed_by(by)
        .registered()
        .filter(kind=cycle.worker_kind, status=Status.ACTIVE, basic_training_on__isnull=False)
        .filter(Exists(Decree.objects.filter(_valid_decree_q(on), worker=OuterRef("pk"))))
        .annotate(first_decree=first_decree)
        .filter(Q(joined_on__lte=cutoff) | Q(first_decree__lte=cutoff))
        .exclude(
            Exists(
                Nomination.objects.filter(_recent_national_winner_q(cycle), worker=OuterRef("pk"))
            )
        )
        .exclude(Exists(Nomination.objects.active().filter(cycle=cycle, worker=OuterRef("pk"))))
        .order_by("full_name")
    )
