"""Forms of the field-work pages: recording a person (with the case opened for them), the case's
steps (status, interventions, referrals, hand-over) and the list filters.

The forms only gather and check input; the rules live in `services` and are called by the views."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core import crypto
from mitra.core.categories import SEX_CHOICES
from mitra.core.forms import RegionCodeField, label_blank_choice
from mitra.core.models import PmksCategory
from mitra.workers.forms import DateInput, VersionField, village_field, visible_village
from mitra.workers.models import Status as WorkerStatus
from mitra.workers.models import Worker
from mitra.workers.services import name_key
from mitra.workers.validation import check_nik

from . import services
from .models import (
    Beneficiary,
    CaseStatus,
    ClosureReason,
    InterventionKind,
    Priority,
    Programme,
    Referral,
    ReferralStatus,
)


def _categories_field(**kwargs):
    return forms.ModelMultipleChoiceField(
        label=_("PMKS categories"),
        queryset=PmksCategory.objects.order_by("number"),
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


def _no_future(value, message):
    if value and value > timezone.localdate():
        raise ValidationError(message)
    return value


class WorkerChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("— Choose a worker —"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.village.name})"


def active_workers(user, region_code: str = ""):
    """Active workers in the user's area (optionally inside a region) who may take a case."""
    qs = Worker.objects.visible_to(user).filter(status=WorkerStatus.ACTIVE)
    if region_code:
        qs = qs.in_region(region_code)
    return qs.select_related("village").order_by("full_name", "pk")


class BeneficiaryForm(forms.ModelForm):
    """Record a person needing social-welfare services, with their consent, and open their first
    case. Sensitive details are fields only for users who may see them."""

    village = forms.CharField()  # replaced in __init__ by the region picker for the user's area
    categories = _categories_field()
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")
    confirm_duplicates = forms.BooleanField(
        label=_("I checked: this is a different person; record them anyway."), required=False
    )

    FIELDSETS = [
        (_("Identity"), ["full_name", "nik", "sex", "birth_date", "estimated_age"]),
        (_("Where they live"), ["village", "address", "household_notes"]),
        (_("Needs"), ["categories"]),
        (
            _("Consent to record their data"),
            ["consent_by", "consent_relation", "consent_on", "consent_method"],
        ),
        (
            _("Sensitive details (specific personal data)"),
            ["disability_type", "health_notes", "violence_details"],
        ),
        (_("The case"), ["worker", "priority"]),
    ]

    class Meta:
        model = Beneficiary
        fields = [
            "full_name",
            "nik",
            "sex",
            "birth_date",
            "estimated_age",
            "address",
            "household_notes",
            "categories",
            "consent_by",
            "consent_relation",
            "consent_on",
            "consent_method",
            "disability_type",
            "health_notes",
            "violence_details",
        ]
        widgets = {
            "birth_date": DateInput(),
            "consent_on": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "household_notes": forms.Textarea(attrs={"rows": 2}),
            "disability_type": forms.TextInput(),
            "health_notes": forms.Textarea(attrs={"rows": 2}),
            "violence_details": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"] = village_field(_("Village"), user)
        if user.role == "worker":
            self.initial.setdefault("village", user.scope_code)
        self.fields["sex"].choices = [("", _("— Choose the sex —")), *SEX_CHOICES]
        label_blank_choice(self.fields["consent_relation"], _("— Choose the relation —"))
        label_blank_choice(self.fields["consent_method"], _("— Choose how consent was given —"))
        self.fields["nik"].required = False
        self.fields["nik"].widget = forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 20}
        )
        self.fields["nik"].help_text = _("16 digits from the KTP or family card, if known.")
        self.fields["consent_on"].initial = timezone.localdate
        self.fields["household_notes"].required = False
        if not user.has_perm("cases.view_sensitive"):
            for name in Beneficiary.SENSITIVE_FIELDS:
                self.fields.pop(name, None)
        # The responsible worker: a PSM is themself; an officer picks an active worker.
        if user.role == "worker":
            self.own_worker = getattr(user, "worker", None)
        else:
            self.own_worker = None
            self.fields["worker"] = WorkerChoiceField(
                label=_("Responsible worker"),
                queryset=active_workers(user),
                help_text=_("An active worker of the person's district."),
            )

    def fieldsets(self):
        groups = []
        for legend, names in self.FIELDSETS:
            bound = [self[name] for name in names if name in self.fields]
            if bound:
                groups.append((legend, bound))
        return groups

    def clean_village(self):
        code = self.cleaned_data.get("village") or ""
        return visible_village(code, self.user)

    def clean_nik(self):
        return (self.cleaned_data.get("nik") or "").strip().replace(" ", "").replace(".", "")

    def clean_birth_date(self):
        return _no_future(self.cleaned_data.get("birth_date"), _("The date is in the future."))

    def clean(self):
        data = super().clean()
        if not data.get("birth_date") and data.get("estimated_age") is None:
            self.add_error("birth_date", _("Give the date of birth or an estimated age."))
        if self.own_worker is None and self.user.role == "worker":
            raise ValidationError(
                _("Your account is not linked to a worker record; ask your social office."),
                code="no_worker",
            )
        if self.own_worker is not None and self.own_worker.status != WorkerStatus.ACTIVE:
            raise ValidationError(
                _("Only an active worker can be responsible for a case."), code="worker"
            )
        worker, village = data.get("worker"), data.get("village")
        if worker and village and worker.region_code[:6] != village.code[:6]:
            self.add_error("worker", _("Choose a worker of the district where the person lives."))
        return data

    def _post_clean(self):
        self.instance.village = self.cleaned_data.get("village")
        super()._post_clean()
        data = self.cleaned_data
        nik = data.get("nik")
        if nik and "nik" not in self.errors:
            try:
                check_nik(nik, data.get("sex"), data.get("birth_date"))
            except ValidationError as exc:
                self._update_errors(exc)
            else:
                self._check_nik_unused(nik)
        if "consent_relation" not in self.errors and "consent_on" not in self.errors:
            try:
                services.check_consent(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)

    def _check_nik_unused(self, nik):
        same = Beneficiary.objects.filter(nik_hash=crypto.blind_index(nik))
        if self.instance.pk and not self.instance._state.adding:
            same = same.exclude(pk=self.instance.pk)
        # The record with this NIK, when the user may open it (shown as the duplicate).
        self.nik_owners = list(same.visible_to(self.user)) if same.exists() else []
        if same.exists():
            self.add_error(
                "nik",
                _(
                    "A person with this NIK is already recorded. Open their record instead; "
                    "if it is outside your area, ask your social office."
                ),
            )

    nik_owners: list[Beneficiary] = []

    @property
    def responsible_worker(self) -> Worker | None:
        return self.own_worker or self.cleaned_data.get("worker")

    def likely_duplicates(self) -> list[Beneficiary]:
        """Recorded people in the user's view who are probably this one (before saving)."""
        services.fill_beneficiary_fields(self.instance)
        return services.likely_duplicates(self.instance, Beneficiary.objects.visible_to(self.user))


class BeneficiaryEditForm(BeneficiaryForm):
    """Correct a recorded person's details, consent and (for roles that see them) sensitive
    details. The village stays: a person who moved gets their case handed over or a new case
    there. The version the user read travels with the form (ADR 0010)."""

    version = VersionField()

    FIELDSETS = BeneficiaryForm.FIELDSETS[:-1]  # all but "The case"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for name in ("village", "worker", "priority", "confirm_duplicates"):
            self.fields.pop(name, None)
        self.own_worker = None
        self.initial.setdefault("version", self.instance.version)
        self.initial.setdefault("categories", list(self.instance.categories.all()))

    def clean_village(self):
        return self.instance.village

    def clean(self):
        data = forms.ModelForm.clean(self)
        if not data.get("birth_date") and data.get("estimated_age") is None:
            self.add_error("birth_date", _("Give the date of birth or an estimated age."))
        return data

    def _post_clean(self):
        self.cleaned_data["village"] = self.instance.village
        super()._post_clean()


class CaseOpenForm(forms.Form):
    """Open another case for a person already recorded."""

    categories = _categories_field()
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")

    def __init__(self, *args, user, beneficiary, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.initial.setdefault("categories", list(beneficiary.categories.all()))
        if user.role == "worker":
            self.own_worker = getattr(user, "worker", None)
        else:
            self.own_worker = None
            self.fields["worker"] = WorkerChoiceField(
                label=_("Responsible worker"),
                queryset=active_workers(user, beneficiary.region_code[:6]),
                help_text=_("An active worker of the person's district."),
            )

    def clean(self):
        data = super().clean()
        if self.user.role == "worker" and self.own_worker is None:
            raise ValidationError(
                _("Your account is not linked to a worker record; ask your social office."),
                code="no_worker",
            )
        return data

    @property
    def responsible_worker(self) -> Worker | None:
        return self.own_worker or self.cleaned_data.get("worker")


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=CaseStatus.choices, widget=forms.HiddenInput)
    version = VersionField()
    reason = forms.ChoiceField(
        label=_("Why is the case closed?"),
        choices=[("", _("— Choose a reason —")), *ClosureReason.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What was done"),
        choices=InterventionKind.choices,
        initial=InterventionKind.HOME_VISIT,
    )
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_follow_up_on = forms.DateField(
        label=_("Next follow-up"),
        required=False,
        widget=DateInput(),
        help_text=_("The case appears on the due list from a week before this date."),
    )


class ReferralForm(forms.Form):
    programme = forms.ChoiceField(label=_("Referred to"), choices=Programme.choices)
    target_detail = forms.CharField(label=_("Institution"), max_length=200, required=False)
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput(), initial=timezone.localdate)
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)

    def clean_sent_on(self):
        return _no_future(self.cleaned_data.get("sent_on"), _("The date is in the future."))


class ReferralOutcomeForm(forms.Form):
    referral = forms.ModelChoiceField(queryset=Referral.objects.none(), widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=ReferralStatus.choices)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = case.referrals.all()


class TransferForm(forms.Form):
    to_worker = WorkerChoiceField(label=_("Hand over to"), queryset=Worker.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Any active worker of the person's district, also of another village: the receiving
        # PSM sees the case and the person from then on, and the district's supervisor keeps
        # seeing it (ADR 0012). A move out of the district is a new case there.
        self.fields["to_worker"].queryset = active_workers(user, case.region_code[:6]).exclude(
            pk=case.worker_id
        )
        self.fields["to_worker"].help_text = _(
            "An active worker of the person's district, also of another village."
        )


def name_or_nik(text: str, prefix: str = "") -> Q:
    """People by a full NIK (through its blind index) or by a part of their name."""
    digits = text.replace(" ", "").replace(".", "")
    if digits.isdigit() and len(digits) == 16:
        return Q(**{f"{prefix}nik_hash": crypto.blind_index(digits)})
    return Q(**{f"{prefix}name_key__contains": name_key(text)}) | Q(
        **{f"{prefix}full_name__icontains": text.strip()}
    )


def _search_field():
    return forms.CharField(label=_("Name or full NIK"), required=False, max_length=100)


class CaseFilterForm(forms.Form):
    q = _search_field()
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open")), *CaseStatus.choices, ("all", _("All"))],
    )
    category = forms.ModelChoiceField(
        label=_("PMKS category"),
        required=False,
        queryset=PmksCategory.objects.order_by("number"),
        empty_label=_("All categories"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("All")), *Priority.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue follow-up only"), required=False)
    due_soon = forms.BooleanField(label=_("Follow-up due within 7 days"), required=False)
    no_steps = forms.BooleanField(label=_("Nothing recorded yet"), required=False)
    late_referral = forms.BooleanField(
        label=_("Referral unanswered for over 14 days"), required=False
    )
    region = RegionCodeField(label=_("Region"), required=False)

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("q", "").strip():
            qs = qs.filter(name_or_nik(data["q"], "beneficiary__"))
        status = data.get("status")
        if not status:
            qs = qs.open()
        elif status != "all":
            qs = qs.filter(status=status)
        if data.get("category"):
            qs = qs.filter(categories=data["category"])
        if data.get("priority"):
            qs = qs.filter(priority=data["priority"])
        if data.get("overdue"):
            qs = services.overdue_cases(qs)
        if data.get("due_soon"):
            qs = services.due_soon_cases(qs)
        if data.get("no_steps"):
            qs = services.cases_without_steps(qs)
        if data.get("late_referral"):
            qs = services.cases_with_late_referral(qs)
        if data.get("region"):
            qs = qs.in_region(data["region"])
        return qs


class BeneficiaryFilterForm(forms.Form):
    q = _search_field()
    category = forms.ModelChoiceField(
        label=_("PMKS category"),
        required=False,
        queryset=PmksCategory.objects.order_by("number"),
        empty_label=_("All categories"),
    )
    region = RegionCodeField(label=_("Region"), required=False)

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("q", "").strip():
            qs = qs.filter(name_or_nik(data["q"]))
        if data.get("category"):
            qs = qs.filter(categories=data["category"])
        if data.get("region"):
            qs = qs.in_region(data["region"])
        return qs
