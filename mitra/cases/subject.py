"""The data-subject request (UU 27/2022, the right of access): everything Mitra holds about one
beneficiary and its processing trail, as one JSON document.

Route: GET /kasus/laporan-kegiatan/subjek/<beneficiary id>/ (name `cases:subject_export`), for
officers with `cases.subject_request`, inside their area (else 404). The file holds the identity
(full NIK: it is the person's own data), PMKS categories, consent, sensitive details, cases with
their interventions, referrals and events, every access-log row for the person's records (who opened
or exported them, when, from where) and the change history of those records. The export itself
writes an access-log row (action `export`) before the document is built, so it appears in it.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from mitra.core.models import AccessLog, ChangeLog

from .models import Beneficiary, Case, Intervention, Referral

PERMISSION = "cases.subject_request"
PURPOSE = "data-subject request (UU 27/2022)"


def _d(value):
    return value.isoformat() if value else None


def _user(user):
    if user is None:
        return None
    return {"username": user.username, "role": user.role}


def _rows_for(model_objects: list[tuple[type, list]]) -> Q:
    q = Q(pk__in=[])
    for model, objects in model_objects:
        if objects:
            q |= Q(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(o.pk) for o in objects],
            )
    return q


def subject_data(person: Beneficiary) -> dict:
    cases = list(
        Case.objects.filter(beneficiary=person)
        .select_related("worker")
        .prefetch_related("categories", "interventions__worker", "referrals", "events__by")
        .order_by("opened_on", "pk")
    )
    interventions = [i for c in cases for i in c.interventions.all()]
    referrals = [r for c in cases for r in c.referrals.all()]
    records = [
        (Beneficiary, [person]),
        (Case, cases),
        (Intervention, interventions),
        (Referral, referrals),
    ]
    access = AccessLog.objects.filter(_rows_for(records)).select_related("user", "content_type")
    history = ChangeLog.objects.filter(_rows_for(records)).select_related("actor", "content_type")
    return {
        "generated_at": timezone.now().isoformat(),
        "legal_basis": "UU 27/2022",
        "person": {
            "id": str(person.pk),
            "full_name": person.full_name,
            "nik": person.nik,
            "sex": person.sex,
            "birth_date": _d(person.birth_date),
            "estimated_age": person.estimated_age,
            "village_code": person.village_id,
            "address": person.address,
            "household_notes": person.household_notes,
            "categories": sorted(c.number for c in person.categories.all()),
            "recorded_at": _d(person.created_at),
            "recorded_by": _user(person.created_by),
        },
        "consent": {
            "given_by": person.consent_by,
            "relation": person.consent_relation,
            "on": _d(person.consent_on),
            "method": person.consent_method,
        },
        "sensitive": {name: getattr(person, name) for name in Beneficiary.SENSITIVE_FIELDS},
        "cases": [
            {
                "id": str(c.pk),
                "status": c.status,
                "priority": c.priority,
                "categories": sorted(cat.number for cat in c.categories.all()),
                "worker": c.worker.full_name,
                "opened_on": _d(c.opened_on),
                "closed_on": _d(c.closed_on),
                "closure_reason": c.closure_reason,
                "closure_note": c.closure_note,
                "next_follow_up_on": _d(c.next_follow_up_on),
                "interventions": [
                    {
                        "kind": i.kind,
                        "on": _d(i.on),
                        "place": i.place,
                        "notes": i.notes,
                        "assessment": i.assessment,
                        "next_follow_up_on": _d(i.next_follow_up_on),
                        "follow_up_done": i.follow_up_done,
                        "worker": i.worker.full_name,
                    }
                    for i in c.interventions.all()
                ],
                "referrals": [
                    {
                        "programme": r.programme,
                        "target_detail": r.target_detail,
                        "status": r.status,
                        "sent_on": _d(r.sent_on),
                        "outcome_on": _d(r.outcome_on),
                        "notes": r.notes,
                    }
                    for r in c.referrals.all()
                ],
                "events": [
                    {
                        "kind": e.kind,
                        "at": _d(e.at),
                        "by": _user(e.by),
                        "from_status": e.from_status,
                        "to_status": e.to_status,
                        "reason": e.reason,
                    }
                    for e in c.events.all()
                ],
            }
            for c in cases
        ],
        "access_log": [
            {
                "at": _d(a.at),
                "user": _user(a.user),
                "action": a.action,
                "record": a.content_type.model,
                "record_id": a.object_id,
                "address": a.address,
                "purpose": a.purpose,
            }
            for a in access.order_by("at", "pk")
        ],
        "change_history": [
            {
                "at": _d(h.at),
                "actor": _user(h.actor),
                "action": h.action,
                "record": h.content_type.model,
                "record_id": h.object_id,
                "changes": h.changes,
            }
            for h in history.order_by("at", "pk")
        ],
    }
