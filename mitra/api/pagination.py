from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase

from .counts import list_count


class Pagination(PaginationBase):
    """limit/offset pages with the total, the shape every list endpoint returns."""

    MAX_LIMIT = 500

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500, description="Rows per page (1-500).")
        offset: int = Field(0, ge=0, description="Rows to skip.")

    class Output(Schema):
        items: list
        count: int = Field(
            description="Rows in all pages. Exact up to 10,000; beyond that it may be up to "
            "a minute old (counted once a minute per list and filter)."
        )
        limit: int
        offset: int

    def paginate_queryset(self, queryset, pagination: Input, **params):
        if pagination.offset > 10_000_000:
            raise HttpError(400, _("Offset is too large."))
        return {
            "items": list(queryset[pagination.offset : pagination.offset + pagination.limit]),
            "count": list_count(queryset) if hasattr(queryset, "query") else len(queryset),
            "limit": pagination.limit,
            "offset": pagination.offset,
        }
