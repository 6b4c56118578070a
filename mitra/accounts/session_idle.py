"""The idle timeout of a login, without writing the session on every request.

A login ends after SESSION_COOKIE_AGE (two hours) without a request: its expiry must move with
each use. Django's SESSION_SAVE_EVERY_REQUEST does that by writing the session row, and
committing, on every page, every htmx fragment and every chart; under load that was one UPDATE
and one WAL sync per request for nothing (ADR 0027). Here the session is written again only when
its last write is SESSION_TOUCH_SECONDS (five minutes) old: a session idle for two hours still
ends, at most five minutes earlier than the exact sliding rule would end it.
"""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

TOUCHED_KEY = "_mitra_touched"


class IdleSessionMiddleware:
    """Placed right after SessionMiddleware, so that the session it marks is saved on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response  # no login (an API token, an anonymous page) or just logged out
        now = int(time.time())
        touched = session.get(TOUCHED_KEY)
        if (
            session.modified
            or not isinstance(touched, int)
            or now - touched >= settings.SESSION_TOUCH_SECONDS
        ):
            session[TOUCHED_KEY] = now  # saved, with a new expiry, by SessionMiddleware
        return response


@receiver(user_logged_in, dispatch_uid="mitra-session-touched-at-login")
def _touched_at_login(sender, request, user, **kwargs):
    # The login saves the session anyway: its first page after it need not write it again.
    session = getattr(request, "session", None)
    if session is not None:
        session[TOUCHED_KEY] = int(time.time())
