"""The columns an import understands, how common Indonesian headers map to them, and finding the
header row under the title rows regencies put on top of their sheets."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

# field key -> label shown in the mapping step (order = order of the select's options)
FIELDS = {
    "full_name": gettext_lazy("Full name"),
    "nik": gettext_lazy("NIK"),
    "sex": gettext_lazy("Sex (L/P)"),
    "birth_place": gettext_lazy("Place of birth"),
    "birth_date": gettext_lazy("Date of birth"),
    "birth_place_date": gettext_lazy("Place and date of birth (one column)"),
    "address": pgettext_lazy("domicile", "Address"),
    "village_code": gettext_lazy("Village code"),
    "village_name": gettext_lazy("Village name (desa/kelurahan)"),
    "district_name": gettext_lazy("District name (kecamatan)"),
    "phone": gettext_lazy("Phone"),
    "education": gettext_lazy("Education"),
    "occupation": gettext_lazy("Occupation"),
    "joined_on": gettext_lazy("Joined on"),
    "kind": gettext_lazy("Kind (PSM, TKSK, …)"),
}

# Normalised header text -> field. Normalising lowercases and turns punctuation into spaces, so
# "No. HP", "NO HP" and "No HP" are one entry.
SYNONYMS = {
    "full_name": [
        "nama", "nama lengkap", "nama psm", "nama pekerja", "nama pekerja sosial",
        "nama tksk", "nama anggota", "nama lengkap sesuai ktp", "nama sesuai ktp",
    ],
    "nik": [
        "nik", "no nik", "nomor nik", "nik ktp", "no ktp", "nomor ktp", "no induk kependudukan",
        "nomor induk kependudukan",
    ],
    "sex": ["jenis kelamin", "jk", "l p", "kelamin", "gender", "jns kelamin", "jenis kel"],
    "birth_place": ["tempat lahir", "tmp lahir", "tmpt lahir"],
    "birth_date": ["tanggal lahir", "tgl lahir", "tgl lhr", "tanggal lhr"],
    "birth_place_date": [
        "tempat tgl lahir", "tempat tanggal lahir", "ttl", "tempat dan tanggal lahir",
        "tempat tgl lhr", "tmp tgl lahir", "tempat lahir tanggal lahir",
    ],
    "address": ["alamat", "alamat lengkap", "alamat rumah", "alamat domisili", "alamat sesuai ktp"],
    "village_code": [
        "kode desa", "kode wilayah", "kode kelurahan", "kode desa kelurahan", "kode desa kel",
        "kode wilayah desa", "kode kemendagri",
    ],
    "village_name": [
        "desa", "kelurahan", "desa kelurahan", "desa kel", "kel desa", "kelurahan desa",
        "nama desa", "nama desa kelurahan", "asal desa", "desa domisili",
    ],
    "district_name": ["kecamatan", "kec", "nama kecamatan"],
    "phone": [
        "no hp", "nomor hp", "hp", "no telp", "no telepon", "telepon", "telp", "no hp wa",
        "nomor telepon", "no whatsapp", "whatsapp", "wa", "kontak", "no kontak", "handphone",
    ],
    "education": ["pendidikan", "pendidikan terakhir", "pend terakhir", "pendidikan formal"],
    "occupation": ["pekerjaan", "pekerjaan pokok", "pekerjaan utama", "mata pencaharian"],
    "joined_on": [
        "tanggal bergabung", "tgl bergabung", "mulai aktif", "tanggal mulai aktif", "tmt",
        "aktif sejak", "bergabung sejak", "tanggal masuk",
    ],
    "kind": ["jenis", "jenis psks", "jenis pekerja", "jenis pekerja sosial", "kategori"],
}  # fmt: skip

HEADER_LOOKUP = {syn: field for field, names in SYNONYMS.items() for syn in names}

HEADER_SCAN_ROWS = 15
# "Nama ..." headers that do not name the worker.
_NOT_A_PERSON = {
    "desa", "kecamatan", "kelurahan", "kabupaten", "kota", "dusun", "ibu", "ayah", "suami",
    "istri", "kandung", "wali", "lembaga", "organisasi", "kelompok", "pendamping", "jalan",
}  # fmt: skip
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_header(value) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(_NON_WORD.sub(" ", value.lower()).split())


def guess_field(value) -> str:
    """The field a header cell names, or ''."""
    key = normalise_header(value)
    if not key:
        return ""
    if key in HEADER_LOOKUP:
        return HEADER_LOOKUP[key]
    words = key.split()
    if "lahir" in words or "lhr" in words:
        has_place = any(w.startswith(("tempat", "tmp")) for w in words)
        has_date = any(w.startswith(("tanggal", "tgl")) for w in words)
        if has_place and has_date:
            return "birth_place_date"
        if has_place:
            return "birth_place"
        if has_date:
            return "birth_date"
    if words[0] == "nama" and len(words) <= 4 and not _NOT_A_PERSON & set(words):
        return "full_name"
    return ""


def guess_mapping(headers: list) -> dict[int, str]:
    """Column index -> field for one header row; a field goes to its first column only."""
    mapping, taken = {}, set()
    for index, cell in enumerate(headers):
        field = guess_field(cell)
        if field and field not in taken:
            mapping[index] = field
            taken.add(field)
    return mapping


def find_header(rows: list[tuple[int, list]]) -> tuple[int, list, dict[int, str]] | None:
    """Among the first rows, the one that looks most like a header: most cells naming a known
    field, and at least a name or NIK column. Returns (row number, cells, mapping) or None."""
    best = None
    for number, cells in rows[:HEADER_SCAN_ROWS]:
        mapping = guess_mapping(cells)
        fields = set(mapping.values())
        if len(fields) < 2 or not fields & {"full_name", "nik"}:
            continue
        if best is None or len(fields) > len(best[2]):
            best = (number, cells, mapping)
    return best


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


REQUIRED_HELP = {
    "full_name": gettext_lazy("Full name"),
    "nik": gettext_lazy("NIK"),
    "birth_place": gettext_lazy("Place of birth"),
    "birth_date": gettext_lazy("Date of birth"),
    "address": pgettext_lazy("domicile", "Address"),
    "village": gettext_lazy("Village code or village name"),
}


def mapping_errors(mapping: dict[int, str]) -> list[str]:
    """What is wrong with a column mapping: a field used twice, a required field missing."""
    errors = []
    fields = list(mapping.values())
    for field in dict.fromkeys(fields):
        if fields.count(field) > 1 and field in FIELDS:
            errors.append(
                _("“%(field)s” is chosen for more than one column.") % {"field": FIELDS[field]}
            )
    unknown = [f for f in fields if f and f not in FIELDS]
    if unknown:
        errors.append(_("Unknown field: %(fields)s.") % {"fields": ", ".join(unknown)})
    present = set(fields)
    has = {
        "full_name": "full_name" in present,
        "nik": "nik" in present,
        "birth_place": bool(present & {"birth_place", "birth_place_date"}),
        "birth_date": bool(present & {"birth_date", "birth_place_date"}),
        "address": "address" in present,
        "village": bool(present & {"village_code", "village_name"}),
    }
    missing = [str(REQUIRED_HELP[k]) for k, ok in has.items() if not ok]
    if missing:
        errors.append(
            _("The file needs a column for: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    return errors
