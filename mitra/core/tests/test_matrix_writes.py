"""Check 3 of the trust issue: mass assignment. Extra fields in a write (region, village, role,
scope, status, is_staff, is_superuser, owner, created_by, worker, version, ...) are refused (API:
422) or ignored (forms), and the stored row keeps its protected values. Hypothesis picks the sets
of extra fields and their hostile values (derandomized, so CI is reproducible).

Each write is first sent without extras and must succeed, so a refusal with extras is the extras'
doing, not a broken base body. `test_matrix_writes_api.py` covers EVERY API write (enumerated from
the OpenAPI schema, deny by default) and the main edit forms.
"""

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.accounts.tests.factories import UserFactory
from mitra.core.tests import test_access as access

pytestmark = pytest.mark.django_db

EXTRA_FIELDS = [
    "region_code",
    "village",
    "village_id",
    "village_code",
    "role",
    "scope_code",
    "status",
    "is_staff",
    "is_superuser",
    "created_by",
    "owner",
    "worker",
    "user",
    "id",
    "pk",
    "nik_hash",
    "merged_into",
    "verified_by",
]
HOSTILE = st.sampled_from(
    ["3404", "3404012001", "34.04.01.2001", "national_admin", "", "active", True, 1, None, "x"]
)
EXTRAS = st.dictionaries(st.sampled_from(EXTRA_FIELDS), HOSTILE, min_size=1, max_size=4)
FEW = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _send(client, method, url, body, **headers):
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", **headers
    )


def _refused_or_ignored(response, before, after, api=True):
    if api:
        assert response.status_code == 422, (response.status_code, response.content[:300])
    assert after() == before, "a protected field changed"


def test_api_worker_update_refuses_extra_fields(bantul_officer, client_for):
    from mitra.workers.models import Worker

    worker = access._worker_in(access.BANTUL)
    client = client_for(bantul_officer)
    url = f"/api/v1/workers/{worker.pk}"

    def stored():
        w = Worker.objects.get(pk=worker.pk)
        return (w.region_code, w.village_id, w.status, w.version, w.created_by_id, w.address)

    base = {"address": "Dusun Baru RT 01"}
    ok = _send(client, "patch", url, {**base, "version": stored()[3]})
    assert ok.status_code == 200, ok.content

    @FEW
    @given(extras=EXTRAS)
    def write(extras):
        before = stored()
        body = {**extras, **base, "address": "Dusun Lain", "version": before[3]}
        _refused_or_ignored(_send(client, "patch", url, body), before, stored)

    write()


def test_api_worker_create_refuses_extra_fields(bantul_officer, client_for):
    from mitra.workers.models import Worker
    from mitra.workers.tests.test_api import new_worker_body

    client = client_for(bantul_officer)
    created = _send(client, "post", "/api/v1/workers/", new_worker_body())
    assert created.status_code == 201, created.content
    Worker.objects.filter(pk=created.json()["id"]).delete()

    @FEW
    @given(extras=EXTRAS.filter(lambda e: "village" not in e))
    def write(extras):
        count = Worker.objects.count()
        response = _send(client, "post", "/api/v1/workers/", new_worker_body(**extras))
        _refused_or_ignored(response, count, Worker.objects.count)

    write()


def test_api_beneficiary_update_refuses_extra_fields(bantul_officer, client_for):
    from mitra.cases.models import Beneficiary

    person = access._case_in(access.BANTUL).beneficiary
    client = client_for(bantul_officer)
    url = f"/api/v1/cases/beneficiaries/{person.pk}"

    def stored():
        p = Beneficiary.objects.get(pk=person.pk)
        return (p.region_code, p.village_id, p.version, p.address)

    def patch(body):
        return _send(client, "patch", url, body, headers={"If-Match": f'"{stored()[2]}"'})

    first = patch({"address": "Dusun Baru", "categories": [24]})
    assert first.status_code == 200, first.content

    @FEW
    @given(extras=EXTRAS)
    def write(extras):
        before = stored()
        response = patch({**extras, "address": "Dusun Lain", "categories": [24]})
        _refused_or_ignored(response, before, stored)

    write()


def test_api_event_registration_refuses_extra_fields(trimulyo_worker, client_for):
    from mitra.events.models import Registration

    invitation = access._event_invitation_in(access.BANTUL)
    officer = UserFactory(role="regency_officer", scope_code=access.BANTUL)
    client = client_for(officer)
    url = f"/api/v1/events/{invitation.event_id}/invitations/{invitation.pk}/registration"
    event = invitation.event
    current = client.get(url).json()
    body = {
        "travel_from": "Bantul",
        "arrival_on": event.starts_on.isoformat(),
        "departure_on": event.ends_on.isoformat(),
        "transport": "bus",
        "version": current.get("version"),
    }
    first = _send(client, "put", url, body)
    assert first.status_code == 200, first.content
    body["version"] = first.json()["version"]

    def stored():
        return tuple(Registration.objects.filter(invitation=invitation).values_list())

    @FEW
    @given(extras=EXTRAS)
    def write(extras):
        before = stored()
        response = _send(client, "put", url, {**extras, **body})
        _refused_or_ignored(response, before, stored)

    write()


def test_user_form_ignores_staff_and_superuser_flags_and_keeps_scope_inside_the_area(
    bantul_officer, client_for
):
    from mitra.accounts.models import User

    subject = UserFactory(role="district_supervisor", scope_code="340209")
    client = client_for(bantul_officer)
    url = reverse("accounts:user_update", args=[subject.pk])
    form = {
        "username": subject.username,
        "full_name": "Nama Baru",
        "email": "",
        "phone": "",
        "role": "district_supervisor",
        "scope_code": "340209",
        "is_active": "on",
    }
    assert client.post(url, form).status_code == 302

    def stored():
        u = User.objects.get(pk=subject.pk)
        return (u.is_staff, u.is_superuser, u.role, u.scope_code, u.password)

    @FEW
    @given(extras=EXTRAS.filter(lambda e: not {"role", "scope_code"} & set(e)))
    def write(extras):
        before = stored()
        data = {**{k: ("on" if v is True else v) for k, v in extras.items() if v is not None}}
        client.post(url, {**data, **form})
        _refused_or_ignored(None, before, stored, api=False)

    write()

    # The form's own role and scope fields cannot leave the officer's area or rank.
    for role, scope in [("national_admin", ""), ("regency_officer", "3404"), ("worker", "3404")]:
        client.post(url, {**form, "role": role, "scope_code": scope})
        assert stored()[2:4] == ("district_supervisor", "340209"), (role, scope)


def test_a_token_caller_writes_without_csrf_but_a_session_caller_needs_it(bantul_officer, regions):
    """Found by the fuzzing: the session check refused token callers' writes for CSRF."""
    from django.test import Client

    from mitra.accounts.models import ApiToken

    worker = access._worker_in(access.BANTUL)
    raw = ApiToken.issue(bantul_officer, "sync")[1]
    url = f"/api/v1/workers/{worker.pk}"
    body = {"address": "Dusun Token", "version": worker.version}
    token_client = Client(enforce_csrf_checks=True)
    response = _send(token_client, "patch", url, body, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content
    session = Client(enforce_csrf_checks=True)
    session.force_login(bantul_officer)
    assert _send(session, "patch", url, {**body, "version": worker.version + 1}).status_code == 403
