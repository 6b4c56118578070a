"""Importing one batch's attendance and test scores from a spreadsheet (xlsx, xls, ods or csv).

The whole file is read and checked first; the user sees every problem (row number as the
spreadsheet shows it, column, reason) and what would change, then confirms. The write is one
transaction: every changed row, or none. Rows whose values are already recorded are left alone,
so importing the same file again changes nothing.

Columns are found by their names in a header row among the first rows of the first sheet:
- who: "NIK" or "No. peserta" (the participant number the grid and the template sheet show);
- "Pre-test", "Post-test": whole numbers 0-100 (an empty cell leaves the score as it is);
- attendance, either one column per session ("Sesi 1", "Sesi 2", ... or the session's topic) holding
  1/0 (also ya/tidak, H for hadir, I/S/A for izin/sakit/alpa), or one column with the number of
  sessions attended ("Kehadiran"), which marks that many sessions, in order, as attended.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineError, CalamineWorkbook

from mitra.core import crypto
from mitra.core.nik import NikError, validate_nik

from . import services
from .models import Attendance, Enrolment, EnrolmentStatus, TrainingSession

MAX_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SCAN_ROWS = 15
MAX_PROBLEMS_KEPT = 500

# The template sheet's column names (translated) are recognised as well as these.
LABEL_NUMBER = gettext_lazy("Participant no.")
LABEL_NAME = gettext_lazy("Name")
LABEL_PRE = gettext_lazy("Pre-test")
LABEL_POST = gettext_lazy("Post-test")
LABEL_ATTENDED = gettext_lazy("Sessions attended")
LABEL_SESSION = gettext_lazy("Session %(n)d")

ALIASES = {
    "nik": {"nik", "no nik", "nomor nik", "nik peserta", "nomor induk kependudukan"},
    "number": {
        "no peserta",
        "nomor peserta",
        "no urut peserta",
        "id peserta",
        "participant no",
        "participant number",
        "participant id",
    },
    "pre": {"pre test", "pretest", "pre", "nilai pre test", "nilai pretest", "nilai awal"},
    "post": {"post test", "posttest", "post", "nilai post test", "nilai posttest", "nilai akhir"},
    "attended": {
        "kehadiran",
        "jumlah kehadiran",
        "jumlah hadir",
        "hadir",
        "jumlah sesi hadir",
        "sesi hadir",
        "attendance",
        "attended",
        "sessions attended",
    },
}
SESSION_HEADER = re.compile(r"^(?:sesi|hari|pertemuan|session|day)\s*(\d{1,3})$")
PRESENT = {"1", "y", "ya", "yes", "h", "hadir", "v", "true", "benar", "✓", "√"}
ABSENT = {"0", "t", "tidak", "no", "n", "-", "a", "i", "s", "alpa", "alpha", "izin", "sakit"}
ABSENT |= {"tidak hadir", "absen", "false", "salah"}


class FileProblem(ValueError):
    """The file as a whole cannot be used; the message says why, in the user's language."""


@dataclass
class Problem:
    row: int
    column: str
    reason: str


@dataclass
class Change:
    enrolment: int
    name: str
    nik_masked: str
    pre: int | None  # None: left as it is
    post: int | None
    present: list[int] | None  # None: attendance left as it is
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    version: int | None = None  # the enrolment's version when checked (None: a check from before)


@dataclass
class Check:
    batch: int
    file_name: str
    digest: str
    read: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Check:
        data = dict(data)
        changes = [Change(**c) for c in data.pop("changes", [])]
        problems = [Problem(**p) for p in data.pop("problems", [])]
        return cls(**data, changes=changes, problems=problems)

    def add_problem(self, row: int, column: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(row, column, str(reason)))

    @property
    def problem_rows(self) -> int:
        return len({p.row for p in self.problems})


# ---- reading the file ---------------------------------------------------------------------------


def read_rows(name: str, data: bytes) -> list[tuple[int, list]]:
    """(row number as the spreadsheet shows it, cells) for the first sheet."""
    if len(data) > MAX_BYTES:
        raise FileProblem(_("The file is larger than 5 MB."))
    if not data:
        raise FileProblem(_("The file is empty."))
    lower = name.lower()
    if lower.endswith(".csv"):
        rows = _read_csv(data)
    elif lower.endswith((".xlsx", ".ods", ".xls")):
        if lower.endswith((".xlsx", ".ods")):
            _check_zip(data)
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = workbook.get_sheet_by_index(0).to_python(
                skip_empty_area=False, nrows=MAX_ROWS + HEADER_SCAN_ROWS + 1
            )
        except (CalamineError, ValueError, OSError, IndexError) as exc:
            raise FileProblem(
                _("The file cannot be read as a spreadsheet (%(error)s).")
                % {"error": exc.__class__.__name__}
            ) from None
    else:
        raise FileProblem(_("Upload an Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file."))
    if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
        raise FileProblem(
            _("The file has more than %(n)d rows; one batch never has that many.") % {"n": MAX_ROWS}
        )
    return [(index + 1, list(cells)) for index, cells in enumerate(rows)]


def _check_zip(data: bytes) -> None:
    """xlsx and ods are zip archives: refuse one that would unpack to something huge."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise FileProblem(_("The file is damaged or is not really a spreadsheet.")) from None
    if len(infos) > 1000 or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise FileProblem(_("The file unpacks to far more data than a results sheet holds."))
    if any(i.filename.lower().endswith("vbaproject.bin") for i in infos):
        raise FileProblem(
            _("This workbook contains macros. Save it without macros (.xlsx) or as CSV.")
        )


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:  # a cell over the csv module's size limit, a NUL byte, ...
        raise FileProblem(
            _("The file cannot be read as a spreadsheet (%(error)s).") % {"error": "CSV"}
        ) from None


# ---- columns ------------------------------------------------------------------------------------


def normalise(value) -> str:
    text = str(value if value is not None else "").lower()
    return " ".join(re.sub(r"[^0-9a-z✓√]+", " ", text).split())


def column_letter(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Columns:
    row: int
    labels: dict[int, str]
    nik: int | None = None
    number: int | None = None
    pre: int | None = None
    post: int | None = None
    attended: int | None = None
    sessions: dict[int, int] = field(default_factory=dict)  # column -> session id

    def label(self, index: int | None) -> str:
        if index is None:
            return ""
        return f"{column_letter(index)} ({self.labels.get(index, '')})"


def _aliases() -> dict[str, set[str]]:
    names = {key: set(values) for key, values in ALIASES.items()}
    names["number"].add(normalise(LABEL_NUMBER))
    names["pre"].add(normalise(LABEL_PRE))
    names["post"].add(normalise(LABEL_POST))
    names["attended"].add(normalise(LABEL_ATTENDED))
    return names


def find_columns(rows, sessions: list[TrainingSession]) -> Columns:
    names = _aliases()
    by_title = {normalise(s.title): s.pk for s in sessions}
    session_word = normalise(LABEL_SESSION % {"n": 1}).rsplit(" ", 1)[0]
    for number, cells in rows[:HEADER_SCAN_ROWS]:
        found = Columns(row=number, labels={})
        for index, cell in enumerate(cells):
            text = normalise(cell)
            if not text:
                continue
            found.labels[index] = str(cell).strip()
            key = next((k for k, v in names.items() if text in v), None)
            if key and getattr(found, key) is None:
                setattr(found, key, index)
                continue
            match = SESSION_HEADER.match(text) or re.match(rf"^{session_word}\s*(\d{{1,3}})$", text)
            if match:
                position = int(match.group(1))
                if not 1 <= position <= len(sessions):
                    raise FileProblem(
                        _(
                            "Column %(column)s names session %(n)d, but this batch has "
                            "%(count)d sessions."
                        )
                        % {
                            "column": found.label(index),
                            "n": position,
                            "count": len(sessions),
                        }
                    )
                found.sessions[index] = sessions[position - 1].pk
            elif text in by_title:
                found.sessions[index] = by_title[text]
        has_key = found.nik is not None or found.number is not None
        has_values = (
            found.pre is not None
            or found.post is not None
            or found.attended is not None
            or found.sessions
        )
        if has_key and has_values:
            return found
    raise FileProblem(
        _(
            "No header row was found in the first %(n)d rows: it needs a column “NIK” or "
            "“No. peserta” and at least one of “Pre-test”, “Post-test”, “Kehadiran” or "
            "“Sesi 1”, “Sesi 2”, …"
        )
        % {"n": HEADER_SCAN_ROWS}
    )


# ---- cell values --------------------------------------------------------------------------------


class CellProblem(ValueError):
    pass


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_score(value) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CellProblem(_("A score is a whole number from 0 to 100."))
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise CellProblem(_("A score is a whole number from 0 to 100.")) from None
    if isinstance(value, float):
        if not value.is_integer():
            raise CellProblem(
                _("%(value)s is not a whole number; round the score first.") % {"value": value}
            )
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= 100:
        raise CellProblem(_("A score must be between 0 and 100."))
    return value


def parse_present(value) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise CellProblem(_("Write 1 for present and 0 for absent."))
    text = normalise(value) or str(value).strip()
    if text in PRESENT:
        return True
    if text in ABSENT:
        return False
    raise CellProblem(
        _("“%(value)s” is not an attendance mark: write 1 (present) or 0 (absent).")
        % {"value": str(value)[:20]}
    )


def parse_count(value, total: int) -> int | None:
    if _blank(value):
        return None
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else value
        if isinstance(number, bool) or not float(number).is_integer():
            raise ValueError
        number = int(number)
    except (TypeError, ValueError):
        raise CellProblem(_("Write the number of sessions attended.")) from None
    if not 0 <= number <= total:
        raise CellProblem(
            _("The batch has %(total)d sessions; %(n)d cannot be attended.")
            % {"total": total, "n": number}
        )
    return number


def parse_number(value) -> int:
    try:
        if isinstance(value, str):
            value = value.strip()
            if not value.isdigit():
                raise ValueError
        number = int(value)
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
    except (TypeError, ValueError):
        raise CellProblem(_("A participant number is a whole number.")) from None
    return number


# ---- checking -----------------------------------------------------------------------------------


def check_file(name: str, data: bytes, batch, user) -> Check:
    """Read and check a whole file against the batch; write nothing."""
    check = Check(batch=batch.pk, file_name=name[:120], digest=hashlib.sha256(data).hexdigest())
    rows = read_rows(name, data)
    sessions = list(TrainingSession.objects.filter(batch=batch).order_by("on", "id"))
    columns = find_columns(rows, sessions)
    if (columns.attended is not None or columns.sessions) and not sessions:
        raise FileProblem(
            _("This batch has no sessions yet: add them before importing attendance.")
        )
    participants = list(
        Enrolment.objects.visible_to(user).filter(batch=batch).select_related("worker")
    )
    by_pk = {e.pk: e for e in participants}
    by_hash = {e.worker.nik_hash: e for e in participants}
    present_now: dict[int, set[int]] = {e.pk: set() for e in participants}
    for enrolment_id, session_id in Attendance.objects.filter(
        enrolment__batch=batch, present=True
    ).values_list("enrolment_id", "session_id"):
        present_now.setdefault(enrolment_id, set()).add(session_id)
    seen: dict[int, int] = {}
    order = [s.pk for s in sessions]
    for number, cells in rows:
        if number <= columns.row or all(_blank(c) for c in cells):
            continue
        check.read += 1
        _check_row(check, columns, number, cells, by_pk, by_hash, present_now, seen, order)
    return check


def _cell(cells, index):
    return cells[index] if index is not None and index < len(cells) else None


def _check_row(check, columns, number, cells, by_pk, by_hash, present_now, seen, order):
    def fail(index, reason):
        check.add_problem(number, columns.label(index), reason)

    enrolment = _who(columns, cells, by_pk, by_hash, fail)
    if enrolment is None:
        return
    if enrolment.pk in seen:
        fail(
            columns.number if columns.number is not None else columns.nik,
            _("The same participant is already in row %(row)d.") % {"row": seen[enrolment.pk]},
        )
        return
    seen[enrolment.pk] = number
    if enrolment.status != EnrolmentStatus.ENROLLED:
        fail(
            columns.number if columns.number is not None else columns.nik,
            _("%(name)s is not enrolled in this batch (%(status)s).")
            % {"name": enrolment.worker.full_name, "status": enrolment.get_status_display()},
        )
        return
    ok = True
    values = {}
    for key in ("pre", "post"):
        try:
            values[key] = parse_score(_cell(cells, getattr(columns, key)))
        except CellProblem as exc:
            fail(getattr(columns, key), str(exc))
            ok = False
    present = None
    marks = {}
    for index, session_id in columns.sessions.items():
        try:
            mark = parse_present(_cell(cells, index))
        except CellProblem as exc:
            fail(index, str(exc))
            ok = False
            continue
        if mark is not None:
            marks[session_id] = mark
    count = None
    if columns.attended is not None:
        try:
            count = parse_count(_cell(cells, columns.attended), len(order))
        except CellProblem as exc:
            fail(columns.attended, str(exc))
            ok = False
    if not ok:
        return
    current = present_now.get(enrolment.pk, set())
    if marks:
        # A row that marks some sessions: the unmarked ones were missed.
        present = {sid for sid in columns.sessions.values() if marks.get(sid)}
        present |= {sid for sid in current if sid not in columns.sessions.values()}
        if count is not None and count != len(present):
            fail(
                columns.attended,
                _("%(count)d sessions attended, but %(marked)d are marked present.")
                % {"count": count, "marked": len(present)},
            )
            return
    elif count is not None and count != len(current):
        present = set(order[:count])
    changed_pre = values["pre"] is not None and values["pre"] != enrolment.pre_score
    changed_post = values["post"] is not None and values["post"] != enrolment.post_score
    changed_att = present is not None and present != current
    if not (changed_pre or changed_post or changed_att):
        check.unchanged += 1
        return
    check.changes.append(
        Change(
            enrolment=enrolment.pk,
            name=enrolment.worker.full_name,
            nik_masked=enrolment.worker.nik_masked,
            pre=values["pre"] if changed_pre else None,
            post=values["post"] if changed_post else None,
            present=sorted(present) if changed_att else None,
            before={
                "pre": enrolment.pre_score,
                "post": enrolment.post_score,
                "attended": len(current),
            },
            after={
                "pre": values["pre"] if changed_pre else enrolment.pre_score,
                "post": values["post"] if changed_post else enrolment.post_score,
                "attended": len(present) if changed_att else len(current),
            },
            version=enrolment.version,
        )
    )


def _who(columns, cells, by_pk, by_hash, fail):
    """The participant a row is about: by participant number, else by NIK."""
    found = None
    raw_number = _cell(cells, columns.number)
    if not _blank(raw_number):
        try:
            found = by_pk.get(parse_number(raw_number))
        except CellProblem as exc:
            fail(columns.number, str(exc))
            return None
        if found is None:
            fail(
                columns.number,
                _("No participant of this batch in your area has this number."),
            )
            return None
    raw_nik = _cell(cells, columns.nik)
    if not _blank(raw_nik):
        try:
            nik = validate_nik(raw_nik)
        except NikError as exc:
            if found is None:
                fail(columns.nik, str(exc.message))
                return None
            return found  # the number identified the row; a damaged NIK beside it is harmless
        by_nik = by_hash.get(crypto.blind_index(nik.value))
        if found is None and by_nik is None:
            fail(columns.nik, _("No participant of this batch in your area has this NIK."))
            return None
        if found is not None and by_nik is not None and by_nik.pk != found.pk:
            fail(columns.nik, _("The NIK and the participant number name different people."))
            return None
        found = found or by_nik
    if found is None:
        fail(
            columns.number if columns.number is not None else columns.nik,
            _("The row names no participant: fill in the NIK or the participant number."),
        )
    return found


# ---- writing ------------------------------------------------------------------------------------


def apply_check(check: Check, batch, user) -> int:
    """Write the checked changes in one transaction; returns the number of participants changed.
    A participant whose place or results changed since the check (a grid or API writer in
    between) stops the whole write: the file was checked against what they replaced."""
    ids = [c.enrolment for c in check.changes]
    with transaction.atomic():
        enrolments = {
            e.pk: e
            for e in Enrolment.objects.visible_to(user)
            .filter(batch=batch, pk__in=ids)
            .select_related("batch__course", "worker")
            .select_for_update(of=("self",))
        }
        for change in check.changes:
            enrolment = enrolments.get(change.enrolment)
            if enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
                raise ValidationError(
                    _(
                        "The list of participants changed since the file was checked. Upload "
                        "the file again."
                    ),
                    code="stale",
                )
            services.record_results(
                enrolment,
                user,
                pre_score=change.pre,
                post_score=change.post,
                present_session_ids=change.present,
                version=change.version,
            )
    return len(ids)
