"""One error format for the whole API: {"error": {"code", "message", "details"}}.

Messages are in the request's language (Indonesian first)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError


def error_body(code: str, message: str, details=None) -> dict:
    body = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def install(api) -> None:
    def respond(request, status, code, message, details=None):
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(ValidationError)
    def on_validation(request, exc):
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None,
                "message": e.get("msg", ""),
            }
            for e in exc.errors
        ]
        return respond(request, 422, "invalid", _("Some values are not valid."), details)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request, exc):
        if hasattr(exc, "message_dict"):
            details = [{"field": f, "message": " ".join(m)} for f, m in exc.message_dict.items()]
        else:
            details = [{"field": None, "message": m} for m in exc.messages]
        return respond(request, 422, "invalid", _("Some values are not valid."), details)

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return respond(request, 404, "not_found", _("Not found."))

    @api.exception_handler(PermissionDenied)
    def on_denied(request, exc):
        return respond(request, 403, "forbidden", _("You may not do this."))

    @api.exception_handler(AuthenticationError)
    def on_auth(request, exc):
        return respond(
            request,
            401,
            "unauthenticated",
            _("Log in or send a valid token (Authorization: Bearer …)."),
        )

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        return respond(request, exc.status_code, f"http_{exc.status_code}", str(exc))
