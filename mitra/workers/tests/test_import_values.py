"""Reading cells and headers: dates in every form regencies use, sexes, kinds, education levels,
phones, combined place/date cells, and finding the header row under title rows."""

import datetime

import pytest
from django.utils import translation

from mitra.workers.importing.columns import (
    column_letter,
    find_header,
    guess_field,
    guess_mapping,
    mapping_errors,
)
from mitra.workers.importing.engine import neutralise
from mitra.workers.importing.values import (
    Problem,
    parse_date,
    parse_education,
    parse_kind,
    parse_phone,
    parse_sex,
    split_place_date,
)

AUG17 = datetime.date(1985, 8, 17)


@pytest.mark.parametrize(
    "value",
    [
        "17-08-1985",
        "17/08/1985",
        "17.08.1985",
        "1985-08-17",
        "1985-08-17 00:00:00",
        "17 Agustus 1985",
        "17 agustus 1985",
        "17 Agt 1985",
        "17 Agu 1985",
        "17-Agu-1985",
        "17 Aug 1985",
        "17 AGUSTUS 1985",
        31276,  # Excel serial number
        31276.0,
        datetime.datetime(1985, 8, 17, 0, 0),
        AUG17,
    ],
)
def test_each_date_form_is_read(value):
    assert parse_date(value) == AUG17


@pytest.mark.parametrize(
    ("value", "month"),
    [("1 Des 1990", 12), ("1 Desember 1990", 12), ("1 Okt 1990", 10), ("1 Mei 1990", 5),
     ("1 Pebruari 1990", 2), ("1 Nop 1990", 11), ("1 Sept 1990", 9)],
)  # fmt: skip
def test_indonesian_month_names_and_abbreviations(value, month):
    assert parse_date(value) == datetime.date(1990, month, 1)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("31-02-1985", "not a real date"),  # no 31 February
        ("17-08-85", "4 digits"),  # the century is not guessed
        ("17 Agustos 1985", "unknown month"),
        ("kemarin", "not a date"),
        ("", "empty"),
        (True, "not a date"),
        (0, "not a date"),
        ("08/17/1985", "not a real date"),  # month-first is not Indonesian: month 17
    ],
)
def test_dates_that_are_not_dates_are_refused_with_a_reason(value, says):
    with translation.override("en"), pytest.raises(Problem) as exc:
        parse_date(value)
    assert says in exc.value.reason


@pytest.mark.parametrize(
    ("value", "place", "date"),
    [
        ("Bantul, 17-08-1985", "Bantul", "17-08-1985"),
        ("Bantul,17/08/1985", "Bantul", "17/08/1985"),
        ("Gunung Kidul, 17 Agustus 1985", "Gunung Kidul", "17 Agustus 1985"),
        ("Sleman 1985-08-17", "Sleman", "1985-08-17"),
        ("Bantul", "Bantul", ""),
    ],
)
def test_combined_place_and_date_is_split(value, place, date):
    assert split_place_date(value) == (place, date)
    if date:
        assert parse_date(split_place_date(value)[1]) == AUG17


@pytest.mark.parametrize(
    ("value", "sex"),
    [("L", "L"), ("l", "L"), ("Laki-laki", "L"), ("LAKI - LAKI", "L"), ("Lk", "L"),
     ("P", "P"), ("Perempuan", "P"), ("PEREMPUAN", "P"), ("Wanita", "P"), ("", "")],
)  # fmt: skip
def test_sex_from_the_usual_spellings(value, sex):
    assert parse_sex(value) == sex


def test_unknown_sex_is_refused():
    with pytest.raises(Problem):
        parse_sex("X")


@pytest.mark.parametrize(
    ("value", "kind"),
    [("", "psm"), ("PSM", "psm"), ("psm", "psm"), ("Pekerja Sosial Masyarakat", "psm"),
     ("TKSK", "tksk"), ("Tagana", "tagana"), ("Penyuluh Sosial", "penyuluh")],
)  # fmt: skip
def test_kind(value, kind):
    assert parse_kind(value) == kind


@pytest.mark.parametrize(
    ("value", "level"),
    [("SD", "sd"), ("Tamat SD", "sd"), ("SLTP", "smp"), ("SMP", "smp"), ("SLTA", "sma"),
     ("SMA/Sederajat", "sma"), ("SMK", "sma"), ("D3", "d3"), ("D-III", "d3"), ("S1", "s1"),
     ("Sarjana", "s1"), ("S2", "s2"), ("Tidak tamat SD", "none"), ("", ""), ("-", "")],
)  # fmt: skip
def test_education(value, level):
    assert parse_education(value) == level


@pytest.mark.parametrize(
    ("value", "phone"),
    [("0812-3456-7890", "081234567890"), ("+62 812 3456 7890", "+6281234567890"),
     (81234567890, "081234567890"), (81234567890.0, "081234567890"), ("-", ""), ("", "")],
)  # fmt: skip
def test_phone(value, phone):
    assert parse_phone(value) == phone


def test_a_phone_with_letters_is_refused():
    with pytest.raises(Problem):
        parse_phone("hubungi kantor")


@pytest.mark.parametrize(
    ("header", "field"),
    [("Nama Lengkap", "full_name"), ("NAMA", "full_name"), ("Nama PSM", "full_name"),
     ("NIK", "nik"), ("No. KTP", "nik"), ("Jenis Kelamin", "sex"), ("L/P", "sex"),
     ("Tempat Lahir", "birth_place"), ("Tgl. Lahir", "birth_date"),
     ("Tempat/Tgl Lahir", "birth_place_date"), ("Tempat, Tanggal Lahir", "birth_place_date"),
     ("TTL", "birth_place_date"), ("Alamat", "address"), ("Desa/Kelurahan", "village_name"),
     ("Kode Desa", "village_code"), ("Kode Wilayah", "village_code"), ("Kecamatan", "district_name"),
     ("No HP", "phone"), ("Telepon", "phone"), ("Pendidikan", "education"),
     ("Pekerjaan", "occupation"), ("Tanggal Bergabung", "joined_on"), ("Mulai Aktif", "joined_on"),
     ("Jenis", "kind"), ("No", ""), ("Keterangan", ""), ("Nama Ibu Kandung", ""), ("Nama Desa", "village_name")],
)  # fmt: skip
def test_common_indonesian_headers_are_recognised(header, field):
    assert guess_field(header) == field


def test_the_header_row_is_found_under_title_rows():
    rows = [
        (1, ["DATA PEKERJA SOSIAL MASYARAKAT (PSM)", "", ""]),
        (2, ["KABUPATEN BANTUL TAHUN 2025", "", ""]),
        (3, ["", "", ""]),
        (4, ["No", "Nama", "NIK", "Tempat/Tgl Lahir", "Alamat", "Desa"]),
        (5, ["1", "2", "3", "4", "5", "6"]),
    ]
    number, _cells, mapping = find_header(rows)
    assert number == 4
    assert mapping == {
        1: "full_name",
        2: "nik",
        3: "birth_place_date",
        4: "address",
        5: "village_name",
    }


def test_no_header_row_means_none():
    assert find_header([(1, ["a", "b"]), (2, ["Nama", "x"])]) is None


def test_a_field_goes_to_its_first_column_only():
    assert guess_mapping(["Nama", "NIK", "Nama"]) == {0: "full_name", 1: "nik"}


def test_mapping_errors_name_what_is_missing_and_what_is_doubled():
    with translation.override("en"):
        errors = mapping_errors({0: "full_name", 1: "full_name"})
    assert any("more than one column" in e for e in errors)
    assert any("NIK" in e and "Address" in e and "Village" in e for e in errors)
    ok = {0: "full_name", 1: "nik", 2: "birth_place_date", 3: "address", 4: "village_code"}
    assert mapping_errors(ok) == []


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("ok", "ok"),
    ],
)
def test_report_cells_are_formula_neutralised(value, cell):
    assert neutralise(value) == cell
