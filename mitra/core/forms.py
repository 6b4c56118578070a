import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .scope import format_code, normalize_code


def label_blank_choice(field, label) -> None:
    """Give a drop-down's empty option a label that says what to choose ("— Pilih desa/kelurahan
    —") instead of a generic one. A required model choice with an initial value has no empty
    option, and keeps none."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = label
        return
    field.choices = [("", label) if value == "" else (value, text) for value, text in field.choices]


class RegionPickerWidget(forms.TextInput):
    """A code box that the region picker script turns into cascading selects
    (province > regency > district > village); without the script, a code can be typed."""

    template_name = "core/widgets/region_picker.html"
    # The script's select boxes are named and labelled in the page's language from here.
    LEVELS = (_("Province"), _("Regency/city"), _("District"), _("Village"))
    CHOOSE = (
        _("— Choose a province —"),
        _("— Choose a regency/city —"),
        _("— Choose a district —"),
        _("— Choose a village —"),
    )

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "34.02.09.2004", "class": "region-code", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["levels"] = json.dumps(
            [str(label) for label in self.LEVELS], ensure_ascii=False
        )
        context["widget"]["choose"] = json.dumps(
            [str(label) for label in self.CHOOSE], ensure_ascii=False
        )
        return context

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


UNDERSTOOD_REQUIRED = _("Tick the box to confirm: this cannot be undone.")


def understood_field(label) -> forms.BooleanField:
    """A required "I understand ..." box before an action that cannot be undone. The server
    refuses the action without it: a script's confirm() is skipped without JavaScript."""
    return forms.BooleanField(
        label=label, required=True, error_messages={"required": UNDERSTOOD_REQUIRED}
    )


class UnderstoodForm(forms.Form):
    """The box alone, for an irreversible button whose page has no other form to carry it."""

    def __init__(self, *args, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["understood"] = understood_field(label)
