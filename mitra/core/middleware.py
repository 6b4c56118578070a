from .current import acting_as
from .request_info import client_address


class CurrentUserMiddleware:
    """Makes the request's user the actor of every save made while serving it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request.user, client_address(request)):
            return self.get_response(request)
