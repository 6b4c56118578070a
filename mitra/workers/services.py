"""The registry's rules: derived fields, the requirement checklist, the lifecycle, transfers, merges,
identity corrections and duplicate detection. Pages, the API and imports all call these."""

import datetime
import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitra.core import crypto
from mitra.core.nik import mask

from .models import Decree, IdentityChangeRequest, Status, Worker, WorkerEvent

MIN_AGE = 18
_TITLES = re.compile(
    r"\b(h|hj|ir|dr|drs|dra|s\.?\s?(pd|sos|kom|ag|e|h|t|ip|kep|km)|a\.?md|m\.?\w{1,4}|st|se|sh)\b\.?"
)


def name_key(name: str) -> str:
    """A name reduced for comparison: no accents, titles, punctuation or extra spaces."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.split(",")[0]  # academic degrees usually follow a comma
    text = _TITLES.sub(" ", text)
    text = re.sub(r"[^a-z ]", " ", text)
    return " ".join(text.split())


def fill_derived_fields(worker: Worker) -> None:
    worker.nik_hash = crypto.blind_index(worker.nik)
    worker.nik_masked = mask(worker.nik)
    worker.name_key = name_key(worker.full_name)
    worker.region_code = worker.village_id or ""


def nik_holder_region(nik: str, exclude_pk=None):
    """The region code of the worker holding this NIK, or None. Says where, never who."""
    qs = Worker.objects.filter(nik_hash=crypto.blind_index(nik))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.values_list("region_code", flat=True).first()


# ---- requirement checklist -------------------------------------------------------------------


@dataclass
class Requirement:
    key: str
    label: str
    met: bool
    detail: str = ""


def requirements(worker: Worker, on: datetime.date | None = None) -> list[Requirement]:
    """What Permensos 10/2019 asks before an appointment, as a checklist with what is missing."""
    on = on or timezone.localdate()
    b = worker.birth_date
    age = on.year - b.year - ((on.month, on.day) < (b.month, b.day))
    return [
        Requirement(
            "age", _("At least 18 years old"), age >= MIN_AGE, _("%(age)d years old") % {"age": age}
        ),
        Requirement(
            "ktp",
            _("KTP shows the village of domicile"),
            worker.ktp_checked,
            "" if worker.ktp_checked else _("An officer has not checked the KTP yet."),
        ),
        Requirement(
            "training",
            _("Basic training (bimtek dasar) completed"),
            worker.basic_training_on is not None,
            worker.basic_training_on.strftime("%d-%m-%Y")
            if worker.basic_training_on
            else _("No basic training recorded."),
        ),
    ]


def eligible_on(worker: Worker) -> datetime.date | None:
    """The day the dated requirements were all met: 18 years old and basic training done. An SK
    before it is suspicious (a typo in the year, or an appointment before the training) but not
    refused: old SKs are entered from paper, and the paper is what counts (issue 13)."""
    if worker.basic_training_on is None or worker.birth_date is None:
        return None
    b = worker.birth_date
    adult = (
        b.replace(year=b.year + MIN_AGE)
        if (b.month, b.day) != (2, 29)
        else (datetime.date(b.year + MIN_AGE, 3, 1))
    )
    return max(adult, worker.basic_training_on)


def decree_before_eligibility(worker: Worker, issued_on: datetime.date) -> str:
    """A warning (empty when none) for an SK dated before the worker met the requirements."""
    since = eligible_on(worker)
    if since is None or issued_on >= since:
        return ""
    return _(
        "The decree (SK) is dated %(issued)s, before the worker met the requirements "
        "(%(since)s: 18 years old and basic training done). Check the date on the paper."
    ) % {"issued": date_format(issued_on, "j F Y"), "since": date_format(since, "j F Y")}


def missing_requirements(worker: Worker) -> list[Requirement]:
    return [r for r in requirements(worker) if not r.met]


# ---- lifecycle ---------------------------------------------------------------------------------

# (from, to) -> permission needed. Anything not listed is not a step of the lifecycle.
TRANSITIONS = {
    (Status.APPLIED, Status.VERIFIED): "workers.verify_worker",
    (Status.VERIFIED, Status.APPLIED): "workers.verify_worker",
    (Status.VERIFIED, Status.ACTIVE): "workers.appoint_worker",
    (Status.ACTIVE, Status.INACTIVE): "workers.appoint_worker",
    (Status.ACTIVE, Status.SUSPENDED): "workers.appoint_worker",
    (Status.ACTIVE, Status.EXITED): "workers.appoint_worker",
    (Status.INACTIVE, Status.ACTIVE): "workers.appoint_worker",
    (Status.SUSPENDED, Status.ACTIVE): "workers.appoint_worker",
    (Status.INACTIVE, Status.EXITED): "workers.appoint_worker",
    (Status.SUSPENDED, Status.EXITED): "workers.appoint_worker",
    (Status.APPLIED, Status.EXITED): "workers.verify_worker",
}
NEEDS_REASON = {Status.INACTIVE, Status.SUSPENDED, Status.EXITED}

ACTION_LABELS = {
    Status.VERIFIED: gettext_lazy("Confirm requirements"),
    Status.APPLIED: gettext_lazy("Back to application"),
    Status.ACTIVE: gettext_lazy("Activate"),
    Status.INACTIVE: gettext_lazy("Set inactive"),
    Status.SUSPENDED: gettext_lazy("Suspend"),
    Status.EXITED: gettext_lazy("Exit the programme"),
}


def allowed_transitions(worker: Worker, user) -> list[str]:
    return [
        to
        for (frm, to), perm in TRANSITIONS.items()
        if frm == worker.status and user.has_perm(perm)
    ]


def bump_version(worker: Worker, expected_version: int | None) -> None:
    """Optimistic concurrency: the change applies only to the version the user saw."""
    if expected_version is not None and expected_version != worker.version:
        raise ValidationError(
            _(
                "Someone else changed this record while you were working on it. Reload the page "
                "and try again."
            ),
            code="conflict",
        )
    updated = Worker.objects.filter(pk=worker.pk, version=worker.version).update(
        version=F("version") + 1
    )
    if not updated:
        raise ValidationError(
            _(
                "Someone else changed this record while you were working on it. Reload the page "
                "and try again."
            ),
            code="conflict",
        )
    worker.version += 1


def change_status(
    worker: Worker, to: str, user, *, reason: str = "", on=None, expected_version: int | None = None
) -> WorkerEvent:
    if to not in Status.values:
        raise ValidationError(_("Unknown status “%(to)s”.") % {"to": to}, code="transition")
    perm = TRANSITIONS.get((worker.status, to))
    if perm is None:
        raise ValidationError(
            _("A worker with status “%(from)s” cannot become “%(to)s”.")
            % {"from": Status(worker.status).label, "to": Status(to).label},
            code="transition",
        )
    if not user.has_perm(perm):
        raise PermissionDenied
    reason = (reason or "").strip()
    if to in NEEDS_REASON and not reason:
        raise ValidationError(_("Give a reason for this change."), code="reason")
    if to == Status.VERIFIED:
        missing = missing_requirements(worker)
        if missing:
            raise ValidationError(
                _("Requirements not met: %(list)s.")
                % {"list": "; ".join(r.label for r in missing)},
                code="requirements",
            )
    if to == Status.ACTIVE and not current_decree(worker):
        raise ValidationError(
            _("Record the decree (SK) that appoints this worker before activating."), code="decree"
        )
    on = on or timezone.localdate()
    with transaction.atomic():
        bump_version(worker, expected_version)
        event = WorkerEvent.objects.create(
            worker=worker,
            kind=WorkerEvent.Kind.STATUS,
            by=user,
            from_status=worker.status,
            to_status=to,
            reason=reason,
            on=on,
            region_code=worker.region_code,
        )
        worker.status = to
        worker.status_since = on
        worker.save()
    return event


def current_decree(worker: Worker):
    today = timezone.localdate()
    for decree in worker.decrees.all():
        if decree.issued_on <= today and (
            decree.valid_until is None or decree.valid_until >= today
        ):
            return decree
    return None


def record_decree(
    worker: Worker,
    user,
    *,
    number: str,
    issued_on,
    office: str,
    valid_until=None,
    scan=None,
    activate: bool = True,
) -> Decree:
    """Store an SK; when the worker has met the requirements, the SK makes them active."""
    if not user.has_perm("workers.appoint_worker"):
        raise PermissionDenied
    if valid_until and valid_until < issued_on:
        raise ValidationError(_("The decree cannot end before it is issued."), code="dates")
    if issued_on > timezone.localdate():
        raise ValidationError(_("The decree date is in the future."), code="dates")
    with transaction.atomic():
        decree = Decree(
            worker=worker,
            number=number.strip(),
            issued_on=issued_on,
            office=office.strip(),
            valid_until=valid_until,
        )
        if scan:
            decree.scan = scan
        decree.save()
        if activate and worker.status == Status.VERIFIED:
            change_status(worker, Status.ACTIVE, user, on=issued_on)
    return decree


# The registry's own rows that carry their worker's region: they move when the worker does.
# Rows scoped by their worker's village: (model, path to the worker). They move with a transfer
# or a merge. Later apps append theirs (training registers enrolments and certificates).
FOLLOW_WORKER_REGION: list[tuple[type, str]] = [
    (Decree, "worker"),
    (WorkerEvent, "worker"),
    (IdentityChangeRequest, "worker"),
]


def transfer(
    worker: Worker,
    to_village,
    user,
    *,
    reason: str = "",
    on=None,
    expected_version: int | None = None,
) -> WorkerEvent:
    """Move a worker to another village; the history stays with them."""
    if not user.has_perm("workers.transfer_worker"):
        raise PermissionDenied
    if to_village.code == worker.village_id:
        raise ValidationError(_("The worker already lives in this village."), code="same")
    with transaction.atomic():
        bump_version(worker, expected_version)
        event = WorkerEvent.objects.create(
            worker=worker,
            kind=WorkerEvent.Kind.TRANSFER,
            by=user,
            from_village_id=worker.village_id,
            to_village=to_village,
            reason=reason.strip(),
            on=on or timezone.localdate(),
            region_code=to_village.code,
        )
        worker.village = to_village
        worker.ktp_checked = False  # the new domicile's KTP must be checked again
        worker.save()
        for model, path in FOLLOW_WORKER_REGION:
            model.objects.filter(**{path: worker}).update(region_code=to_village.code)
    return event


# ---- identity corrections (self-service) -------------------------------------------------------

IDENTITY_FIELDS = ("full_name", "nik", "sex", "birth_place", "birth_date")
CONTACT_FIELDS = ("phone", "address")


def request_identity_change(worker: Worker, user, changes: dict, note: str = ""):
    changes = {
        k: str(v)
        for k, v in changes.items()
        if k in IDENTITY_FIELDS and str(v) != str(getattr(worker, k))
    }
    if not changes:
        raise ValidationError(_("Nothing was changed."), code="empty")
    req = IdentityChangeRequest(
        worker=worker, requested_by=user, note=note.strip(), region_code=worker.region_code
    )
    req.changes = changes
    req.save()
    return req


def decide_identity_change(req: IdentityChangeRequest, user, approve: bool, reason: str = ""):
    if not user.has_perm("workers.decide_identity"):
        raise PermissionDenied
    if req.state != IdentityChangeRequest.State.PENDING:
        raise ValidationError(_("This request was already decided."), code="decided")
    if not approve and not reason.strip():
        raise ValidationError(_("Give a reason for refusing."), code="reason")
    from .validation import validate_worker_fields

    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=req.worker_id)
        if approve:
            for field, value in req.changes.items():
                if field == "birth_date":  # stored as text in the request
                    value = datetime.date.fromisoformat(value)
                setattr(worker, field, value)
            validate_worker_fields(worker)
            worker.version += 1  # forms opened before the correction must not overwrite it
            worker.save()
            WorkerEvent.objects.create(
                worker=worker,
                kind=WorkerEvent.Kind.IDENTITY,
                by=user,
                reason=", ".join(req.changes),
                region_code=worker.region_code,
            )
        req.state = (
            IdentityChangeRequest.State.APPROVED
            if approve
            else IdentityChangeRequest.State.REJECTED
        )
        req.decided_by = user
        req.decided_at = timezone.now()
        req.decision_reason = reason.strip()
        req.save()
    return req


# ---- duplicates and merging -------------------------------------------------------------------

SIMILAR_NAME = 0.88


def names_similar(a: str, b: str) -> bool:
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAME


def likely_duplicates(worker: Worker, queryset=None):
    """Other records that are probably the same person: same birth date in the same district with
    the same or a near-identical name."""
    # An unsaved worker has no region_code yet: its village says where it is.
    district = (worker.region_code or worker.village_id or "")[:6]
    if not district:
        return []
    qs = (
        (queryset if queryset is not None else Worker.objects)
        .registered()
        .filter(birth_date=worker.birth_date, region_code__startswith=district)
        .exclude(pk=worker.pk)
    )
    key = worker.name_key or name_key(worker.full_name)
    return [w for w in qs if names_similar(key, w.name_key)]


def duplicate_pairs(queryset) -> list[tuple[Worker, Worker]]:
    """Pairs of likely duplicates among the given workers (one officer's area)."""
    groups: dict[tuple, list[Worker]] = {}
    for w in queryset.registered().order_by("birth_date", "region_code"):
        groups.setdefault((w.birth_date, w.region_code[:6]), []).append(w)
    pairs = []
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if names_similar(a.name_key, b.name_key):
                    pairs.append((a, b))
    return pairs


# Later apps add (model, field) pairs pointing at Worker, so a merge moves their rows too.
MERGE_RELATIONS: list[tuple[type, str]] = [
    (Decree, "worker"),
    (WorkerEvent, "worker"),
    (IdentityChangeRequest, "worker"),
]


def merge(primary: Worker, duplicate: Worker, user, reason: str = "") -> Worker:
    """Fold `duplicate` into `primary`: its decrees, events and later records move over, empty
    fields of the primary are filled, the duplicate stays as an exited record pointing to the
    primary, so no history is lost."""
    if not user.has_perm("workers.merge_worker"):
        raise PermissionDenied
    if primary.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged with itself."), code="same")
    if duplicate.merged_into_id or primary.merged_into_id:
        raise ValidationError(_("One of the records was already merged."), code="merged")
    try:
        with transaction.atomic():
            for model, field in MERGE_RELATIONS:
                model.objects.filter(**{field: duplicate}).update(**{field: primary})
            for model, path in FOLLOW_WORKER_REGION:
                model.objects.filter(**{path: primary}).update(region_code=primary.region_code)
            primary.focus_areas.add(*duplicate.focus_areas.all())
            for field in ("phone", "education", "occupation", "joined_on", "basic_training_on"):
                if not getattr(primary, field) and getattr(duplicate, field):
                    setattr(primary, field, getattr(duplicate, field))
            if (
                duplicate.joined_on
                and primary.joined_on
                and duplicate.joined_on < primary.joined_on
            ):
                primary.joined_on = duplicate.joined_on
            if primary.user_id is None and duplicate.user_id:
                primary.user_id, duplicate.user_id = duplicate.user_id, None
                duplicate.save()
            primary.version += 1  # forms opened before the merge must not overwrite it
            primary.save()
            for w, other in ((primary, duplicate), (duplicate, primary)):
                WorkerEvent.objects.create(
                    worker=w,
                    kind=WorkerEvent.Kind.MERGE,
                    by=user,
                    reason=(reason or "").strip()
                    or _("merged with %(name)s (%(nik)s)")
                    % {"name": other.full_name, "nik": other.nik_masked},
                    region_code=w.region_code,
                )
            from_status = duplicate.status
            duplicate.merged_into = primary
            duplicate.status = Status.EXITED
            duplicate.status_since = timezone.localdate()
            duplicate.version += 1
            duplicate.save()
            WorkerEvent.objects.create(
                worker=duplicate,
                kind=WorkerEvent.Kind.STATUS,
                by=user,
                from_status=from_status,
                to_status=Status.EXITED,
                reason=_("merged into another record"),
                region_code=duplicate.region_code,
            )
        return primary
    except IntegrityError:
        raise ValidationError(
            _(
                "Both records hold a place in the same training batch; withdraw one of the places "
                "first, then merge."
            ),
            code="conflicting_records",
        ) from None
