"""Forms of the training pages: the course catalogue, batches with their seat quotas and sessions,
nominations, decisions, withdrawals and the results upload (the list's filters: filters.py)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mitra.core.forms import RegionCodeField, label_blank_choice
from mitra.core.scope import code_in_scope, format_code, prefix_q, user_scope
from mitra.regions.models import Village

from .filters import area_choices, area_label, choice_values
from .models import Batch, Course, EnrolmentStatus, SeatQuota, TrainingSession


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


# ---- courses ----------------------------------------------------------------------------------


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "level",
            "organiser_type",
            "hours",
            "pass_mark",
            "attendance_min",
            "validity_years",
            "prerequisites",
            "competencies",
            "completes_basic",
            "is_active",
        ]
        widgets = {
            "prerequisites": forms.CheckboxSelectMultiple,
            "competencies": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "pass_mark": _("Changing it later does not change results already decided."),
            "code": _("Short and unique, e.g. PSM-D. It is part of every certificate number."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Course.objects.order_by("level", "code")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["prerequisites"].queryset = others
        label_blank_choice(self.fields["level"], _("— Choose the level —"))
        label_blank_choice(self.fields["organiser_type"], _("— Choose the organiser —"))
        self.fields["hours"].min_value = 1
        self.fields["hours"].widget.attrs["min"] = 1
        for name in ("pass_mark", "attendance_min"):
            self.fields[name].max_value = 100
            self.fields[name].widget.attrs["max"] = 100
            self.fields[name].validators.append(_max_100)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and hours < 1:
            raise forms.ValidationError(_("A course lasts at least one hour (JPL)."))
        return hours

    def clean_prerequisites(self):
        chosen = self.cleaned_data["prerequisites"]
        if self.instance.pk:
            # A course may not (through a chain) require itself.
            seen, todo = set(), [c.pk for c in chosen]
            while todo:
                pk = todo.pop()
                if pk == self.instance.pk:
                    raise forms.ValidationError(
                        _("This would make the course a prerequisite of itself.")
                    )
                if pk in seen:
                    continue
                seen.add(pk)
                todo.extend(
                    Course.prerequisites.through.objects.filter(from_course_id=pk).values_list(
                        "to_course_id", flat=True
                    )
                )
        return chosen


def _max_100(value):
    if value is not None and value > 100:
        raise forms.ValidationError(_("At most 100."))


# ---- batches ----------------------------------------------------------------------------------


class BatchForm(forms.ModelForm):
    """A batch: which course, who organises it for which area, where, when and how many seats.
    The area must lie inside the user's own area (empty, national, only for national users)."""

    region_code = forms.ChoiceField(
        label=_("Area served"),
        required=False,
        help_text=_("Whose workers may take part: your own area, or a part of it."),
    )
    venue_code = RegionCodeField(
        label=_("Venue (village)"),
        help_text=_("The village or kelurahan where the training takes place."),
    )

    class Meta:
        model = Batch
        fields = [
            "course",
            "name",
            "organiser",
            "region_code",
            "venue_code",
            "venue_detail",
            "starts_on",
            "ends_on",
            "quota",
            "trainers",
            "signer_name",
            "signer_title",
        ]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "trainers": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"venue_detail": _("Building and address")}
        help_texts = {
            "trainers": _("One trainer per line, with their institution."),
            "quota": _("All seats; a full batch puts further workers on the waiting list."),
            "venue_detail": _("e.g. Balai Desa Trimulyo, Jl. Imogiri Timur km 10"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        batch = self.instance
        courses = Course.objects.filter(is_active=True)
        if batch.pk:
            courses = Course.objects.filter(Q(is_active=True) | Q(pk=batch.course_id))
            self.fields["venue_code"].initial = batch.venue_id
            self.enrolled_count = batch.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
            if batch.enrolments.exists():
                # The rules a place was given under (prerequisites) belong to the course.
                self.fields["course"].disabled = True
                self.fields["course"].help_text = _(
                    "Workers are already on this batch's list, so the course cannot change."
                )
        else:
            self.enrolled_count = 0
            self.fields["region_code"].initial = user.scope_code
            self.fields["organiser"].initial = user.full_name
        self.fields["course"].queryset = courses.order_by("level", "code")
        label_blank_choice(self.fields["course"], _("— Choose a course —"))
        choices = area_choices(user)
        current = batch.region_code if batch.pk else None
        if current is not None and current not in choice_values(choices):
            choices = [(current, area_label(current)), *choices]
        self.fields["region_code"].choices = choices
        self.fields["quota"].min_value = 1
        self.fields["quota"].widget.attrs["min"] = 1
        if user_scope(user):
            self.fields["region_code"].required = True

    def clean_region_code(self):
        code = self.cleaned_data["region_code"]
        scope = user_scope(self.user) or ""
        if not code_in_scope(code, scope) or (scope and not code):
            raise forms.ValidationError(
                _("Choose an area inside your own area (%(area)s).")
                % {"area": format_code(scope) or _("all of Indonesia")}
            )
        if len(code) == 10:
            raise forms.ValidationError(
                _("A batch serves a province, a regency/city or a district, not one village.")
            )
        if self.instance.pk and code and code != self.instance.region_code:
            outside = (
                self.instance.enrolments.filter(
                    status__in=(
                        EnrolmentStatus.APPLIED,
                        EnrolmentStatus.ENROLLED,
                        EnrolmentStatus.WAITLISTED,
                    )
                )
                .exclude(prefix_q("region_code", code))
                .count()
            )
            if outside:
                raise forms.ValidationError(
                    _(
                        "%(n)d workers on this batch's list live outside that area; "
                        "withdraw them first or keep the wider area."
                    )
                    % {"n": outside}
                )
        return code

    def clean_venue_code(self):
        code = self.cleaned_data["venue_code"]
        if len(code) != 10:
            raise forms.ValidationError(_("Choose the village or kelurahan of the venue."))
        return code

    def clean_quota(self):
        quota = self.cleaned_data["quota"]
        if quota is not None and quota < self.enrolled_count:
            raise forms.ValidationError(
                _("%(n)d workers already hold a seat; withdraw some first or keep more seats.")
                % {"n": self.enrolled_count}
            )
        return quota

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends:
            if ends < starts:
                self.add_error("ends_on", _("The last day cannot be before the first day."))
            elif self.instance.pk:
                outside = TrainingSession.objects.filter(batch=self.instance).exclude(
                    on__range=(starts, ends)
                )
                if outside.exists():
                    self.add_error(
                        None,
                        _(
                            "Some sessions fall outside these dates. Move or remove them on the "
                            "sessions page first."
                        ),
                    )
        return data

    def save(self, commit=True):
        self.instance.venue = Village.objects.get(code=self.cleaned_data["venue_code"])
        return super().save(commit)


class SeatQuotaForm(forms.Form):
    region = forms.ChoiceField(label=_("Province or regency"), required=False)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, required=False)

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("— Choose a region —")), *region_choices]

    def clean(self):
        data = super().clean()
        region, seats = data.get("region"), data.get("seats")
        if seats is None:
            # A row without seats is empty (the picker may have pre-filled the region).
            data["region"] = ""
            return data
        if not region:
            self.add_error("region", _("Choose the province or regency these seats are for."))
        elif len(region) not in (2, 4):
            self.add_error("region", _("Seats are reserved for a province or a regency/city."))
        return data


class BaseSeatQuotaFormSet(forms.BaseFormSet):
    """Seat quotas of one batch; `area` and `quota` come from the batch form."""

    area = ""
    quota = None

    def clean(self):
        if any(self.errors):
            return
        seen, total = set(), 0
        for form in self.forms:
            region, seats = form.cleaned_data.get("region"), form.cleaned_data.get("seats")
            if not region:
                continue
            if region in seen:
                form.add_error("region", _("This region has two rows; keep one."))
                continue
            seen.add(region)
            if self.area and not region.startswith(self.area):
                form.add_error("region", _("This region is outside the area the batch serves."))
            total += seats
        if self.quota is not None and total > self.quota:
            raise forms.ValidationError(
                _("The reserved seats (%(total)d) are more than all seats (%(quota)d).")
                % {"total": total, "quota": self.quota}
            )

    def rows(self):
        return [
            (f.cleaned_data["region"], f.cleaned_data["seats"])
            for f in self.forms
            if f.cleaned_data.get("region")
        ]


def seat_quota_formset(data=None, batch=None, *, user, extra=2):
    choices = area_choices(user, for_seats=True)
    initial = []
    if batch is not None and batch.pk:
        initial = [
            {"region": q.region_code, "seats": q.seats}
            for q in SeatQuota.objects.filter(batch=batch).order_by("region_code")
        ]
    formset_class = forms.formset_factory(
        SeatQuotaForm, formset=BaseSeatQuotaFormSet, extra=extra, max_num=40, validate_max=True
    )
    known = choice_values(choices)
    extra_choices = [(row["region"], area_label(row["region"])) for row in initial]
    choices = [c for c in extra_choices if c[0] not in known] + list(choices)
    return formset_class(
        data, initial=initial, prefix="quota", form_kwargs={"region_choices": choices}
    )


class SessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ["on", "title"]
        widgets = {"on": DateInput}


class BaseSessionFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, batch, **kwargs):
        self.batch = batch
        super().__init__(*args, queryset=TrainingSession.objects.filter(batch=batch), **kwargs)

    def clean(self):
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            on = form.cleaned_data.get("on")
            if on and not self.batch.starts_on <= on <= self.batch.ends_on:
                form.add_error(
                    "on",
                    _("The batch runs from %(start)s to %(end)s.")
                    % {
                        "start": self.batch.starts_on.strftime("%d-%m-%Y"),
                        "end": self.batch.ends_on.strftime("%d-%m-%Y"),
                    },
                )

    def save_new(self, form, commit=True):
        form.instance.batch = self.batch
        return super().save_new(form, commit)


def session_formset(data=None, batch=None):
    extra = 1 if batch.sessions.exists() else 3
    formset_class = forms.modelformset_factory(
        TrainingSession,
        form=SessionForm,
        formset=BaseSessionFormSet,
        extra=extra,
        can_delete=True,
        max_num=100,
        validate_max=True,
    )
    return formset_class(data, batch=batch, prefix="session")


# ---- participants -----------------------------------------------------------------------------


class NominationForm(forms.Form):
    """Search among the user's workers, then nominate the chosen ones."""

    q = forms.CharField(label=_("Name or full NIK"), required=False, max_length=100)
    untrained = forms.BooleanField(label=_("Only workers without basic training"), required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. ill, moved away, asked to leave")}),
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        required=False,
        max_length=255,
        help_text=_("Needed when you refuse; the worker sees it."),
    )


# ---- results upload ---------------------------------------------------------------------------

RESULT_FILE_TYPES = (".xlsx", ".xls", ".ods", ".csv")


class ResultsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel (.xlsx, .xls), OpenDocument (.ods) or CSV; at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(RESULT_FILE_TYPES)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(RESULT_FILE_TYPES):
            raise forms.ValidationError(
                _("Upload an Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file.")
            )
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
