"""Issue 16 item 2: a client generated from the OpenAPI document by openapi-python-client (a test
dependency, run once per module) calls the operations as each role and parses every answer, 4xx
included: an answer the document does not list raises in the generated client, and so does a body
that does not parse. The client talks to the app through httpx's WSGI transport (no server
process), on the rows of the access test (mitra.core.tests.api_ids.seed_rows).

Each role calls every operation (about 105 calls):
- without a body: once with no optional argument and once with every documented query parameter
  filled in (an enum's first value or the example; the caller's own area for `region`); none of
  these may be refused (422);
- with a JSON body (the writes): once, with a body of only the required fields built from the
  body's schema (enums' first values, rows the caller listed, today) and, for a versioned write,
  the object's version as If-Match (read just before); a refusal (409, 422) is fine as long as it
  is documented and parses; the writes run last;
- path parameters are real ids, read from the role's own list answers (ID_SOURCES of
  mitra.core.tests.api_ids, the same source as the schema fuzzing); a parameter the role's lists
  do not name (no row, or `job_id`, which no list names) takes an id of no row (a documented 404).
Not covered here: full valid bodies for every write (most writes stop at a documented 422 on the
minimal body; the schema fuzzing, test_matrix_fuzz, sends generated bodies)."""

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
    """(name, module, the OpenAPI parameters by Python name, the JSON body's schema or None, the
    path) for each operation."""
    from openapi_python_client.strings import PythonIdentifier, snake_case

    specs = {
        snake_case(op["operationId"]): (op, path)
        for path, ops in document["paths"].items()
        for op in ops.values()
    }
    api = importlib.import_module(f"{package.__name__}.api")
    for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        module = importlib.import_module(info.name)
        if hasattr(module, "sync_detailed"):
            name = info.name.rsplit(".", 1)[-1]
            spec, path = specs[name]
            params = {
                str(PythonIdentifier(p["name"], prefix="")): p for p in spec.get("parameters", [])
            }
            body = spec.get("requestBody", {}).get("content", {}).get("application/json", {})
            yield name, module, params, body.get("schema"), path


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


# A body's fields that name a row, and the path parameter whose listed ids they take.
BODY_IDS = {"beneficiary": "person_id", "worker": "worker_id", "nomination": "nomination_id"}
BODY_IDS |= {"cycle": "cycle_id", "stage": "stage_id", "batch": "batch_id", "course": "course_id"}


def _body_value(schema: dict, document: dict, found: dict, name: str = ""):
    """A value of `schema` with only the required fields: the enums' first values, the rows the
    caller listed, the lowest allowed numbers, today. The operation may still refuse it (a
    documented 409 or 422): the point is that the client sends it and parses the answer."""
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        return _body_value(document["components"]["schemas"][ref], document, found, name)
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key, []) if o.get("type") != "null"]
        if options:
            return _body_value(options[0], document, found, name)
    if schema.get("enum"):
        return schema["enum"][0]
    kind, listed = schema.get("type"), found.get(BODY_IDS.get(name, f"{name}_id"))
    if kind == "object":
        properties, required = schema.get("properties", {}), schema.get("required", [])
        return {k: _body_value(properties[k], document, found, k) for k in required}
    if kind == "array":
        item = _body_value(schema.get("items", {}), document, found, name)
        return [item] * max(1, schema.get("minItems", 1))
    if kind in ("integer", "number"):
        return listed[0] if listed and kind == "integer" else schema.get("minimum", 1)
    if kind == "boolean":
        return False
    text_format = schema.get("format")
    if text_format == "uuid":
        return str(listed[0]) if listed else str(uuid.UUID(int=1))
    if text_format in ("date", "date-time"):
        now = datetime.datetime.now(datetime.UTC)
        return now.date().isoformat() if text_format == "date" else now.isoformat()
    return "Uji" + "i" * max(0, schema.get("minLength", 0) - 3)


def _calls(module, params: dict, body_schema, found: dict, scope: str, document: dict):
    """The argument sets of the calls of one operation: bare and with every documented query
    parameter; with a JSON body, one call with a body built from its schema."""
    signature = inspect.signature(module.sync_detailed).parameters
    path = {}
    if "body" in signature:
        body = _body_value(body_schema, document, found)
        path["body"] = _types(signature["body"].annotation)[0].from_dict(body)
    for name, parameter in signature.items():
        spec = params.get(name) or {}
        if name == "body":
            continue
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
    return [path, {**path, **query}] if query and "body" not in path else [path]


def _etag(client, document: dict, path: str, ids: dict) -> str | None:
    """The version a versioned write needs (If-Match): the ETag (or `version`) of the nearest
    readable object above it (a worker's status -> the worker), read just before the write."""
    parts = path.split("/")
    while len(parts) > 3:
        candidate = "/".join(parts)
        names = {p[1:-1] for p in parts if p.startswith("{")}
        if "get" in document["paths"].get(candidate, {}) and names <= set(ids):
            answer = client.get_httpx_client().get(candidate.format(**ids))
            version = answer.json().get("version") if answer.status_code == 200 else None
            return answer.headers.get("ETag") or (f'"{version}"' if version is not None else None)
        parts.pop()
    return None


@pytest.mark.parametrize("role", sorted(SCOPES))
def test_the_generated_client_calls_and_parses_every_operation(
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
    # The writes with a body last: they change the rows the other operations read.
    operations = sorted(_operations(generated, document), key=lambda o: o[3] is not None)
    for name, module, params, body_schema, path in operations:
        for kwargs in _calls(module, params, body_schema, found, SCOPES[role], document):
            ids = {params[k]["name"]: v for k, v in kwargs.items() if k in params}
            etag = "if_match" in params and _etag(client, document, path, ids)
            if etag:
                kwargs["if_match"] = etag
            shown = {k: type(v).__name__ if k == "body" else repr(v) for k, v in kwargs.items()}
            label = f"{name}({', '.join(f'{k}={v}' for k, v in shown.items())})"
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
    written = [k for k, v in statuses.items() if "body=" in k and v < 300]
    print(f"{role}: {len(statuses)} calls, {len(on_rows)} answered 200 on a listed row")
    print(f"{role}: {len(written)} calls with a body answered 2xx: " + ", ".join(written))
    assert not problems, f"{len(problems)} of {len(statuses) + len(problems)} calls:\n" + (
        "\n".join(problems)
    )
    assert len(statuses) > 100
    # Every value sent is a documented one (an enum's, an example, a listed id or an id of no row).
    assert [k for k, v in statuses.items() if v == 422 and "body=" not in k] == []
    assert on_rows, "no call with a path parameter reached a row"
