"""A login's idle timeout slides without a session write on every request
(mitra/accounts/session_idle.py): written when its last write is SESSION_TOUCH_SECONDS old."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitra.accounts import session_idle

pytestmark = pytest.mark.django_db


def _session_writes(client, url="/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(
        1
        for q in queries.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def _login(client, user):
    client.force_login(user)


def test_requests_within_the_touch_interval_do_not_write_the_session(bantul_officer, client):
    _login(client, bantul_officer)
    # Not even the first page: the login stamped the session it saved.
    assert _session_writes(client) == 0
    assert _session_writes(client) == 0


def test_a_request_after_the_interval_moves_the_expiry(bantul_officer, client, monkeypatch):
    _login(client, bantul_officer)
    row = Session.objects.get()
    before = row.expire_date
    Session.objects.filter(pk=row.pk).update(expire_date=before - datetime.timedelta(minutes=30))
    now = session_idle.time.time()
    monkeypatch.setattr(session_idle.time, "time", lambda: now + 6 * 60)
    assert _session_writes(client) == 1
    row.refresh_from_db()
    assert row.expire_date > timezone.now() + datetime.timedelta(hours=1, minutes=55)


def test_an_idle_login_still_ends(bantul_officer, client):
    _login(client, bantul_officer)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_logging_out_leaves_no_session_behind(bantul_officer, client):
    _login(client, bantul_officer)
    client.post("/keluar/")
    assert not Session.objects.exists()
