"""Who is acting right now, for audit fields and the change history.

Set by `CurrentUserMiddleware` for requests, and by `acting_as()` in tasks and commands, so that a
model's save() can record its actor without every call site passing the user along.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_actor: ContextVar[Any] = ContextVar("mitra_actor", default=None)
_address: ContextVar[str] = ContextVar("mitra_address", default="")


def current_actor():
    user = _actor.get()
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


def current_address() -> str:
    return _address.get()


@contextmanager
def acting_as(user, address: str = ""):
    token_user = _actor.set(user)
    token_addr = _address.set(address)
    try:
        yield
    finally:
        _actor.reset(token_user)
        _address.reset(token_addr)


def set_actor_for_request(user, address: str = "") -> None:
    """Switch the actor mid-request (token auth happens after the middleware ran); the
    middleware's acting_as() restores the previous value when the request ends."""
    _actor.set(user)
    _address.set(address)
