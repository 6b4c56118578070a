"""Check 3 of the trust issue over EVERY API write: the POST/PUT/PATCH operations are read from the
OpenAPI schema, and each must have an entry in WRITES and a body in `trust_bodies.business_bodies`
(deny by default: a new write without them fails). For each, a business-valid base body is sent
together with hypothesis-chosen extra fields carrying hostile JSON values; the API must refuse
them by name (422, the extra field in `details`) and no stored row of the domain tables may change.
Then the base alone is sent (inside a rolled-back transaction) and must be accepted: the positive
control that the refusal came from the extras, not from a business rule the base broke.

The refusal is each handler's own doing (the bodies keep unknown fields so they can be named, see
`refuse_extra_fields`), so a handler that forgets it would store or silently drop the extras; this
test is what notices.
"""

import hashlib
import json

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mitra.accounts.roles import ROLE_PERMISSIONS
from mitra.accounts.tests.factories import UserFactory
from mitra.core.tests import test_access as access
from mitra.core.tests.route_policy import API
from mitra.core.tests.trust_bodies import (
    AUTHOR,
    JUROR,
    PUBLISHER,
    URL_OBJECTS,
    business_bodies,
    extra_objects,
)

pytestmark = pytest.mark.django_db

EXTRA_FIELDS = [
    "region_code",
    "village",
    "village_code",
    "role",
    "scope_code",
    "status",
    "is_staff",
    "is_superuser",
    "created_by",
    "updated_by",
    "owner",
    "worker",
    "version",
    "id",
    "pk",
    "nik_hash",
    "verified_by",
    "locked",
    "submitted_at",
    "published_at",
    "rank",
    "total",
]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**31), 2**31)
    | st.sampled_from(["3404", "3404012001", "national_admin", "active", "", "x" * 300]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=4,
)
THREE = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],  # no shrinking: a failure is reported as found, and fast
    suppress_health_check=list(HealthCheck),
)

# How each write handles extra fields:
REFUSE = "refuse"  # 422 naming each extra field (the API's style)
IGNORE = "ignore"  # a search: the body is a filter, nothing is stored
NO_BODY = "no body"  # the operation takes no body, so extras never reach it

# op -> (how extras are handled, optionally the caller when not the first persona holding the
# operation's permissions). The base of each is `trust_bodies.business_bodies`: a body the operation
# ACCEPTS with the objects of `_objects(BANTUL)` in its URL, so a refusal of the same body with
# extra fields is the extras' doing. No write is exempt from that positive control.
WRITES: dict[str, tuple] = {
    "POST /api/v1/workers/": (REFUSE,),
    "POST /api/v1/workers/search": (IGNORE,),
    "PATCH /api/v1/workers/{worker_id}": (REFUSE,),
    "POST /api/v1/workers/{worker_id}/status": (REFUSE,),
    "POST /api/v1/workers/{worker_id}/decrees": (REFUSE,),
    "POST /api/v1/workers/{worker_id}/transfer": (REFUSE,),
    "POST /api/v1/training/batches/{batch_id}/enrolments": (REFUSE,),
    "POST /api/v1/training/enrolments/{enrolment_id}/results": (REFUSE,),
    "POST /api/v1/training/enrolments/{enrolment_id}/withdraw": (REFUSE,),
    "POST /api/v1/cases/": (REFUSE,),
    "POST /api/v1/cases/{case_id}/status": (REFUSE,),
    "POST /api/v1/cases/{case_id}/interventions": (REFUSE,),
    "POST /api/v1/cases/{case_id}/referrals": (REFUSE,),
    "POST /api/v1/cases/{case_id}/referrals/{referral_id}/outcome": (REFUSE,),
    "POST /api/v1/cases/{case_id}/transfer": (REFUSE,),
    "POST /api/v1/cases/reports": (REFUSE, AUTHOR),  # a PSM writes their own reports
    "POST /api/v1/cases/reports/{report_id}/submit": (NO_BODY, AUTHOR),
    "POST /api/v1/cases/reports/{report_id}/verify": (REFUSE,),
    "POST /api/v1/cases/beneficiaries": (REFUSE,),
    "PATCH /api/v1/cases/beneficiaries/{person_id}": (REFUSE,),
    "PUT /api/v1/cases/beneficiaries/{person_id}": (REFUSE,),
    "POST /api/v1/awards/nominations": (REFUSE,),
    "POST /api/v1/awards/nominations/{nomination_id}/withdraw": (REFUSE,),
    "PUT /api/v1/awards/nominations/{nomination_id}/scores": (REFUSE, JUROR),
    "POST /api/v1/awards/nominations/{nomination_id}/scores/submit": (REFUSE, JUROR),
    "POST /api/v1/awards/stages/{stage_id}/jury": (REFUSE, "regency_officer"),
    # Only the officer whose scope IS the ranking's region publishes it (Bantul's is published).
    "POST /api/v1/awards/stages/{stage_id}/publish": (REFUSE, PUBLISHER),
    "POST /api/v1/awards/appeals": (REFUSE, "regency_officer"),
    # An appeal is decided above the region that published the ranking.
    "POST /api/v1/awards/appeals/{appeal_id}/decision": (REFUSE, "province_officer"),
    "POST /api/v1/events/{event_id}/invitations": (REFUSE,),
    "POST /api/v1/events/{event_id}/invitations/from-cycle": (REFUSE,),
    "PUT /api/v1/events/{event_id}/invitations/{invitation_id}/registration": (REFUSE,),
    "PUT /api/v1/events/{event_id}/invitations/{invitation_id}/attendance": (REFUSE,),
    "POST /api/v1/ventures/": (REFUSE,),
    "PATCH /api/v1/ventures/{venture_id}": (REFUSE,),
    "POST /api/v1/ventures/{venture_id}/supports": (REFUSE,),
    "POST /api/v1/ventures/{venture_id}/results": (REFUSE,),
    "POST /api/v1/sync/push": (REFUSE, AUTHOR),  # a PSM with a worker record
}

# Tables every request may touch without storing anything the caller sent (logs, sessions).
NOT_SNAPSHOTTED = {"core.accesslog", "core.exportlog", "core.job", "sessions.session"}

# The caller of each write: the first of these personas holding the operation's permissions.
PERSONAS = [
    ("national_admin", ""),
    ("province_officer", "34"),
    ("regency_officer", access.BANTUL),
    ("district_supervisor", "340209"),
    ("worker", "3402092004"),
    ("juror", ""),
]


def _write_operations():
    from mitra.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    components = schema.get("components", {}).get("schemas", {})
    out = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema", {})
            body = components.get(body.get("$ref", "").rsplit("/", 1)[-1], body)
            out[f"{method.upper()} {path}"] = (bool(content), set(body.get("properties", {})))
    return out


def test_every_api_write_has_a_declared_base_request_and_extra_field_handling():
    operations = _write_operations()
    assert sorted(set(operations) - set(WRITES)) == [], "writes without an entry in WRITES"
    assert sorted(set(WRITES) - set(operations)) == [], "entries for writes that no longer exist"
    for key, (has_body, _fields) in operations.items():
        assert (WRITES[key][0] == NO_BODY) == (not has_body), key


def _snapshot():
    """A digest of every stored row of the domain tables, per table."""
    out = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("mitra.") or label in NOT_SNAPSHOTTED:
            continue
        if model._meta.app_label == "regions":
            continue  # reference data, never written through the API
        rows = model._base_manager.order_by("pk").values_list()
        out[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return out


def _changed(before, after):
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _persona_for(perms):
    return next(role for role, _scope in PERSONAS if set(perms) <= ROLE_PERMISSIONS[role])


def _fill(key, values):
    import re

    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), "999999")), key.split(" ")[1])


def _client(user):
    from django.test import Client

    client = Client()  # one per caller: the `client_for` fixture logs the one client in anew
    client.force_login(user)
    return client


def _check(key, handling, client, method, url, base, names):
    """Send `base` with THREE sets of extra fields (refused by name, nothing stored), then alone
    (accepted, then rolled back); AssertionError when one of these fails."""

    def send(body):
        return client.generic(method, url, json.dumps(body), content_type="application/json")

    if handling != NO_BODY:  # extras sent to a write without a body would do the write itself
        # One snapshot around the examples, not around each: the digests cost more than the
        # requests.
        before = _snapshot()
        sent = []

        @THREE
        @given(extras=st.dictionaries(names, JSON_VALUES, min_size=1, max_size=3))
        def write(extras):
            sent.append(sorted(extras))
            response = send({**extras, **base})
            if handling == REFUSE:
                assert response.status_code == 422, (response.status_code, response.content[:300])
                named = {d.get("field") for d in response.json()["error"].get("details", [])}
                assert set(extras) <= named, (sorted(extras), sorted(named, key=str))
            else:
                assert response.status_code == 200, (response.status_code, response.content[:300])

        write()
        changed = _changed(before, _snapshot())
        assert not changed, f"{key} with extras {sent} changed the rows of {changed}"

    # The positive control: without the extras the same request is accepted, so the refusal
    # above was the extras' doing and not a business rule the base broke.
    with transaction.atomic():
        response = send(base)
        transaction.set_rollback(True)
    accepted = response.status_code == 200 if handling == IGNORE else response.status_code < 300
    assert response.status_code >= 200 and accepted, (
        "the base alone is refused",
        response.status_code,
        response.content[:400],
    )


def test_every_api_write_refuses_extra_fields_by_name_and_stores_nothing(regions):
    from mitra.core.tests.test_matrix_routes import _objects

    objects = _objects(access.BANTUL)
    clients = {persona: _client(user) for persona, user in extra_objects(objects).items()}
    bodies = business_bodies(objects)
    operations = _write_operations()
    assert sorted(set(operations) - set(bodies)) == [], "writes without a body in business_bodies"
    failures = []
    for key, (handling, *persona) in WRITES.items():
        method = key.split(" ")[0]
        policy = API[key]
        persona = persona[0] if persona else _persona_for(policy.perms + policy.then_perms)
        if persona not in clients:
            clients[persona] = _client(
                UserFactory(role=persona, scope_code=dict(PERSONAS)[persona])
            )
        url = _fill(key, objects.get(URL_OBJECTS.get(key, policy.obj), ({}, ""))[0])
        declared = operations[key][1]
        names = st.sampled_from([n for n in EXTRA_FIELDS if n not in declared])

        try:
            _check(key, handling, clients[persona], method, url, bodies[key], names)
        except (AssertionError, ExceptionGroup) as exc:
            failures.append(f"{key} as {persona}: {str(exc).strip()[:400]}")
    assert failures == [], "\n".join(failures)


# ---- forms: the main edit forms keep their protected fields -----------------------------------


def _form_data(form):
    """What a browser posts back for an unchanged edit form."""
    import datetime

    from django.db.models.fields.files import FieldFile  # a stored file is not posted back

    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or isinstance(value, FieldFile):
            continue
        if value is True:
            value = "on"
        elif isinstance(value, (list, tuple)):
            value = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = str(value.pk)
        data[name] = value if isinstance(value, list) else str(value)
    return data


FORM_EXTRAS = st.dictionaries(
    st.sampled_from(EXTRA_FIELDS),
    st.sampled_from(["3404", "3404012001", "national_admin", "active", "on", "1", "x"]),
    min_size=1,
    max_size=4,
)


def _protected(obj):
    obj.refresh_from_db()
    names = set(EXTRA_FIELDS) - {"version", "id", "pk", "total", "rank"}
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name in names or f.attname in names or f.attname == f"{f.name}_id" and f.name in names
    }


def _worker_form(officer):
    from mitra.workers.forms import WorkerForm

    worker = access._worker_in(access.BANTUL)
    return worker, "workers:update", lambda: WorkerForm(instance=worker, user=officer)


def _beneficiary_form(officer):
    from mitra.cases.forms import BeneficiaryEditForm

    person = access._case_in(access.BANTUL).beneficiary
    person.categories.add(24)  # the form requires one; the builder leaves none
    return (
        person,
        "cases:beneficiary_update",
        lambda: BeneficiaryEditForm(instance=person, user=officer),
    )


def _event_form(officer):
    from mitra.events.forms import EventForm

    event = access._event_in(access.BANTUL)
    return event, "events:update", lambda: EventForm(instance=event, user=officer)


def _portfolio_form(officer):
    from mitra.awards.forms import PortfolioEditForm

    nomination = access._award_nomination_in(access.BANTUL)
    fields = ["innovation_title", "innovation_summary", "innovation_text", "testimony", "version"]
    return (
        nomination,
        "awards:portfolio_edit",
        lambda: PortfolioEditForm(initial={f: getattr(nomination, f) for f in fields}),
    )


# The main edit forms: the object, the form's URL name and the unchanged form (deny by default is
# the API's; pages are listed by hand here).
FORMS = {
    "worker": _worker_form,
    "beneficiary": _beneficiary_form,
    "event": _event_form,
    "nomination portfolio": _portfolio_form,
}


@pytest.mark.parametrize("kind", FORMS)
def test_the_main_edit_forms_keep_protected_fields_whatever_extra_fields_are_posted(kind, regions):
    from django.urls import reverse

    officer = UserFactory(role="regency_officer", scope_code=access.BANTUL)
    client = _client(officer)
    obj, name, form = FORMS[kind](officer)
    url = reverse(name, args=[obj.pk])

    def unchanged():
        obj.refresh_from_db()
        return _form_data(form())

    first = client.post(url, unchanged())
    errors = first.context and first.context.get("form") and first.context["form"].errors
    assert first.status_code == 302, ("the unchanged form is refused", errors)
    protected = _protected(obj)
    assert protected, "nothing protected to compare"

    @THREE
    @given(extras=FORM_EXTRAS)
    def post(extras):
        client.post(url, {**extras, **unchanged()})
        assert _protected(obj) == protected, sorted(extras)

    post()
