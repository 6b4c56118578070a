"""An API query parameter holding a NUL character is refused at the door (422).

PostgreSQL text cannot hold NUL (0x00): a search for `q=a%00b` reached the database and failed
there as a server error, on PostgreSQL only (the fuzzing found it on /api/v1/regions/search).
The forms behind the pages already refuse NUL (Django's ProhibitNullCharactersValidator); the API's
query parameters are parsed by Django Ninja, which lets it through. Bodies are not checked here: a
sync push must answer per entry, never refuse a whole batch for one entry."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from .errors import error_body


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            names = sorted(
                name
                for name, values in request.GET.lists()
                if "\x00" in name or any("\x00" in v for v in values)
            )
            if names:
                message = _("Null characters are not allowed.")
                details = [
                    {"field": name.replace("\x00", ""), "message": message} for name in names
                ]
                body = error_body("invalid", _("Some values are not valid."), details)
                return JsonResponse(body, status=422)
        return self.get_response(request)
