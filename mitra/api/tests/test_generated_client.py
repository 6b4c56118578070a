"""Issue 16 item 2: a client generated from the OpenAPI document by openapi-python-client (a test
dependency, run once per module) calls the operations as each role and parses every answer, 4xx
included: an answer the document does not list raises in the generated client, and so does a body
that does not parse. The client talks to the app through httpx's WSGI transport (no server
process), on the rows of the access test (mitra.core.tests.api_ids.seed_rows).

Each role calls
- every operation without a body, once with no optional argument and once with every documented
  query parameter filled in (enums: their first value; the region: the caller's own area);
- the path parameters are real ids, read from the role's own list answers (ID_SOURCES of
  mitra.core.tests.api_ids, the same source as the schema fuzzing); a parameter the role's lists do
  not name (no row, or `job_id`, which no list names) takes an id of no row, which must answer a
  documented 404.
Operations that take a JSON body (the writes with POST/PUT/PATCH) are not called yet: building a
valid body for each is the fuzzing's job (test_matrix_fuzz checks those answers against the same
document); here their answers are only reached through the other operations' shared models."""

import datetime
import enum
import importlib
import inspect
import json
import os
import pkgutil
import shutil
import subprocess
import sys
import typing
import uuid
from pathlib import Path

import pytest

from mitra.accounts.tests.factories import UserFactory
from mitra.core.tests.api_ids import listed_ids, seed_rows

pytestmark = pytest.mark.django_db
SCOPES = {
    "national_admin": "",
    "province_officer": "34",
    "regency_officer": "3402",
    "district_supervisor": "340209",
    "worker": "3402092004",
    "juror": "",
    "auditor": "",
}


@pytest.fixture(scope="module")
def document():
    from mitra.api.api import api

    return api.get_openapi_schema()


@pytest.fixture(scope="module")
def generated(tmp_path_factory, document):
    pytest.importorskip("openapi_python_client", reason="pip install -e '.[test]'")
    bin_dir = Path(sys.executable).parent
    generator = shutil.which("openapi-python-client", path=str(bin_dir)) or shutil.which(
        "openapi-python-client"
    )
    out = tmp_path_factory.mktemp("client")
    schema = out / "openapi.json"
    schema.write_text(json.dumps(document))
    result = subprocess.run(  # noqa: S603 - the generator of the test dependencies
        [generator, "generate", "--path", str(schema), "--output-path", str(out / "mitra_client")]
        + ["--meta", "none"],
        capture_output=True,
        text=True,
        timeout=300,
        # The generator formats with ruff (a test dependency too) found on PATH.
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(out))
    yield importlib.import_module("mitra_client")
    sys.path.remove(str(out))


@pytest.fixture
def keep_connection():
    """As Django's test client does: the WSGI handler would close the database connection around
    each request, and with it the test's transaction (PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def seeded(regions):
    seed_rows()


def _operations(package, document):
    """(name, module, the operation's OpenAPI parameters by Python name) for each operation."""
    from openapi_python_client.strings import PythonIdentifier, snake_case

    specs = {
        snake_case(op["operationId"]): op.get("parameters", [])
        for ops in document["paths"].values()
        for op in ops.values()
    }
    api = importlib.import_module(f"{package.__name__}.api")
    for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        module = importlib.import_module(info.name)
        if hasattr(module, "sync_detailed"):
            name = info.name.rsplit(".", 1)[-1]
            params = {str(PythonIdentifier(p["name"], prefix="")): p for p in specs[name]}
            yield name, module, params


def _types(annotation) -> list:
    return [t for t in typing.get_args(annotation) or [annotation] if t is not type(None)]


def _no_row(annotation):
    """An id of no row, of the type the client expects."""
    kind = _types(annotation)[0]
    return uuid.UUID(int=1) if kind is uuid.UUID else 2**31 - 1 if kind is int else "0"


def _path_value(value, annotation):
    kind = _types(annotation)[0]
    return uuid.UUID(str(value)) if kind is uuid.UUID else kind(value)


def _query_value(name: str, spec: dict, annotation, scope: str):
    """A documented value for a query parameter: the enum's first value or the first example, the
    caller's own area for `region`, this month for a year or month, the lowest allowed number."""
    today = datetime.date.today()
    schema = spec.get("schema", {})
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"] or [schema]
    enums = [t for t in _types(annotation) if isinstance(t, type) and issubclass(t, enum.Enum)]
    if enums:
        return next(iter(enums[0]))
    values = [s["enum"][0] for s in options if s.get("enum")] + schema.get("examples", [])
    if values:
        return values[0]
    types = {s.get("type") for s in options}
    if "boolean" in types:
        return True
    if "integer" in types:
        by_name = {"year": today.year, "month": today.month, "days": 30}
        picked = next((v for k, v in by_name.items() if name.startswith(k)), None)
        return picked or schema.get("minimum", 1)
    if name == "region":
        return scope
    if {s.get("format") for s in options} & {"date"}:
        return today.isoformat()
    return "a"


def _calls(module, params: dict, found: dict, scope: str):
    """The argument sets of the calls of one operation; none when it takes a body."""
    signature = inspect.signature(module.sync_detailed).parameters
    if "body" in signature:
        return []
    path = {}
    for name, parameter in signature.items():
        spec = params.get(name, {})
        if spec.get("in") == "path":
            ids = found.get(spec["name"])
            annotation = parameter.annotation
            path[name] = _path_value(ids[0], annotation) if ids else _no_row(annotation)
        elif name != "client" and parameter.default is inspect.Parameter.empty:
            path[name] = _query_value(name, spec, parameter.annotation, scope)  # e.g. search `q`
    query = {
        name: _query_value(name, params[name], parameter.annotation, scope)
        for name, parameter in signature.items()
        if name in params and params[name]["in"] == "query" and name not in path
    }
    return [path, {**path, **query}] if query else [path]


@pytest.mark.parametrize("role", sorted(SCOPES))
def test_the_generated_client_calls_and_parses_every_operation_without_a_body(
    role, generated, document, seeded, keep_connection
):
    import httpx
    from django.core.wsgi import get_wsgi_application

    from mitra.accounts.models import ApiToken

    token = ApiToken.issue(UserFactory(role=role, scope_code=SCOPES[role]), "client")[1]
    client = generated.AuthenticatedClient(
        base_url="http://testserver",
        token=token,
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=get_wsgi_application())},
    )
    found = listed_ids(client.get_httpx_client(), {})
    problems, statuses = [], {}
    for name, module, params in _operations(generated, document):
        for kwargs in _calls(module, params, found, SCOPES[role]):
            label = f"{name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
            try:
                response = module.sync_detailed(client=client, **kwargs)
            except generated.errors.UnexpectedStatus as exc:
                problems.append(f"{label}: undocumented status {exc.status_code}")
                continue
            except Exception as exc:  # noqa: BLE001 - any parse failure is a finding
                problems.append(f"{label}: {type(exc).__name__}: {exc}"[:300])
                continue
            statuses[label] = response.status_code
            if response.status_code >= 500:
                problems.append(f"{label}: {response.status_code}")
    on_rows = [k for k, v in statuses.items() if "_id=" in k and v == 200]
    print(f"{role}: {len(statuses)} calls, {len(on_rows)} answered 200 on a listed row")
    assert not problems, f"{len(problems)} of {len(statuses) + len(problems)} calls:\n" + (
        "\n".join(problems)
    )
    assert len(statuses) > 60
    # Every value sent is a documented one (an enum's, an example, a listed id or an id of no row).
    assert [k for k, v in statuses.items() if v == 422] == []
    assert on_rows, "no call with a path parameter reached a row"
