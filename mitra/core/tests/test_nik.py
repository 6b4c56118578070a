import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mitra.core.nik import NikError, clean_nik_text, mask, validate_nik

KNOWN = {"3402", "340209", "3404"}


def known(code):
    return code in KNOWN


def _nik(prefix="340209", day=17, month=8, year=85, serial=1, female=False):
    return f"{prefix}{day + (40 if female else 0):02d}{month:02d}{year:02d}{serial:04d}"


def _code(raw, **kw):
    with pytest.raises(NikError) as exc:
        validate_nik(raw, known_prefix=known, **kw)
    return exc.value.code


def test_a_valid_nik_gives_its_parts():
    nik = validate_nik(
        _nik(female=True), known_prefix=known, sex="P", birth_date=datetime.date(1985, 8, 17)
    )
    assert nik.value == "3402095708850001"
    assert nik.is_female and nik.day == 17 and nik.region_code == "340209"
    assert nik.masked == "3402********0001"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("3402-0917.0885 0001", None),
        ("34020917088500A1", "digits"),
        ("340209170885001", "length"),
        ("34020917088500011", "length"),
        ("3402093208850001", "date"),  # day 32
        ("3402097208850001", "date"),  # day 72 (female 32)
        ("3402091713850001", "date"),  # month 13
        ("3402093002850001", "date"),  # 30 February
        ("3402091708850000", "serial"),
        ("9999091708850001", "region"),
        ("3.40201E+15", "scientific"),
    ],
)
def test_each_rule_has_its_own_reason(raw, code):
    if code is None:
        assert validate_nik(raw, known_prefix=known).value == "3402091708850001"
    else:
        assert _code(raw) == code


def test_29_february_is_valid_only_in_a_leap_year_of_either_century():
    assert validate_nik(_nik(day=29, month=2, year=0), known_prefix=known)  # 2000 and 1900
    assert _code(_nik(day=29, month=2, year=1)) == "date"


def test_sex_must_match_the_day_part():
    assert _code(_nik(female=True), sex="L") == "sex"
    assert _code(_nik(), sex="P") == "sex"


def test_birth_date_must_match_the_date_part():
    assert _code(_nik(), birth_date=datetime.date(1985, 8, 18)) == "birth_date"
    assert validate_nik(_nik(), known_prefix=known, birth_date=datetime.date(1985, 8, 17))


def test_spreadsheet_numbers_are_refused_not_guessed():
    with pytest.raises(NikError) as exc:
        clean_nik_text(3.40209170885e15)
    assert exc.value.code == "number"
    assert clean_nik_text(3402091708850001) == "3402091708850001"


def test_the_reason_is_in_indonesian_by_default():
    from django.utils import translation

    with translation.override("id"), pytest.raises(NikError) as exc:
        validate_nik("123", known_prefix=known)
    assert "16 digit" in str(exc.value.message)


def test_mask_keeps_four_digits_at_each_end():
    assert mask("3402091708850001") == "3402********0001"
    assert mask("") == ""


@given(st.text(max_size=30))
def test_any_text_either_validates_or_raises_a_nik_error(text):
    try:
        nik = validate_nik(text)
    except NikError as exc:
        assert exc.code
    else:
        assert len(nik.value) == 16 and nik.value.isdigit()
