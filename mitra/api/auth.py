"""API authentication: the browser's session (with CSRF) or a personal token (Bearer)."""

from ninja.security import HttpBearer, SessionAuth

from mitra.accounts.models import ApiToken
from mitra.core.current import set_actor_for_request
from mitra.core.request_info import client_address


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = ApiToken.user_for(token)
        if user is None:
            return None
        request.user = user
        request.api_token_auth = True
        # The middleware saw an anonymous caller; make this user the actor of any save.
        set_actor_for_request(user, client_address(request))
        return user


class MitraSessionAuth(SessionAuth):
    def _get_key(self, request):
        # Ninja checks CSRF before it knows whether a session signs the call, and its refusal
        # stops the chain: a token caller (no session) would never reach TokenAuth on a write.
        # Without a signed-in session there is nothing for CSRF to protect here.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None


API_AUTH = [MitraSessionAuth(), TokenAuth()]
