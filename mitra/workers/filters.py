"""The worker list's filters, shared by the list page, the export and the API."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core import crypto
from mitra.core.categories import SEX_CHOICES, WorkerKind
from mitra.core.forms import RegionCodeField
from mitra.core.nik import NikError, clean_nik_text
from mitra.core.scope import prefix_q

from .models import Status
from .services import name_key

AGE_BANDS = [
    ("18-29", _("18-29 years")),
    ("30-39", _("30-39 years")),
    ("40-49", _("40-49 years")),
    ("50-59", _("50-59 years")),
    ("60-", _("60 years and over")),
    ("-17", _("under 18")),
]


class WorkerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or NIK"), required=False, max_length=100)
    region = RegionCodeField(label=_("Region"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + WorkerKind.choices
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses"))] + Status.choices
    )
    trained = forms.ChoiceField(
        label=_("Basic training"),
        required=False,
        choices=[("", _("All")), ("yes", _("completed")), ("no", _("not yet"))],
    )
    age = forms.ChoiceField(
        label=_("Age"), required=False, choices=[("", _("All ages"))] + AGE_BANDS
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", _("All"))] + SEX_CHOICES)


def _birth_date_range(band: str, today: datetime.date):
    """Birth dates of people whose age on `today` is in the band 'lo-hi' (either end open)."""
    lo, hi = band.split("-")
    q = Q()
    if lo:
        # age >= lo  <=>  born on or before today minus lo years
        q &= Q(birth_date__lte=_years_before(today, int(lo)))
    if hi:
        # age <= hi  <=>  born after today minus (hi + 1) years
        q &= Q(birth_date__gt=_years_before(today, int(hi) + 1))
    return q


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def apply_filters(qs, data: dict):
    """Filter a worker queryset (already scoped by visible_to) by cleaned filter values."""
    q = (data.get("q") or "").strip()
    if q:
        digits = q.replace(" ", "").replace(".", "")
        if digits.isdigit() and len(digits) == 16:
            try:
                qs = qs.filter(nik_hash=crypto.blind_index(clean_nik_text(digits)))
            except NikError:
                qs = qs.none()
        else:
            qs = qs.filter(Q(name_key__contains=name_key(q)) | Q(full_name__icontains=q))
    if data.get("region"):
        qs = qs.filter(prefix_q("region_code", data["region"]))
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("trained") == "yes":
        qs = qs.filter(basic_training_on__isnull=False)
    elif data.get("trained") == "no":
        qs = qs.filter(basic_training_on__isnull=True)
    if data.get("age"):
        qs = qs.filter(_birth_date_range(data["age"], timezone.localdate()))
    if data.get("sex"):
        qs = qs.filter(sex=data["sex"])
    return qs


# A search text (a name or a NIK) never travels in a URL: the list page turns it into this
# encrypted token, which links (pages, sorting, exports) carry instead of `q`.
SEARCH_PARAM = "s"


def search_token(text: str) -> str:
    return crypto.encrypt(text)


def with_search(params):
    """The parameters with `q` restored from the encrypted search token, if one is given."""
    if not params or params.get("q") or not params.get(SEARCH_PARAM):
        return params
    try:
        text = crypto.decrypt(params[SEARCH_PARAM])
    except ValueError:
        return params  # a token from another installation or a mangled link: no search
    params = params.copy()
    params["q"] = text
    return params


def filtered_workers(user, params) -> tuple[WorkerFilterForm, object]:
    """The scoped, filtered list for a user and request parameters (invalid filters are ignored
    and shown as errors on the form)."""
    from .models import Worker

    form = WorkerFilterForm(with_search(params) or None)
    qs = Worker.objects.visible_to(user).registered()
    if form.is_bound and form.is_valid():
        qs = apply_filters(qs, form.cleaned_data)
    return form, qs


def identity_requests(user, state: str = ""):
    """Identity-correction requests about workers the user sees (the request list, the worker
    list's badge and the home's to-do count), in one state or all."""
    from .models import IdentityChangeRequest, Worker

    qs = IdentityChangeRequest.objects.visible_to(user).filter(
        worker__in=Worker.objects.visible_to(user)
    )
    return qs.filter(state=state) if state else qs
