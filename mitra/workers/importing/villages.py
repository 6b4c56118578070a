"""Finding the village of a row: by its code, or by its name inside the importer's area.

All villages of the area are read in one query into dictionaries, so a row costs a dictionary
lookup, not a query (the lesson of docs/performance.md).
"""

import re
import unicodedata
from functools import lru_cache

from django.utils.translation import gettext as _

from mitra.core.scope import format_code, prefix_q
from mitra.regions.models import Village

from .values import Problem, parse_code, shown, text

_PREFIXES = re.compile(
    r"^(desa|kelurahan|kel|ds|kec|kecamatan|kalurahan|kapanewon|kemantren)\b\.?\s*"
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def name_key(value) -> str:
    """'Desa Trimulyo', 'TRIMULYO', 'Kel. Trimulyo' -> 'trimulyo'."""
    raw = text(value)
    if not raw.isascii():
        raw = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    raw = " ".join(_NON_WORD.sub(" ", raw.lower()).split())
    return _PREFIXES.sub("", raw).strip()


class VillageResolver:
    """The villages inside `scope` ('' = national), looked up by code or by name.

    The codes and names come in one query; the index by name (and the district names) are built
    the first time a row gives a village by name."""

    def __init__(self, scope: str):
        self.scope = scope
        qs = Village.objects.filter(prefix_q("code", scope)).order_by("code")
        self.names: dict[str, str] = dict(qs.values_list("code", "name").iterator(chunk_size=10000))
        self._codes_by_name: dict[str, list[str]] | None = None
        self._district_names: dict[str, str] = {}

    def _name_index(self) -> dict[str, list[str]]:
        if self._codes_by_name is None:
            from mitra.regions.models import District

            index: dict[str, list[str]] = {}
            for code, name in self.names.items():
                index.setdefault(name_key(name), []).append(code)
            self._codes_by_name = index
            districts = District.objects.filter(prefix_q("code", self.scope[:6]))
            self._district_names = {
                code: name_key(name) for code, name in districts.values_list("code", "name")
            }
        return self._codes_by_name

    def _scope_label(self) -> str:
        return format_code(self.scope) if self.scope else _("national")

    def by_code(self, value) -> str:
        code = parse_code(value)
        if not code.isdigit() or len(code) != 10:
            raise Problem(
                _("“%(value)s” is not a village code: it has 10 digits, like 34.02.09.2004.")
                % {"value": shown(value)}
            )
        if code in self.names:
            return code
        if not code.startswith(self.scope):
            raise Problem(
                _("Village %(code)s is outside your area (%(scope)s): it cannot be imported here.")
                % {"code": format_code(code), "scope": self._scope_label()}
            )
        raise Problem(_("There is no village with code %(code)s.") % {"code": format_code(code)})

    def by_name(self, value, district=None) -> str:
        key = name_key(value)
        if not key:
            raise Problem(_("The village is empty."))
        candidates = self._name_index().get(key, [])
        district_key = name_key(district) if district not in (None, "") else ""
        if district_key:
            candidates = [c for c in candidates if self._district_names.get(c[:6]) == district_key]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            if district_key:
                raise Problem(
                    _(
                        "No village “%(name)s” in district “%(district)s” inside your area (%(scope)s)."
                    )
                    % {
                        "name": shown(value),
                        "district": shown(district),
                        "scope": self._scope_label(),
                    }
                )
            raise Problem(
                _(
                    "No village “%(name)s” inside your area (%(scope)s). Check the spelling or give the village code."
                )
                % {"name": shown(value), "scope": self._scope_label()}
            )
        shown_codes = ", ".join(
            f"{format_code(c)} ({self.district_label(c)})" for c in candidates[:6]
        )
        if len(candidates) > 6:
            shown_codes += ", …"
        raise Problem(
            _(
                "There are %(n)d villages named “%(name)s” in your area: %(codes)s. Add a Kecamatan column or give the village code."
            )
            % {"n": len(candidates), "name": shown(value), "codes": shown_codes}
        )

    def district_label(self, code: str) -> str:
        self._name_index()
        return _("Kec. %(name)s") % {"name": self._district_names.get(code[:6], "").title()}

    def same_village(self, code: str, name) -> bool:
        return name_key(name) == name_key(self.names.get(code, ""))
