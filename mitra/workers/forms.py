"""Forms of the registry's pages: register and edit a worker, the lifecycle steps, self-service
and merging. The rules themselves live in `validation.py` and `services.py`; these forms collect
the input, check what only a form can (uploads, the user's area) and show the reasons."""

import copy
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mitra.accounts.roles import Role
from mitra.core.batch import memo
from mitra.core.categories import SEX_CHOICES
from mitra.core.forms import RegionCodeField, understood_field
from mitra.core.models import PmksCategory
from mitra.core.scope import format_code
from mitra.core.uploads import check_upload
from mitra.regions.models import Village

from . import services
from .models import Education, Worker
from .validation import check_birth_date, check_nik, validate_worker_fields

MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_SCAN_BYTES = 5 * 1024 * 1024

_PHONE = re.compile(r"^(\+62|62|0)\d{7,13}$")


def clean_phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    compact = re.sub(r"[\s\-().]", "", value)
    if not _PHONE.match(compact):
        raise ValidationError(
            _("Write a phone number of digits only, starting with 0 or +62, e.g. 081234567890.")
        )
    return compact


def _no_future(value, message):
    if value and value > timezone.localdate():
        raise ValidationError(message)
    return value


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and shows ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VersionField(forms.IntegerField):
    """The record version the user saw: a stale form gets the services' conflict message."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


def village_field(label, user, **kwargs) -> RegionCodeField:
    field = RegionCodeField(
        label=label,
        help_text=_("Choose down to the village (desa/kelurahan), e.g. 34.02.09.2004."),
        **kwargs,
    )
    field.widget.attrs["data-scope"] = user.scope_code or ""
    return field


def visible_village(code: str, user) -> Village:
    """The village a code names, when it is a village inside the user's area."""
    if len(code) != 10:
        raise ValidationError(
            _("Choose a village (desa/kelurahan), not a larger region."), code="level"
        )
    village = memo(
        ("visible_village", code, user.pk),
        lambda: (
            Village.objects.visible_to(user)
            .select_related("district__regency")
            .filter(code=code)
            .first()
        ),
    )
    if village is None:
        raise ValidationError(
            _("Village %(code)s is outside your area.") % {"code": format_code(code)},
            code="scope",
        )
    return village


class WorkerForm(forms.ModelForm):
    """Register a worker, or change one's data. Officers who verify workers also record the KTP
    check and basic training here; nothing else about a person is collected."""

    village = forms.CharField()  # replaced in __init__ by the region picker for the user's area
    nik = forms.CharField(label=_("NIK"), max_length=40, widget=forms.TextInput())
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas (PMKS)"),
        queryset=PmksCategory.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of people this worker mostly helps."),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    confirm_duplicates = forms.BooleanField(
        label=_("I checked: this is a different person. Save anyway."), required=False
    )
    version = VersionField(required=False)

    class Meta:
        model = Worker
        fields = [
            "kind",
            "nik",
            "full_name",
            "sex",
            "birth_place",
            "birth_date",
            "address",
            "village",
            "phone",
            "education",
            "occupation",
            "joined_on",
            "focus_areas",
            "photo",
            "ktp_checked",
            "basic_training_on",
        ]
        widgets = {
            "sex": forms.RadioSelect,
            "birth_date": DateInput,
            "joined_on": DateInput,
            "basic_training_on": DateInput,
            "photo": forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "photo": _("Optional. A JPEG or PNG picture, at most 2 MB."),
            "joined_on": _("When the worker started volunteering, if known."),
        }

    # Groups of fields, in the order the form shows them.
    FIELDSETS = [
        (_("Identity"), ["kind", "nik", "full_name", "sex", "birth_place", "birth_date"]),
        (_("Domicile and contact"), ["village", "address", "phone"]),
        (_("Background"), ["education", "occupation", "joined_on", "photo", "remove_photo"]),
        (_("Focus areas"), ["focus_areas"]),
        (_("Verification by the social office"), ["ktp_checked", "basic_training_on", "user"]),
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.creating = self.instance._state.adding
        self.fields["village"] = village_field(_("Village of domicile"), user)
        self.fields["sex"].choices = SEX_CHOICES
        self.fields["education"].choices = [("", _("— not recorded —"))] + list(Education.choices)
        self.fields["nik"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "placeholder": "3402094508850001"}
        )
        self.fields["nik"].help_text = _(
            "16 digits from the identity card (KTP) or family card (KK)."
        )
        self.show_full_nik = user.has_perm("workers.view_nik")
        if self.creating:
            del self.fields["version"]
            del self.fields["remove_photo"]
        else:
            del self.fields["confirm_duplicates"]
            self.fields["version"].required = True
            self.initial["version"] = self.instance.version
            if not self.instance.photo:
                del self.fields["remove_photo"]
            if not self.show_full_nik:
                # Whoever may not see the NIK may still correct it, without being shown it.
                self.fields["nik"].required = False
                self.initial["nik"] = ""
                self.fields["nik"].help_text = _(
                    "Now %(masked)s. Leave empty to keep it; type all 16 digits to correct it."
                ) % {"masked": self.instance.nik_masked}
        if not user.has_perm("workers.verify_worker"):
            del self.fields["ktp_checked"]
            del self.fields["basic_training_on"]
        elif not self.creating:
            self.fields["user"] = forms.ModelChoiceField(
                label=_("Login account of this worker"),
                queryset=self._linkable_users(),
                required=False,
                initial=self.instance.user_id,
                empty_label=_("— none —"),
                help_text=_(
                    "A user with the role PSM in this village; they then see this record and "
                    "can ask for corrections."
                ),
            )

    def _linkable_users(self):
        from mitra.accounts.models import User

        return User.objects.visible_to(self.user).filter(
            Q(worker__isnull=True) | Q(worker=self.instance),
            role=Role.WORKER,
            scope_code=self.instance.village_id,
            is_active=True,
        )

    def fieldsets(self):
        """(legend, bound fields) per group, leaving out fields this form does not have."""
        groups = []
        for legend, names in self.FIELDSETS:
            bound = [self[name] for name in names if name in self.fields]
            if bound:
                groups.append((legend, bound))
        return groups

    def clean_nik(self):
        value = (self.cleaned_data.get("nik") or "").strip()
        if not value and not self.creating:
            return self.instance.nik
        return value

    def clean_village(self):
        code = self.cleaned_data.get("village") or ""
        if not code:
            return None
        return visible_village(code, self.user)

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone"))

    def clean_joined_on(self):
        return _no_future(
            self.cleaned_data.get("joined_on"), _("The date of joining is in the future.")
        )

    def clean_basic_training_on(self):
        return _no_future(
            self.cleaned_data.get("basic_training_on"), _("The training date is in the future.")
        )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            return check_upload(photo, ("jpg", "png"), MAX_PHOTO_BYTES, "JPEG/PNG")
        return photo

    def clean(self):
        data = super().clean()
        if self.creating:
            return data
        version = data.get("version")
        if version is not None and version != self.instance.version:
            raise ValidationError(
                _(
                    "Someone else changed this record while you were working on it. Reload the "
                    "page and try again."
                ),
                code="conflict",
            )
        return data

    def _post_clean(self):
        super()._post_clean()
        # The registry's own rules (NIK structure, match with sex and birth date, uniqueness),
        # with their Indonesian reasons, on the record as it would be saved.
        data = self.cleaned_data
        if data.get("birth_date") and "birth_date" not in self.errors:
            try:
                check_birth_date(data["birth_date"])
            except ValidationError as exc:
                self._update_errors(exc)
        if not data.get("nik") or "nik" in self.errors:
            return
        complete = all(data.get(f) for f in ("sex", "birth_date"))
        try:
            if complete:
                validate_worker_fields(self.instance)
            else:
                check_nik(data["nik"], data.get("sex"), data.get("birth_date"))
        except ValidationError as exc:
            self._update_errors(exc)

    def likely_duplicates(self) -> list[Worker]:
        """Records in the user's area that are probably this same person (before saving)."""
        worker = self.instance
        services.fill_derived_fields(worker)
        return services.likely_duplicates(worker, Worker.objects.visible_to(self.user))

    def save(self, commit=True):
        worker = super().save(commit=False)
        old_photo = None
        if self.cleaned_data.get("remove_photo") and "photo" not in self.changed_data:
            old_photo = worker.photo.name
            worker.photo = ""
        elif "photo" in self.changed_data and not self.creating:
            old_photo = self.initial.get("photo")
            old_photo = getattr(old_photo, "name", old_photo)
        if "user" in self.fields:
            worker.user = self.cleaned_data.get("user")
        if commit:
            worker.save()
            self.save_m2m()
        self.replaced_photo = old_photo or None
        return worker


class StatusChangeForm(forms.Form):
    """One lifecycle step. Confirming the requirements also records the KTP check and the
    training, so that one page does the whole verification."""

    ktp_checked = forms.BooleanField(
        label=_("I saw the KTP: it shows this village as the domicile"), required=False
    )
    basic_training_on = forms.DateField(
        label=_("Basic training (bimtek dasar) completed on"),
        required=False,
        widget=DateInput,
    )
    on = forms.DateField(label=_("Effective date"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"), max_length=255, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField()

    def __init__(self, *args, worker: Worker, to: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker = worker
        self.to = to
        self.initial.setdefault("version", worker.version)
        self.initial.setdefault("on", timezone.localdate())
        if to == services.Status.VERIFIED:
            self.initial.setdefault("ktp_checked", worker.ktp_checked)
            self.initial.setdefault("basic_training_on", worker.basic_training_on)
        else:
            del self.fields["ktp_checked"]
            del self.fields["basic_training_on"]
        if to in services.NEEDS_REASON:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = _("Kept in the worker's history.")
        else:
            self.fields["reason"].label = _("Note (optional)")
        if to == services.Status.EXITED:
            # No step leads back from "exited": the box is ticked, the server checks it.
            self.fields["understood"] = understood_field(
                _("I understand that a worker who exits cannot be made active again.")
            )

    def clean_on(self):
        on = _no_future(self.cleaned_data.get("on"), _("The effective date is in the future."))
        if on and on < self.worker.status_since:
            raise ValidationError(
                _("The effective date is before the current status began (%(date)s).")
                % {"date": self.worker.status_since.strftime("%d-%m-%Y")}
            )
        return on

    def clean_basic_training_on(self):
        return _no_future(
            self.cleaned_data.get("basic_training_on"), _("The training date is in the future.")
        )


class DecreeForm(forms.Form):
    """A decree (SK) of the social office; it activates a worker whose requirements are met."""

    number = forms.CharField(label=_("Decree (SK) number"), max_length=100)
    issued_on = forms.DateField(label=_("Decree date"), widget=DateInput)
    office = forms.CharField(label=_("Signing office"), max_length=150)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty if the decree has no end date."),
    )
    scan = forms.FileField(
        label=_("Scan of the decree"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        help_text=_("Optional. PDF, JPEG or PNG, at most 5 MB."),
    )
    version = VersionField()

    def __init__(self, *args, worker: Worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker = worker
        self.initial.setdefault("version", worker.version)
        regency = worker.village.district.regency
        self.initial.setdefault("office", f"Dinas Sosial {regency.name}")
        since = services.eligible_on(worker)
        if since:
            # Said before saving: an earlier date is kept, with a warning (issue 13).
            self.fields["issued_on"].help_text = _(
                "The worker met the requirements on %(date)s; an earlier decree date is flagged."
            ) % {"date": date_format(since, "j F Y")}

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan:
            return check_upload(scan, ("pdf", "jpg", "png"), MAX_SCAN_BYTES, "PDF/JPEG/PNG")
        return scan

    def clean(self):
        data = super().clean()
        issued, until = data.get("issued_on"), data.get("valid_until")
        if issued and issued > timezone.localdate():
            self.add_error("issued_on", _("The decree date is in the future."))
        elif issued and until and until < issued:
            self.add_error("valid_until", _("The decree cannot end before it is issued."))
        elif (
            until
            and until < timezone.localdate()
            and self.worker.status == services.Status.VERIFIED
        ):
            self.add_error(
                "valid_until",
                _("This decree has already ended, so it cannot make the worker active."),
            )
        return data


class TransferForm(forms.Form):
    village = forms.CharField()
    on = forms.DateField(label=_("Effective date"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: moved house (pindah domisili)."),
    )
    version = VersionField()

    def __init__(self, *args, worker: Worker, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker = worker
        self.user = user
        self.fields["village"] = village_field(_("New village of domicile"), user)
        self.fields["village"].widget.attrs["data-exclude"] = worker.village_id
        self.initial.setdefault("version", worker.version)
        self.initial.setdefault("on", timezone.localdate())

    def clean_village(self):
        code = self.cleaned_data.get("village") or ""
        village = visible_village(code, self.user)
        if village.code == self.worker.village_id:
            raise ValidationError(_("The worker already lives in this village."))
        return village

    def clean_on(self):
        return _no_future(self.cleaned_data.get("on"), _("The effective date is in the future."))


class ContactForm(forms.ModelForm):
    """A worker's own contact details, which they change themselves."""

    version = VersionField()

    class Meta:
        model = Worker
        fields = ["phone", "address"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = self.instance.version

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone"))

    def clean(self):
        data = super().clean()
        if data.get("version") not in (None, self.instance.version):
            raise ValidationError(
                _(
                    "Someone else changed this record while you were working on it. Reload the "
                    "page and try again."
                ),
                code="conflict",
            )
        return data


class IdentityRequestForm(forms.Form):
    """A worker asks their social office to correct their identity data."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    nik = forms.CharField(
        label=_("NIK"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, widget=forms.RadioSelect)
    birth_place = forms.CharField(label=_("Place of birth"), max_length=100)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput)
    note = forms.CharField(
        label=_("Explanation for the officer"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: my name is misspelled; see my new KTP."),
    )

    def __init__(self, *args, worker: Worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker = worker
        for name in services.IDENTITY_FIELDS:
            self.initial.setdefault(name, getattr(worker, name))

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        try:
            check_birth_date(value)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["birth_date"]) from None
        return value

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        proposed = copy.copy(self.worker)
        for name in services.IDENTITY_FIELDS:
            setattr(proposed, name, data[name])
        try:
            validate_worker_fields(proposed)
        except ValidationError as exc:
            self.add_error(None, exc)  # per field: nik, birth_date
            return data
        data["nik"] = proposed.nik  # the 16 digits, without spaces or dots
        self.changes = {
            name: data[name]
            for name in services.IDENTITY_FIELDS
            if str(data[name]) != str(getattr(self.worker, name))
        }
        if not self.changes:
            raise ValidationError(_("Nothing was changed."), code="empty")
        return data


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (required when refusing)"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    """Two records of one person: which one stays."""

    keep = forms.ChoiceField(label=_("Record that stays"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Note (optional)"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version_a = VersionField()
    version_b = VersionField()

    def __init__(self, *args, a: Worker, b: Worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.a, self.b = a, b
        self.fields["keep"].choices = [("a", a.pk), ("b", b.pk)]
        self.initial.setdefault("version_a", a.version)
        self.initial.setdefault("version_b", b.version)
        # Suggest keeping the record further along (an active one over an application).
        rank = {"active": 0, "inactive": 1, "suspended": 2, "verified": 3, "applied": 4}
        self.initial.setdefault(
            "keep", "a" if rank.get(a.status, 9) <= rank.get(b.status, 9) else "b"
        )

    def clean(self):
        data = super().clean()
        if data.get("version_a") not in (None, self.a.version) or data.get("version_b") not in (
            None,
            self.b.version,
        ):
            raise ValidationError(
                _(
                    "Someone else changed one of these records while you were working on it. "
                    "Reload the page and try again."
                ),
                code="conflict",
            )
        return data

    def chosen(self) -> tuple[Worker, Worker]:
        """(primary, duplicate)"""
        return (self.a, self.b) if self.cleaned_data["keep"] == "a" else (self.b, self.a)
