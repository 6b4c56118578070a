"""The official region tree (Kepmendagri 300.2.2-2138/2025): province > regency > district > village.

Codes are stored as digit strings without dots and are the primary keys, so a region-bound row can
hold a code and be scoped by prefix without a join.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mitra.core.scope import (
    RegionScopedQuerySet,
    ancestor_codes,
    format_code,
    prefix_q,
    user_scope,
)


class RegionQuerySet(RegionScopedQuerySet):
    """Regions a user may open: those inside their scope, and the ones above it (the path to it)."""

    scope_field = "code"

    def visible_to(self, user):
        scope = user_scope(user)
        if scope is None:
            return self.none()
        if not scope:
            return self.all()
        return self.filter(prefix_q("code", scope) | Q(code__in=ancestor_codes(scope)))

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        digits = text.replace(".", "").replace(" ", "")
        if digits.isdigit():
            return self.filter(prefix_q("code", digits))
        return self.filter(name__icontains=text)


class Region(models.Model):
    code = models.CharField(_("code"), max_length=10, primary_key=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)

    objects = RegionQuerySet.as_manager()

    level = ""
    child_relation = ""

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def dotted_code(self) -> str:
        return format_code(self.code)

    @property
    def parent(self):
        return None

    @property
    def level_label(self) -> str:
        kind = getattr(self, "get_kind_display", None)
        return str(kind() if kind else self._meta.verbose_name)

    def children(self):
        if not self.child_relation:
            return None
        return getattr(self, self.child_relation).all()


class Province(Region):
    """One of Indonesia's 38 provinces."""

    level = "province"
    child_relation = "regencies"

    class Meta(Region.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Regency(Region):
    """A kabupaten (regency) or kota (city): the level whose social office appoints PSM."""

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("regency (kabupaten)")
        KOTA = "kota", _("city (kota)")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    level = "regency"
    child_relation = "districts"

    class Meta(Region.Meta):
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")

    @property
    def parent(self):
        return self.province


class District(Region):
    """A kecamatan: the area a TKSK supervises."""

    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")

    level = "district"
    child_relation = "villages"

    class Meta(Region.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    @property
    def parent(self):
        return self.regency


class Village(Region):
    """A desa or kelurahan: where a PSM lives and works."""

    class Kind(models.TextChoices):
        DESA = "desa", _("village (desa)")
        KELURAHAN = "kelurahan", _("urban village (kelurahan)")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    level = "village"

    class Meta(Region.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    @property
    def parent(self):
        return self.district


MODEL_BY_LENGTH = {2: Province, 4: Regency, 6: District, 10: Village}


def region_for_code(code: str):
    """The region row for a digit code, or None."""
    model = MODEL_BY_LENGTH.get(len(code or ""))
    if model is None:
        return None
    return model.objects.filter(code=code).first()


def region_exists(code: str) -> bool:
    model = MODEL_BY_LENGTH.get(len(code or ""))
    return bool(model and model.objects.filter(code=code).exists())
