from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .current import acting_as
from .request_info import client_address


class CurrentUserMiddleware:
    """Makes the request's user the actor of every save made while serving it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request.user, client_address(request)):
            return self.get_response(request)


class LanguageMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the user chose English in Mitra (the language cookie).

    Many Indonesian officers use phones and browsers set to English; the browser's
    Accept-Language must not switch the product away from its first language."""

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
