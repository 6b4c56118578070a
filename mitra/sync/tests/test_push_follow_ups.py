"""A visit settles the follow-ups due by its date and leaves the case's next follow-up at the
earliest one still to do (mitra/cases/follow_ups.py), the same whether it comes from a page or
the API (the case read as it is) or from a sync push (the case locked for the batch, where the
stored value is trusted and nothing is read or written that would not change)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitra.cases import services
from mitra.cases.models import Case, CaseStatus, Intervention

from .conftest import entry, push, today, visit

pytestmark = pytest.mark.django_db

OPEN_BEFORE = [(), (-5,), (10,), (-5, 10), (0, 3, 10), (-30, -2)]
NEW_NEXT = [None, 0, 3, 30]


def _day(offset):
    return None if offset is None else today() + datetime.timedelta(days=offset)


def _case_with_follow_ups(case, user, offsets) -> Case:
    services.change_case_status(case, CaseStatus.ASSESSED, user)
    for offset in offsets:
        # Made long before, so none settles another.
        services.add_intervention(
            case, user, kind="home_visit", on=_day(-40), next_follow_up_on=_day(offset)
        )
    case.refresh_from_db()
    return case


def _expected(offsets, new):
    """What a visit today must leave: the follow-ups due by today done, the rest open."""
    still_open = [_day(o) for o in offsets if _day(o) > today()]
    return min([*still_open, *([_day(new)] if new is not None else [])], default=None)


def _outcome(case):
    case.refresh_from_db()
    open_dates = sorted(
        Intervention.objects.filter(
            case=case, follow_up_done=False, next_follow_up_on__isnull=False
        ).values_list("next_follow_up_on", flat=True)
    )
    return case.next_follow_up_on, open_dates


@pytest.mark.parametrize("offsets", OPEN_BEFORE)
@pytest.mark.parametrize("new", NEW_NEXT)
def test_a_pushed_visit_leaves_the_same_follow_ups_as_the_api(
    offsets, new, case, psm_client, trimulyo_worker
):
    _case_with_follow_ups(case, trimulyo_worker, offsets)
    data = visit(case.pk)
    if new is not None:
        data["next_follow_up_on"] = _day(new).isoformat()
    answer = push(psm_client, entry("intervention", data))
    assert answer["results"][0]["status"] == "applied", answer
    nxt, open_dates = _outcome(case)
    assert nxt == _expected(offsets, new)
    # Every follow-up due by the visit is settled; the later ones and the visit's own stay open.
    assert all(d > today() for d in open_dates if d != _day(new))


@pytest.mark.parametrize("offsets", OPEN_BEFORE)
@pytest.mark.parametrize("new", NEW_NEXT)
def test_a_visit_through_the_services_settles_what_was_due(offsets, new, case, trimulyo_worker):
    _case_with_follow_ups(case, trimulyo_worker, offsets)
    case = Case.objects.get(pk=case.pk)  # as a page reads it: not locked, not trusted
    services.add_intervention(
        case, trimulyo_worker, kind="home_visit", on=today(), next_follow_up_on=_day(new)
    )
    nxt, open_dates = _outcome(case)
    assert nxt == _expected(offsets, new)
    assert all(d > today() for d in open_dates if d != _day(new))


def test_a_first_visit_moves_the_case_on_and_keeps_its_follow_up(case, psm_client):
    data = visit(case.pk, next_follow_up_on=_day(7).isoformat())
    assert push(psm_client, entry("intervention", data))["results"][0]["status"] == "applied"
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED and case.next_follow_up_on == _day(7)


def test_a_pushed_visit_that_changes_nothing_due_writes_no_more_than_itself(
    case, psm_client, trimulyo_worker
):
    _case_with_follow_ups(case, trimulyo_worker, (10,))
    data = visit(case.pk, next_follow_up_on=_day(30).isoformat())
    with CaptureQueriesContext(connection) as queries:
        push(psm_client, entry("intervention", data))
    statements = [q["sql"] for q in queries]
    # The entry's own statements: between the receipts' claim and their completion (the pull
    # fingerprint follows).
    receipts = [i for i, s in enumerate(statements) if "sync_syncreceipt" in s]
    entry_statements = statements[receipts[1] + 1 : receipts[2]]
    on_interventions = [s for s in entry_statements if '"cases_intervention"' in s]
    assert [s.split()[0] for s in on_interventions] == ["INSERT"], on_interventions
    # The case's next follow-up stays (day 10): its row is not written again.
    assert not [s for s in statements if s.startswith('UPDATE "cases_case"')]
    assert Case.objects.get(pk=case.pk).next_follow_up_on == _day(10)
