"""The import's check and write, through the same call the command line uses: formats, title rows,
NIKs kept as numbers, dates, villages by code and by name, the area, duplicates, registered workers,
idempotence, all-or-nothing, and the stored rows being exactly what the model would store."""

import datetime
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from mitra.core import crypto
from mitra.core.models import ChangeLog
from mitra.workers.importing import engine, writer
from mitra.workers.importing.engine import Mapping
from mitra.workers.importing.service import import_file
from mitra.workers.importing.sources import FileProblem, import_dir, sniff, store_upload
from mitra.workers.models import Worker
from mitra.workers.services import fill_derived_fields

from .importfiles import HEADERS, nik_for, person, write_csv, write_ods, write_xlsx

pytestmark = pytest.mark.django_db
TRIMULYO, SLEMAN_TRIMULYO = "3402092004", "3404132005"
TITLES = ["DATA PEKERJA SOSIAL MASYARAKAT", "KABUPATEN BANTUL 2025"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run(path, user, scope=None, **kw):
    with translation.override("en"):
        return import_file(
            path, scope=user.scope_code if scope is None else scope, actor=user, **kw
        )


def problems(outcome):
    return [(row, column.split(" (")[0], reason) for row, column, reason in outcome.check.problems]


# ---- formats and header rows -------------------------------------------------------------------------


@pytest.mark.parametrize("writer", [write_csv, write_xlsx, write_ods], ids=["csv", "xlsx", "ods"])
def test_each_format_is_read_under_its_title_rows(writer, tmp_path, bantul_officer):
    rows = [person(n) for n in range(1, 4)]
    path = writer(tmp_path / f"psm.{writer.__name__[6:]}", rows, title_rows=TITLES)
    outcome = run(path, bantul_officer)
    assert outcome.inspection.mapping.header_row == 3
    assert outcome.check.counts.as_dict() == {
        "read": 3, "valid": 3, "unchanged": 0, "registered": 0, "duplicates": 0, "invalid": 0,
        "written": 3,
    }  # fmt: skip
    assert Worker.objects.filter(village_id=TRIMULYO).count() == 3


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8"), (";", "utf-8-sig"), (";", "cp1252"), ("\t", "utf-8")],
)
def test_csv_delimiter_and_encoding_are_detected(delimiter, encoding, tmp_path, bantul_officer):
    rows = [person(1, **{"Nama Lengkap": "Ranté Allo, S.Sos", "Alamat": "Jl. Melati, RT 03"})]
    path = write_csv(tmp_path / "psm.csv", rows, delimiter=delimiter, encoding=encoding)
    run(path, bantul_officer)
    worker = Worker.objects.get()
    assert worker.full_name == "Ranté Allo, S.Sos"
    assert worker.address == "Jl. Melati, RT 03"


def test_report_rows_are_numbered_as_the_spreadsheet_shows_them(tmp_path, bantul_officer):
    rows = [person(1), person(2, **{"Nama Lengkap": ""}), person(3)]
    path = write_xlsx(tmp_path / "psm.xlsx", rows, title_rows=TITLES)
    outcome = run(path, bantul_officer)
    # 2 title rows, the header in row 3, data from row 4: the second person is row 5.
    assert problems(outcome) == [(5, "Nama Lengkap", "The name is empty.")]
    assert outcome.check.counts.written == 2


def test_number_row_repeated_header_and_empty_rows_are_not_data(tmp_path, bantul_officer):
    path = tmp_path / "psm.csv"
    numbers = {h: str(i) for i, h in enumerate(HEADERS, start=1)}
    repeated = {h: h for h in HEADERS}
    blank = dict.fromkeys(HEADERS, "")
    write_csv(path, [numbers, person(1), blank, repeated, person(2)], headers=HEADERS)
    outcome = run(path, bantul_officer)
    assert outcome.check.counts.read == 2
    assert outcome.check.counts.written == 2


# ---- values --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "17-08-1985", "17/08/1985", "1985-08-17", "17 Agustus 1985", "17 Agt 1985",
        datetime.date(1985, 8, 17), 31276,
    ],
)  # fmt: skip
def test_each_date_form_in_a_spreadsheet(cell, tmp_path, bantul_officer):
    birth = datetime.date(1985, 8, 17)
    row = person(1, birth=birth, sex="P")
    path = write_xlsx(tmp_path / "psm.xlsx", [row], raw={(0, "Tanggal Lahir"): cell})
    outcome = run(path, bantul_officer)
    assert outcome.check.counts.written == 1, outcome.check.problems
    assert Worker.objects.get().birth_date == birth


def test_combined_place_and_date_column(tmp_path, bantul_officer):
    row = person(1, birth=datetime.date(1985, 8, 17), sex="L")
    row["Tempat/Tgl Lahir"] = "Bantul, 17-08-1985"
    headers = ["Nama Lengkap", "NIK", "Jenis Kelamin", "Tempat/Tgl Lahir", "Alamat", "Kode Desa"]
    run(write_csv(tmp_path / "psm.csv", [row], headers=headers), bantul_officer)
    worker = Worker.objects.get()
    assert (worker.birth_place, worker.birth_date) == ("Bantul", datetime.date(1985, 8, 17))


def test_nik_kept_as_a_number_or_in_scientific_notation_is_reported(tmp_path, bantul_officer):
    rows = [person(1), person(2), person(3)]
    raw = {(0, "NIK"): float(rows[0]["NIK"]), (1, "NIK"): "3.40209E+15"}
    outcome = run(write_xlsx(tmp_path / "psm.xlsx", rows, raw=raw), bantul_officer)
    found = problems(outcome)
    assert [(r, c) for r, c, _ in found] == [(2, "NIK"), (3, "NIK")]
    assert "stored as a number" in found[0][2]
    assert "scientific notation" in found[1][2]
    assert outcome.check.counts.written == 1  # never a guessed NIK


class ListTable:
    """A table whose cells are given as Python values (an int NIK, as xls/ods readers may give)."""

    def __init__(self, rows):
        self._rows = rows

    def rows(self):
        return iter(list(enumerate(self._rows, start=1)))


def _mapping():
    fields = ["full_name", "nik", "sex", "birth_place", "birth_date", "address", "village_code"]
    headers = ["Nama", "NIK", "JK", "Tempat Lahir", "Tanggal Lahir", "Alamat", "Kode Desa"]
    return Mapping(1, dict(enumerate(fields)), headers)


def test_an_int_nik_with_16_digits_is_fine_and_with_15_digits_is_reported(bantul_officer):
    nik = nik_for(datetime.date(1985, 8, 17), "L", 7)
    rows = [
        ["Nama", "NIK", "JK", "Tempat Lahir", "Tanggal Lahir", "Alamat", "Kode Desa"],
        ["Budi", int(nik), "L", "Bantul", "17-08-1985", "Canden", TRIMULYO],
        ["Sari", int(nik[1:]), "P", "Bantul", "17-08-1985", "Canden", TRIMULYO],
    ]
    with translation.override("en"):
        result = engine.check(ListTable(rows), _mapping(), "3402")
    assert result.counts.valid == 1
    assert result.problems == [
        (3, "NIK (B)", "The NIK is stored as a number with 15 digits: digits were lost. "
         "Format the column as text and type the 16 digits.")
    ]  # fmt: skip


def test_nik_must_match_sex_and_date_of_birth(tmp_path, bantul_officer):
    rows = [person(1, sex="L"), person(2, sex="P")]
    rows[0]["Jenis Kelamin"] = "P"  # the NIK says a man
    rows[1]["Tanggal Lahir"] = "01-01-1970"
    outcome = run(write_csv(tmp_path / "psm.csv", rows), bantul_officer)
    reasons = [reason for _r, _c, reason in outcome.check.problems]
    assert "sex is female" in reasons[0]
    assert "does not match the date of birth" in reasons[1]


def test_sex_comes_from_the_nik_when_the_file_has_no_sex_column(tmp_path, bantul_officer):
    rows = [person(1, sex="P")]
    headers = [h for h in HEADERS if h != "Jenis Kelamin"]
    run(write_csv(tmp_path / "psm.csv", rows, headers=headers), bantul_officer)
    assert Worker.objects.get().sex == "P"


def test_optional_columns_are_stored(tmp_path, bantul_officer):
    row = person(1, **{"Pekerjaan": "Petani", "Tanggal Bergabung": "1 Des 2015", "Jenis": "TKSK"})
    headers = [*HEADERS, "Pekerjaan", "Tanggal Bergabung", "Jenis"]
    run(write_csv(tmp_path / "psm.csv", [row], headers=headers), bantul_officer)
    worker = Worker.objects.get()
    assert (worker.phone, worker.education, worker.occupation, worker.kind) == (
        "081234567890", "sma", "Petani", "tksk",
    )  # fmt: skip
    assert worker.joined_on == datetime.date(2015, 12, 1)


# ---- villages and the area -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["34.02.09.2004", "3402092004", 3402092004])
def test_village_by_code_with_or_without_dots_or_as_a_number(code, tmp_path, bantul_officer):
    path = write_xlsx(tmp_path / "psm.xlsx", [person(1)], raw={(0, "Kode Desa"): code})
    assert run(path, bantul_officer).check.counts.written == 1
    assert Worker.objects.get().village_id == TRIMULYO


def _by_name(tmp_path, rows, district=False):
    headers = ["Nama Lengkap", "NIK", "Tempat Lahir", "Tanggal Lahir", "Alamat", "Desa/Kelurahan"]
    return write_csv(
        tmp_path / "psm.csv", rows, headers=headers + (["Kecamatan"] if district else [])
    )


def test_village_by_name_inside_the_area(tmp_path, bantul_officer):
    rows = [
        person(1, **{"Desa/Kelurahan": "Desa TRIMULYO"}),
        person(2, **{"Desa/Kelurahan": "Trimulya"}),
    ]
    outcome = run(_by_name(tmp_path, rows), bantul_officer)
    assert Worker.objects.get().village_id == TRIMULYO
    assert problems(outcome) == [
        (3, "Desa/Kelurahan", "No village “Trimulya” inside your area (34.02). Check the spelling or give the village code.")
    ]  # fmt: skip


def test_an_ambiguous_village_name_is_reported_with_its_candidates(tmp_path, diy_officer):
    """Trimulyo is a village in Jetis (Bantul) and in Sleman: the province officer must say which."""
    rows = [person(1, **{"Desa/Kelurahan": "Trimulyo"})]
    outcome = run(_by_name(tmp_path, rows), diy_officer)
    ((_row, column, reason),) = problems(outcome)
    assert column == "Desa/Kelurahan"
    assert "34.02.09.2004" in reason and "34.04.13.2005" in reason and "Kecamatan" in reason
    assert not Worker.objects.exists()


def test_a_kecamatan_column_settles_the_name(tmp_path, diy_officer):
    rows = [person(1, **{"Desa/Kelurahan": "Trimulyo", "Kecamatan": "Kapanewon Jetis"})]
    assert run(_by_name(tmp_path, rows, district=True), diy_officer).check.counts.written == 1
    assert Worker.objects.get().village_id == TRIMULYO


def test_villages_outside_the_area_are_refused(tmp_path, bantul_officer):
    rows = [person(1, **{"Kode Desa": "34.04.13.2005"}), person(2)]
    outcome = run(write_csv(tmp_path / "psm.csv", rows), bantul_officer)
    assert problems(outcome) == [
        (2, "Kode Desa", "Village 34.04.13.2005 is outside your area (34.02): it cannot be imported here.")
    ]  # fmt: skip
    assert list(Worker.objects.values_list("village_id", flat=True)) == [TRIMULYO]
    # By name, a Sleman village simply does not exist for Bantul.
    outcome = run(
        _by_name(tmp_path, [person(3, **{"Desa/Kelurahan": "Balecatur"})]), bantul_officer
    )
    assert "No village “Balecatur” inside your area" in outcome.check.problems[0][2]


def test_code_and_name_that_disagree_are_reported(tmp_path, bantul_officer):
    row = person(1, **{"Desa/Kelurahan": "Canden"})
    outcome = run(
        write_csv(tmp_path / "psm.csv", [row], headers=[*HEADERS, "Desa/Kelurahan"]), bantul_officer
    )
    assert problems(outcome) == [
        (2, "Desa/Kelurahan", "Village code 34.02.09.2004 is Trimulyo, not “Canden”.")
    ]


# ---- duplicates, registered workers, idempotence --------------------------------------------------------


def test_a_nik_repeated_in_the_file_is_reported_and_the_first_row_counts(tmp_path, bantul_officer):
    first = person(1)
    again = {**first, "Nama Lengkap": "Nama Lain"}
    outcome = run(write_csv(tmp_path / "psm.csv", [first, person(2), again]), bantul_officer)
    assert outcome.check.counts.duplicates == 1
    assert problems(outcome) == [
        (4, "NIK", "The same NIK is already in row 2 of this file; this row is skipped.")
    ]
    assert set(Worker.objects.values_list("full_name", flat=True)) == {
        "Warga Nomor 1",
        "Warga Nomor 2",
    }


def test_reimporting_the_same_file_changes_nothing(tmp_path, bantul_officer):
    rows = [person(n) for n in range(1, 5)] + [person(9, **{"Tanggal Lahir": "kemarin"})]
    path = write_xlsx(tmp_path / "psm.xlsx", rows, title_rows=TITLES)
    first = run(path, bantul_officer)
    assert first.check.counts.written == 4
    before = list(Worker.objects.order_by("pk").values())
    history = ChangeLog.objects.count()
    second = run(path, bantul_officer)
    assert second.check.counts.as_dict() == {
        "read": 5, "valid": 0, "unchanged": 4, "registered": 0, "duplicates": 0, "invalid": 1,
        "written": 0,
    }  # fmt: skip
    assert list(Worker.objects.order_by("pk").values()) == before
    assert ChangeLog.objects.count() == history


def test_a_registered_nik_with_other_data_is_reported_and_not_changed(
    tmp_path, bantul_officer, sleman_officer
):
    rows = [person(1), person(2)]
    run(write_csv(tmp_path / "psm.csv", rows), bantul_officer)
    stored = list(Worker.objects.order_by("pk").values())
    rows[0]["Alamat"] = "Alamat baru"
    outcome = run(write_csv(tmp_path / "psm2.csv", rows), bantul_officer)
    assert outcome.check.counts.registered == 1 and outcome.check.counts.unchanged == 1
    ((_row, column, reason),) = problems(outcome)
    assert column == "NIK" and "different data (Address)" in reason
    assert list(Worker.objects.order_by("pk").values()) == stored
    # Sleman's officer learns only that the NIK is registered elsewhere, not where exactly.
    sleman_rows = [person(2, **{"Kode Desa": "34.04.13.2005"})]
    outcome = run(write_csv(tmp_path / "psm3.csv", sleman_rows), sleman_officer)
    assert "already registered in region 34.02, outside your area" in outcome.check.problems[0][2]


# ---- what is stored -------------------------------------------------------------------------------------


def test_stored_rows_are_what_the_model_would_store_with_the_importer_as_author(
    tmp_path, bantul_officer
):
    run(write_csv(tmp_path / "data psm.csv", [person(1, sex="P")]), bantul_officer)
    worker = Worker.objects.get()
    assert worker.nik == person(1, sex="P")["NIK"]  # decrypts
    assert worker.nik_hash == crypto.blind_index(worker.nik)
    expected = Worker(nik=worker.nik, full_name=worker.full_name, village_id=TRIMULYO)
    fill_derived_fields(expected)
    assert (worker.nik_masked, worker.name_key, worker.region_code) == (
        expected.nik_masked, expected.name_key, expected.region_code,
    )  # fmt: skip
    assert worker.created_by == worker.updated_by == bantul_officer
    assert (worker.status, worker.version, worker.ktp_checked) == ("applied", 1, False)
    entry = ChangeLog.objects.get(content_type__model="worker")
    assert entry.actor == bantul_officer and entry.region_code == "3402"
    assert entry.changes["written"] == [None, 1] and entry.changes["file"] == [None, "data psm.csv"]


def test_the_write_is_all_or_nothing(tmp_path, bantul_officer, monkeypatch):
    rows = [person(n) for n in range(1, 8)]
    path = write_csv(tmp_path / "psm.csv", rows)
    monkeypatch.setattr(engine, "BATCH", 2)
    written = []

    def fail_after_two_batches(batches):  # called after each batch went into the table
        written.append(batches)
        if batches == 3:
            raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "_pause_hook", fail_after_two_batches)
    with pytest.raises(RuntimeError):
        run(path, bantul_officer)
    assert written == [1, 2, 3]  # three batches were in the table...
    assert not Worker.objects.exists()  # ...and were rolled back with the failure
    assert not ChangeLog.objects.filter(content_type__model="worker").exists()
    assert not list(import_dir().glob("*.spool"))


def test_a_nik_registered_between_check_and_write_is_skipped(tmp_path, bantul_officer):
    rows = [person(1), person(2)]
    path = write_csv(tmp_path / "psm.csv", rows)
    spool = import_dir() / ("a" * 32 + ".spool")
    mapping = Mapping(1, {i: f for i, f in enumerate(
        [None, "full_name", "nik", "sex", "birth_place", "birth_date", "address", "village_code"]) if f},
        HEADERS)  # fmt: skip
    from mitra.workers.importing.sources import open_table

    result = engine.check(open_table(path, "csv"), mapping, "3402", spool_path=spool)
    assert result.counts.valid == 2
    run(write_csv(tmp_path / "one.csv", [rows[0]]), bantul_officer)  # someone else was quicker
    written = writer.write(
        spool, actor=bantul_officer, scope="3402", summary=result.counts.as_dict()
    )
    assert (written.written, written.registered_meanwhile) == (1, 1)
    assert Worker.objects.count() == 2


# ---- files ------------------------------------------------------------------------------------------------


def test_an_upload_is_kept_under_a_random_name_readable_by_the_owner_only(tmp_path):
    upload = SimpleUploadedFile("../../etc/passwd;rm.csv", b"Nama;NIK\nA;1\n")
    stored = store_upload(upload)
    assert stored.path.parent == import_dir()
    assert stored.path.name == f"{stored.token}.upload" and "passwd" not in str(stored.path)
    assert stored.path.stat().st_mode & 0o777 == 0o600
    assert stored.kind == "csv"


def test_an_upload_over_the_size_cap_is_refused_and_not_kept(settings):
    settings.MITRA_IMPORT_MAX_BYTES = 100
    with pytest.raises(FileProblem):
        store_upload(SimpleUploadedFile("big.csv", b"x" * 101))
    assert not list(import_dir().iterdir())


def test_a_zip_bomb_is_refused_before_parsing(tmp_path, settings):
    settings.MITRA_IMPORT_MAX_UNCOMPRESSED_BYTES = 10 * 2**20
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 2**20))  # 20 MB of zeros
    assert path.stat().st_size < 100_000
    with pytest.raises(FileProblem) as exc:
        sniff(path)
    assert "unpack" in str(exc.value) or "MB" in str(exc.value)


@pytest.mark.parametrize(
    "content", [b"%PDF-1.4\x00\x01binary", b"PK\x03\x04not really a zip"], ids=["binary", "bad zip"]
)
def test_files_that_are_not_spreadsheets_are_refused(content, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(FileProblem):
        sniff(path)


def test_a_file_without_a_header_row_is_refused_with_a_reason(tmp_path, bantul_officer):
    path = tmp_path / "x.csv"
    path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    with pytest.raises(FileProblem) as exc:
        run(path, bantul_officer)
    assert "header row" in str(exc.value)


def test_a_unique_clash_during_the_write_rolls_everything_back(
    tmp_path, bantul_officer, monkeypatch
):
    """If a NIK gets registered between the batch re-check and the insert (another process), the
    database's unique index stops the write and nothing of the import stays."""
    rows = [person(1), person(2), person(3)]
    path = write_csv(tmp_path / "psm.csv", rows)
    spool = import_dir() / ("c" * 32 + ".spool")
    from mitra.workers.importing.sources import open_table

    mapping = Mapping(1, dict(enumerate([None, "full_name", "nik", "sex", "birth_place",
        "birth_date", "address", "village_code"])), HEADERS)  # fmt: skip
    mapping.columns = {i: f for i, f in mapping.columns.items() if f}
    result = engine.check(open_table(path, "csv"), mapping, "3402", spool_path=spool)
    run(write_csv(tmp_path / "one.csv", [rows[2]]), bantul_officer)
    monkeypatch.setattr(writer, "stored_by_hash", lambda hashes, columns: {})  # the race
    with translation.override("en"), pytest.raises(FileProblem) as exc:
        writer.write(spool, actor=bantul_officer, scope="3402", summary=result.counts.as_dict())
    assert "nothing was written" in str(exc.value)
    assert Worker.objects.count() == 1


def test_the_report_lists_problems_in_row_order(tmp_path, bantul_officer, monkeypatch):
    """Rows refused while reading and rows found registered when their batch is looked up come
    out in the order of the file."""
    monkeypatch.setattr(engine, "BATCH", 3)
    rows = [person(n) for n in range(1, 10)]
    run(write_csv(tmp_path / "first.csv", [rows[1], rows[4], rows[6]]), bantul_officer)
    for n in (1, 4, 6):
        rows[n] = {**rows[n], "Alamat": "Alamat lain"}  # registered, other data
    for n in (2, 5, 8):
        rows[n] = {**rows[n], "Tanggal Lahir": "kemarin"}
    report = tmp_path / "report.csv"
    outcome = run(write_csv(tmp_path / "second.csv", rows), bantul_officer, report_path=report)
    numbers = [row for row, _column, _reason in outcome.check.problems]
    assert numbers == sorted(numbers) == [3, 4, 6, 7, 8, 10]
    lines = report.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert [int(line.split(";")[0]) for line in lines] == numbers
