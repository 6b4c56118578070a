from django import template

from mitra.core.scope import format_code

register = template.Library()


@register.filter
def dotted(code):
    """A region code as people read it: 3402092004 -> 34.02.09.2004."""
    return format_code(code) if code else ""
