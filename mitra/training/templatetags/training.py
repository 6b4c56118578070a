"""Template filters of the training pages."""

from django import template

from mitra.training.filters import area_label

register = template.Library()


@register.filter
def area(code):
    """The area a batch serves, as people name it: 'Bantul (34.02)' or 'National'."""
    return area_label(code or "")


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dicts built by the views."""
    return mapping.get(key) if mapping else None
