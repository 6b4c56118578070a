"""Check 4 of the trust issue: the API fuzzed from its own OpenAPI schema (schemathesis), once per
role and anonymously, through the Django WSGI application in the test's transaction.

Every generated request (valid and invalid parameters and bodies) must get no 5xx and an answer
that follows the schema (documented status, body shape). Three passes, all through the WSGI app
with the rows of the access test seeded:
- every operation with generated parameters (ids are random, so most detail operations answer 404);
- every operation with path parameters on rows the caller's own list answers named (ID_SOURCES in
  api_ids, deny by default): the handlers past the lookup are reached, where a crash on a real row hides;
- stateful sequences: schemathesis' state machine over the links it infers between operations
  (a list's ids fed to a detail or a write).
CI runs a few examples per operation and role (MITRA_FUZZ_EXAMPLES, MITRA_FUZZ_SCENARIOS);
`bench/api_fuzz.py` runs the long version.
"""

import os
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from mitra.accounts.roles import Role
from mitra.accounts.tests.factories import UserFactory
from mitra.core.tests.api_ids import ID_SOURCES, listed_ids, path_parameters, seed_rows

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
    seed_rows()


@pytest.mark.parametrize("role", [None, *SCOPES])
def test_the_api_answers_no_server_error_and_follows_its_schema_for_each_role(role, seeded):
    headers = {} if role is None else {"Authorization": f"Bearer {_token_for(role, SCOPES[role])}"}
    with _one_connection():
        operations, failures = fuzz(api_schema(), headers, FUZZ_EXAMPLES)
    assert operations > 50
    assert failures == [], "\n\n".join(failures)


# ---- stateful: sequences that follow the links schemathesis infers between operations ----------

FUZZ_SCENARIOS = int(os.environ.get("MITRA_FUZZ_SCENARIOS", "4"))
# The callers who write: each sees (and changes) the seeded rows of their own area.
STATEFUL_ROLES = [
    Role.NATIONAL_ADMIN,
    Role.REGENCY_OFFICER,
    Role.DISTRICT_SUPERVISOR,
    Role.WORKER,
    Role.JUROR,
]


def stateful_run(schema, headers, scenarios, steps=6):
    """Run `scenarios` sequences of up to `steps` calls, each answer's ids fed to the next call
    (a list's worker ids to the worker's status change, a created case to its intervention, ...).
    Returns the number of transitions the schema offers and the failures found."""
    from hypothesis.stateful import run_state_machine_as_test
    from schemathesis.checks import not_a_server_error, response_schema_conformance

    workflow = schema.as_state_machine()
    transitions = sum(1 for name in dir(workflow) if "___" in name)
    seen = []

    class Run(workflow):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, **kwargs):
            seen.append(f"{case.method} {case.path} {response.status_code}")
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

    try:
        run_state_machine_as_test(
            Run,
            settings=settings(
                max_examples=scenarios,
                stateful_step_count=steps,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    except (Exception, BaseExceptionGroup) as exc:
        return transitions, seen, [str(exc).strip()[:1500]]
    return transitions, seen, []


@pytest.mark.parametrize("role", STATEFUL_ROLES)
def test_the_api_in_stateful_sequences_answers_no_server_error_and_follows_its_schema(role, seeded):
    headers = {"Authorization": f"Bearer {_token_for(role, SCOPES[role])}"}
    with _one_connection():
        transitions, seen, failures = stateful_run(api_schema(), headers, FUZZ_SCENARIOS)
    print(f"{role}: {len(seen)} calls, {transitions} transitions")
    assert transitions > 100, "schemathesis no longer infers links between operations"
    assert len(seen) > FUZZ_SCENARIOS
    assert failures == [], "\n\n".join(failures)


# ---- stateful, guided: every operation on rows the API itself listed -----------------------------


def test_every_path_parameter_has_a_source_of_real_ids():
    from mitra.api.api import api

    names = path_parameters(api.get_openapi_schema(path_prefix="/api/v1/"))
    assert sorted(names - set(ID_SOURCES)) == [], "path parameters without a source in ID_SOURCES"


def _on_listed_rows(operation, names, found, headers, calls, examples):
    """A hypothesis test of one operation whose path parameters take turns over the listed rows."""
    from schemathesis.checks import not_a_server_error, response_schema_conformance

    turn = iter(range(10**6))

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        i = next(turn)
        case.path_parameters = {n: found[n][i % len(found[n])] for n in names}
        response = case.call(headers=headers)
        calls.append(f"{operation.label} {response.status_code}")
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    return run


def linked_run(schema, found, token, examples):
    """Every operation with path parameters, `examples` generated cases each, the parameters being
    rows the caller's own list answers named (`found`). Returns (operations run, calls, failures)."""
    headers = {"Authorization": f"Bearer {token}"}
    failures, operations, calls = [], 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [p.name for p in operation.path_parameters]
        if not names or any(not found.get(n) for n in names):
            continue
        operations += 1
        run = _on_listed_rows(operation, names, found, headers, calls, examples)
        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {str(exc).strip()[:600]}")
    return operations, calls, failures


@pytest.mark.parametrize("role", STATEFUL_ROLES)
def test_the_api_on_rows_it_listed_itself_answers_no_server_error_and_follows_its_schema(
    role, seeded
):
    from django.test import Client

    token = _token_for(role, SCOPES[role])
    # Listed before the WSGI calls: the test client reconnects Django's connection closing to the
    # request signals after each request, which `_one_connection` must hold off.
    found = listed_ids(Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"})
    with _one_connection():
        operations, calls, failures = linked_run(api_schema(), found, token, FUZZ_EXAMPLES)
    print(f"{role}: {operations} operations on listed rows, {len(calls)} calls")
    reached = [c for c in calls if not c.endswith((" 404", " 401"))]
    assert operations >= (5 if role in (Role.WORKER, Role.JUROR) else 20)
    assert reached, "no call reached a listed row"
    assert failures == [], "\n\n".join(failures)
