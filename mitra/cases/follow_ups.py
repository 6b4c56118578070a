"""A case's next follow-up (`Case.next_follow_up_on`), kept on the case for the due lists: the
earliest follow-up of its interventions still to do, None once the case is closed.

A visit settles the follow-ups due by its date and may set a new one. Done naively that is an
UPDATE, the visit's INSERT, a MIN and an UPDATE of the case for every visit. Here the earliest
follow-up that stays open is read first, with whether anything was due (one statement), and the
new value follows from it and the visit's own.

A held case (mitra/cases/held.py: the sync's batch locked it) is current in memory, and its
stored value is the earliest open follow-up (every write of interventions comes through here):
when nothing was due by the visit's date nothing is read, and an unchanged value is not written
again.
"""

import datetime

from django.db.models import Count, Min, Q

from .held import held
from .models import Case, CaseStatus, Intervention


def _open(case: Case):
    return Intervention.objects.filter(
        case=case, follow_up_done=False, next_follow_up_on__isnull=False
    )


def settle(case: Case, on: datetime.date) -> datetime.date | None:
    """Marks done the follow-ups due by `on` (a visit that day settles them) and answers the
    earliest one still to do after it."""
    stored = case.next_follow_up_on
    if held(case) and case.status != CaseStatus.CLOSED and (stored is None or stored > on):
        return stored
    row = _open(case).aggregate(
        later=Min("next_follow_up_on", filter=Q(next_follow_up_on__gt=on)),
        due=Count("pk", filter=Q(next_follow_up_on__lte=on)),
    )
    if row["due"]:
        _open(case).filter(next_follow_up_on__lte=on).update(follow_up_done=True)
    return row["later"]


def earliest(*dates) -> datetime.date | None:
    return min((d for d in dates if d is not None), default=None)


def store(case: Case, value: datetime.date | None) -> None:
    """Sets the case's next follow-up (none on a closed case) and writes it."""
    value = None if case.status == CaseStatus.CLOSED else value
    changed = value != case.next_follow_up_on
    case.next_follow_up_on = value
    if changed or not held(case):
        Case.objects.filter(pk=case.pk).update(next_follow_up_on=value)


def refresh(case: Case, save: bool = True) -> None:
    """The case's next follow-up read again from its interventions."""
    nxt = _open(case).aggregate(m=Min("next_follow_up_on"))["m"]
    case.next_follow_up_on = None if case.status == CaseStatus.CLOSED else nxt
    if save:
        Case.objects.filter(pk=case.pk).update(next_follow_up_on=case.next_follow_up_on)
