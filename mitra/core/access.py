"""Writing the access log: every read of a person's record, and every export of personal data."""

from django.contrib.contenttypes.models import ContentType

from .models import AccessLog
from .request_info import client_address


def log_access(request, obj, action: str = AccessLog.Action.VIEW, purpose: str = "") -> AccessLog:
    """One person's record was opened (page, API) or printed."""
    return AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        address=client_address(request),
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        region_code=obj.audit_region_code() if hasattr(obj, "audit_region_code") else "",
        purpose=purpose[:200],
    )


def log_export(request, model, row_count: int, region_code: str, purpose: str = "") -> AccessLog:
    """A list of people's records left the system (export file); one row per export."""
    return AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        address=client_address(request),
        action=AccessLog.Action.EXPORT,
        content_type=ContentType.objects.get_for_model(model),
        object_id="",
        row_count=row_count,
        region_code=region_code,
        purpose=purpose[:200],
    )
