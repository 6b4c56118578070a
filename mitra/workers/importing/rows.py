"""One row of a worker file, checked: the values it gives, each parsed and validated, with the
problems it has (column and reason). engine.check() runs this for every row."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitra.core.categories import WorkerKind
from mitra.core.nik import NikError, validate_nik
from mitra.core.scope import format_code

from ..validation import OLDEST_BIRTH_YEAR, known_prefix
from .columns import FIELDS
from .values import (
    Problem,
    parse_date,
    parse_education,
    parse_kind,
    parse_phone,
    parse_sex,
    parse_text,
    shown,
    split_place_date,
    text,
)

NAME_EMPTY = gettext_lazy("The name is empty.")
ADDRESS_EMPTY = gettext_lazy("The address is empty.")

# Clean row tuple: the row's values after validation, before preparing them for the database.
R_ROW, R_NIK, R_NAME, R_SEX, R_PLACE, R_BIRTH, R_ADDRESS, R_VILLAGE = range(8)
R_PHONE, R_EDUCATION, R_OCCUPATION, R_JOINED, R_KIND = range(8, 13)
# clean tuple index -> Worker attribute, for "same data as the stored worker"
COMPARED = {
    R_NAME: "full_name", R_SEX: "sex", R_PLACE: "birth_place", R_BIRTH: "birth_date",
    R_ADDRESS: "address", R_VILLAGE: "village_id", R_PHONE: "phone", R_EDUCATION: "education",
    R_OCCUPATION: "occupation", R_JOINED: "joined_on", R_KIND: "kind",
}  # fmt: skip
# file field -> clean tuple index it fills
FILLS = {
    "full_name": (R_NAME,), "nik": (), "sex": (R_SEX,), "birth_place": (R_PLACE,),
    "birth_date": (R_BIRTH,), "birth_place_date": (R_PLACE, R_BIRTH), "address": (R_ADDRESS,),
    "village_code": (R_VILLAGE,), "village_name": (R_VILLAGE,), "district_name": (),
    "phone": (R_PHONE,), "education": (R_EDUCATION,), "occupation": (R_OCCUPATION,),
    "joined_on": (R_JOINED,), "kind": (R_KIND,),
}  # fmt: skip


FIELD_LABELS = {
    R_NAME: FIELDS["full_name"], R_SEX: FIELDS["sex"], R_PLACE: FIELDS["birth_place"],
    R_BIRTH: FIELDS["birth_date"], R_ADDRESS: FIELDS["address"], R_VILLAGE: FIELDS["village_name"],
    R_PHONE: FIELDS["phone"], R_EDUCATION: FIELDS["education"], R_OCCUPATION: FIELDS["occupation"],
    R_JOINED: FIELDS["joined_on"], R_KIND: FIELDS["kind"],
}  # fmt: skip


def clean_row(number, cell, idx, villages, today, problems) -> tuple:
    """One row's values, validated; problems are appended as (column index, reason)."""

    def fail(name, reason):
        problems.append((idx.get(name), str(reason)))

    try:
        full_name = parse_text(
            cell("full_name", ""), required=True, max_length=150, empty_reason=NAME_EMPTY
        )
    except Problem as exc:
        full_name = ""
        fail("full_name", exc.reason)

    place, birth_raw, place_col, date_col = "", "", "birth_place", "birth_date"
    if "birth_place_date" in idx:
        place, birth_raw = split_place_date(cell("birth_place_date"))
        place_col = date_col = "birth_place_date"
    if "birth_place" in idx:
        place, place_col = text(cell("birth_place")), "birth_place"
    if "birth_date" in idx:
        birth_raw, date_col = cell("birth_date"), "birth_date"
    if not place:
        fail(place_col, _("The place of birth is empty."))
    elif len(place) > 100:
        fail(place_col, _("The place of birth is too long (at most 100 characters)."))
    birth = None
    if birth_raw in ("", None):
        fail(date_col, _("The date of birth is empty."))
    else:
        try:
            birth = parse_date(birth_raw)
        except Problem as exc:
            fail(date_col, exc.reason)
        else:
            if birth > today:
                fail(date_col, _("The date of birth is in the future."))
                birth = None
            elif birth.year < OLDEST_BIRTH_YEAR:
                fail(date_col, _("The date of birth is too far in the past."))
                birth = None

    sex = ""
    if "sex" in idx:
        try:
            sex = parse_sex(cell("sex"))
        except Problem as exc:
            fail("sex", exc.reason)
            sex = None

    nik = ""
    raw_nik = cell("nik")
    if isinstance(raw_nik, int) and not isinstance(raw_nik, bool) and len(str(raw_nik)) < 16:
        fail(
            "nik",
            _(
                "The NIK is stored as a number with %(n)d digits: digits were lost. Format the "
                "column as text and type the 16 digits."
            )
            % {"n": len(str(raw_nik))},
        )
    else:
        try:
            found = validate_nik(
                raw_nik if raw_nik != "" else None,
                known_prefix=known_prefix,
                sex=sex or None,
                birth_date=birth,
            )
        except NikError as exc:
            fail("nik", str(exc.message))
        else:
            nik = found.value
            if not sex and sex is not None:
                sex = "P" if found.is_female else "L"

    try:
        address = parse_text(
            cell("address", ""), required=True, max_length=255, empty_reason=ADDRESS_EMPTY
        )
    except Problem as exc:
        address = ""
        fail("address", exc.reason)

    village = ""
    code_raw, name_raw = cell("village_code"), cell("village_name")
    code_given = code_raw not in ("", None)
    try:
        if code_given:
            village = villages.by_code(code_raw)
        elif text(name_raw):
            district = cell("district_name") if "district_name" in idx else None
            village = villages.by_name(name_raw, district)
        else:
            where = "village_code" if "village_code" in idx else "village_name"
            fail(where, _("The village is empty."))
    except Problem as exc:
        fail("village_code" if code_given else "village_name", exc.reason)
    if village and code_given and text(name_raw) and not villages.same_village(village, name_raw):
        fail(
            "village_name",
            _("Village code %(code)s is %(name)s, not “%(given)s”.")
            % {
                "code": format_code(village),
                "name": villages.names[village],
                "given": shown(name_raw),
            },
        )
        village = ""

    optional = {}
    for name, parse in (
        ("phone", parse_phone),
        ("education", parse_education),
        ("kind", parse_kind),
    ):
        try:
            optional[name] = parse(cell(name)) if name in idx else ""
        except Problem as exc:
            optional[name] = ""
            fail(name, exc.reason)
    if not optional["kind"]:
        optional["kind"] = WorkerKind.PSM.value
    try:
        occupation = parse_text(cell("occupation"), required=False, max_length=100)
    except Problem as exc:
        occupation = ""
        fail("occupation", exc.reason)
    joined = None
    joined_raw = cell("joined_on")
    if joined_raw not in ("", None):
        try:
            joined = parse_date(joined_raw)
        except Problem as exc:
            fail("joined_on", exc.reason)
        else:
            if joined > today:
                fail("joined_on", _("The joining date is in the future."))
            elif birth and joined < birth:
                fail("joined_on", _("The joining date is before the date of birth."))
    return (
        number, nik, full_name, sex or "", place, birth, address, village,
        optional["phone"], optional["education"], occupation, joined, optional["kind"],
    )  # fmt: skip


def is_number_row(cells: list) -> bool:
    """The '1 2 3 4 …' row government tables put under their header."""
    values = [text(c).strip("()") for c in cells if text(c)]
    return len(values) >= 3 and values == [str(n) for n in range(1, len(values) + 1)]
