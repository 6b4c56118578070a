"""The one region-scope mechanism.

A user has a scope code (empty = national). A row is in scope when its region code starts with that
code. The test is written as a half-open range (`code >= '3402' AND code < '3403'`) so that a plain
b-tree index serves it on SQLite and PostgreSQL alike; `LIKE '3402%'` would not on PostgreSQL without
a special operator class.

Every region-bound model's manager is built from `RegionScopedQuerySet`, and views, the API, exports,
dashboards, form choices and tasks start from `Model.objects.visible_to(user)`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from mitra.accounts.models import User

CODE_LENGTHS = (2, 4, 6, 10)
LEVEL_BY_LENGTH = {2: "province", 4: "regency", 6: "district", 10: "village"}
_CODE_RE = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{4})?)?)?$")


def normalize_code(raw: str) -> str:
    """Accept `34.02.09.2004` or `3402092004` and return the digit form; '' stays ''."""
    code = (raw or "").strip().replace(".", "")
    if code and not _CODE_RE.match(code):
        raise ValueError(raw)
    return code


def format_code(code: str) -> str:
    """Digit form to the dotted form people read: 3402092004 -> 34.02.09.2004."""
    parts = [code[0:2], code[2:4], code[4:6], code[6:10]]
    return ".".join(p for p in parts if p)


def ancestor_codes(code: str) -> list[str]:
    """The codes above `code`, nearest last: 3402092004 -> ['34', '3402', '340209']."""
    return [code[:n] for n in CODE_LENGTHS if n < len(code)]


def prefix_upper_bound(prefix: str) -> str:
    """The smallest digit string greater than every string that starts with `prefix`.

    Codes are digits only, so incrementing the last digit works; '99' -> ':' sorts after '9'.
    """
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose `field` starts with `prefix`, as an index-friendly range."""
    if not prefix:
        return Q()
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix_upper_bound(prefix)})


def code_in_scope(code: str | None, scope: str) -> bool:
    return scope == "" or (code or "").startswith(scope)


def user_scope(user: Any) -> str | None:
    """The user's scope code: '' for national, None for anonymous or inactive users (sees nothing)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.scope_code or ""


class RegionScopedQuerySet(models.QuerySet):
    """A queryset over rows bound to a region through `scope_field` (a digit code)."""

    scope_field = "region_code"
    # Rows that serve a wider area (a province's training batch, the national catalogue) are
    # visible from inside it: a row whose code is the user's scope's ancestor (or '') is shown too.
    include_ancestors = False

    def visible_to(self, user: User | None) -> RegionScopedQuerySet:
        scope = user_scope(user)
        if scope is None:
            return self.none()
        if not scope:
            qs = self.all()
        else:
            region = prefix_q(self.scope_field, scope)
            if self.include_ancestors:
                region |= Q(**{f"{self.scope_field}__in": ["", *ancestor_codes(scope)]})
            beyond = self.beyond_region(user)
            qs = self.filter(region if beyond is None else region | beyond)
        return self.narrow_for_role(qs, user)

    def beyond_region(self, user: User) -> Q | None:
        """Rows outside the user's area that they still see for a reason other than the region
        (a PSM's case handed over from another village: ADR 0012). None: the region alone.
        Only for rows bound to one person; supervisors and officers stay inside their area."""
        return None

    def managed_by(self, user: User | None) -> RegionScopedQuerySet:
        """Rows inside the user's own area only (for changing them), never the wider ones."""
        scope = user_scope(user)
        if scope is None:
            return self.none()
        return self.filter(prefix_q(self.scope_field, scope)) if scope else self.all()

    def narrow_for_role(self, qs: RegionScopedQuerySet, user: User) -> RegionScopedQuerySet:
        """Hook for models whose rows some roles see only in part (a PSM sees only their own)."""
        return qs

    def in_region(self, code: str) -> RegionScopedQuerySet:
        """Rows inside a region (a filter, not an access rule: combine with visible_to)."""
        return self.filter(prefix_q(self.scope_field, code)) if code else self.all()
