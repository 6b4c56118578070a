from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mitra.core.jobs import start_job
from mitra.core.scope import normalize_code, user_scope

from .models import MODEL_BY_LENGTH, District, Province, Regency, Village
from .services import breadcrumbs, child_rows

SEARCH_LIMIT = 30


def _visible_region(user, code: str):
    try:
        code = normalize_code(code)
    except ValueError:
        raise Http404 from None
    model = MODEL_BY_LENGTH.get(len(code))
    if model is None:
        raise Http404
    region = model.objects.visible_to(user).filter(code=code).first()
    if region is None:
        raise Http404
    return region


@login_required
@require_GET
def index(request):
    scope = user_scope(request.user)
    if scope:
        return redirect("regions:detail", code=scope)
    return _render_region(request, None)


@login_required
@require_GET
def detail(request, code):
    return _render_region(request, _visible_region(request.user, code))


def _render_region(request, region):
    q = request.GET.get("q", "").strip()[:100]
    rows = child_rows(region, q, user=request.user)
    ctx = {
        "region": region,
        "trail": breadcrumbs(region),
        "rows": rows,
        "q": q,
        "child_level": _child_level(region),
    }
    if request.htmx and request.htmx.target == "region-children":
        return render(request, "regions/_children.html", ctx)
    return render(request, "regions/region_detail.html", ctx)


def _child_level(region):
    if region is None:
        return Province
    return {"province": Regency, "regency": District, "district": Village}.get(region.level)


@login_required
@require_GET
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    results = []
    if len(q) >= 2:
        for model in (Province, Regency, District, Village):
            qs = model.objects.visible_to(request.user).search(q)
            if model is Regency:
                qs = qs.select_related("province")
            elif model is District:
                qs = qs.select_related("regency__province")
            elif model is Village:
                qs = qs.select_related("district__regency__province")
            found = list(qs[: SEARCH_LIMIT + 1])
            if found:
                results.append(
                    {
                        "model": model,
                        "rows": found[:SEARCH_LIMIT],
                        "more": len(found) > SEARCH_LIMIT,
                    }
                )
    template = "regions/_search_results.html" if request.htmx else "regions/search.html"
    return render(request, template, {"q": q, "results": results})


@login_required
@permission_required("regions.load_regions", raise_exception=True)
@require_POST
def reload(request):
    job = start_job(
        request.user,
        "regions.reload",
        _("Update the region tree from the official data"),
        "mitra.regions.tasks.reload_regions",
    )
    return redirect("core:job_detail", pk=job.pk)
