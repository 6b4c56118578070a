"""What the offline field app pulls: the PSM's working set as one snapshot, and the fingerprint
that says cheaply whether it changed since the device's last pull (ADR 0025).

Rows come from `visible_to(user)` like every list (a PSM: their own cases, the people of those
cases and the people they recorded who have no case yet). Only what the due list and the forms
need leaves the server: no NIK in full, no address, no sensitive detail (health, disability,
violence, household notes). Like the list pages, a pull writes no access-log row: the records are
opened (and logged) on their own pages.
"""

import datetime
import hashlib
from types import SimpleNamespace

from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import get_language

from mitra.cases import services
from mitra.cases.models import (
    ActivityType,
    Beneficiary,
    Case,
    CaseStatus,
    ConsentMethod,
    ConsentRelation,
    Intervention,
    InterventionKind,
    Priority,
    Programme,
)
from mitra.core.categories import SEX_CHOICES
from mitra.core.models import PmksCategory

# Raise when the lookups' shape or content changes in code: every device then pulls again.
LOOKUPS_VERSION = "1"
# The people of the PSM's open cases always; the others they may see up to this many in all.
MAX_PEOPLE = 500
DUE_HORIZON_DAYS = 7  # as the due list page and GET /cases/due


def open_cases(user):
    """The PSM's open cases (visible_to narrows a PSM to the cases they are responsible for)."""
    return Case.objects.visible_to(user).exclude(status=CaseStatus.CLOSED)


def people(user) -> tuple:
    """The PSM's people through `visible_to`, in the two parts its rule is made of: the people of
    their cases, and the people they recorded who have no case yet. Asked as one query, the rule's
    OR over a subquery makes PostgreSQL read every beneficiary of the country (0.5 s on the
    national dataset); each part alone is an index lookup."""
    visible = services.visible_people(user)
    of_cases = Case.objects.filter(worker=user.worker).values("beneficiary_id")
    return visible.filter(pk__in=of_cases), visible.filter(created_by=user).exclude(pk__in=of_cases)


def fingerprint(user) -> str:
    """A digest of what the working set depends on, from four aggregates (no row is loaded):
    the open cases (count, versions, last change, follow-up dates), the interventions on them
    (a visit moves the next follow-up without saving the case), the people in reach, and the
    day (what is due or overdue changes at midnight), the lookups and the language (labels)."""
    cases = open_cases(user)
    c = cases.order_by().aggregate(
        n=Count("pk"),
        v=Sum("version"),
        u=Max("updated_at"),
        f=Max("next_follow_up_on"),
        fn=Count("next_follow_up_on"),
    )
    i = (
        Intervention.objects.filter(case__in=cases.values("pk"))
        .order_by()
        .aggregate(n=Count("pk"), u=Max("updated_at"))
    )
    p = [
        part.order_by().aggregate(n=Count("pk"), v=Sum("version"), u=Max("updated_at"))
        for part in people(user)
    ]
    parts = [
        *(c[k] for k in ("n", "v", "u", "f", "fn")),
        i["n"],
        i["u"],
        *(part[k] for part in p for k in ("n", "v", "u")),
        timezone.localdate(),
        LOOKUPS_VERSION,
        get_language(),
    ]
    return hashlib.sha256("|".join(str(x) for x in parts).encode()).hexdigest()[:32]


def _overdue(row, today) -> bool:
    return bool(row["next_follow_up_on"] and row["next_follow_up_on"] < today)


def _categories(through, column: str, ids) -> dict:
    out: dict = {}
    rows = through.objects.filter(**{f"{column}__in": ids}).values_list(column, "pmkscategory_id")
    for owner, number in rows.order_by("pmkscategory_id"):
        out.setdefault(owner, []).append(number)
    return out


CASE_COLUMNS = (
    "id",
    "beneficiary_id",
    "status",
    "priority",
    "opened_on",
    "next_follow_up_on",
    "version",
    "updated_at",
)


def case_rows(cases, today=None) -> list[dict]:
    """Cases as the field app shows them (a list of dicts, no model instances: nothing is
    decrypted, nothing is snapshot for a history)."""
    today = today or timezone.localdate()
    rows = list(cases.order_by("next_follow_up_on", "-opened_on", "pk").values(*CASE_COLUMNS))
    categories = _categories(Case.categories.through, "case_id", [r["id"] for r in rows])
    for row in rows:
        row["status_label"] = str(CaseStatus(row["status"]).label)
        row["priority_label"] = str(Priority(row["priority"]).label)
        row["overdue"] = _overdue(row, today)
        row["categories"] = categories.get(row["id"], [])
    return rows


PERSON_COLUMNS = (
    "id",
    "full_name",
    "sex",
    "birth_date",
    "estimated_age",
    "village_id",
    "village__name",
    "nik_masked",
    "version",
)


def person_rows(people, today=None) -> list[dict]:
    today = today or timezone.localdate()
    rows = list(people.values(*PERSON_COLUMNS))
    categories = _categories(
        Beneficiary.categories.through, "beneficiary_id", [r["id"] for r in rows]
    )
    out = []
    for row in rows:
        age = services.age_of(SimpleNamespace(**row), on=today)
        out.append(
            {
                "id": row["id"],
                "full_name": row["full_name"],
                "sex": row["sex"],
                "age": age,
                "village_code": row["village_id"],
                "village_name": row["village__name"],
                "nik_masked": row["nik_masked"],
                "categories": categories.get(row["id"], []),
                "version": row["version"],
            }
        )
    return out


def _choices(choices) -> list[dict]:
    return [{"value": str(v), "label": str(label)} for v, label in choices]


def lookups() -> dict:
    return {
        "pmks": [
            {"number": n, "name": name}
            for n, name in PmksCategory.objects.order_by("number").values_list("number", "name")
        ],
        "intervention_kinds": _choices(InterventionKind.choices),
        "programmes": _choices(Programme.choices),
        "activity_types": _choices(ActivityType.choices),
        "sexes": _choices(SEX_CHOICES),
        "consent_methods": _choices(ConsentMethod.choices),
        "consent_relations": _choices(ConsentRelation.choices),
        "priorities": _choices(Priority.choices),
    }


def working_set(user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    cases = case_rows(open_cases(user), today)
    case_people = {row["beneficiary_id"] for row in cases}
    of_cases, recorded = people(user)
    # The people of the open cases first (the due list needs them), then the others up to the cap.
    rows = person_rows(of_cases.filter(pk__in=case_people), today)
    others = of_cases.exclude(pk__in=case_people).order_by("full_name", "pk")
    for part in (recorded.order_by("full_name", "pk"), others):
        room = MAX_PEOPLE - len(rows)
        if room > 0:
            rows += person_rows(part[:room], today)
    due = services.due_cases(open_cases(user), on=today, horizon_days=DUE_HORIZON_DAYS)
    return {
        "cases": cases,
        "beneficiaries": rows,
        "due": list(due.order_by("next_follow_up_on", "pk").values_list("pk", flat=True)),
        "lookups": lookups(),
    }


def case_snapshot(case: Case) -> dict:
    """One case as in the pull, with who changed it last and when (a conflict's "server")."""
    row = case_rows(Case.objects.filter(pk=case.pk))[0]
    return {**row, **_changed_by(case)}


def person_snapshot(person: Beneficiary) -> dict:
    row = person_rows(Beneficiary.objects.filter(pk=person.pk))[0]
    return {**row, **_changed_by(person)}


def _changed_by(obj) -> dict:
    by = obj.updated_by
    name = (by.full_name or by.username) if by is not None else ""
    return {"updated_by_name": name, "updated_at": obj.updated_at}
