"""Check 1 of the trust issue: the access matrix over every route.

Every page (URL resolver) and every API operation (OpenAPI schema, with its method) must have a
declared policy in `route_policy.py`; a route without one fails (deny by default). Then every route
x 7 roles + anonymous x {object in Bantul (own), object in Sleman (sibling)} is requested and the
answer compared with the one computed here from the policy, the role table and the region tree,
never from the views. Order of the gate, as the app does it: login (302 to the login page, 401 on
the API), then the permission (403), then the object's region (404).
"""

import pytest
from django.test import Client

from mitra.accounts.roles import ROLE_PERMISSIONS, Role
from mitra.accounts.tests.factories import UserFactory
from mitra.core.tests import test_access as access
from mitra.core.tests.route_policy import API, PAGES
from mitra.core.tests.trust_routewalk import routes

pytestmark = pytest.mark.django_db

BANTUL, SLEMAN = access.BANTUL, access.SLEMAN
# Each role's scope in the Bantul story; the national roles see both regencies.
SCOPES = {
    Role.NATIONAL_ADMIN: "",
    Role.PROVINCE_OFFICER: "34",
    Role.REGENCY_OFFICER: BANTUL,
    Role.DISTRICT_SUPERVISOR: "340209",
    Role.WORKER: "3402092004",
    Role.JUROR: "",
    Role.AUDITOR: "",
}
# Kinds of rows that are also visible from below (a PSM sees its regency's region page, a
# district's batches include the province's and national ones).
UPDOWN = {"region", "batch", "event", "course", "cycle", "search"}


def _openapi_operations():
    from mitra.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return [f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops]


def _page_routes():
    """Routes that are not API operations (the schema and docs pages of the API are pages)."""
    import re

    operations = {op.split(" ", 1)[1] for op in _openapi_operations()}

    def as_openapi(template):
        return re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", template)

    return {r.name: r for r in routes() if as_openapi(r.template) not in operations}


def test_every_route_and_api_operation_has_a_declared_policy():
    pages = _page_routes()
    assert sorted(set(pages) - set(PAGES)) == [], "routes without a policy in route_policy.py"
    assert sorted(set(PAGES) - set(pages)) == [], "policies for routes that no longer exist"
    ops = _openapi_operations()
    assert sorted(set(ops) - set(API)) == [], "API operations without a policy"
    assert sorted(set(API) - set(ops)) == [], "policies for API operations that no longer exist"


def test_the_public_pages_of_the_policy_are_the_deliberately_public_routes():
    """A policy cannot quietly open a page: the public ones are those marked `public_route`."""
    public = {name for name, p in PAGES.items() if p.public and not name.startswith("api:")}
    assert public == access.PUBLIC_ROUTES


def test_every_declared_permission_exists_in_the_role_table():
    known = set().union(*ROLE_PERMISSIONS.values())
    declared = {p for pol in [*PAGES.values(), *API.values()] for p in pol.perms + pol.then_perms}
    assert sorted(declared - known) == []


# ---- objects: built once in each region ---------------------------------------------------------


def _region_of(obj):
    for attr in ("region_code", "scope_code"):
        if getattr(obj, attr, None) is not None:
            return getattr(obj, attr)
    raise AssertionError(f"no region on {obj!r}")


def _referral_on(case):
    import datetime

    from mitra.cases.models import Referral

    return Referral.objects.create(case=case, programme="pkh", sent_on=datetime.date(2026, 5, 2))


def _venture_in(code):
    from mitra.ventures.tests.builders import build_venture

    return build_venture(village=access._VILLAGE_IN[code])


def _venture_import_in(code):
    """A ventures import waiting for its confirmation (a Job of kind ventures.import)."""
    job = access._import_in(code)
    job.kind = "ventures.import"
    job.save(update_fields=["kind"])
    return job


def _objects(code):
    """kind -> (url values, the object's region code)."""
    case = access._case_in(code)
    batch = access._batch_in(code)
    enrolment = access._enrolment_in(code)
    invitation = access._event_invitation_in(code)
    event = access._event_in(code)
    session = event.sessions.first()
    # Published first: a ranking is published only when every nomination of the region is scored.
    published = access._award_published_in(code)
    nomination = access._award_nomination_in(code)
    certificate = access._certificate_in(code)
    pair = access._worker_pair_in(code)
    user = access._user_in(code)
    worker = access._worker_in(code)
    referral = _referral_on(case)
    venture = _venture_in(code)
    out = {
        "region": ({"code": code, "table_name": "wilayah", "fmt": "csv"}, code),
        "referral": ({"case_id": case.pk, "referral_id": referral.pk}, case.region_code),
        "user": ({"pk": user.pk}, user.scope_code),
        "job": ({"pk": (j := access._job_in(code)).pk, "job_id": j.pk}, j.region_code),
        "import": ({"pk": (i := access._import_in(code)).pk}, i.region_code),
        "worker": (
            {"pk": worker.pk, "worker_id": worker.pk, "to": "verified"},
            worker.region_code,
        ),
        "worker_absent_child": ({"pk": worker.pk}, worker.region_code),
        "area": ({"code": code, "table_name": "wilayah", "fmt": "csv"}, code),
        "import_absent_child": ({"pk": (i2 := access._import_in(code)).pk}, i2.region_code),
        "worker_pair": ({"_query": f"?a={pair[0].pk}&b={pair[1].pk}"}, pair[0].region_code),
        "identity": ({"pk": (r := access._identity_request_in(code)).pk}, r.region_code),
        "batch": (
            {
                "pk": batch.pk,
                "batch_id": batch.pk,
                "batch_pk": batch.pk,
                "to": "finished",
                "_worker_id": worker.pk,
            },
            batch.region_code,
        ),
        "enrolment": (
            {"pk": enrolment.batch_id, "enrolment_pk": enrolment.pk, "enrolment_id": enrolment.pk},
            enrolment.worker.region_code,
        ),
        "certificate": ({"pk": certificate.pk}, certificate.enrolment.worker.region_code),
        "case": ({"pk": case.pk, "case_id": case.pk}, case.region_code),
        "beneficiary": (
            {"pk": case.beneficiary_id, "person_id": case.beneficiary_id},
            case.beneficiary.region_code,
        ),
        "report": (
            {"pk": (rep := access._report_in(code)).pk, "report_id": rep.pk},
            rep.region_code,
        ),
        "stats_report": (
            {"pk": (sr := access._stats_report_in(code)).pk, "fmt": "pdf"},
            sr.region_code,
        ),
        "event": ({"pk": event.pk, "event_id": event.pk, "to": "closed"}, event.region_code),
        "event_session": (
            {"pk": event.pk, "session_pk": session.pk if session else 999999},
            event.region_code,
        ),
        "event_absent_child": ({"pk": event.pk}, event.region_code),
        "invitation": (
            {
                "pk": invitation.event_id,
                "event_id": invitation.event_id,
                "invitation_pk": invitation.pk,
                "invitation_id": invitation.pk,
            },
            invitation.worker.region_code,
        ),
        "event_certificate": ({"pk": invitation.issued.pk}, invitation.worker.region_code),
        "nomination": (
            {
                "pk": nomination.pk,
                "nomination_id": nomination.pk,
                "stage_pk": nomination.stage_id,
                "stage_id": nomination.stage_id,
                "region": nomination.region_code[:4],
                "_query": f"?region={nomination.region_code[:4]}",
            },
            nomination.region_code,
        ),
        "published": (
            {
                "pk": published.pk,
                "ranking_id": published.ranking_entries.get().ranking_id,
            },
            published.region_code,
        ),
        "cycle": (
            {
                "pk": nomination.cycle_id,
                "cycle_pk": nomination.cycle_id,
                "cycle_id": nomination.cycle_id,
                "stage_pk": nomination.stage_id,
                "stage_id": nomination.stage_id,
            },
            "",
        ),
        "cycle_absent_child": ({"stage_pk": nomination.stage_id}, ""),
        "nomination_absent_child": ({"pk": nomination.pk}, nomination.region_code),
        "venture": ({"pk": venture.pk, "venture_id": venture.pk}, venture.region_code),
        "venture_absent_child": ({"pk": venture.pk}, venture.region_code),
        "venture_import": ({"pk": (vi := _venture_import_in(code)).pk}, vi.region_code),
        "course": ({"pk": batch.course_id, "course_id": batch.course_id}, ""),
        "absent": ({}, ""),
        "search": ({"_query": "?q=Jetis"}, ""),
    }
    return out


# ---- the expected answer ------------------------------------------------------------------------

LOGIN, FORBIDDEN, NOT_FOUND, OK = "login", "403", "404", "ok"


def expected(policy, role, region):
    """The gate's answer for a role (None: anonymous) on an object in `region`."""
    if role is None:
        if not policy.anon_ok:
            return LOGIN
    elif dict(policy.overrides).get(role):
        return dict(policy.overrides)[role]
    allowed = role is not None and set(policy.perms) <= ROLE_PERMISSIONS[role]
    allowed = allowed and role not in policy.forbidden_for
    if role is not None and not policy.scope_first and not allowed:
        return FORBIDDEN
    if policy.own_worker:
        return FORBIDDEN  # the matrix's users have no worker record of their own
    kind = policy.obj
    if kind == "absent" or (kind or "").endswith("_absent_child") or role in policy.none_for:
        return NOT_FOUND
    if kind is not None and role is not None:
        scope = SCOPES[role]
        inside = region.startswith(scope) or (kind in UPDOWN and scope.startswith(region))
        if not inside:
            return NOT_FOUND
    if role is not None and not set(policy.then_perms) <= ROLE_PERMISSIONS[role]:
        return FORBIDDEN
    return OK if allowed or role is None else FORBIDDEN


def actual(response):
    status = response.status_code
    if status == 401 or (status == 302 and response["Location"].startswith("/masuk/")):
        return LOGIN
    if status in (403, 404):
        return str(status)
    if status >= 500:
        return f"server error {status}"
    if status >= 400:
        return str(status)
    return OK


def _requests():
    """(key, policy, method, url template filler, is_api) for every route and operation."""
    for name, route in _page_routes().items():
        yield name, PAGES[name], route, False
    for key, policy in API.items():
        yield key, policy, None, True


def _url(key, route, values):
    import re

    query = values.get("_query", "")
    if route is not None:
        return route.path({k: v for k, v in values.items() if not k.startswith("_")}) + (
            query if "?" not in route.path() else ""
        )
    path = key.split(" ", 1)[1]
    filled = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), "999999")), path)
    return filled + query


def _valid_bodies():
    """A body each API write's schema accepts (one derandomized schemathesis case): with it
    Ninja's validation passes and the operation itself runs, so the gate is what answers."""
    import json

    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings

    from mitra.api.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    once = settings(
        database=None,
        derandomize=True,
        max_examples=1,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    bodies = {}

    def keeper(key):
        @once
        @given(case=schema[key.split(" ", 1)[1]][key.split(" ", 1)[0]].as_strategy())
        def keep(case):
            body = case.body if isinstance(case.body, (dict, list)) else {}
            bodies[key] = json.dumps(body, default=str).encode()

        return keep

    for key in API:
        if not key.startswith("GET "):
            keeper(key)()
    return bodies


# Writes whose body names the object they act on: the body names the object of the place tried,
# so the gate is asked about that object (the schema-valid body alone names rows that do not exist).
BODY_REFERENCES = {
    "POST /api/v1/training/batches/{batch_id}/enrolments": lambda v: {
        "worker_id": str(v["_worker_id"])
    },
    "POST /api/v1/awards/stages/{stage_id}/publish": lambda v: {"region": v["region"]},
    "POST /api/v1/awards/appeals": lambda v: {
        "ranking": v["ranking_id"],
        "nomination": str(v["pk"]),
        "reason": "Nilai belum lengkap",
    },
}


def _body(key, bodies, values):
    import json

    body = bodies.get(key, b"{}")
    if key in BODY_REFERENCES:
        body = json.dumps({**json.loads(body), **BODY_REFERENCES[key](values)}).encode()
    return body


def _call(client, method, url, is_api, body=b"{}"):
    if method == "GET":
        return client.get(url)
    if is_api:
        return client.generic(method, url, body, content_type="application/json")
    return client.post(url, {})


DENIALS = {LOGIN, FORBIDDEN, NOT_FOUND}


def _allowed_write(client, method, url, is_api, body):
    """An allowed caller's write, sent for real and rolled back (the objects stay as built for
    the next caller): the gate must let it through, whatever the business rules then say."""
    import copy

    from django.db import transaction

    cookies = copy.deepcopy(client.cookies)  # a logout's rolled back; its cleared cookie is not
    with transaction.atomic():
        got = actual(_call(client, "POST" if not is_api else method, url, is_api, body))
        transaction.set_rollback(True)
    client.cookies = cookies
    return got


def test_access_matrix_every_route_every_role_own_and_sibling_region(regions):
    objects = {BANTUL: _objects(BANTUL), SLEMAN: _objects(SLEMAN)}
    bodies = _valid_bodies()
    clients = {None: Client()}
    for role, scope in SCOPES.items():
        client = Client()
        client.force_login(UserFactory(role=role, scope_code=scope))
        clients[role] = client
    problems, checked, allowed_writes = [], 0, 0
    for key, policy, route, is_api in _requests():
        method = key.split(" ", 1)[0] if is_api else "GET"
        places = (BANTUL, SLEMAN) if policy.obj else (BANTUL,)
        for place in places:
            values, region = objects[place].get(policy.obj, ({}, ""))
            url = _url(key, route, values)
            for role, client in clients.items():
                if role is None and place == SLEMAN:
                    continue  # anonymous callers never reach the object: once is enough
                want = expected(policy, role, region)
                write = policy.post or (is_api and method != "GET")
                if write and want == OK:
                    got = _allowed_write(client, method, url, is_api, _body(key, bodies, values))
                    allowed_writes += 1
                    if policy.done != OK and got != policy.done:
                        problems.append((key, place, role, "write", policy.done, got))
                    elif policy.done == OK and (got in DENIALS or got.startswith("server")):
                        problems.append((key, place, role, "write", "not denied", got))
                    continue
                if method == "GET" and policy.post and not is_api:
                    got = actual(_call(client, "GET", url, is_api))
                    if got not in (want, "405"):
                        problems.append((key, place, role, "GET", want, got))
                    method_used = "POST"
                else:
                    method_used = method
                got = actual(_call(client, method_used, url, is_api, _body(key, bodies, values)))
                checked += 1
                if got != want:
                    problems.append((key, place, role, method_used, want, got))
    leaks = [p for p in problems if p[5] == OK]
    report = "\n".join(
        f"{k} [{pl}] {r} {m}: expected {w}, got {g}" for k, pl, r, m, w, g in problems
    )
    print(f"access matrix: {checked} requests checked, {allowed_writes} allowed writes sent")
    assert checked > 1000
    assert not leaks and not problems, f"{len(leaks)} leaks, {len(problems)} mismatches:\n{report}"
