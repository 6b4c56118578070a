from django import template

from mitra.ventures.money import rupiah as _rupiah

register = template.Library()


@register.filter
def rupiah(value):
    return _rupiah(value)
