"""Forms of the award pages. They check the shape of what people type (dates, numbers, files);
the award's rules (eligibility, conflict of interest, locking, windows) stay in the services."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitra.accounts.roles import Role
from mitra.core.forms import label_blank_choice
from mitra.core.uploads import check_upload
from mitra.workers.forms import MAX_PHOTO_BYTES, MAX_SCAN_BYTES, VersionField

from .models import LEVEL_ORDER, AwardCycle, Criterion, FileKind, Level, Metric, Source

MAX_FILES = 10


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


# ---- cycle set-up --------------------------------------------------------------------------------


class CycleForm(forms.ModelForm):
    # The version the editor read (ADR 0010); a new cycle has none.
    version = VersionField(required=False)

    class Meta:
        model = AwardCycle
        fields = [
            "year",
            "title",
            "period_start",
            "period_end",
            "min_tenure_years",
            "exclusion_years",
            "description",
        ]
        widgets = {
            "period_start": DateInput,
            "period_end": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("version") is None:
            # A form without the version cannot show it is not overwriting someone's change:
            # the same answer as a stale one.
            data["version"] = 0
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The evaluated period ends before it starts."))
        return data


class StageForm(forms.Form):
    """The dates and counts of one stage (one per level, with the level as prefix)."""

    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=gettext_lazy("Closes on"), widget=DateInput)
    advance_count = forms.IntegerField(
        label=gettext_lazy("Candidates who advance"), min_value=1, max_value=50, initial=1
    )
    honourable_mentions = forms.IntegerField(
        label=gettext_lazy("Honourable mentions"), min_value=0, max_value=20, initial=0
    )
    appeal_days = forms.IntegerField(
        label=gettext_lazy("Appeal window (days)"), min_value=0, max_value=60, initial=7
    )

    def __init__(self, *args, level: str, **kwargs):
        super().__init__(*args, prefix=level, **kwargs)
        self.level = level
        self.level_label = Level(level).label
        if level == Level.NATIONAL:
            self.fields["advance_count"].label = _("Ranks awarded (I, II, III...)")
            self.fields["advance_count"].initial = 3
            self.fields["honourable_mentions"].initial = 3
        else:
            del self.fields["honourable_mentions"]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The stage closes before it opens."))
        return data


def stage_forms(data, cycle=None) -> list[StageForm]:
    existing = {s.level: s for s in cycle.stages.all()} if cycle else {}
    forms_ = []
    for level in LEVEL_ORDER:
        stage = existing.get(level)
        initial = (
            {
                "opens_on": stage.opens_on,
                "closes_on": stage.closes_on,
                "advance_count": stage.advance_count,
                "honourable_mentions": stage.honourable_mentions,
                "appeal_days": stage.appeal_days,
            }
            if stage
            else None
        )
        forms_.append(StageForm(data, level=level, initial=initial))
    return forms_


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["label", "weight", "source", "metric", "scale_min", "scale_max", "rubric"]
        widgets = {"rubric": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", _("— (jury criterion) —")), *Metric.choices]
        label_blank_choice(self.fields["source"], _("— Choose where the mark comes from —"))
        self.fields["weight"].widget.attrs.update({"min": "0.01", "step": "0.01"})

    def clean(self):
        data = super().clean()
        source, metric = data.get("source"), data.get("metric")
        if source == Source.COMPUTED and not metric:
            self.add_error("metric", _("Choose the figure a computed criterion is taken from."))
        if source == Source.JUROR:
            data["metric"] = ""
            low, high = data.get("scale_min"), data.get("scale_max")
            if low is not None and high is not None and high <= low:
                self.add_error("scale_max", _("The highest mark must be above the lowest."))
            if not (data.get("rubric") or "").strip():
                self.add_error("rubric", _("Tell the jurors how to mark: write the rubric."))
        weight = data.get("weight")
        if weight is not None and weight <= 0:
            self.add_error("weight", _("A weight must be more than 0."))
        return data


class BaseCriterionFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = self.rows()
        if not rows:
            raise ValidationError(_("A stage needs at least one criterion."))
        total = sum((r["weight"] for r in rows), Decimal(0))
        if total != Decimal(100):
            raise ValidationError(
                _("The weights add up to %(total)s; they must add up to exactly 100.")
                % {"total": f"{total.normalize():f}".replace(".", ",")},
                code="weights",
            )

    def rows(self) -> list[dict]:
        out = []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            if not data:
                continue
            out.append({name: data[name] for name in CriterionForm.Meta.fields})
        return out


CriterionFormSet = forms.modelformset_factory(
    Criterion,
    form=CriterionForm,
    formset=BaseCriterionFormSet,
    extra=2,
    can_delete=True,
    max_num=20,
)


# ---- nomination ----------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class PortfolioForm(forms.Form):
    innovation_title = forms.CharField(
        label=gettext_lazy("Title of the innovation"), max_length=200
    )
    innovation_summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Two or three sentences. Shown on the public results page if the candidate wins: "
            "no names of beneficiaries, no health or family details."
        ),
    )
    innovation_text = forms.CharField(
        label=gettext_lazy("The innovation, written out"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "What the problem was, what the worker did, with whom, and what changed. Winners' "
            "write-ups go into the good-practice library."
        ),
    )
    testimony = forms.CharField(
        label=gettext_lazy("Community testimony"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    documents = MultipleFileField(
        label=gettext_lazy("Documents"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        help_text=gettext_lazy("PDF, JPEG or PNG, at most 5 MB each."),
    )
    photos = MultipleFileField(
        label=gettext_lazy("Photos of the work"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=gettext_lazy("JPEG or PNG, at most 2 MB each."),
    )

    def clean_documents(self):
        files = self.cleaned_data.get("documents") or []
        return [
            check_upload(f, ("pdf", "jpg", "png"), MAX_SCAN_BYTES, "PDF/JPEG/PNG") for f in files
        ]

    def clean_photos(self):
        files = self.cleaned_data.get("photos") or []
        return [check_upload(f, ("jpg", "png"), MAX_PHOTO_BYTES, "JPEG/PNG") for f in files]

    def clean(self):
        data = super().clean()
        if len(data.get("documents") or []) + len(data.get("photos") or []) > MAX_FILES:
            raise ValidationError(
                _("At most %(n)d files at a time.") % {"n": MAX_FILES}, code="too_many"
            )
        return data

    def uploads(self) -> list[tuple[str, object]]:
        data = self.cleaned_data
        return [(FileKind.DOCUMENT, f) for f in data.get("documents") or []] + [
            (FileKind.PHOTO, f) for f in data.get("photos") or []
        ]

    def portfolio(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("innovation_title", "innovation_summary", "innovation_text", "testimony")
        }


class PortfolioEditForm(PortfolioForm):
    version = VersionField()


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)
    version = VersionField()


# ---- jury ----------------------------------------------------------------------------------------


class AssignForm(forms.Form):
    juror = forms.ModelChoiceField(
        label=gettext_lazy("Juror"), queryset=None, empty_label=gettext_lazy("— Choose a juror —")
    )
    region_code = forms.ChoiceField(label=gettext_lazy("Region the juror scores"))
    home_region_code = forms.ChoiceField(
        label=gettext_lazy("Juror's own regency/city"),
        help_text=gettext_lazy("Candidates from here are never given to this juror."),
    )

    def __init__(self, *args, stage, user, **kwargs):
        super().__init__(*args, **kwargs)
        from mitra.accounts.models import User

        self.stage = stage
        self.fields["juror"].queryset = User.objects.filter(
            role=Role.JUROR, is_active=True
        ).order_by("full_name", "username")
        self.fields["juror"].label_from_instance = lambda u: u.full_name or u.username
        self.fields["region_code"].choices = _ranking_regions(stage, user.scope_code or "")
        # The national ranking's region is '' (a real choice, not a missing one).
        self.fields["region_code"].required = stage.group_code_length > 0
        self.fields["home_region_code"].choices = [
            ("", _("— Choose a regency/city —")),
            *_regencies_by_province(),
        ]

    def clean_region_code(self):
        return self.cleaned_data.get("region_code") or ""


def _ranking_regions(stage, scope: str) -> list[tuple[str, str]]:
    """The rankings of the stage inside the officer's area: their regencies, provinces, or the
    national ranking."""
    from mitra.core.scope import format_code, prefix_q
    from mitra.regions.models import Province, Regency

    length = stage.group_code_length
    if length == 0:
        return [("", _("National (all of Indonesia)"))]
    model = Regency if length == 4 else Province
    rows = model.objects.filter(prefix_q("code", scope)).order_by("code")
    if len(scope) > length:
        rows = model.objects.filter(code=scope[:length])
    return [(r.code, f"{r.name} ({format_code(r.code)})") for r in rows]


def _regencies_by_province() -> list:
    from mitra.core.scope import format_code
    from mitra.regions.models import Regency

    groups: dict = {}
    for r in Regency.objects.select_related("province").order_by("code"):
        groups.setdefault(r.province.name, []).append((r.code, f"{r.name} ({format_code(r.code)})"))
    return list(groups.items())


# ---- scoring --------------------------------------------------------------------------------------


class ScoreForm(forms.Form):
    """One mark and one comment per juror criterion of the stage."""

    version = VersionField(required=False)

    def __init__(self, *args, criteria, sheet=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        saved = {}
        if sheet is not None and sheet.pk:
            saved = {s.criterion_id: s for s in sheet.scores.all()}
            self.initial.setdefault("version", sheet.version)
        self.rows = []
        for c in self.criteria:
            value = forms.DecimalField(
                label=_("Mark"),
                required=False,
                min_value=c.scale_min,
                max_value=c.scale_max,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={"step": "0.5", "min": c.scale_min, "max": c.scale_max}
                ),
            )
            comment = forms.CharField(
                label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"value_{c.key}"] = value
            self.fields[f"comment_{c.key}"] = comment
            if c.pk in saved:
                self.initial.setdefault(f"value_{c.key}", saved[c.pk].value)
                self.initial.setdefault(f"comment_{c.key}", saved[c.pk].comment)
            self.rows.append(
                {
                    "criterion": c,
                    "value": self[f"value_{c.key}"],
                    "comment": self[f"comment_{c.key}"],
                }
            )

    def values(self) -> dict:
        out = {}
        for c in self.criteria:
            value = self.cleaned_data.get(f"value_{c.key}")
            comment = (self.cleaned_data.get(f"comment_{c.key}") or "").strip()
            if value is None and not comment:
                continue
            out[c.key] = {"value": value, "comment": comment}
        return out


# ---- ranking and appeals -------------------------------------------------------------------------


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Grounds of the appeal"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Which number is wrong and why, with the evidence that shows it."),
    )


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("1", gettext_lazy("Uphold: recompute and publish a new revision")),
            ("0", gettext_lazy("Reject: the ranking stays")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the decision"), widget=forms.Textarea(attrs={"rows": 4})
    )
    version = VersionField()


class LibrarySearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
