"""Forms of the activity-report pages, and the one filter the pages and the API share."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core.forms import label_blank_choice
from mitra.core.scope import normalize_code, prefix_q
from mitra.regions.models import Village

from .models import ActivityReport, ActivityType, ReportStatus

REACHED_FIELDS = (
    "reached_children_m",
    "reached_children_f",
    "reached_adults_m",
    "reached_adults_f",
    "reached_elderly_m",
    "reached_elderly_f",
)


class ReportForm(forms.ModelForm):
    """A PSM's draft report: what was done, where (a village inside their area), for how many."""

    village = forms.ModelChoiceField(
        queryset=Village.objects.none(),
        label=_("Village"),
        empty_label=_("— Choose a village —"),
    )

    class Meta:
        model = ActivityReport
        fields = ("on", "village", "activity_type", "description", *REACHED_FIELDS)
        widgets = {
            "on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.visible_to(user).order_by("name")
        label_blank_choice(self.fields["activity_type"], _("— Choose the activity —"))
        if not self.instance.pk:
            self.initial.setdefault("village", worker.village_id)
            self.initial.setdefault("on", timezone.localdate())
        for name in REACHED_FIELDS:
            self.fields[name].widget.attrs.update({"min": 0, "inputmode": "numeric"})

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on and on > timezone.localdate():
            raise ValidationError(_("The date is in the future."))
        return on


class VerifyForm(forms.Form):
    """The TKSK's decision on one submitted report."""

    decision = forms.ChoiceField(choices=(("verify", _("Verify")), ("return", _("Return"))))
    reason = forms.CharField(label=_("What must be corrected"), max_length=255, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReportFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *ReportStatus.choices]
    )
    type = forms.ChoiceField(
        label=_("Activity"), required=False, choices=[("", _("All")), *ActivityType.choices]
    )
    month = forms.RegexField(
        label=_("Month"),
        required=False,
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    region = forms.CharField(label=_("Region code"), required=False, max_length=14)
    late = forms.BooleanField(label=_("Waiting for verification for over 14 days"), required=False)

    def clean_region(self):
        try:
            return normalize_code(self.cleaned_data.get("region") or "")
        except ValueError:
            raise ValidationError(
                _("Write a region code like 34, 34.02, 34.02.09 or 34.02.09.2004.")
            ) from None


# A submitted report the TKSK has not verified after this many days is late: the officers' to-do.
REPORT_LATE_DAYS = 14


def late_reports(reports, now=None):
    """Reports waiting for verification for more than REPORT_LATE_DAYS since they were sent."""
    now = now or timezone.now()
    return reports.filter(
        status=ReportStatus.SUBMITTED,
        submitted_at__lt=now - datetime.timedelta(days=REPORT_LATE_DAYS),
    )


def filtered_reports(user, data):
    """The reports a user may see, narrowed by the list filters (pages and API alike)."""
    form = ReportFilterForm(data or None)
    qs = ActivityReport.objects.visible_to(user)
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        if cd["status"]:
            qs = qs.filter(status=cd["status"])
        if cd["type"]:
            qs = qs.filter(activity_type=cd["type"])
        if cd["month"]:
            year, month = (int(x) for x in cd["month"].split("-"))
            start = datetime.date(year, month, 1)
            end = (start + datetime.timedelta(days=32)).replace(day=1)
            qs = qs.filter(on__gte=start, on__lt=end)
        if cd["region"]:
            qs = qs.filter(prefix_q("region_code", cd["region"]))
        if cd["late"]:
            qs = late_reports(qs)
    return form, qs.select_related("worker", "village").order_by("-on", "-created_at", "pk")
