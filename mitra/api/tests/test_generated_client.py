"""Issue 16 item 2: a client generated from the OpenAPI document by openapi-python-client (a test
dependency) calls the operations as each role and parses every answer, 4xx included: an answer
the document does not list raises in the generated client. The client talks to the app through
httpx's WSGI transport (no server process). Covered so far: every operation without path
parameters or body; operations with them are the next step (ID_SOURCES of test_matrix_fuzz)."""

import importlib
import inspect
import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mitra.accounts.tests.factories import UserFactory

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
def generated(tmp_path_factory):
    pytest.importorskip("openapi_python_client", reason="pip install -e '.[test]'")
    bin_dir = Path(sys.executable).parent
    generator = shutil.which("openapi-python-client", path=str(bin_dir)) or shutil.which(
        "openapi-python-client"
    )
    from mitra.api.api import api

    out = tmp_path_factory.mktemp("client")
    schema = out / "openapi.json"
    schema.write_text(json.dumps(api.get_openapi_schema()))
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


def _operations(package):
    api = importlib.import_module(f"{package.__name__}.api")
    for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        module = importlib.import_module(info.name)
        if hasattr(module, "sync_detailed"):
            yield info.name.rsplit(".", 1)[-1], module


@pytest.mark.parametrize("role", sorted(SCOPES))
def test_the_generated_client_calls_and_parses_every_argument_free_operation(
    role, generated, regions, keep_connection
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
    problems, called = [], 0
    for name, module in _operations(generated):
        params = inspect.signature(module.sync_detailed).parameters.values()
        required = [
            p for p in params if p.name != "client" and p.default is inspect.Parameter.empty
        ]
        if required:
            continue  # path parameters and bodies: the next step of this work
        called += 1
        try:
            response = module.sync_detailed(client=client)
        except generated.errors.UnexpectedStatus as exc:
            problems.append(f"{name}: undocumented status {exc.status_code}")
            continue
        except Exception as exc:  # noqa: BLE001 - any parse failure is a finding
            problems.append(f"{name}: {type(exc).__name__}: {exc}"[:200])
            continue
        if response.status_code >= 500:
            problems.append(f"{name}: {response.status_code}")
    assert called > 0
    assert not problems, f"{len(problems)} of {called} operations:\n" + "\n".join(problems)
