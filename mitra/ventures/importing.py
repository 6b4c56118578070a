"""Importing ventures and their support from a spreadsheet, on the worker import's engine.

The file handling is the worker import's (mitra.workers.importing: stored under a random name,
kind read from its bytes, zip-bomb guard, header row found in the first rows, Indonesian dates,
village codes inside the officer's area). What differs is the row: one row is a venture, and
optionally one support it received; several rows naming the same venture (same PSM, name and
kind) add several supports to it.

`check()` validates every row with the rules of the forms (services.check_venture and
check_support) and returns counts and a per-row report (row, column, reason). `write()` runs the
same check again inside one transaction and stores the valid rows through services.create_venture
and services.add_support, so the scope, permission and change-history rules are the forms' own;
any failure rolls the whole import back. A venture or support already stored (the same PSM, name
and kind; the same kind, source, date and amount) is counted as unchanged and never written
again: importing a file twice adds nothing.
"""

import datetime
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mitra.core import crypto
from mitra.workers.importing.columns import HEADER_SCAN_ROWS, column_letter, normalise_header
from mitra.workers.importing.sources import FileProblem, open_table
from mitra.workers.importing.values import Problem, parse_date, shown, text
from mitra.workers.importing.villages import VillageResolver
from mitra.workers.models import Worker

from . import services
from .models import Support, SupportKind, SupportSource, Venture, VentureKind, VentureStatus

PROBLEMS_KEPT = 200
MAX_ROWS = 5000

# Field -> the headers (normalised) that name it in the regencies' spreadsheets.
HEADERS = {
    "psm": ["nik", "nik psm", "id psm", "psm", "id pekerja", "nomor induk kependudukan"],
    "name": ["nama usaha", "usaha", "nama"],
    "kind": ["jenis usaha", "jenis", "bidang usaha"],
    "started_on": ["tanggal mulai", "tgl mulai", "mulai", "tanggal mulai usaha"],
    "village": ["kode desa", "desa", "kode wilayah", "kode desa kelurahan"],
    "status": ["status", "status usaha"],
    "members": ["jumlah anggota", "anggota", "jumlah anggota kube"],
    "stopped_on": ["tanggal berhenti", "tgl berhenti"],
    "stop_reason": ["alasan berhenti"],
    "support_kind": ["jenis dukungan", "dukungan", "jenis bantuan", "bantuan"],
    "support_source": ["sumber", "sumber dukungan", "sumber bantuan", "pemberi"],
    "support_amount": ["jumlah rp", "nilai", "nominal", "jumlah bantuan", "nilai rp", "jumlah"],
    "support_date": ["tanggal dukungan", "tanggal terima", "tgl dukungan", "tanggal bantuan"],
}
LOOKUP = {name: field_name for field_name, names in HEADERS.items() for name in names}
REQUIRED = ("psm", "name", "kind")
SUPPORT_FIELDS = ("support_kind", "support_source", "support_amount", "support_date")
# A model field's error goes to the spreadsheet column that holds it.
ERROR_COLUMNS = {
    "worker": "psm",
    "started_on": "started_on",
    "stopped_on": "stopped_on",
    "stop_reason": "stop_reason",
    "amount": "support_amount",
    "received_on": "support_date",
}

_WORDS = re.compile(r"[^a-z0-9]+")
STATUS_WORDS = {
    "rencana": VentureStatus.PLANNED, "direncanakan": VentureStatus.PLANNED,
    "planned": VentureStatus.PLANNED, "berjalan": VentureStatus.RUNNING,
    "aktif": VentureStatus.RUNNING, "jalan": VentureStatus.RUNNING,
    "running": VentureStatus.RUNNING, "berhenti": VentureStatus.STOPPED,
    "tutup": VentureStatus.STOPPED, "stopped": VentureStatus.STOPPED,
}  # fmt: skip
SUPPORT_KIND_WORDS = {
    "modal": SupportKind.CAPITAL, "bantuan modal": SupportKind.CAPITAL,
    "hibah modal": SupportKind.CAPITAL, "capital": SupportKind.CAPITAL,
    "peralatan": SupportKind.EQUIPMENT, "alat": SupportKind.EQUIPMENT,
    "equipment": SupportKind.EQUIPMENT, "pelatihan": SupportKind.TRAINING,
    "pelatihan kewirausahaan": SupportKind.TRAINING, "training": SupportKind.TRAINING,
    "pendampingan": SupportKind.MENTORING, "mentoring": SupportKind.MENTORING,
    "kur": SupportKind.CREDIT, "kredit": SupportKind.CREDIT, "credit": SupportKind.CREDIT,
}  # fmt: skip
SOURCE_WORDS = {
    "kemensos": SupportSource.KEMENSOS, "dinas": SupportSource.DINAS,
    "dinas sosial": SupportSource.DINAS, "dinsos": SupportSource.DINAS,
    "instansi lain": SupportSource.OTHER_GOV, "pemerintah lain": SupportSource.OTHER_GOV,
    "csr": SupportSource.CSR, "perusahaan": SupportSource.CSR, "bank": SupportSource.BANK,
    "lainnya": SupportSource.OTHER, "lain": SupportSource.OTHER, "other": SupportSource.OTHER,
}  # fmt: skip
STOP_WORDS = {
    "modal": "capital", "modal habis": "capital", "pasar": "market", "tidak ada pembeli": "market",
    "sakit": "health", "keluarga": "health", "bencana": "disaster", "pindah": "moved",
    "lainnya": "other", "lain": "other",
}  # fmt: skip


def _key(value) -> str:
    return " ".join(_WORDS.sub(" ", text(value).lower()).split())


def _choice(value, words: dict, choices) -> str:
    key = _key(value)
    found = words.get(key) or next((c for c, label in choices if _key(label) == key), None)
    if not found:
        allowed = ", ".join(sorted({k for k in words if " " not in k}))
        raise Problem(
            _("“%(value)s” is not one of the known values (%(allowed)s).")
            % {"value": shown(value), "allowed": allowed}
        )
    return str(found)


@dataclass
class Mapping:
    header_row: int
    columns: dict[str, int]  # field -> column index
    headers: list[str]

    def label(self, field_name: str) -> str:
        index = self.columns.get(field_name)
        if index is None:
            return ""
        header = self.headers[index] if index < len(self.headers) else ""
        return f"{header} ({column_letter(index)})" if header else column_letter(index)


@dataclass
class Report:
    read: int = 0
    ventures: int = 0  # new ventures, ready to write
    supports: int = 0  # new supports, ready to write
    unchanged: int = 0  # rows whose venture and support are all stored already
    invalid: int = 0
    problems: list[list] = field(default_factory=list)
    problem_count: int = 0
    valid_rows: list = field(default_factory=list, repr=False)

    def add(self, row: int, column: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append([row, column, str(reason)])

    def as_dict(self) -> dict:
        return {
            "counts": {
                "read": self.read,
                "ventures": self.ventures,
                "supports": self.supports,
                "unchanged": self.unchanged,
                "invalid": self.invalid,
            },
            "problems": self.problems,
            "problem_count": self.problem_count,
        }


def find_mapping(table) -> Mapping:
    """The header row: the first of the top rows naming the PSM, the business and its kind."""
    for number, cells in table.head(HEADER_SCAN_ROWS):
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            name = LOOKUP.get(normalise_header(cell))
            if name and name not in columns:
                columns[name] = index
        if all(name in columns for name in REQUIRED):
            return Mapping(number, columns, [text(c) for c in cells])
    raise FileProblem(
        _(
            "No header row was found in the first %(n)d rows: the file needs columns named "
            "NIK PSM (or ID PSM), Nama Usaha and Jenis Usaha."
        )
        % {"n": HEADER_SCAN_ROWS}
    )


class Checker:
    """Checks the rows of one file as one officer (`user`) would enter them in the forms."""

    def __init__(self, user):
        self.user = user
        self.villages = VillageResolver(user.scope_code or "")
        self.kinds = {k.name.casefold(): k for k in VentureKind.objects.visible_to(user)}
        self.visible = Worker.objects.visible_to(user)
        self.workers: dict[str, Worker | None] = {}
        self.in_file: dict[tuple, Venture] = {}  # ventures met earlier in this file
        self.supports_in_file: set[tuple] = set()

    def psm(self, value) -> Worker:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise Problem(
                _(
                    "The NIK is stored as a number and may have lost digits: format the column as text."
                )
            )
        raw = text(value)
        if not raw:
            raise Problem(_("Give the PSM's NIK or worker ID."))
        if raw not in self.workers:
            self.workers[raw] = self._find_worker(raw)
        worker = self.workers[raw]
        if worker is None:
            raise Problem(_("This PSM is outside your area."))
        return worker

    def _find_worker(self, raw: str) -> Worker | None:
        if raw.isdigit() and len(raw) == 16:
            lookup = {"nik_hash": crypto.blind_index(raw)}
        else:
            try:
                lookup = {"pk": uuid.UUID(raw)}
            except ValueError:
                raise Problem(
                    _("“%(value)s” is neither a NIK (16 digits) nor a worker ID.")
                    % {"value": shown(raw)}
                ) from None
        worker = self.visible.filter(**lookup).select_related("village").first()
        if worker is None and not Worker.objects.filter(**lookup).exists():
            raise Problem(_("No registered PSM has this NIK or worker ID."))
        return worker

    def row(self, number: int, cell, mapping: Mapping, report: Report) -> None:
        problems: list[tuple[str, str]] = []

        def take(name, parse, *args):
            try:
                return parse(cell(name), *args)
            except Problem as exc:
                problems.append((name, exc.reason))
                return None

        worker = take("psm", self.psm)
        name = take("name", _required_text, 120, _("Give the name of the business."))
        kind = take("kind", self._kind)
        started_on = take("started_on", _optional_date)
        village = take("village", self._village)
        status = take("status", _optional_choice, STATUS_WORDS, VentureStatus.choices)
        members = take("members", _count)
        stopped_on = take("stopped_on", _optional_date)
        stop_reason = take("stop_reason", _optional_choice, STOP_WORDS, ())
        support = None
        if any(text(cell(f)) for f in SUPPORT_FIELDS):
            support = Support(
                kind=take("support_kind", _required_choice, SUPPORT_KIND_WORDS, SupportKind),
                source=take("support_source", _required_choice, SOURCE_WORDS, SupportSource),
                amount=take("support_amount", _amount),
                received_on=take("support_date", _required_date),
            )
        if problems:
            return self._refuse(number, mapping, report, problems)
        key = (worker.pk, name.casefold(), kind.pk)
        venture = self.in_file.get(key)
        new_venture = False
        if venture is None:
            venture = (
                Venture.objects.filter(worker=worker, name__iexact=name, kind=kind)
                .order_by("created_at")
                .first()
            )
            if venture is not None and not services.may_manage(self.user, venture):
                problems.append(("psm", _("This venture is outside your area.")))
                return self._refuse(number, mapping, report, problems)
        if venture is None:
            new_venture = True
            venture = Venture(
                worker=worker,
                name=name,
                kind=kind,
                started_on=started_on,
                village_id=village or worker.village_id,
                status=status or (VentureStatus.RUNNING if started_on else VentureStatus.PLANNED),
                is_group=(members or 0) > 1,
                stopped_on=stopped_on,
                stop_reason=stop_reason or "",
            )
            try:
                services.check_venture(venture)
            except ValidationError as exc:
                return self._refuse(number, mapping, report, _errors(exc))
        support_key = None
        if support is not None:
            support.venture = venture
            try:
                services.check_support(support)
            except ValidationError as exc:
                return self._refuse(number, mapping, report, _errors(exc))
            support_key = (key, support.kind, support.source, support.received_on, support.amount)
            stored = not venture._state.adding and venture.supports.filter(
                kind=support.kind,
                source=support.source,
                received_on=support.received_on,
                amount=support.amount,
            )
            if support_key in self.supports_in_file or (stored and stored.exists()):
                support = None  # already stored or already in this file: nothing to add
            else:
                self.supports_in_file.add(support_key)
        repeated = key in self.in_file
        self.in_file[key] = venture
        creates = new_venture and not repeated
        if not creates and support is None:
            report.unchanged += 1
            return None
        report.ventures += creates
        report.supports += support is not None
        report.valid_rows.append((number, key, venture if creates else None, support))
        return None

    def _refuse(self, number, mapping, report, problems) -> None:
        report.invalid += 1
        for name, reason in problems:
            report.add(number, mapping.label(name), reason)

    def _kind(self, value) -> VentureKind:
        raw = text(value)
        if not raw:
            raise Problem(_("Give the kind of business."))
        kind = self.kinds.get(raw.casefold())
        if kind is None:
            raise Problem(
                _("“%(value)s” is not on the list of kinds of business of your area.")
                % {"value": shown(raw)}
            )
        return kind

    def _village(self, value) -> str | None:
        return self.villages.by_code(value) if text(value) else None


def _errors(exc: ValidationError) -> list[tuple[str, str]]:
    if not hasattr(exc, "error_dict"):
        return [("", str(m)) for m in exc.messages]
    return [
        (ERROR_COLUMNS.get(name, ""), str(m))
        for name, errors in exc.message_dict.items()
        for m in errors
    ]


def _required_text(value, max_length: int, empty: str) -> str:
    raw = text(value)
    if not raw:
        raise Problem(empty)
    if len(raw) > max_length:
        raise Problem(_("The text is too long: at most %(max)d characters.") % {"max": max_length})
    return raw


def _optional_date(value) -> datetime.date | None:
    return parse_date(value) if text(value) else None


def _required_date(value) -> datetime.date:
    if not text(value):
        raise Problem(_("Give the date the support was received."))
    return parse_date(value)


def _optional_choice(value, words, choices) -> str:
    return _choice(value, words, choices) if text(value) else ""


def _required_choice(value, words, choices) -> str:
    if not text(value):
        raise Problem(_("This cell is empty."))
    return _choice(value, words, choices.choices)


def _count(value) -> int | None:
    raw = text(value)
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 500:
        raise Problem(_("“%(value)s” is not a number of members.") % {"value": shown(raw)})
    return int(raw)


def _amount(value) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(int(value))
    raw = text(value)
    if not raw:
        return None
    digits = re.sub(r"^rp\.?\s*", "", raw.lower()).replace(".", "").replace(" ", "")
    digits = digits.removesuffix(",00").removesuffix(",-")
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise Problem(
            _("“%(value)s” is not an amount in rupiah (write 5000000 or 5.000.000).")
            % {"value": shown(raw)}
        ) from None
    if amount != amount.to_integral_value():
        raise Problem(_("Write the amount in whole rupiah."))
    return amount


def check(path, kind: str, user) -> Report:
    """Every data row of the file, checked as `user`."""
    table = open_table(path, kind)
    mapping = find_mapping(table)
    checker = Checker(user)
    report = Report()
    for number, cells in table.rows():
        if number <= mapping.header_row or not any(text(c) for c in cells):
            continue
        report.read += 1
        if report.read > MAX_ROWS:
            raise FileProblem(
                _("The file has more than %(n)d rows; split it into smaller files.")
                % {"n": MAX_ROWS}
            )
        width = len(cells)

        def cell(name, cells=cells, width=width):
            index = mapping.columns.get(name)
            return cells[index] if index is not None and index < width else ""

        checker.row(number, cell, mapping, report)
    return report


def write(path, kind: str, user, confirmed: dict) -> Report:
    """Check the file again and store its valid rows, all in one transaction (or none).

    `confirmed` holds the counts the officer saw: if the data changed since (a PSM moved, a
    venture was recorded meanwhile), nothing is written and the file is to be checked again."""
    with transaction.atomic():
        report = check(path, kind, user)
        if report.as_dict()["counts"] != confirmed:
            raise FileProblem(
                _("The data changed since the check; upload the file again to see the new check.")
            )
        created: dict[tuple, Venture] = {}
        for _number, key, venture, support in report.valid_rows:
            if venture is not None:
                created[key] = services.create_venture(venture, user)
            if support is not None:
                if support.venture._state.adding:
                    support.venture = created[key]
                try:
                    services.add_support(support, user)
                except PermissionDenied:
                    raise FileProblem(_("You may not record support for this venture.")) from None
    return report
