"""The batch list's filters and the names of the areas batches serve (shared by the list, the
batch form and the templates)."""

import functools

from django import forms
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from mitra.core.scope import format_code, user_scope
from mitra.regions.models import region_for_code

from .models import BatchStatus, Course, Enrolment, EnrolmentStatus

# ---- the batch list's filters -----------------------------------------------------------------


class BatchFilterForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"), required=False, queryset=Course.objects.none(), empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    area = forms.ChoiceField(label=_("Organiser's area"), required=False)
    applications = forms.ChoiceField(
        label=_("Applications"),
        required=False,
        choices=[("", _("All")), ("waiting", _("Waiting for your decision"))],
    )

    def __init__(self, data, *, batches, user=None):
        super().__init__(data)
        self.user = user
        self.fields["course"].queryset = Course.objects.filter(
            pk__in=batches.values("course_id")
        ).order_by("level", "code")
        self.fields["status"].choices = [
            ("", _("All")),
            ("current", _("Planned, open or running")),
            *BatchStatus.choices,
        ]
        years = sorted({d.year for d in batches.dates("starts_on", "year")}, reverse=True)
        self.fields["year"].choices = [("", _("All"))] + [(y, str(y)) for y in years]
        codes = sorted(
            set(batches.order_by().values_list("region_code", flat=True).distinct()),
            key=lambda c: (len(c), c),
        )
        self.fields["area"].choices = [("", _("All"))] + [
            (c if c else "national", area_label(c)) for c in codes
        ]

    def filter(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["course"]:
            qs = qs.filter(course=data["course"])
        if data["status"] == "current":
            qs = qs.filter(status__in=(BatchStatus.PLANNED, BatchStatus.OPEN, BatchStatus.RUNNING))
        elif data["status"]:
            qs = qs.filter(status=data["status"])
        if data["year"]:
            qs = qs.filter(starts_on__year=data["year"])
        if data["area"]:
            qs = qs.filter(region_code="" if data["area"] == "national" else data["area"])
        if data["applications"] == "waiting":
            qs = with_applications_waiting(qs, self.user)
        return qs


def applications_waiting(user):
    """PSM applications for a place that the user may accept or refuse: those of the workers
    they see (services.decide_application needs training.enrol_worker besides)."""
    if user is None or not user.has_perm("training.enrol_worker"):
        return Enrolment.objects.none()
    return Enrolment.objects.visible_to(user).filter(status=EnrolmentStatus.APPLIED)


def with_applications_waiting(batches, user):
    """The batches (a scoped queryset) holding at least one application the user may decide:
    the batch list's filter and the home's to-do count."""
    return batches.filter(pk__in=applications_waiting(user).values("batch_id"))


def area_choices(user, *, for_seats: bool = False) -> list:
    """The areas a user's batch may serve: their own area and the level below it (for a national
    user: the provinces and their regencies, grouped). `for_seats`: provinces and regencies only,
    the levels a seat quota is kept for."""
    from mitra.regions.models import District, Province, Regency

    scope = user_scope(user)
    if scope is None:
        return []
    if not scope:
        regencies: dict[str, list] = {}
        for r in Regency.objects.order_by("code").only("code", "name", "province_id"):
            regencies.setdefault(r.province_id, []).append((r.code, _option(r)))
        groups = [] if for_seats else [("", str(_("National (all of Indonesia)")))]
        for p in Province.objects.order_by("code"):
            groups.append((p.name, [(p.code, _option(p)), *regencies.get(p.code, [])]))
        return groups
    own = [(scope, area_label(scope))]
    if len(scope) == 2:
        return own + [(r.code, _option(r)) for r in Regency.objects.filter(province_id=scope)]
    if len(scope) == 4:
        if for_seats:
            return own
        return own + [(d.code, _option(d)) for d in District.objects.filter(regency_id=scope)]
    return [] if for_seats else own


def _option(region) -> str:
    return f"{region.name} ({format_code(region.code)})"


def choice_values(choices) -> set[str]:
    values = set()
    for value, label in choices:
        if isinstance(label, list | tuple):
            values.update(v for v, _label in label)
        else:
            values.add(value)
    return values


def area_label(code: str) -> str:
    """A region code as people name it: 'Kabupaten Bantul (34.02)', or 'National'."""
    if not code:
        return str(_("National (all of Indonesia)"))
    return f"{_region_name(code)} ({format_code(code)})"


@functools.lru_cache(maxsize=1024)
def _region_name(code: str) -> str:
    # Region names are reference data (the official tree): safe to keep for the process.
    region = region_for_code(code)
    return region.name if region else "?"


def batch_counts(qs):
    """Annotate a batch queryset with the number of seats taken, waiting and applied.

    One small counting subquery per batch shown, not a GROUP BY over every enrolment of every
    batch before the page is cut (PostgreSQL evaluates these after the sort and LIMIT)."""

    def count(status):
        rows = (
            Enrolment.objects.filter(batch=OuterRef("pk"), status=status)
            .order_by()
            .values("batch")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows), 0)

    return qs.annotate(
        enrolled_count=count(EnrolmentStatus.ENROLLED),
        waiting_count=count(EnrolmentStatus.WAITLISTED),
        applied_count=count(EnrolmentStatus.APPLIED),
    )
