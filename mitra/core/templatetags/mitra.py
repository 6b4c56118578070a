from django import template
from django.utils.translation import gettext as _

from mitra.core.reasons import masked_value
from mitra.core.scope import format_code

register = template.Library()


@register.filter
def dotted(code):
    """A region code as people read it: 3402092004 -> 34.02.09.2004."""
    return format_code(code) if code else ""


@register.filter
def actor(user):
    """Who did something, as a person reads it; rows Mitra wrote itself (seeding, imports, jobs)
    have no user and read "sistem". A filter, because `a|default:a.b` fails when `a` is None."""
    if user is None:
        return _("system")
    return getattr(user, "full_name", "") or getattr(user, "username", "") or _("system")


@register.filter
def masked(value, name):
    """A personal field as a reader who must state a reason first sees it (ADR 0021):
    `worker.phone|masked:"phone"` -> 0812****7890."""
    return masked_value(name, value)
