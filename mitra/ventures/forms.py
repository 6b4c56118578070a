"""Forms of the ventures pages. The rules live in services.py; these forms collect the input,
keep every choice inside the user's area and check what only a form can (uploads)."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from mitra.cases.models import Beneficiary
from mitra.core.categories import WorkerKind
from mitra.core.uploads import check_upload
from mitra.training.models import Enrolment
from mitra.workers.forms import (
    MAX_SCAN_BYTES,
    DateInput,
    VersionField,
    village_field,
    visible_village,
)
from mitra.workers.models import Worker

from .models import (
    IncomeBand,
    PeriodKind,
    Support,
    SupportKind,
    SupportSource,
    Venture,
    VentureKind,
    VentureStatus,
)
from .services import beneficiaries_of

# Above this many PSM in the user's area a drop-down is useless: the venture is started from
# the PSM's profile (?worker=<id>), which fixes the choice.
MAX_WORKER_CHOICES = 500


class RupiahField(forms.DecimalField):
    """An amount in whole rupiah, typed the Indonesian way: `5.000.000`, `Rp 5.000.000`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(max_digits=14, decimal_places=0, min_value=0, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"^\s*rp\.?\s*", "", value, flags=re.IGNORECASE)
            value = value.replace(".", "").replace(" ", "").removesuffix(",00")
        return super().to_python(value)


def psm_choices(user, preset=None):
    qs = Worker.objects.visible_to(user).registered().filter(kind=WorkerKind.PSM)
    if preset:
        return qs.filter(pk=preset)
    if qs[: MAX_WORKER_CHOICES + 1].count() > MAX_WORKER_CHOICES:
        return qs.none()
    return qs.only("id", "full_name", "nik_masked").order_by("full_name")


class VentureForm(forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Venture
        fields = [
            "name",
            "worker",
            "kind",
            "is_group",
            "status",
            "started_on",
            "stopped_on",
            "stop_reason",
            "stop_note",
            "description",
        ]
        widgets = {
            "started_on": DateInput,
            "stopped_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, preset_worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        editing = not self.instance._state.adding
        if editing:
            self.fields.pop("worker")
            self.initial.setdefault("version", self.instance.version)
        else:
            self.fields.pop("version")
            workers = psm_choices(user, preset_worker)
            self.fields["worker"].queryset = workers
            self.fields["worker"].label_from_instance = lambda w: f"{w.full_name} ({w.nik_masked})"
            if preset_worker:
                self.initial.setdefault("worker", preset_worker)
            elif not workers.exists():
                self.fields["worker"].help_text = _(
                    "Too many PSM in your area for a list: open the PSM's profile and add the "
                    "venture from there."
                )
        self.fields["kind"].queryset = VentureKind.objects.visible_to(user)
        self.fields["village_code"] = village_field(_("Location (village)"), user)
        self.order_fields(["name", "worker", "kind", "village_code"])
        if editing:
            self.initial.setdefault("village_code", self.instance.village_id)
        else:
            self.fields["village_code"].required = False
            self.fields["village_code"].help_text = _("Empty: the PSM's own village.")

    def clean_village_code(self):
        code = self.cleaned_data["village_code"]
        # The picker starts at the user's own area: left there, no village was chosen.
        if not code or (self.instance._state.adding and code == (self.user.scope_code or "")):
            return None
        return visible_village(code, self.user)

    def clean(self):
        data = super().clean()
        if data.get("village_code") is None and data.get("worker"):
            data["village_code"] = data["worker"].village
        return data

    def apply(self) -> Venture:
        venture = self.instance
        for name, value in self.cleaned_data.items():
            if name in ("version", "village_code"):
                continue
            setattr(venture, name, value)
        venture.village = self.cleaned_data["village_code"]
        return venture


class KindForm(forms.Form):
    name = forms.CharField(label=_("New kind of business"), max_length=80)


class SupportForm(forms.ModelForm):
    amount = RupiahField(
        label=_("Amount (Rp)"),
        required=False,
        help_text=_("Whole rupiah, e.g. 5.000.000. For equipment: its value."),
    )
    proof = forms.FileField(
        label=_("Scan of the proof"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        help_text=_("Receipt or handover record. PDF, JPEG or PNG, at most 5 MB."),
    )

    class Meta:
        model = Support
        fields = ["kind", "source", "programme", "amount", "received_on", "enrolment", "note"]
        widgets = {"received_on": DateInput}

    def __init__(self, *args, venture: Venture, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.venture = venture
        self.fields["enrolment"].queryset = (
            Enrolment.objects.visible_to(user)
            .filter(worker=venture.worker)
            .select_related("batch__course")
        )
        self.fields["enrolment"].label_from_instance = lambda e: str(e.batch)
        self.fields["enrolment"].help_text = _(
            "Only for training: the Mitra course the PSM attended, if it was one."
        )
        self.fields["kind"].choices = [("", "—"), *SupportKind.choices]
        self.fields["source"].choices = [("", "—"), *SupportSource.choices]

    def clean_proof(self):
        proof = self.cleaned_data.get("proof")
        if proof:
            return check_upload(proof, ("pdf", "jpg", "png"), MAX_SCAN_BYTES, "PDF/JPEG/PNG")
        return proof

    def apply(self) -> Support:
        support = self.instance
        for name in self.Meta.fields:
            setattr(support, name, self.cleaned_data.get(name))
        if self.cleaned_data.get("proof"):
            support.proof = self.cleaned_data["proof"]
        return support


def recent_periods(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """The periods a result is usually recorded for: the last 4 quarters, the last 6 months."""
    today = today or timezone.localdate()
    out = []
    year, quarter = today.year, (today.month - 1) // 3
    for _i in range(4):
        start = datetime.date(year, 3 * quarter + 1, 1)
        label = _("Quarter %(q)s %(year)s") % {"q": ["I", "II", "III", "IV"][quarter], "year": year}
        out.append((f"{PeriodKind.QUARTER}:{start.isoformat()}", str(label)))
        quarter -= 1
        if quarter < 0:
            year, quarter = year - 1, 3
    month = today.replace(day=1)
    for _i in range(6):
        out.append((f"{PeriodKind.MONTH}:{month.isoformat()}", formats.date_format(month, "F Y")))
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return out


class ResultForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"))
    turnover = RupiahField(
        label=_("Turnover in the period (Rp)"), help_text=_("All sales, e.g. 4.500.000.")
    )
    income_band = forms.ChoiceField(
        label=_("Net income a month"), choices=IncomeBand.choices, widget=forms.RadioSelect
    )
    people_working = forms.IntegerField(label=_("People working in it"), min_value=1, initial=1)
    beneficiaries_involved = forms.IntegerField(
        label=_("Beneficiaries taking part"),
        min_value=0,
        initial=0,
        help_text=_("Beneficiaries of your cases linked to this venture."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = recent_periods()
        for name in ("people_working", "beneficiaries_involved"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def period_parts(self) -> tuple[str, datetime.date]:
        kind, start = self.cleaned_data["period"].split(":")
        return kind, datetime.date.fromisoformat(start)


class MemberForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("PSM"), queryset=Worker.objects.none(), required=False)
    beneficiary = forms.ModelChoiceField(
        label=_("Beneficiary of the PSM's cases"),
        queryset=Beneficiary.objects.none(),
        required=False,
    )
    consent_on = forms.DateField(
        label=_("Consent to take part recorded on"),
        required=False,
        widget=DateInput,
        help_text=_("Beneficiaries only: the date the person (or guardian) agreed."),
    )

    def __init__(self, *args, venture: Venture, user, **kwargs):
        super().__init__(*args, **kwargs)
        district = venture.region_code[:6]
        self.fields["worker"].queryset = (
            psm_choices(user).in_region(district).exclude(pk=venture.worker_id)
        )
        self.fields["worker"].label_from_instance = lambda w: f"{w.full_name} ({w.nik_masked})"
        self.fields["beneficiary"].queryset = Beneficiary.objects.visible_to(user).filter(
            pk__in=beneficiaries_of(venture.worker).values("pk")
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("worker")) == bool(data.get("beneficiary")):
            raise ValidationError(_("Choose either a PSM or a beneficiary."))
        return data


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *VentureStatus.choices]
    )
    kind = forms.ModelChoiceField(
        label=_("Kind of business"),
        required=False,
        queryset=VentureKind.objects.none(),
        empty_label=_("all"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = VentureKind.objects.visible_to(user)
