"""Logging in: demo accounts, one message for every failure, lockout, password hashing, session life."""

import html
import re
import runpy
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

import mitra.settings as settings_module
from mitra.accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo_users
from mitra.accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
HOME_URL = reverse("core:home")
WRONG_LOGIN = "Username or password is wrong. Check both and try again."
LOCKED_OUT = "Too many failed attempts. Wait 15 minutes, then try again."


def tr(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


def shown_errors(response) -> list[str]:
    """The form-wide errors as rendered on the page (the lockout page renders its own form)."""
    block = re.search(r'<div class="form-errors"[^>]*>(.*?)</div>', response.text, re.S)
    if block is None:
        return []
    return [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", block.group(1), re.S)]


def post_login(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


REQUIRED_SETTING = re.compile(
    r"Environment variable (\w+) is required|^(\w+) must be set in production"
)


def production_settings(monkeypatch, **env) -> dict:
    """The settings module evaluated as on a production server (no test/demo/debug flags).

    Production refuses to start without its secrets; each one it asks for gets a placeholder."""
    for name in ("MITRA_TESTING", "MITRA_DEMO", "DEBUG", "SESSION_IDLE_SECONDS", "MITRA_HTTPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-key-for-this-test-only-0123456789")
    monkeypatch.setenv("MITRA_DATA_KEY", "ZGV2LW9ubHktZGF0YS1rZXktMDEyMzQ1Njc4OWFiY2Q=")
    monkeypatch.setenv("DATABASE_URL", "postgres://mitra@db.invalid:5432/mitra")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for _attempt in range(20):
        try:
            return runpy.run_path(settings_module.__file__)
        except ImproperlyConfigured as exc:
            missing = REQUIRED_SETTING.search(str(exc))
            if missing is None:
                raise
            monkeypatch.setenv(missing.group(1) or missing.group(2), "placeholder-0123456789abcdef")
    raise AssertionError("settings keep asking for more variables")


def test_every_demo_account_logs_in_with_the_demo_password(regions):
    seed_demo_users()

    for username, *_rest in DEMO_USERS:
        client = Client()
        response = post_login(client, username, DEMO_PASSWORD)
        assert response.status_code == 302, username
        assert response.url == HOME_URL
        assert client.session["_auth_user_id"]
        assert client.get(HOME_URL).status_code == 200, username


def test_wrong_password_shows_the_same_message_as_an_unknown_username(client, bantul_officer):
    wrong_password = post_login(client, "dinsos.bantul", "not-the-password")
    unknown_user = post_login(client, "tidak.ada", "not-the-password")

    assert wrong_password.status_code == unknown_user.status_code == 200
    assert shown_errors(wrong_password) == shown_errors(unknown_user) == [tr(WRONG_LOGIN)]
    assert "_auth_user_id" not in client.session


def test_inactive_account_shows_the_same_message_as_a_wrong_password(client, make_user):
    make_user(username="psm.keluar", role="worker", scope_code="3402092004", is_active=False)

    response = post_login(client, "psm.keluar", TEST_PASSWORD)

    assert shown_errors(response) == [tr(WRONG_LOGIN)]
    assert "_auth_user_id" not in client.session


def fail_until_locked(client, username) -> list:
    return [
        post_login(client, username, "wrong-password") for _ in range(settings.AXES_FAILURE_LIMIT)
    ]


@pytest.mark.parametrize("username", ["dinsos.bantul", "tidak.ada.orangnya"])
def test_login_is_locked_after_the_failure_limit(client, bantul_officer, username):
    *before_limit, at_limit = fail_until_locked(client, username)

    assert [r.status_code for r in before_limit] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert at_limit.status_code == 429
    assert shown_errors(at_limit) == [tr(LOCKED_OUT)]
    again = post_login(client, username, "wrong-password")
    assert again.status_code == 429
    assert shown_errors(again) == [tr(LOCKED_OUT)]


def test_lockout_looks_the_same_for_existing_and_unknown_usernames(bantul_officer):
    existing = fail_until_locked(Client(), "dinsos.bantul")[-1]
    unknown = fail_until_locked(Client(), "tidak.ada.orangnya")[-1]

    assert existing.status_code == unknown.status_code == 429
    assert shown_errors(existing) == shown_errors(unknown) == [tr(LOCKED_OUT)]


def test_locked_out_user_cannot_log_in_even_with_the_right_password(client, bantul_officer):
    fail_until_locked(client, "dinsos.bantul")

    response = post_login(client, "dinsos.bantul", TEST_PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_username_does_not_block_another(client, bantul_officer, sleman_officer):
    fail_until_locked(client, "dinsos.bantul")

    response = post_login(client, "dinsos.sleman", TEST_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sleman_officer.pk)


def test_production_settings_hash_passwords_with_argon2(monkeypatch):
    production = production_settings(monkeypatch)

    assert production["TESTING"] is False
    assert production["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert not any("MD5" in h for h in production["PASSWORD_HASHERS"])


def test_only_the_test_switch_selects_the_fast_md5_hasher(monkeypatch):
    testing = production_settings(monkeypatch, MITRA_TESTING="1")

    assert testing["PASSWORD_HASHERS"] == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_argon2_hashes_verify_at_login(monkeypatch, client, bantul_officer):
    hashers = production_settings(monkeypatch)["PASSWORD_HASHERS"]

    with override_settings(PASSWORD_HASHERS=hashers):
        encoded = make_password(TEST_PASSWORD)
        assert identify_hasher(encoded).algorithm == "argon2"
        type(bantul_officer).objects.filter(pk=bantul_officer.pk).update(password=encoded)
        response = post_login(client, "dinsos.bantul", TEST_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bantul_officer.pk)


def test_sessions_end_at_browser_close_and_after_two_idle_hours(monkeypatch):
    production = production_settings(monkeypatch)

    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert production["SESSION_COOKIE_AGE"] == 2 * 60 * 60
    # Use renews the expiry (every five minutes at most: accounts/session_idle.py), so the age
    # is an idle time, not a total.
    assert production["SESSION_TOUCH_SECONDS"] == 5 * 60
    assert "mitra.accounts.session_idle.IdleSessionMiddleware" in production["MIDDLEWARE"]
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production_settings(monkeypatch, SESSION_IDLE_SECONDS="900")["SESSION_COOKIE_AGE"] == 900


def test_login_cookie_is_a_browser_session_cookie(client, bantul_officer):
    post_login(client, "dinsos.bantul", TEST_PASSWORD)

    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"]
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_idle_session_past_its_age_is_logged_out(client, bantul_officer):
    post_login(client, "dinsos.bantul", TEST_PASSWORD)
    assert client.get(HOME_URL).status_code == 200

    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
