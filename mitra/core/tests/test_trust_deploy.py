"""Check 9: the production settings pass `manage.py check --deploy` without a warning, and real
responses carry the security headers (CSP with a per-response nonce, HSTS, Referrer-Policy,
nosniff, frame denial) and secure cookies.

Production is started exactly as docs/operations.md tells an operator: the environment variables it
names, and nothing else from this machine's environment."""

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_DIRS = [ROOT / "mitra" / "templates", *sorted((ROOT / "mitra").glob("*/templates"))]


def documented_variables() -> list[str]:
    """The environment variables of step 2 of the first install in docs/operations.md."""
    text = (ROOT / "docs" / "operations.md").read_text()
    step = re.search(r"^2\. Environment:(.*?)^\d\. ", text, re.S | re.M).group(1)
    names = re.findall(r"`([A-Z][A-Z0-9_]+)`", step)
    return [n for n in names if n != "MITRA_DEMO"]  # "leave MITRA_DEMO unset"


def production_env(tmp_path: Path) -> dict:
    from cryptography.fernet import Fernet

    values = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "MITRA_DATA_KEY": Fernet.generate_key().decode(),
        "MITRA_INDEX_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "mitra.kemensos.go.id",
        "CSRF_TRUSTED_ORIGINS": "https://mitra.kemensos.go.id",
    }
    names = documented_variables()
    missing = set(names) - set(values)
    assert not missing, f"the test does not know how to fill {missing}"
    # Only what the documentation names, on a clean environment (plus what Python itself needs).
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MITRA_VAR_DIR": str(tmp_path / "var")}
    env.update({name: values[name] for name in names})
    return env


def run_python(env, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_has_no_warning_with_the_documented_production_environment(tmp_path):
    env = production_env(tmp_path)
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PROBE = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "mitra.settings"
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# The hashed-name static storage needs `collectstatic`; which storage serves the CSS does not
# change a header, so the plain one stands in for it.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
c = Client()
plain = c.get("/masuk/", headers={"host": "mitra.kemensos.go.id"})
secure = c.get("/masuk/", secure=True, headers={"host": "mitra.kemensos.go.id"})
cookie = secure.cookies.get(settings.CSRF_COOKIE_NAME)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "status": secure.status_code,
    "headers": dict(secure.headers),
    "csrf_cookie_secure": bool(cookie and cookie["secure"]),
    "csrf_cookie_samesite": cookie and cookie["samesite"],
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "require_2fa": settings.MITRA_REQUIRE_2FA,
    "debug": settings.DEBUG,
    "hashers": settings.PASSWORD_HASHERS[0],
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    result = run_python(production_env(tmp_path), PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_http_to_https(production):
    assert production["plain_status"] == 301
    assert production["plain_location"].startswith("https://mitra.kemensos.go.id/")


def test_production_responses_carry_the_security_headers(production):
    headers = {k.lower(): v for k, v in production["headers"].items()}
    assert production["status"] == 200
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert_strict_csp(headers["content-security-policy"])


def test_production_cookies_and_login_rules(production):
    assert production["csrf_cookie_secure"] and production["session_cookie_secure"]
    assert production["session_cookie_httponly"]
    assert production["require_2fa"] is True
    assert production["debug"] is False
    assert production["hashers"].endswith("Argon2PasswordHasher")


def assert_strict_csp(policy: str) -> str | None:
    """No inline code without a nonce, no eval, no framing, no plugins; returns the nonce (Django
    puts one in the header only when the page used it)."""
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert "'self'" in directives["default-src"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'self'" in directives["script-src"]
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])
    return nonce.group(1) if nonce else None


@pytest.mark.django_db
def test_every_page_response_has_a_fresh_nonce_matching_its_scripts(client_for, national_admin):
    client = client_for(national_admin)
    nonces = []
    for name in ("core:home", "workers:list", "cases:home", "training:batch_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        nonce = assert_strict_csp(response["Content-Security-Policy"])
        if nonce:
            nonces.append(nonce)
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or (nonce and f'nonce="{nonce}"' in tag), (
                f"inline script without the response's nonce: {tag}"
            )
    assert len(set(nonces)) == len(nonces)  # a nonce is never reused


INLINE_CODE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b(?![^>]*\bnonce=)", re.I), "inline <style>"),
    (re.compile(r"\sstyle\s*=\s*[\"']", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "event-handler attribute"),
    (re.compile(r"\shx-on(?::|-)[\w:-]*\s*=", re.I), "hx-on handler (needs eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_holds_code_the_content_security_policy_would_block():
    """The CSP forbids inline styles and scripts without a nonce; a template using them breaks
    silently in the browser. Every template, including ones added later, is checked."""
    problems = []
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            text = path.read_text()
            for pattern, what in INLINE_CODE:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not problems, "\n".join(problems)


# ---- production transport, end to end (issue 16 item 5) -------------------------------------------

TRANSPORT = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "mitra.settings"
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
call_command("migrate", verbosity=0)
from mitra.accounts.models import User
from mitra.accounts.roles import Role
HOST = "mitra.kemensos.go.id"
# What the reverse proxy (nginx, docs/operations.md) adds: the scheme the browser used.
HTTPS = {"host": HOST, "x-forwarded-proto": "https"}
HTTP = {"host": HOST, "x-forwarded-proto": "http"}
out = {"debug": settings.DEBUG, "demo": settings.DEMO_MODE, "roles": {}}
plain = Client().get("/masuk/", headers=HTTP)
out["http_status"], out["http_location"] = plain.status_code, plain.get("Location", "")
proxied = Client().get("/masuk/", headers=HTTPS)
out["https_status"] = proxied.status_code
out["https_hsts"] = proxied.get("Strict-Transport-Security", "")
for role in Role:
    username = "u." + role.value
    user = User(username=username, role=role.value, scope_code="")
    user.set_password("Sandi-Rahasia-2026!")
    User.objects.bulk_create([user])  # the national scope, whatever the role's usual rank
    c = Client()
    c.get("/masuk/", headers=HTTPS)
    login = c.post("/masuk/", {"username": username, "password": "Sandi-Rahasia-2026!"},
                   headers={**HTTPS, "x-csrftoken": c.cookies["csrftoken"].value})
    session = login.cookies.get(settings.SESSION_COOKIE_NAME)
    home = c.get("/", headers=HTTPS)
    out["roles"][role.value] = {
        "login_status": login.status_code,
        "session_secure": bool(session and session["secure"]),
        "session_httponly": bool(session and session["httponly"]),
        "home_status": home.status_code,
        "home_location": home.get("Location", ""),
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def transport(tmp_path_factory):
    """Production as an operator starts it (DEBUG=false, demo off, the documented variables), behind
    the TLS-terminating proxy: every role logs in with a password over the proxied HTTPS."""
    tmp_path = tmp_path_factory.mktemp("transport")
    env = {**production_env(tmp_path), "DEBUG": "false", "MITRA_DEMO": "false"}
    result = run_python(env, TRANSPORT)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_behind_the_proxy_redirects_http_and_sends_hsts_over_https(transport):
    assert transport["debug"] is False and transport["demo"] is False
    assert transport["http_status"] == 301
    assert transport["http_location"] == "https://mitra.kemensos.go.id/masuk/"
    assert transport["https_status"] == 200
    assert transport["https_hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_production_session_cookie_is_secure_and_officers_must_set_up_two_factor(transport):
    from mitra.accounts.roles import TWO_FACTOR_ROLES, Role

    assert set(transport["roles"]) == {r.value for r in Role}
    for role, seen in transport["roles"].items():
        assert seen["login_status"] == 302, role
        assert seen["session_secure"] and seen["session_httponly"], role
        if role in TWO_FACTOR_ROLES:
            assert seen["home_status"] == 302, role
            assert seen["home_location"].startswith(reverse("accounts:two_factor_setup")), role
        else:
            assert seen["home_status"] == 200, role
