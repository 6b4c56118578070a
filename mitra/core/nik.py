"""NIK (Nomor Induk Kependudukan) validation: the one function every form, import and API uses.

16 digits: PP KK CC (district of first registration) + DD MM YY (birth date; women add 40 to the
day) + SSSS (serial from 0001). There is no check digit, so validation checks the structure: digits,
length, a real date, a serial that is not 0000, a known region prefix, and (when known) the sex and
birth date of the person it is given for.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

_SCI = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_SEPARATORS = re.compile(r"[\s.\-]")


class NikError(ValueError):
    """A NIK is not valid; `code` names the rule, `message` says it in the user's language."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Nik:
    value: str

    @property
    def region_code(self) -> str:
        return self.value[:6]

    @property
    def is_female(self) -> bool:
        return int(self.value[6:8]) > 40

    @property
    def day(self) -> int:
        day = int(self.value[6:8])
        return day - 40 if day > 40 else day

    @property
    def month(self) -> int:
        return int(self.value[8:10])

    @property
    def year2(self) -> int:
        return int(self.value[10:12])

    def birth_date_candidates(self) -> list[datetime.date]:
        """The real dates the date part can mean (the century is not written)."""
        dates = []
        for century in (1900, 2000):
            try:
                dates.append(datetime.date(century + self.year2, self.month, self.day))
            except ValueError:
                continue
        return dates

    @property
    def masked(self) -> str:
        return mask(self.value)


def mask(nik: str) -> str:
    """3402094508850001 -> 3402********0001: enough to tell records apart, not to identify anyone."""
    if not nik:
        return ""
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:] if len(nik) > 8 else "*" * len(nik)


def clean_nik_text(raw) -> str:
    """The NIK's digits from what a person typed or a spreadsheet held.

    Spaces, dots and dashes are dropped (they carry no digits). A number in scientific notation
    (3.40201E+15) has lost digits, and a number with fewer than 16 digits may have lost leading
    zeros or digits: those are refused with a reason, never guessed.
    """
    if raw is None:
        raise NikError("empty", _("NIK is empty."))
    if isinstance(raw, float):
        raise NikError(
            "number",
            _(
                "NIK is stored as a number in the spreadsheet, so digits may be lost. Format the "
                "column as text and type the 16 digits."
            ),
        )
    if isinstance(raw, int):
        raw = str(raw)
    text = str(raw).strip()
    if not text:
        raise NikError("empty", _("NIK is empty."))
    if _SCI.match(text):
        raise NikError(
            "scientific",
            _(
                "NIK is written as %(text)s (scientific notation): the last digits are lost. "
                "Format the column as text and type the 16 digits."
            )
            % {"text": text},
        )
    if text.startswith("'"):
        text = text[1:]
    return _SEPARATORS.sub("", text)


def validate_nik(
    raw, *, known_prefix=None, sex: str | None = None, birth_date: datetime.date | None = None
) -> Nik:
    """Return the NIK or raise NikError with the first rule it breaks.

    `known_prefix(code)` answers whether a 4- or 6-digit code is a known region (current or retired
    by a split); `sex` is "L" or "P"; `birth_date` the person's date of birth if known.
    """
    digits = clean_nik_text(raw)
    if not digits.isdigit():
        raise NikError("digits", _("NIK may contain digits only."))
    if len(digits) != 16:
        raise NikError(
            "length", _("NIK must have 16 digits; this one has %(n)d.") % {"n": len(digits)}
        )
    nik = Nik(digits)
    day = int(digits[6:8])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        raise NikError(
            "date",
            _("Digits 7-8 of the NIK (day of birth, +40 for women) must be 01-31 or 41-71."),
        )
    if not nik.birth_date_candidates():
        raise NikError("date", _("Digits 7-12 of the NIK are not a real date of birth."))
    if digits[12:] == "0000":
        raise NikError("serial", _("The last 4 digits of the NIK cannot be 0000."))
    if known_prefix is not None and not (known_prefix(digits[:6]) or known_prefix(digits[:4])):
        raise NikError(
            "region",
            _("The first digits of the NIK (%(code)s) are not a known region code.")
            % {"code": f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}"},
        )
    if sex in ("L", "P") and nik.is_female != (sex == "P"):
        raise NikError(
            "sex",
            _("The NIK says a woman (day of birth + 40) but the sex is male.")
            if nik.is_female
            else _("The NIK says a man but the sex is female (for women the day is + 40)."),
        )
    if birth_date is not None and birth_date not in nik.birth_date_candidates():
        raise NikError(
            "birth_date",
            _("The date in the NIK (%(nik_date)s) does not match the date of birth.")
            % {"nik_date": f"{nik.day:02d}-{nik.month:02d}-{nik.year2:02d}"},
        )
    return nik
