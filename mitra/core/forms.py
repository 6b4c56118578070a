from django import forms
from django.utils.translation import gettext_lazy as _

from .scope import format_code, normalize_code


class RegionPickerWidget(forms.TextInput):
    """A code box that the region picker script turns into cascading selects
    (province > regency > district > village); without the script, a code can be typed."""

    template_name = "core/widgets/region_picker.html"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "34.02.09.2004", "class": "region-code", **(attrs or {})})

    def format_value(self, value):
        return format_code(value) if value else ""


class RegionCodeField(forms.CharField):
    widget = RegionPickerWidget
    default_error_messages = {
        "invalid": _("Write a region code like 34, 34.02, 34.02.09 or 34.02.09.2004."),
        "unknown": _("There is no region with code %(code)s."),
    }

    def __init__(self, *, max_length=None, **kwargs):
        super().__init__(max_length=16, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return normalize_code(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        from mitra.regions.models import region_exists

        if value and not region_exists(value):
            raise forms.ValidationError(
                self.error_messages["unknown"],
                code="unknown",
                params={"code": format_code(value)},
            )
