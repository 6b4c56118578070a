"""Reading one spreadsheet cell as the value a worker field needs.

Each parser takes what the reader gave (text from a CSV; str, int, float, bool, date or datetime from
a spreadsheet) and returns the clean value, or raises `Problem` with the reason in the user's
language. Nothing is guessed: a value that could mean two things is refused with a reason.
"""

import datetime
import re
from functools import lru_cache

from django.utils.translation import gettext as _

from mitra.core.categories import WorkerKind

from ..models import Education


class Problem(ValueError):
    """A cell cannot be used; `reason` says why, in the user's language."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def text(value) -> str:
    """A cell as trimmed text with single spaces ('' for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split()) if value else ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(" ")
    return " ".join(str(value).split())


def shown(value, limit: int = 40) -> str:
    """A short, safe rendering of a cell for a reason text."""
    value = text(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


# ---- dates ---------------------------------------------------------------------------------------

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "peb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agust": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?(?:\.0+)?)?$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})[-/. ]*([A-Za-z]+)\.?[-/. ]*(\d{2}|\d{4})$")
# A date at the end of a "place, date" cell: "Bantul, 17-08-1985", "Bantul 17 Agustus 1985".
DATE_AT_END = re.compile(
    r"(\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/. ]*[A-Za-z]+\.?[-/. ]*\d{2,4})$"
)
EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 = 1900-01-01 (with Excel's 1900 leap day)
_MAX_SERIAL = 2958465  # 9999-12-31


def _format_hint() -> str:
    return _("Write it as 17-08-1985, 17/08/1985, 1985-08-17 or 17 Agustus 1985.")


def parse_date(value) -> datetime.date:
    """A date from a date cell, an Excel serial number or text in the usual Indonesian forms."""
    if type(value) is str and len(value) == 10 and value[2] in "-/." and value[5] == value[2]:
        # The common "17-08-1985", without the regular expressions (a file has 100,000s of them).
        day, month, year = value[:2], value[3:5], value[6:]
        if day.isdigit() and month.isdigit() and year.isdigit():
            try:
                return datetime.date(int(year), int(month), int(day))
            except ValueError:
                pass  # the full path below gives the reason
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise Problem(_("“%(value)s” is not a date.") % {"value": shown(value)})
    if isinstance(value, int | float):
        # A number in a date column is Excel's day count (the cell lost its date format).
        if not 1 <= value <= _MAX_SERIAL:
            raise Problem(
                _("The number %(value)s is not a date. %(hint)s")
                % {"value": shown(value), "hint": _format_hint()}
            )
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    raw = text(value)
    if not raw:
        raise Problem(_("The date is empty."))
    day = month = year = None
    if m := _DMY.match(raw):
        day, month, year = m.group(1), m.group(2), m.group(3)
    elif m := _YMD.match(raw):
        year, month, day = m.group(1), m.group(2), m.group(3)
    elif m := _D_MONTH_Y.match(raw):
        month = MONTHS.get(m.group(2).lower())
        if month is None:
            raise Problem(
                _("“%(value)s” has an unknown month name. %(hint)s")
                % {"value": shown(raw), "hint": _format_hint()}
            )
        day, year = m.group(1), m.group(3)
    else:
        raise Problem(
            _("“%(value)s” is not a date. %(hint)s") % {"value": shown(raw), "hint": _format_hint()}
        )
    if len(str(year)) != 4:
        raise Problem(
            _("“%(value)s” has a two-digit year: write the year with 4 digits (1985, not 85).")
            % {"value": shown(raw)}
        )
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise Problem(
            _("“%(value)s” is not a real date (day %(day)s, month %(month)s).")
            % {"value": shown(raw), "day": int(day), "month": int(month)}
        ) from None


def split_place_date(value) -> tuple[str, object]:
    """'Bantul, 17-08-1985' -> ('Bantul', '17-08-1985'). The date part is parsed by the caller."""
    raw = text(value)
    if not raw:
        return "", ""
    if m := DATE_AT_END.search(raw):
        place = raw[: m.start()].strip().rstrip(",/;").strip()
        return place, m.group(1)
    return raw.strip().rstrip(",").strip(), ""


# ---- choices -------------------------------------------------------------------------------------

_SEX = {
    "l": "L", "lk": "L", "laki": "L", "laki laki": "L", "lakilaki": "L", "pria": "L",
    "male": "L", "m": "L",
    "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P", "w": "P",
}  # fmt: skip
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _key(value) -> str:
    return " ".join(_NON_WORD.sub(" ", text(value).lower()).split())


@lru_cache(maxsize=4096)
def parse_sex(value) -> str:
    """'L' or 'P' from L/P, Laki-laki/Perempuan, Pria/Wanita; '' for an empty cell."""
    key = _key(value)
    if not key:
        return ""
    try:
        return _SEX[key]
    except KeyError:
        raise Problem(
            _("“%(value)s” is not a sex: write L (laki-laki) or P (perempuan).")
            % {"value": shown(value)}
        ) from None


def _kind_table() -> dict[str, str]:
    table = {}
    for choice in WorkerKind:
        table[_key(choice.value)] = choice.value
        table[_key(choice.label)] = choice.value
        short = re.search(r"\(([^)]+)\)", str(choice.label))
        if short:
            table[_key(short.group(1))] = choice.value
        table[_key(re.sub(r"\s*\([^)]*\)", "", str(choice.label)))] = choice.value
    table.update({"peksos": WorkerKind.PEKSOS, "pekerja sosial": WorkerKind.PEKSOS})
    return table


_KINDS = _kind_table()


@lru_cache(maxsize=4096)
def parse_kind(value) -> str:
    """A PSKS person kind (PSM when the cell is empty)."""
    key = _key(value)
    if not key:
        return WorkerKind.PSM.value
    try:
        return _KINDS[key]
    except KeyError:
        raise Problem(
            _(
                "“%(value)s” is not a known kind of worker (PSM, TKSK, Tagana, WPKS, Penyuluh, Peksos)."
            )
            % {"value": shown(value)}
        ) from None


_EDUCATION = [
    # (words that name the level, value); the first match wins, so longer names come first.
    (("tidak sekolah", "tidak tamat", "belum sekolah", "tidak ada"), Education.NONE),
    (("s3", "doktor", "doktoral"), Education.S3),
    (("s2", "magister", "master", "pascasarjana"), Education.S2),
    (("s1", "d4", "d iv", "sarjana", "diploma iv"), Education.S1),
    (("d1", "d2", "d3", "d i", "d ii", "d iii", "diploma", "akademi"), Education.D3),
    (("sma", "smk", "slta", "ma", "smea", "stm", "aliyah", "paket c", "sederajat sma"), Education.SMA),
    (("smp", "sltp", "mts", "tsanawiyah", "paket b"), Education.SMP),
    (("sd", "mi", "sr", "ibtidaiyah", "paket a"), Education.SD),
]  # fmt: skip


@lru_cache(maxsize=4096)
def parse_education(value) -> str:
    """An education level from the usual Indonesian names (SD, SMP/SLTP, SMA/SLTA/SMK, D3, S1...)."""
    key = _key(value)
    if not key or key in {"0", "tidak diketahui"}:
        return ""
    words = key.split()
    for names, level in _EDUCATION:
        for name in names:
            if key == name or key.startswith(name + " ") or (" " not in name and name in words):
                return level.value
    raise Problem(
        _("“%(value)s” is not a known education level (SD, SMP, SMA/SMK, D1-D3, S1, S2, S3).")
        % {"value": shown(value)}
    )


_PHONE_JUNK = re.compile(r"[\s\-.()/]")


def parse_phone(value) -> str:
    """A phone number without spaces or dashes. A number cell lost its leading 0: an Indonesian
    mobile number (8xx...) gets it back, a number with the country code (62...) gets its '+'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        digits = str(value)
        if digits.startswith("8"):
            digits = "0" + digits
        elif digits.startswith("62"):
            digits = "+" + digits
        value = digits
    raw = _PHONE_JUNK.sub("", text(value))
    if raw in {"", "-", "0"}:
        return ""
    body = raw[1:] if raw.startswith("+") else raw
    if not body.isdigit():
        raise Problem(_("“%(value)s” is not a phone number.") % {"value": shown(value)})
    if len(raw) > 20 or len(body) < 6:
        raise Problem(
            _("“%(value)s” is not a phone number (6 to 20 digits).") % {"value": shown(value)}
        )
    return raw


def parse_text(value, *, required: bool, max_length: int, empty_reason: str = "") -> str:
    value = text(value)
    if not value and required:
        raise Problem(str(empty_reason or _("This cell is empty.")))
    if len(value) > max_length:
        raise Problem(
            _("The text is too long: %(n)d characters, at most %(max)d.")
            % {"n": len(value), "max": max_length}
        )
    return value


def parse_code(value) -> str:
    """A region code cell as its digits ('34.02.09.2004', 3402092004 or '3402092004')."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return text(value).replace(".", "").replace(" ", "")
