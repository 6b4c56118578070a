"""Helpers the field-work API modules share: permission checks, strict bodies, the version a
writer read (If-Match or `version`), PMKS numbers, dates and region codes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict

from mitra.core.batch import memo
from mitra.core.models import PmksCategory
from mitra.core.scope import normalize_code

SENSITIVE = "cases.view_sensitive"


def require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def may_see_sensitive(context) -> bool:
    return context["request"].auth.has_perm(SENSITIVE)


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


def refuse_extra_fields(payload: Body) -> None:
    extra = payload.model_extra or {}
    if extra:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(extra)})


def expected_version(if_match: str | None, body_version: int | None) -> int:
    if if_match:
        try:
            return int(if_match.strip().removeprefix("W/").strip('"'))
        except ValueError:
            raise ValidationError(
                {"If-Match": _('If-Match must hold the record\'s version, e.g. "3".')}
            ) from None
    if body_version is None:
        raise HttpError(
            428,
            _(
                "Send the version you last read, in the If-Match header or as `version`, so "
                "that you do not overwrite someone else's change."
            ),
        )
    return body_version


def pmks_categories(numbers: list[int], field: str = "categories") -> list[PmksCategory]:
    wanted = set(numbers)
    # Official numbers are small; a number past the database's integer range (SQLite: 64 bits)
    # must read as unknown, not fail in the driver.
    plausible = frozenset(n for n in wanted if 0 < n < 10_000)
    found = list(
        memo(
            ("pmks_categories", plausible),
            lambda: list(PmksCategory.objects.filter(number__in=plausible)),
        )
    )
    unknown = sorted(wanted - {c.number for c in found})
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown PMKS category number: %(numbers)s.")
                % {"numbers": ", ".join(str(n) for n in unknown)}
            }
        )
    return found


def not_in_future(field: str, value) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: _("The date is in the future.")})


def region_code(raw: str | None) -> str:
    try:
        return normalize_code(raw or "")
    except ValueError:
        raise ValidationError(
            {"region": _("Write a region code like 34, 34.02, 34.02.09 or 34.02.09.2004.")}
        ) from None
