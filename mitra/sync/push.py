"""Applying a batch of entries from the offline field app (ADR 0025).

Each entry is written through the same function as its API operation (`record_beneficiary`,
`open_case_for`, `record_intervention`, `record_referral`, `write_report`), parsed by the same
schema, so the rules, the encryption, the change history and the scope are the API's. What the
sync adds around them:
- idempotency: a receipt (the device's uuid for the entry) is written in the entry's transaction;
  a uuid already received answers "duplicate" with the same object, a racing second push fails on
  the receipt's primary key and answers "duplicate" too;
- one savepoint per entry: a refused or invalid entry rolls back alone;
- `*_ref`: an entry may name an earlier entry of the same user (a new person's case) by its uuid;
- conflict: an entry based on a version of the case or person that someone else changed since
  is not written; the answer carries both versions;
- refused: a case or person out of the PSM's reach now (handed over, no longer visible), or an
  entry made longer ago than its receipt is kept (addendum 2 of ADR 0025).
"""

import contextvars
import datetime
import logging
import uuid
from dataclasses import dataclass

import pydantic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.cases import api as cases_api
from mitra.cases import api_people, held, services
from mitra.cases.models import Case, CaseEvent
from mitra.core.atomic import entry as entry_block
from mitra.core.batch import batch as lookups_batch
from mitra.core.history_batch import batched_history, entry_history
from mitra.stats.rollups import batched_marks

from . import prune, pull
from .models import EntryKind
from .receipts import Receipts

MAX_ENTRIES = 100
REFS = {
    "beneficiary_ref": ("beneficiary", EntryKind.BENEFICIARY),
    "case_ref": ("case", EntryKind.CASE),
}


class Refused(Exception):
    pass


class Conflict(Exception):
    def __init__(self, server: dict):
        self.server = server


class Invalid(Exception):
    def __init__(self, errors: dict):
        self.errors = errors


@dataclass
class Result:
    uuid: uuid.UUID
    status: str
    object: dict | None = None
    message: str | None = None
    errors: dict | None = None
    server: dict | None = None
    mine: dict | None = None


def refused_message() -> str:
    return _(
        "This record is not among your cases or people any more; this entry cannot be sent. "
        "The entry stays on your device until you discard it."
    )


def handed_over_message() -> str:
    return _(
        "This case was handed over to another worker; this entry cannot be sent. The entry stays "
        "on your device until you discard it."
    )


def too_old_message() -> str:
    return _(
        "This entry was made more than %(days)s days ago (by the date on your phone) and can no "
        "longer be sent: the server may have received it before without remembering it now, and "
        "it would be saved twice. Check on the Mitra website whether it is recorded; if not, "
        "record it again. If the date on your phone is wrong, correct it. The entry stays on "
        "your device until you discard it."
    ) % {"days": settings.SYNC_RECEIPT_RETENTION_DAYS}


def device_time(entry) -> datetime.datetime | None:
    """When the device says the entry was made (UTC if it named no zone)."""
    created = entry.created_at
    if created is not None and timezone.is_naive(created):
        created = timezone.make_aware(created, datetime.UTC)
    return created


def too_old(entry, now=None) -> bool:
    """Made before the oldest time whose receipts are surely still kept (`prune.cutoff`). An
    entry without its device time (a caller other than the field app) cannot be told."""
    created = device_time(entry)
    return created is not None and created < prune.cutoff(now)


def conflict_message() -> str:
    return _(
        "Someone else changed this record after your device last fetched it. Compare both "
        "versions, then send yours anyway or discard it."
    )


# ---- invalid: field errors in the user's language -----------------------------------------------


def _pydantic_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("missing", "too_short"):
        return _("This field is required.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of the listed values.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind.startswith("int") or kind.startswith("float"):
        return _("Enter a whole number.")
    if kind == "greater_than_equal":
        return _("The value must be at least %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("The value must be at most %(limit)s.") % {"limit": ctx.get("le")}
    if kind.startswith("uuid"):
        return _("Enter a valid id.")
    if kind == "string_too_long":
        return _("Write at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind.startswith("string"):
        return _("Enter text.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind.startswith("list"):
        return _("Enter a list.")
    return _("This value is not valid.")


def pydantic_errors(exc: pydantic.ValidationError) -> dict:
    errors: dict = {}
    for error in exc.errors():
        name = ".".join(str(p) for p in error.get("loc", ())) or "__all__"
        errors.setdefault(name.split(".")[0], []).append(_pydantic_message(error))
    return errors


def django_errors(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


def _parse(schema, data: dict):
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise Invalid(pydantic_errors(exc)) from None


# ---- references, reach and conflicts --------------------------------------------------------------


def _resolve_ref(user, data: dict, name: str, receipts: Receipts) -> None:
    """`beneficiary_ref` / `case_ref`: the uuid of an earlier entry of this user, replaced by the
    id of the row that entry became."""
    if name not in data:
        return
    target, kind = REFS[name]
    raw = data.pop(name)
    try:
        ref = uuid.UUID(str(raw))
    except ValueError:
        raise Invalid({name: [_("Enter a valid id.")]}) from None
    receipt = receipts.of_ref(ref)
    if receipt is not None and (receipt.user_id != user.pk or receipt.kind != kind):
        receipt = None
    if receipt is None:
        raise Invalid({name: [_("The entry this one depends on has not been sent yet.")]})
    data[target] = receipt.object_id


def _object_id(data: dict, name: str):
    if data.get(name) in (None, ""):
        raise Invalid({name: [_("This field is required.")]})
    try:
        return uuid.UUID(str(data.get(name)))
    except ValueError:
        raise Invalid({name: [_("Enter a valid id.")]}) from None


# The cases a batch's visits and referrals name, read and locked once at its start (ADR 0028).
_locked_cases = contextvars.ContextVar("mitra_sync_locked_cases", default=None)
ON_CASE = (EntryKind.INTERVENTION, EntryKind.REFERRAL)


def _named_case(entry) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(entry.data.get("case")))
    except ValueError:
        return None


def _lock_cases(user, entries) -> dict:
    """The batch's cases in the user's reach, locked in one statement in id order (two batches
    lock in the same order, so they wait for each other instead of deadlocking): one query for
    the batch instead of one per visit. Each entry still checks the case is the PSM's."""
    ids = {i for e in entries if e.kind in ON_CASE and (i := _named_case(e)) is not None}
    if not ids:
        return {}
    rows = Case.objects.visible_to(user).select_for_update(of=("self",)).filter(pk__in=ids)
    return {case.pk: held.hold(case) for case in rows.order_by("pk")}


def _own_case(user, worker, case_id) -> Case:
    """The case, locked for this entry, if it is still the PSM's; else the entry is refused,
    saying "handed over" only to the PSM who held it (nothing about a case they never had)."""
    locked = _locked_cases.get()
    case = locked.get(case_id) if locked is not None else None
    if case is None:
        case = (
            Case.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=case_id).first()
        )
        if case is not None:
            held.hold(case)
    if case is not None and case.worker_id == worker.pk:
        case.worker = worker  # the services read it (the visit's worker): no second query
        return case
    handed_over = CaseEvent.objects.filter(
        case_id=case_id, kind=CaseEvent.Kind.TRANSFER, from_worker=worker
    ).exists()
    if handed_over:
        raise Refused(handed_over_message())
    raise Refused(refused_message())


def _case_changed_by_others(case: Case, base: int | None, user) -> bool:
    """Whether the case moved past `base` through someone else's steps. Its version goes up by one
    with each status step (each a CaseEvent); the PSM's own earlier entries (a visit that moved
    the case to "assessed") are not a conflict with their next entry on the same case."""
    if base is None or base == case.version:
        return False
    if base > case.version:
        return True
    steps = case.version - base
    by = list(
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS)
        .order_by("-at", "-id")
        .values_list("by_id", flat=True)[:steps]
    )
    return len(by) < steps or any(b != user.pk for b in by)


# ---- one handler per kind --------------------------------------------------------------------


def _beneficiary(user, worker, entry, data, receipts):
    return api_people.record_beneficiary(user, _parse(api_people.BeneficiaryIn, data))


def _case(user, worker, entry, data, receipts):
    _resolve_ref(user, data, "beneficiary_ref", receipts)
    person_id = _object_id(data, "beneficiary")
    person = services.visible_people(user).filter(pk=person_id).first()
    if person is None:
        raise Refused(refused_message())
    base = entry.base_version
    if base is not None and base != person.version and person.updated_by_id != user.pk:
        raise Conflict(pull.person_snapshot(person))
    return cases_api.open_case_for(user, _parse(cases_api.CaseIn, data), person=person)


def _on_case(record, schema):
    def handler(user, worker, entry, data, receipts):
        _resolve_ref(user, data, "case_ref", receipts)
        case = _own_case(user, worker, _object_id(data, "case"))
        data.pop("case", None)
        if _case_changed_by_others(case, entry.base_version, user):
            raise Conflict(pull.case_snapshot(case))
        return record(user, case, _parse(schema, data))

    return handler


def _report(user, worker, entry, data, receipts):
    return cases_api.write_report(user, _parse(cases_api.ReportIn, data))


HANDLERS = {
    EntryKind.BENEFICIARY: _beneficiary,
    EntryKind.CASE: _case,
    EntryKind.INTERVENTION: _on_case(cases_api.record_intervention, cases_api.InterventionIn),
    EntryKind.REFERRAL: _on_case(cases_api.record_referral, cases_api.ReferralIn),
    EntryKind.REPORT: _report,
}


# ---- the batch -------------------------------------------------------------------------------------


def _duplicate(entry, receipt, user) -> Result:
    if receipt.user_id != user.pk:
        # Another user's entry id (a device cannot produce it by chance): not theirs to learn about.
        return Result(entry.uuid, "invalid", errors={"uuid": [_("This entry id is already used.")]})
    return Result(entry.uuid, "duplicate", object={"kind": receipt.kind, "id": receipt.object_id})


def apply_entry(user, worker, entry, receipts) -> Result:
    result = _apply_entry(user, worker, entry, receipts)
    locked = _locked_cases.get()
    if locked and result.status != "applied" and entry.kind in ON_CASE:
        # The entry's savepoint undid its writes, not the changes to the case object in memory:
        # the next entry on that case reads it again.
        locked.pop(_named_case(entry), None)
    return result


def _apply_entry(user, worker, entry, receipts) -> Result:
    receipt = receipts.get(entry.uuid)
    if receipt is not None:
        return _duplicate(entry, receipt, user)
    if too_old(entry):
        # Its receipt, had it been written, may be pruned by now: writing it could write it twice.
        return Result(entry.uuid, "refused", message=too_old_message())
    if not receipts.claimed(entry.uuid):
        # Another push held its receipt and let it go again: this one did not wait for it.
        return _not_now(entry)
    data = dict(entry.data)
    try:
        # The entry's savepoint; the shared functions' nested blocks take none of their own
        # inside it (mitra/core/atomic.py): their errors roll back to this one.
        with entry_history(), entry_block():
            obj = HANDLERS[entry.kind](user, worker, entry, data, receipts)
    except IntegrityError:
        # The row met a unique rule at the last moment (a racing write): it can be sent again.
        return _not_now(entry)
    except Refused as exc:
        return Result(entry.uuid, "refused", message=str(exc))
    except (PermissionDenied, Http404):
        return Result(entry.uuid, "refused", message=refused_message())
    except Conflict as exc:
        return Result(
            entry.uuid, "conflict", message=conflict_message(), server=exc.server, mine=entry.data
        )
    except Invalid as exc:
        return _invalid(entry, exc.errors)
    except ValidationError as exc:
        if any(e.code == "conflict" for e in _flat(exc)):
            return Result(entry.uuid, "conflict", message=conflict_message(), mine=entry.data)
        return _invalid(entry, django_errors(exc))
    except Exception as exc:  # noqa: BLE001 - one broken entry must not block the device's outbox
        # Logged as Django logs a server error (the NIK filter applies); the entry alone is
        # rolled back and answered, so the other entries of the batch still get through.
        logging.getLogger("django.request").error(
            "Internal Server Error in a sync entry (%s)", entry.kind, exc_info=exc
        )
        message = _("The server could not save this entry. Try again later, or discard it.")
        return Result(entry.uuid, "invalid", message=message, errors={"__all__": [message]})
    receipts.applied(entry, obj)
    return Result(entry.uuid, "applied", object={"kind": entry.kind, "id": str(obj.pk)})


def _not_now(entry) -> Result:
    message = _("This entry could not be saved now. Send it again.")
    return Result(entry.uuid, "invalid", message=message, errors={"__all__": [message]})


def _flat(exc: ValidationError) -> list:
    if hasattr(exc, "error_dict"):
        return [e for errors in exc.error_dict.values() for e in errors]
    return list(exc.error_list)


def _invalid(entry, errors: dict) -> Result:
    return Result(
        entry.uuid,
        "invalid",
        message=_("Some values are not valid: correct them and send the entry again."),
        errors={name: [str(m) for m in messages] for name, messages in errors.items()},
    )


def apply_batch(user, worker, entries) -> list[Result]:
    receipts = Receipts(user, entries)
    # The rollups' dirty marks of the whole batch in one statement at its end (each district
    # once, its earliest month), instead of one or two per entry.
    # The same village and PMKS categories asked once for the batch (mitra/core/batch.py).
    # The change history of the applied entries in one INSERT at the end (core/history_batch.py).
    # The new entries' receipts claimed in one statement, completed in one (sync/receipts.py).
    token = _locked_cases.set(_lock_cases(user, entries))
    try:
        receipts.claim([e for e in entries if not too_old(e)], device_time)
        with batched_marks(), lookups_batch(), batched_history():
            results = [apply_entry(user, worker, entry, receipts) for entry in entries]
        receipts.finish()
        return results
    finally:
        _locked_cases.reset(token)
