"""Check 4 of the trust issue: the API fuzzed from its own OpenAPI schema (schemathesis), once per
role and anonymously, through the Django WSGI application in the test's transaction.

Every generated request (valid and invalid parameters and bodies) must get no 5xx and an answer
that follows the schema (documented status, body shape). The schema has no links between
operations, so there is no stateful run; instead the rows of the access test are seeded so lists and
details answer with real rows. CI runs a few examples per operation and role (FUZZ_EXAMPLES);
`bench/api_fuzz.py` runs the long version.
"""

import os
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from mitra.accounts.roles import Role
from mitra.accounts.tests.factories import UserFactory
from mitra.core.tests import test_access as access

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("MITRA_FUZZ_EXAMPLES", "3"))
SCOPES = {
    Role.NATIONAL_ADMIN: "",
    Role.PROVINCE_OFFICER: "34",
    Role.REGENCY_OFFICER: "3402",
    Role.DISTRICT_SUPERVISOR: "340209",
    Role.WORKER: "3402092004",
    Role.JUROR: "",
    Role.AUDITOR: "",
}


@contextmanager
def _one_connection():
    """Django closes "old" connections around each request; in a test transaction that would
    break the transaction, so (as Django's test client does) the WSGI calls keep it open."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def api_schema():
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def fuzz(schema, headers, examples):
    """Run every operation with `examples` generated cases; return the failures found."""
    from schemathesis.checks import not_a_server_error, response_schema_conformance

    checks = [not_a_server_error, response_schema_conformance]
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups its failures
            failures.append(f"{operation.label}: {str(exc).strip()[:600]}")
    return operations, failures


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI components are keyed by class name: two `StatusIn` classes (workers, cases) made
    the worker status operation document the case body, so clients and the fuzzing were told
    to send `{"to": "closed"}`. Found by the access matrix's schema-made bodies."""
    import importlib
    import inspect
    import pkgutil

    from ninja import Schema

    import mitra

    seen: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(mitra.__path__, "mitra."):
        leaf = info.name.rsplit(".", 1)[-1]
        if not leaf.startswith("api") or ".tests" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module.__name__:
                seen.setdefault(name, set()).add(module.__name__)
    assert {n: m for n, m in seen.items() if len(m) > 1} == {}


def _token_for(role, scope):
    from mitra.accounts.models import ApiToken

    return ApiToken.issue(UserFactory(role=role, scope_code=scope), "fuzz")[1]


@pytest.fixture
def seeded(regions):
    access._seed_rows()
    access._event_invitation_in(access.BANTUL)


@pytest.mark.parametrize("role", [None, *SCOPES])
def test_the_api_answers_no_server_error_and_follows_its_schema_for_each_role(role, seeded):
    headers = {} if role is None else {"Authorization": f"Bearer {_token_for(role, SCOPES[role])}"}
    with _one_connection():
        operations, failures = fuzz(api_schema(), headers, FUZZ_EXAMPLES)
    assert operations > 50
    assert failures == [], "\n\n".join(failures)
