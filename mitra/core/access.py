"""Writing the access log: every read of a person's record, and every export of personal data."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


# The access log's filters: ?user=<username>, ?action=<view|api|export|print>, ?days=<1..366>
# (the last N days), ?app=<app label> (whose records: "cases" for beneficiaries and cases).
MAX_DAYS = 366
DAY_CHOICES = [("1", _("last 24 hours")), ("7", _("last 7 days")), ("30", _("last 30 days"))]
# Whose records were read, by app: beneficiaries and cases are the most sensitive (PMKS data).
ACCESS_APPS = [
    ("cases", _("Beneficiaries and cases")),
    ("workers", _("Social workers")),
    ("training", _("Training")),
    ("awards", _("Awards")),
    ("events", _("Events")),
]


def access_rows(user, params, now=None):
    """The access-log rows a user sees, narrowed by the list's filters (the list page and the
    home's to-do counts). A filter value that makes no sense is ignored."""
    qs = AccessLog.objects.visible_to(user)
    username = (params.get("user") or "").strip()
    if username:
        qs = qs.filter(user__username=username)
    action = params.get("action") or ""
    if action in AccessLog.Action.values:
        qs = qs.filter(action=action)
    days = params.get("days") or ""
    if days.isdigit() and 1 <= int(days) <= MAX_DAYS:
        qs = qs.filter(at__gte=(now or timezone.now()) - datetime.timedelta(days=int(days)))
    app = params.get("app") or ""
    if app.isidentifier():
        qs = qs.filter(content_type__app_label=app)
    return qs
