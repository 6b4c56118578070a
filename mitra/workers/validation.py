"""Validation of a worker's data, shared by the form, the API and the importer."""

import datetime
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.core.nik import NikError, validate_nik
from mitra.core.scope import format_code
from mitra.regions.models import District, Regency

OLDEST_BIRTH_YEAR = 1900


@cache
def _known_codes() -> frozenset[str]:
    """Regency and district codes, for the NIK's region prefix. Cached per process: the tree
    changes only with a new decree and a reload."""
    return frozenset(Regency.objects.values_list("code", flat=True)) | frozenset(
        District.objects.values_list("code", flat=True)
    )


def known_prefix(code: str) -> bool:
    return code in _known_codes()


def forget_known_codes() -> None:
    _known_codes.cache_clear()


def check_nik(nik, sex=None, birth_date=None) -> str:
    """The NIK's 16 digits, or ValidationError with the Indonesian reason."""
    try:
        return validate_nik(nik, known_prefix=known_prefix, sex=sex, birth_date=birth_date).value
    except NikError as exc:
        raise ValidationError({"nik": exc.message}, code=exc.code) from None


def check_birth_date(value: datetime.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError({"birth_date": _("The date of birth is in the future.")})
    if value.year < OLDEST_BIRTH_YEAR:
        raise ValidationError({"birth_date": _("The date of birth is too far in the past.")})


def check_nik_unique(nik: str, exclude_pk=None) -> None:
    from .services import nik_holder_region

    region = nik_holder_region(nik, exclude_pk)
    if region is not None:
        raise ValidationError(
            {
                "nik": _(
                    "This NIK is already registered, in region %(code)s. A NIK can be "
                    "registered only once nationally; ask that region's officer."
                )
                % {"code": format_code(region)}
            },
            code="duplicate_nik",
        )


def validate_worker_fields(worker) -> None:
    """All rules for one worker record; raises ValidationError with per-field messages."""
    errors = {}
    for check in (
        lambda: check_birth_date(worker.birth_date),
        lambda: setattr(worker, "nik", check_nik(worker.nik, worker.sex, worker.birth_date)),
    ):
        try:
            check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "nik" not in errors:
        try:
            check_nik_unique(worker.nik, worker.pk if not worker._state.adding else None)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
