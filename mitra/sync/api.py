"""The offline field app's sync API, under /api/v1/sync/ (issue 14, ADR 0025, the contract in
SYNC_SPEC): GET /pull (the PSM's working set when it changed since the device's cursor) and
POST /push (a batch of entries made offline, one answer per entry).

Only a PSM with a worker record uses it (others: 403). Rows come from `visible_to(user)`; entries
go through the API operations' own functions (see push.py)."""

import datetime
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from mitra.cases.api_common import Body, refuse_extra_fields

from . import pull, push
from .models import EntryKind

router = Router(tags=["sync"])


def _psm(request):
    """The caller's worker record: the field app is a PSM's own."""
    user = request.auth
    worker = getattr(user, "worker", None) if user.role == "worker" else None
    if worker is None:
        raise HttpError(
            403, _("The field app is for PSM (social workers) with a worker record in Mitra.")
        )
    return user, worker


# ---- pull ------------------------------------------------------------------------------------------


class SyncVillageOut(Schema):
    code: str
    name: str


class SyncUserOut(Schema):
    username: str
    worker_id: UUID
    village: SyncVillageOut


class SyncCaseOut(Schema):
    id: UUID
    beneficiary_id: UUID
    status: str
    status_label: str
    priority: str
    priority_label: str
    opened_on: datetime.date
    next_follow_up_on: datetime.date | None
    overdue: bool
    version: int
    categories: list[int] = Field(description="PMKS numbers.")
    updated_at: datetime.datetime


class SyncPersonOut(Schema):
    id: UUID
    full_name: str
    sex: str
    age: int | None
    village_code: str
    village_name: str
    nik_masked: str = Field(description="Always masked (3402********0001), or empty.")
    categories: list[int] = Field(description="PMKS numbers.")
    version: int


class SyncChoiceOut(Schema):
    value: str
    label: str


class SyncPmksOut(Schema):
    number: int
    name: str


class SyncLookupsOut(Schema):
    pmks: list[SyncPmksOut]
    intervention_kinds: list[SyncChoiceOut]
    programmes: list[SyncChoiceOut]
    activity_types: list[SyncChoiceOut]
    sexes: list[SyncChoiceOut]
    consent_methods: list[SyncChoiceOut]
    consent_relations: list[SyncChoiceOut]
    priorities: list[SyncChoiceOut]


class SyncWorkingSetOut(Schema):
    cases: list[SyncCaseOut] = Field(description="Your open cases.")
    beneficiaries: list[SyncPersonOut] = Field(
        description="The people of those cases, then others you may see (at most 500 in all)."
    )
    due: list[UUID] = Field(description="Case ids due within 7 days or late, in due order.")
    lookups: SyncLookupsOut


class SyncPullOut(Schema):
    cursor: str = Field(description="Send it back as `cursor` on the next pull.")
    changed: bool
    server_time: datetime.datetime
    user: SyncUserOut
    working_set: SyncWorkingSetOut | None = Field(description="Null when `changed` is false.")


@router.get("/pull", response=SyncPullOut, summary="The PSM's working set, if it changed")
def sync_pull(
    request,
    cursor: str | None = Query(
        None, description="The cursor of your last pull (opaque).", max_length=100
    ),
):
    user, worker = _psm(request)
    current = pull.fingerprint(user)
    changed = cursor != current
    return {
        "cursor": current,
        "changed": changed,
        "server_time": timezone.now(),
        "user": {
            "username": user.username,
            "worker_id": worker.pk,
            "village": {"code": worker.village_id, "name": worker.village.name},
        },
        "working_set": pull.working_set(user) if changed else None,
    }


# ---- push ------------------------------------------------------------------------------------------


class SyncEntryIn(Body):
    uuid: UUID = Field(description="The device's id for this entry (uuid4).")
    kind: EntryKind
    base_version: int | None = Field(
        None, description="Version of the case (visit, referral) or person (case) it is based on."
    )
    created_at: datetime.datetime | None = Field(None, description="Device clock; informative.")
    data: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "The fields of the API's body for this kind (BeneficiaryIn, CaseIn, InterventionIn, "
            "ReferralIn, ReportIn); a case may name `beneficiary_ref`, a visit or referral "
            "`case_ref`: the uuid of an earlier entry of yours."
        ),
    )
    resolve: Literal["overwrite"] | None = Field(
        None, description='"overwrite": send anyway after a conflict (with the server version).'
    )


class SyncPushIn(Body):
    entries: list[SyncEntryIn] = Field(
        description=f"At most {push.MAX_ENTRIES} entries, applied in order.",
        json_schema_extra={"maxItems": push.MAX_ENTRIES},
    )


class SyncObjectOut(Schema):
    kind: str
    id: str


class SyncResultOut(Schema):
    uuid: UUID
    status: str = Field(description="applied, duplicate, conflict, refused or invalid.")
    object: SyncObjectOut | None = Field(description="The row written (applied, duplicate).")
    message: str | None
    errors: dict[str, list[str]] | None = Field(description="Field -> messages (invalid).")
    server: dict[str, Any] | None = Field(description="The current record (conflict).")
    mine: dict[str, Any] | None = Field(description="The entry's data (conflict).")


class SyncPushOut(Schema):
    results: list[SyncResultOut]
    cursor: str


def _refuse_extras(payload: SyncPushIn) -> None:
    refuse_extra_fields(payload)
    extra = {
        f"entries.{i}.{name}": _("This field cannot be set here.")
        for i, entry in enumerate(payload.entries)
        for name in sorted(entry.model_extra or {})
    }
    if extra:
        raise ValidationError(extra)


@router.post("/push", response=SyncPushOut, summary="Send entries made offline (one answer each)")
def sync_push(request, payload: SyncPushIn):
    user, worker = _psm(request)
    _refuse_extras(payload)
    if len(payload.entries) > push.MAX_ENTRIES:
        raise ValidationError(
            {"entries": _("Send at most %(n)s entries at a time.") % {"n": push.MAX_ENTRIES}}
        )
    # One transaction for the batch, a savepoint per entry inside it: an entry that fails rolls
    # back alone, and the device's batch costs one commit instead of one per entry.
    with transaction.atomic():
        results = push.apply_batch(user, worker, payload.entries)
    return {"results": [vars(r) for r in results], "cursor": pull.fingerprint(user)}
