"""The award pages: the award home, setting up a cycle (national administrator), the public
results page and the good-practice library. Nominations live in views_nominations.py, the jury
in views_jury.py, rankings and appeals in views_ranking.py.

Every view over region-bound rows starts from `visible_to(user)` (out of scope = 404) and checks
the permission (403). The award's rules are in services*.py; pages only call them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mitra.core.categories import WorkerKind
from mitra.training.views_certificates import public_route

from . import services, services_ui
from .forms import CriterionFormSet, CycleForm, LibrarySearchForm, stage_forms
from .models import AwardCycle, Criterion, Level, Stage

GET_POST = require_http_methods(["GET", "POST"])
LIBRARY_PAGE = 20


def perm(name: str):
    return permission_required(name, raise_exception=True)


def refusal(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def add_errors(form, exc: ValidationError, aliases: dict | None = None) -> None:
    """Put a service's refusal on the form: on its field when the service named one (`aliases`
    maps a service's field name to the form's where they differ)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            name = (aliases or {}).get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# ---- award home -----------------------------------------------------------------------------------


@login_required
@perm("awards.view_cycle")
@require_GET
def index(request):
    user = request.user
    today = timezone.localdate()
    cycles = list(AwardCycle.objects.prefetch_related("stages").order_by("-year", "worker_kind"))
    rows = [
        {"cycle": c, "stages": services_ui.home_stages(user, c, today), "current": i == 0}
        for i, c in enumerate(cycles)
    ]
    return render(
        request,
        "awards/index.html",
        {
            "rows": rows,
            "today": today,
            "appeals": services_ui.appeals_open_for(user, today),
            "to_decide": services.appeals_to_decide(user)
            .select_related("nomination__worker", "ranking__stage__cycle")
            .order_by("filed_at", "pk"),
            "published_years": [c.year for c in cycles if _national_published(c)],
        },
    )


def _national_published(cycle) -> bool:
    return any(s.level == Level.NATIONAL and s.published_at for s in cycle.stages.all())


# ---- cycle set-up (national administrator) --------------------------------------------------------


@login_required
@perm("awards.view_cycle")
@require_GET
def cycle_detail(request, pk):
    cycle = get_object_or_404(AwardCycle, pk=pk)
    stages = services_ui.home_stages(request.user, cycle)
    for row in stages:
        row.criteria = list(row.stage.criteria.all())
        row.weight_total = sum(c.weight for c in row.criteria)
        row.used = services_ui.stage_is_used(row.stage)
    return render(request, "awards/cycle_detail.html", {"cycle": cycle, "stages": stages})


def _cycle_form(request, cycle=None):
    data = request.POST if request.method == "POST" else None
    form = CycleForm(data, instance=cycle)
    stages = stage_forms(data, cycle)
    if data is not None:
        form_ok = form.is_valid()
        # Validate every stage form (not just up to the first bad one) so each shows its errors.
        checked = [f.is_valid() for f in stages]
        stages_ok = all(checked)
        if form_ok and stages_ok:
            obj = form.save(commit=False)
            if cycle is None:
                obj.worker_kind = WorkerKind.PSM
            rows = {f.level: dict(f.cleaned_data) for f in stages}
            try:
                services_ui.save_cycle(
                    obj, rows, request.user, version=form.cleaned_data.get("version")
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The cycle was saved. Check each stage's criteria and weights.")
                    if cycle is None
                    else _("The changes were saved."),
                )
                return redirect("awards:cycle_detail", pk=obj.pk)
    return render(
        request, "awards/cycle_form.html", {"form": form, "stages": stages, "cycle": cycle}
    )


@login_required
@perm("awards.manage_cycle")
@GET_POST
def cycle_create(request):
    return _cycle_form(request)


@login_required
@perm("awards.manage_cycle")
@GET_POST
def cycle_update(request, pk):
    return _cycle_form(request, get_object_or_404(AwardCycle, pk=pk))


@login_required
@perm("awards.manage_cycle")
@GET_POST
def criteria(request, stage_pk):
    stage = get_object_or_404(Stage.objects.select_related("cycle"), pk=stage_pk)
    used = services_ui.stage_is_used(stage)
    queryset = Criterion.objects.filter(stage=stage).order_by("position", "key")
    formset = CriterionFormSet(
        request.POST if request.method == "POST" else None, queryset=queryset, prefix="crit"
    )
    if request.method == "POST" and not used and formset.is_valid():
        try:
            services_ui.save_criteria(stage, formset.rows(), request.user)
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, _("The criteria of this stage were saved."))
            return redirect("awards:cycle_detail", pk=stage.cycle_id)
    elif request.method == "POST" and used:
        messages.error(
            request,
            _(
                "Jurors have already marked this stage or its ranking was published: its "
                "criteria can no longer change."
            ),
        )
    return render(
        request,
        "awards/criteria_form.html",
        {
            "stage": stage,
            "cycle": stage.cycle,
            "formset": formset,
            "used": used,
            "current_total": sum(c.weight for c in queryset),
        },
    )


# ---- public results (no login) --------------------------------------------------------------------


@public_route(
    "The published national results and the winners' stories: names, regency, province, award, "
    "innovation title and summary. No NIK, no village, no evidence figures, no scores."
)
@require_GET
def public_results(request, year):
    cycle = AwardCycle.objects.filter(year=year, worker_kind=WorkerKind.PSM).first()
    if cycle is None:
        raise Http404
    results = services.public_results(cycle)
    years = sorted(
        {
            c.year
            for c in AwardCycle.objects.filter(
                worker_kind=WorkerKind.PSM,
                stages__level=Level.NATIONAL,
                stages__published_at__isnull=False,
            )
        },
        reverse=True,
    )
    ranked = [r for r in results if r.get("award") in ("1", "2", "3")]
    mentions = [r for r in results if r.get("award") == "hm"]
    return render(
        request,
        "awards/public_results.html",
        {"cycle": cycle, "ranked": ranked, "mentions": mentions, "years": years},
    )


# ---- good-practice library -----------------------------------------------------------------------


@login_required
@perm("awards.view_practice")
@require_GET
def library(request):
    form = LibrarySearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    qs = services.practices(query).select_related("worker", "cycle")
    page = Paginator(qs, LIBRARY_PAGE).get_page(request.GET.get("page"))
    ctx = {"form": form, "page_obj": page, "query": query, "object_list": page.object_list}
    if request.htmx and request.htmx.target == "practice-list":
        return render(request, "awards/_practice_list.html", ctx)
    return render(request, "awards/library.html", ctx)


def stage_or_404(pk) -> Stage:
    return get_object_or_404(Stage.objects.select_related("cycle"), pk=pk)
