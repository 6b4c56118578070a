"""One error format for the whole API: {"error": {"code", "message", "details"}}.

Messages are in the request's language (Indonesian first)."""

import logging

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


def _field_name(loc) -> str | None:
    """('query', 'q') -> 'q'; ('body', 'payload', 'to') -> 'to' (the body's parameter name is
    an implementation detail, not a field the caller sent)."""
    parts = list(loc)[1:]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or None


def _flat_errors(exc: DjangoValidationError) -> list[DjangoValidationError]:
    if hasattr(exc, "error_dict"):
        return [e for errors in exc.error_dict.values() for e in errors]
    return list(exc.error_list)


def install(api) -> None:
    def respond(request, status, code, message, details=None):
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(ValidationError)
    def on_validation(request, exc):
        details = [
            {
                "field": _field_name(e.get("loc", ())),
                "message": e.get("msg", ""),
            }
            for e in exc.errors
        ]
        return respond(request, 422, "invalid", _("Some values are not valid."), details)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request, exc):
        # A stale version (optimistic concurrency) is a conflict, not a bad value.
        if any(e.code == "conflict" for e in _flat_errors(exc)):
            return respond(request, 409, "conflict", " ".join(exc.messages))
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

    @api.exception_handler(Exception)
    def on_crash(request, exc):
        # An API client reads JSON, also when the server fails; the traceback goes to the log
        # as Django's own handler would have logged it.
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=exc
        )
        return respond(
            request, 500, "server_error", _("Something went wrong on the server. Try again later.")
        )

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        return respond(request, exc.status_code, f"http_{exc.status_code}", str(exc))
