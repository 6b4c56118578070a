from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from mitra.api.pagination import Pagination
from mitra.core.scope import format_code, normalize_code

from .models import MODEL_BY_LENGTH, Province

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    dotted_code: str
    name: str
    level: str
    parent_code: str | None
    kind: str | None = None

    @staticmethod
    def resolve_dotted_code(obj):
        return format_code(obj.code)

    @staticmethod
    def resolve_parent_code(obj):
        return obj.code[: {2: 0, 4: 2, 6: 4, 10: 6}[len(obj.code)]] or None

    @staticmethod
    def resolve_kind(obj):
        return getattr(obj, "kind", None)


def _region(request, code: str):
    try:
        code = normalize_code(code)
    except ValueError:
        code = ""
    model = MODEL_BY_LENGTH.get(len(code))
    if model is None:
        from django.http import Http404

        raise Http404
    return get_object_or_404(model.objects.visible_to(request.auth), code=code)


@router.get("/provinces", response=list[RegionOut], summary="Provinces the caller may see")
def provinces(request):
    return Province.objects.visible_to(request.auth)


@router.get("/search", response=list[RegionOut], summary="Search regions by name or code")
@paginate(Pagination)
def search(request, q: str):
    rows = []
    for length in (2, 4, 6, 10):
        model = MODEL_BY_LENGTH[length]
        rows.extend(model.objects.visible_to(request.auth).search(q[:100])[:200])
    return rows


@router.get("/{code}", response=RegionOut, summary="One region")
def region_detail(request, code: str):
    return _region(request, code)


@router.get(
    "/{code}/children",
    response=list[RegionOut],
    summary="The regions one level below (for cascading pickers)",
)
def region_children(request, code: str):
    region = _region(request, code)
    children = region.children()
    if children is None:
        return []
    return children.visible_to(request.auth)
