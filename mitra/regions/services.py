"""Reading the region tree within a user's scope."""

from django.db.models import Count

from mitra.core.scope import prefix_q, user_scope

from .models import MODEL_BY_LENGTH, District, Province, Regency, Village

LEVEL_MODELS = [Province, Regency, District, Village]


def area_summary(user) -> dict:
    """How many regions of each level lie in the user's area, and the area itself."""
    scope = user_scope(user) or ""
    counts = {}
    for model in LEVEL_MODELS:
        if len(scope) >= {"province": 2, "regency": 4, "district": 6, "village": 10}[model.level]:
            continue
        counts[model.level] = model.objects.filter(prefix_q("code", scope)).count()
    area = MODEL_BY_LENGTH[len(scope)].objects.filter(code=scope).first() if scope else None
    return {"area": area, "counts": counts}


def child_rows(region, text: str = "", *, user):
    """The children of a region (or the provinces, for None) that `user` may open, with how many
    children each has. On a region above the user's scope (the path to it) that is only the
    child on that path, as in the API."""
    if region is None:
        qs = Province.objects.all()
    else:
        qs = region.children()
        if qs is None:
            return Village.objects.none()
    qs = qs.visible_to(user).search(text)
    if region is None:
        return qs.annotate(n_children=Count("regencies", distinct=True))
    if region.level == "province":
        return qs.annotate(n_children=Count("districts", distinct=True))
    if region.level == "regency":
        return qs.annotate(n_children=Count("villages", distinct=True))
    return qs


def breadcrumbs(region) -> list:
    trail = []
    while region is not None:
        trail.append(region)
        region = region.parent
    return list(reversed(trail))
