"""Training certificates as PDF: one A4 landscape page in Bahasa Indonesia, with a QR code that
opens the public verification page, and the background job that issues and prints every
certificate of a batch into one ZIP file.

Decisions:
- The certificate is an official document in Bahasa Indonesia whatever the user's language:
  its words and dates ("2 – 6 Maret 2026") are written here, not translated.
- It carries the holder's full name, never the NIK. The QR code holds the absolute URL of the
  public verification page (`/verifikasi/<verify_code>/`); the host comes from the request when
  there is one (the batch job is given it when it starts) and from `MITRA_PUBLIC_URL` otherwise.
- Fonts: DejaVu Serif, vendored in `data/fonts/` with its licence, so a certificate looks the
  same on every machine. If those files are missing, the system's DejaVu is used, and failing
  that reportlab's built-in Helvetica (the page still renders; letters outside Latin-1 degrade).
- Speed (one certificate renders in a few milliseconds, fonts and drawing prepared once):
  * reportlab re-embeds every TrueType subset (font program, widths, ToUnicode map) in every
    document, ~4 ms per font per PDF in pure Python. Each certificate first gives every font the
    same character assignments (`_CachedTTFont.prime`), so subset 0 is the same in every PDF and
    its PDF objects are formatted and compressed once per process. Text with rarer characters
    adds a subset that is built normally.
  * What all certificates of a batch share (frame, organiser, course, dates, venue, signer) is a
    static layer whose PDF operators are recorded once and replayed (`_static_operators`); only
    the number, the name, the QR code and its address are drawn per certificate. Layout
    measurements are cached too.
  * The QR code is encoded with a fixed mask (segno's search for the best one costs ~15 ms;
    every mask gives a valid code) and drawn as one path of horizontal runs.
  These lean on two reportlab internals, the canvas's operator list (`_code`) and its document
  (`_doc`); tests/test_certificates.py checks the text, the fonts and the QR code of the output.
- The batch job issues the missing certificates through `services.issue_certificate` (one
  transaction), then reads every passed participant in one query of plain values and writes
  each PDF straight into the ZIP as it is rendered, so memory does not grow with the batch.
  Revoked certificates are left out. The ZIP is kept under MEDIA_ROOT/certificates/ with a
  random name; its download writes one access-log row for the whole file (not one per
  certificate).
"""

from __future__ import annotations

import datetime
import functools
import io
import logging
import os
import re
import time
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)
from reportlab.pdfgen.canvas import Canvas

from . import services
from .models import Batch, Certificate, Enrolment, Result

log = logging.getLogger(__name__)

JOB_KIND = "training.certificates"
JOB_FUNC = "mitra.training.certificates.run_certificate_batch"
STORAGE_DIR = "certificates"
PERMISSION_ISSUE = "training.issue_certificate"

# Page streams binary (Flate) rather than Flate + ASCII85: smaller files, ~2 ms less per PDF.
# Nothing here needs 7-bit PDFs; reportlab has no per-canvas switch for this.
rl_config.useA85 = 0

# ---- Indonesian words and dates ---------------------------------------------------------------

BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
EN_DASH = "\u2013"


def tanggal(day: datetime.date) -> str:
    """17 Agustus 2025."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def date_range(start: datetime.date, end: datetime.date, month_name=None) -> str:
    """The dates of a batch, the way Indonesian documents write them:
    2 – 6 Maret 2026; 28 Februari – 3 Maret 2026; 29 Desember 2025 – 2 Januari 2026;
    one day: 2 Maret 2026. `month_name(date)` gives the month's name (default: Indonesian)."""
    month = month_name or (lambda d: BULAN[d.month - 1])
    if end < start:
        start, end = end, start
    last = f"{end.day} {month(end)} {end.year}"
    if start == end:
        return last
    if (start.year, start.month) == (end.year, end.month):
        first = f"{start.day}"
    elif start.year == end.year:
        first = f"{start.day} {month(start)}"
    else:
        first = f"{start.day} {month(start)} {start.year}"
    return f"{first} {EN_DASH} {last}"


def mask_name(full_name: str) -> str:
    """The holder's name for the public page: each word keeps its first three characters (the
    first one for words of three or fewer) and the rest become asterisks: Siti Rahayu ->
    Sit* Rah***. Enough to compare with the paper in hand, not enough to find the person."""
    words = []
    for word in full_name.split():
        keep = 1 if len(word) <= 3 else 3
        words.append(word[:keep] + re.sub(r"\w", "*", word[keep:]))
    return " ".join(words)


def place_name(regency_name: str) -> str:
    """Kabupaten Bantul -> Bantul; Kota Yogyakarta -> Yogyakarta (the place of issue)."""
    for prefix in ("Kabupaten ", "Kab. ", "Kota ", "Kota Adm. ", "Kota Administrasi "):
        if regency_name.startswith(prefix):
            return regency_name[len(prefix) :]
    return regency_name


# ---- the verification URL (the QR code's payload) ---------------------------------------------


def verification_path(verify_code: str) -> str:
    return reverse("certificate_verify", args=[verify_code])


def public_base_url(request=None) -> str:
    """scheme://host of the public site: the request's, else the MITRA_PUBLIC_URL setting."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.MITRA_PUBLIC_URL.rstrip("/")


def verification_url(verify_code: str, base_url: str | None = None, request=None) -> str:
    """The absolute URL of a certificate's public verification page: the QR code's payload."""
    base = base_url.rstrip("/") if base_url else public_base_url(request)
    return base + verification_path(verify_code)


# ---- what is printed ----------------------------------------------------------------------------

# Everything a certificate prints, in one query.
CERTIFICATE_RELATED = (
    "enrolment__worker",
    "enrolment__batch__course",
    "enrolment__batch__venue__district__regency",
)


def printable_certificates():
    return Certificate.objects.select_related(*CERTIFICATE_RELATED)


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """What one certificate says (never the NIK)."""

    number: str
    holder: str
    course_title: str
    hours: int
    starts_on: datetime.date
    ends_on: datetime.date
    organiser: str
    venue: str
    place: str
    issued_on: datetime.date
    valid_until: datetime.date | None
    signer_name: str
    signer_title: str
    verify_url: str
    revoked: bool = False
    # "event": a certificate of participation in an event (mitra/events): the course title holds
    # the event's name, and there is no verdict and no JPL.
    kind: str = "training"


def venue_text(batch: Batch) -> str:
    """Balai Desa Trimulyo, Desa Trimulyo, Kecamatan Jetis, Kabupaten Bantul."""
    village = batch.venue
    district = village.district
    kind = "Kelurahan" if village.kind == "kelurahan" else "Desa"
    parts = [batch.venue_detail.strip()] if batch.venue_detail.strip() else []
    parts += [f"{kind} {village.name}", f"Kecamatan {district.name}", district.regency.name]
    return ", ".join(parts)


def batch_facts(batch: Batch) -> dict:
    """What every certificate of a batch says alike (the batch read with its course and its
    venue's district and regency)."""
    course = batch.course
    return {
        "course_title": course.title,
        "hours": course.hours,
        "starts_on": batch.starts_on,
        "ends_on": batch.ends_on,
        "organiser": batch.organiser,
        "venue": venue_text(batch),
        "place": place_name(batch.venue.district.regency.name),
        "signer_name": batch.signer_name,
        "signer_title": batch.signer_title,
    }


def facts_for(certificate: Certificate, base_url: str) -> CertificateFacts:
    """The facts of a certificate read with `printable_certificates()` (no further query)."""
    enrolment = certificate.enrolment
    return CertificateFacts(
        number=certificate.number,
        holder=enrolment.worker.full_name,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        verify_url=verification_url(certificate.verify_code, base_url),
        revoked=certificate.revoked_at is not None,
        **batch_facts(enrolment.batch),
    )


def certificate_status(certificate: Certificate, today=None) -> str:
    """valid, revoked or expired."""
    if certificate.revoked_at is not None:
        return "revoked"
    today = today or timezone.localdate()
    if certificate.valid_until is not None and certificate.valid_until < today:
        return "expired"
    return "valid"


def pdf_filename(number: str) -> str:
    """sertifikat-PSM-D-2026-00001-0001.pdf: the number only, never the holder's name."""
    return "sertifikat-" + re.sub(r"[^A-Za-z0-9]+", "-", number).strip("-") + ".pdf"


# ---- fonts --------------------------------------------------------------------------------------

VENDORED_FONTS = Path(__file__).resolve().parent / "data" / "fonts"
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "regular": "DejaVuSerif.ttf",
    "bold": "DejaVuSerif-Bold.ttf",
    "italic": "DejaVuSerif-Italic.ttf",
}
BUILT_IN_FONTS = {"regular": "Helvetica", "bold": "Helvetica-Bold", "italic": "Helvetica-Oblique"}

# Assigned to every TrueType font at the start of every certificate (see the module docstring):
# ASCII, the Latin-1 letters found in names, and the typographic punctuation used here.
PRIMED_CHARACTERS = (
    "".join(chr(c) for c in range(32, 127))
    + "".join(chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7))
    + "\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
)


class _Formatted(pdfdoc.PDFObject):
    """A PDF object formatted once: fixed bytes, with the references of this document spliced in
    (a new instance per document: reportlab marks an object with its name in one document)."""

    __RefOnly__ = 1  # an indirect object, never inlined

    def __init__(self, *parts):
        self.parts = parts

    def format(self, document):
        return b"".join(p if isinstance(p, bytes) else p.format(document) for p in self.parts)


def _stream_bytes(compressed: bytes, **entries) -> bytes:
    dictionary = "".join(f" /{key} {value}" for key, value in entries.items())
    header = f"<< /Filter /FlateDecode /Length {len(compressed)}{dictionary} >>\nstream\n"
    return header.encode("ascii") + compressed + b"\nendstream\n"


def _open_dictionary(entries: dict, doc) -> bytes:
    """A formatted dictionary without its closing >> (references are added per document)."""
    formatted = pdfdoc.PDFDictionary(entries).format(doc).rstrip()
    assert formatted.endswith(b">>")
    return formatted[:-2].rstrip() + b"\n"


class _CachedTTFont(TTFont):
    """A TrueType font whose embedded subsets are formatted once per process.

    Makes the same PDF objects as reportlab 5's TTFont.addObjects and
    TTFontFace.addSubsetObjects (a TrueType font dictionary, its font descriptor, the subset's
    font program and its ToUnicode map), but their bytes come from a cache keyed by the subset's
    characters; only the object numbers are new in each document."""

    MAX_CACHED = 64

    def __init__(self, name: str, path: Path):
        super().__init__(name, str(path))
        self._parts: dict[tuple, tuple[bytes, bytes, bytes, bytes]] = {}
        self._primed = None

    def _subset_parts(self, n: int, subset: list[int], base_name: str, doc):
        key = (n, tuple(subset))
        parts = self._parts.get(key)
        if parts is not None:
            return parts
        if len(self._parts) >= self.MAX_CACHED:
            self._parts.clear()
        face = self.face
        font = _open_dictionary(
            {
                "Type": pdfdoc.PDFName("Font"),
                "Subtype": pdfdoc.PDFName("TrueType"),
                "BaseFont": pdfdoc.PDFName(base_name),
                "FirstChar": 0,
                "LastChar": len(subset) - 1,
                "Widths": pdfdoc.PDFArray(list(map(face.getCharWidth, subset))),
            },
            doc,
        )
        descriptor = _open_dictionary(
            {
                "Type": pdfdoc.PDFName("FontDescriptor"),
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(base_name),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "MissingWidth": face.defaultWidth,
            },
            doc,
        )
        program = face.makeSubset(subset)
        cmap = makeToUnicodeCMap(base_name, subset)
        cmap = cmap.encode("latin-1") if isinstance(cmap, str) else cmap
        parts = self._parts[key] = (
            font,
            descriptor,
            _stream_bytes(zlib.compress(program), Length1=len(program)),
            _stream_bytes(zlib.compress(cmap)),
        )
        return parts

    def addObjects(self, doc):  # noqa: N802 - reportlab's name
        state = self._assignState(doc)
        state.frozen = 1
        face = self.face
        fonts = doc.idToObject["BasicFonts"].dict
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            font, descriptor, program, cmap = self._subset_parts(n, subset, base_name, doc)
            program_ref = doc.Reference(
                _Formatted(program), f"fontFile:{face.filename}({base_name})"
            )
            descriptor_ref = doc.Reference(
                _Formatted(descriptor, b"/FontFile2 ", program_ref, b" >>"),
                "fontDescriptor:" + base_name,
            )
            cmap_ref = doc.Reference(_Formatted(cmap), "toUnicodeCMap:" + base_name)
            pdf_font = _Formatted(
                font,
                f"/Name /{internal_name} /FontDescriptor ".encode("ascii"),
                descriptor_ref,
                b" /ToUnicode ",
                cmap_ref,
                b" >>",
            )
            doc.Reference(pdf_font, internal_name)
            fonts[internal_name] = pdf_font
        del self.state[doc]

    def prime(self, doc) -> None:
        """Give this document the primed character assignments (copied from the first one)
        and the font its PDF name now, so both are the same in every certificate."""
        if self._primed is None:
            self.splitString(PRIMED_CHARACTERS, doc)
            state = self.state[doc]
            self._primed = (
                dict(state.assignments),
                [list(s) for s in state.subsets],
                state.nextCode,
            )
        else:
            state = self._assignState(doc)
            assignments, subsets, next_code = self._primed
            state.assignments = dict(assignments)
            state.subsets = [list(subset) for subset in subsets]
            state.nextCode = next_code
        self.getSubsetInternalName(0, doc)


@dataclass(frozen=True)
class FontSet:
    regular: str
    bold: str
    italic: str
    embedded: tuple[_CachedTTFont, ...]  # empty when the built-in fonts are used

    @property
    def built_in(self) -> bool:
        return not self.embedded


def _font_directory() -> Path | None:
    for directory in (VENDORED_FONTS, SYSTEM_FONTS):
        if all((directory / name).is_file() for name in FONT_FILES.values()):
            return directory
    return None


@functools.cache
def certificate_fonts() -> FontSet:
    """Register the fonts once per process (reading a TrueType file takes ~30 ms)."""
    directory = _font_directory()
    if directory is None:
        log.warning("DejaVu fonts not found; certificates use the built-in Helvetica")
        return FontSet(**BUILT_IN_FONTS, embedded=())
    names, embedded = {}, []
    for style, filename in FONT_FILES.items():
        name = f"MitraCertificate-{style}"
        # reportlab keeps the first font registered under a name for the whole process.
        if name in pdfmetrics.getRegisteredFontNames():
            font = pdfmetrics.getFont(name)
        else:
            font = _CachedTTFont(name, directory / filename)
            pdfmetrics.registerFont(font)
        names[style] = name
        embedded.append(font)
    return FontSet(**names, embedded=tuple(embedded))


_NO_DECOMPOSITION = str.maketrans("ĐđĦħŁłŦŧ", "DdHhLlTt")


def _built_in_text(text: str) -> str:
    """Text the built-in fonts can show (Windows-1252): other letters lose their accents
    (Nguyễn -> Nguyen), what is left becomes '?'."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        chars = []
        for char in text.translate(_NO_DECOMPOSITION):
            if not _cp1252(char):
                char = unicodedata.normalize("NFKD", char)[:1]
                char = char if _cp1252(char) else "?"
            chars.append(char)
        text = "".join(chars)
    return text


def _cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


# ---- the QR code --------------------------------------------------------------------------------

QR_MASK = 2  # any mask gives a valid code; a fixed one skips segno's slow search


_DARK_RUN = re.compile(rb"\x01+")


def qr_matrix(payload: str) -> tuple[bytes, ...]:
    """The QR code's rows of modules (1 = dark), error correction M (15%: survives creases and
    stamps)."""
    qr = segno.make(payload, error="m", mode="byte", micro=False, boost_error=False, mask=QR_MASK)
    return tuple(bytes(row) for row in qr.matrix)


def qr_path(payload: str, x: float, y: float, size: float) -> str:
    """PDF operators filling the dark modules of the QR code, as horizontal runs, in a square of
    `size` points whose lower left corner is (x, y). The page around it is white (quiet zone)."""
    matrix = qr_matrix(payload)
    count = len(matrix)
    module = size / count
    ops = [f"q 0 0 0 rg 1 0 0 1 {x:.2f} {y:.2f} cm {module:.5f} 0 0 {module:.5f} 0 0 cm"]
    for r, row in enumerate(matrix):
        line = count - 1 - r
        ops.extend(
            f"{m.start()} {line} {m.end() - m.start()} 1 re" for m in _DARK_RUN.finditer(row)
        )
    ops.append("f Q")
    return "\n".join(ops)


# ---- the page -----------------------------------------------------------------------------------
#
# A certificate is drawn in two layers. What every certificate of a batch shares (the frame, the
# organiser, the course, dates, venue, place and date of issue, the signer) is the static layer;
# the number, the holder's name, the verification address and the QR code are drawn per
# certificate. The static layer's PDF operators are recorded the first time and replayed for the
# next certificates of the same batch (see `_static_operators`).

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
CENTRE = PAGE_WIDTH / 2
NAVY = (0.106, 0.227, 0.420)
GOLD = (0.722, 0.573, 0.227)
INK = (0.12, 0.15, 0.18)
MUTED = (0.36, 0.40, 0.44)
RED = (0.70, 0.15, 0.12)
TEXT_WIDTH = 600
NUMBER_Y = PAGE_HEIGHT - 168
QR_X, QR_Y, QR_SIZE = 62, 56, 84
SIGNER_X = PAGE_WIDTH - 205
# Sizes of the body (name, course, details, leading, gap), from roomy to compact: the first that
# leaves the body above the signature block is used, so long names and titles never collide.
_BODY_STYLES = (
    (30, 19, 12, 16, 1.0),
    (26, 17, 11, 14.5, 0.8),
    (22, 15, 10, 13, 0.6),
    (20, 13, 9, 11.5, 0.5),
)
BODY_BOTTOM = 180  # the place and date of issue start below this line
VERDICT = "LULUS"


@functools.lru_cache(maxsize=4096)
def _width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


@functools.lru_cache(maxsize=1024)
def _fit(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size (in half points) from `size` down to `smallest` at which text fits."""
    while size > smallest and _width(text, font, size) > width:
        size -= 0.5
    return size


@functools.lru_cache(maxsize=1024)
def _wrap(text: str, font: str, size: float, width: float, most: int) -> tuple[str, ...]:
    lines = simpleSplit(text, font, size, width) or [""]
    return tuple(lines[:most])


@dataclass(frozen=True, slots=True)
class _Static:
    """What the certificates of one batch share (the key of the static layer)."""

    organiser: str
    course_title: str
    hours: int
    starts_on: datetime.date
    ends_on: datetime.date
    venue: str
    place: str
    issued_on: datetime.date
    valid_until: datetime.date | None
    signer_name: str
    signer_title: str
    kind: str = "training"

    @classmethod
    def of(cls, facts: CertificateFacts) -> _Static:
        return cls(**{name: getattr(facts, name) for name in cls.__slots__})


@dataclass(frozen=True, slots=True)
class _Layout:
    style: tuple
    two_lines: bool  # room for a name on two lines
    name_y: float  # baseline of the (first) name line
    name_step: float  # from the first name line to the second
    rule_y: float  # the rule under the name
    lines: tuple  # (font, size, y, text, colour) of the body below the name
    bottom: float


@functools.lru_cache(maxsize=256)
def _layout(static: _Static, fonts: FontSet, style_index: int, two_lines: bool) -> _Layout:
    style = _BODY_STYLES[style_index]
    name_size, course_size, detail_size, leading, gap = style
    text = _built_in_text if fonts.built_in else str
    regular, bold, italic = fonts.regular, fonts.bold, fonts.italic
    name_y = PAGE_HEIGHT - 205 - name_size - 10 * gap
    name_step = name_size * 0.8 + 4
    last_name_y = name_y - name_step if two_lines else name_y
    rule_y = last_name_y - 12
    lines = []
    y = rule_y - 26 * gap - 4
    if static.kind == "event":
        lines.append((regular, 14, y, "telah berpartisipasi sebagai peserta dalam", INK))
    else:
        lines.append((VERDICT, 14, y, "telah mengikuti dan dinyatakan ", INK))
    course = text(static.course_title)
    size = _fit(course, bold, course_size, TEXT_WIDTH + 40, course_size * 0.8)
    y -= size + 11 * gap
    for line in _wrap(course, bold, size, TEXT_WIDTH + 40, 2):
        lines.append((bold, size, y, line, NAVY))
        y -= size + 4
    y += size + 4
    y -= leading + 4 + 8 * gap
    for sentence in (
        f"dengan jumlah {static.hours} jam pelajaran (JPL) pada tanggal "
        f"{date_range(static.starts_on, static.ends_on)},"
        if static.kind != "event"
        else f"pada tanggal {date_range(static.starts_on, static.ends_on)},",
        f"yang diselenggarakan oleh {static.organiser}",
        f"di {static.venue}.",
    ):
        for line in _wrap(text(sentence), regular, detail_size, TEXT_WIDTH + 60, 2):
            lines.append((regular, detail_size, y, line, INK))
            y -= leading
    y += leading
    if static.valid_until:
        y -= 4 + leading
        validity = f"Sertifikat ini berlaku sampai dengan {tanggal(static.valid_until)}."
        lines.append((italic, detail_size - 1, y, validity, MUTED))
    return _Layout(style, two_lines, name_y, name_step, rule_y, tuple(lines), y)


def _choose_layout(static: _Static, fonts: FontSet, holder: str) -> _Layout:
    """The roomiest layout in which this holder's name and the body fit above the signature."""
    layout = None
    for index, style in enumerate(_BODY_STYLES):
        name_size = style[0]
        two_lines = _width(holder, fonts.bold, name_size * 0.75) > TEXT_WIDTH
        layout = _layout(static, fonts, index, two_lines)
        if layout.bottom >= BODY_BOTTOM:
            break
    return layout


def _name_lines(holder: str, bold: str, layout: _Layout) -> tuple[float, tuple[str, ...]]:
    name_size = layout.style[0]
    if not layout.two_lines:
        return _fit(holder, bold, name_size, TEXT_WIDTH, name_size * 0.75), (holder,)
    # A long name goes on two lines rather than shrinking out of sight.
    size = name_size * 0.8
    lines = _wrap(holder, bold, size, TEXT_WIDTH, 3)
    while len(lines) > 2 and size > 12:
        size -= 1
        lines = _wrap(holder, bold, size, TEXT_WIDTH, 3)
    return size, lines[:2]


def _centred_lines(c: Canvas, lines, font: str, size: float, y: float, leading: float, x=CENTRE):
    c.setFont(font, size)
    for line in lines:
        c.drawCentredString(x, y, line)
        y -= leading
    return y


def _diamond(c: Canvas, x: float, y: float, r: float) -> None:
    path = c.beginPath()
    path.moveTo(x, y - r)
    path.lineTo(x + r, y)
    path.lineTo(x, y + r)
    path.lineTo(x - r, y)
    path.close()
    c.drawPath(path, fill=1, stroke=0)


def _rule(c: Canvas, y: float, half_width: float) -> None:
    """A thin gold rule with a diamond in its middle."""
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(0.8)
    c.line(CENTRE - half_width, y, CENTRE - 8, y)
    c.line(CENTRE + 8, y, CENTRE + half_width, y)
    c.setFillColorRGB(*GOLD)
    _diamond(c, CENTRE, y, 3.5)


def _draw_static(c: Canvas, static: _Static, layout: _Layout, fonts: FontSet) -> None:
    """The layer every certificate of a batch shares."""
    text = _built_in_text if fonts.built_in else str
    regular, bold, italic = fonts.regular, fonts.bold, fonts.italic
    w, h = PAGE_WIDTH, PAGE_HEIGHT
    # The frame: navy outside, two gold lines inside, a gold diamond in each corner.
    c.setStrokeColorRGB(*NAVY)
    c.setLineWidth(2.4)
    c.rect(20, 20, w - 40, h - 40)
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(1)
    c.rect(27, 27, w - 54, h - 54)
    c.setLineWidth(0.4)
    c.rect(31, 31, w - 62, h - 62)
    c.setFillColorRGB(*GOLD)
    for x, y in ((31, 31), (w - 31, 31), (31, h - 31), (w - 31, h - 31)):
        _diamond(c, x, y, 7)

    # The organiser and the title.
    c.setFillColorRGB(*NAVY)
    organiser = text(static.organiser.upper())
    size = _fit(organiser, bold, 15, 640, 10)
    heads = _wrap(organiser, bold, size, 640, 2)
    _centred_lines(c, heads, bold, size, h - 78 + (size + 2) * (len(heads) - 1), size + 2)
    _rule(c, h - 92, 150)
    title, spacing = "SERTIFIKAT", 7
    width = _width(title, bold, 40) + spacing * (len(title) - 1)
    c.setFillColorRGB(*NAVY)
    t = c.beginText(CENTRE - width / 2, h - 145)
    t.setFont(bold, 40)
    t.setCharSpace(spacing)
    t.textOut(title)
    t.setCharSpace(0)  # the spacing is text state: it would carry over to every later line
    c.drawText(t)
    c.setFillColorRGB(*INK)
    c.setFont(italic, 14)
    c.drawCentredString(CENTRE, h - 205, "diberikan kepada")

    # What was passed, when and where.
    for font, size, y, line, colour in layout.lines:
        c.setFillColorRGB(*colour)
        if font == VERDICT:  # "telah mengikuti dan dinyatakan LULUS": the verdict in bold
            w1, w2 = _width(line, regular, size), _width(VERDICT, bold, size)
            c.setFont(regular, size)
            c.drawString(CENTRE - (w1 + w2) / 2, y, line)
            c.setFont(bold, size)
            c.drawString(CENTRE - (w1 + w2) / 2 + w1, y, VERDICT)
        else:
            c.setFont(font, size)
            c.drawCentredString(CENTRE, y, line)

    # Beside the QR code.
    x = QR_X + QR_SIZE + 10
    c.setFillColorRGB(*NAVY)
    c.setFont(bold, 9)
    c.drawString(x, QR_Y + QR_SIZE - 10, "Verifikasi keaslian")
    c.setFillColorRGB(*MUTED)
    c.setFont(regular, 8)
    c.drawString(x, QR_Y + QR_SIZE - 23, "Pindai kode QR atau buka alamat:")

    # Place and date of issue, and the signer (room above the name for the signature and stamp).
    c.setFillColorRGB(*INK)
    c.setFont(regular, 12)
    c.drawCentredString(SIGNER_X, 162, text(f"{static.place}, {tanggal(static.issued_on)}"))
    title_lines = _wrap(text(static.signer_title), regular, 11.5, 260, 2)
    _centred_lines(c, title_lines, regular, 11.5, 147, 14, x=SIGNER_X)
    signer = text(static.signer_name) or " "
    size = _fit(signer, bold, 12, 260, 9)
    c.setFont(bold, size)
    c.drawCentredString(SIGNER_X, 66, signer)
    line_half = max(70, min(_width(signer, bold, size) / 2 + 6, 130))
    c.setStrokeColorRGB(*INK)
    c.setLineWidth(0.6)
    c.line(SIGNER_X - line_half, 62, SIGNER_X + line_half, 62)


_STATIC_OPERATORS: dict[tuple, str] = {}
_PRIMED_SET = frozenset(PRIMED_CHARACTERS)


def _replayable(static: _Static, fonts: FontSet) -> bool:
    """The recorded operators hold text encoded for the primed subsets: they may be replayed in
    another PDF only if every character of the static layer is one of the primed ones."""
    if fonts.built_in:
        return False  # the built-in fonts get their PDF names in the order they are first used
    words = (static.organiser.upper(), static.course_title, static.organiser, static.venue)
    words += (static.place, static.signer_name, static.signer_title)
    return all(set(word) <= _PRIMED_SET for word in words)


def _static_operators(c: Canvas, static: _Static, layout: _Layout, fonts: FontSet) -> None:
    """Draw the static layer, or replay its operators recorded for an earlier certificate."""
    key = (static, fonts, layout.style, layout.two_lines)
    recorded = _STATIC_OPERATORS.get(key)
    if recorded is not None:
        c.addLiteral(recorded)
        return
    start = len(c._code)
    c.saveState()  # q ... Q: the layer leaves no colour, font or line width behind
    _draw_static(c, static, layout, fonts)
    c.restoreState()
    if _replayable(static, fonts):
        if len(_STATIC_OPERATORS) >= 64:
            _STATIC_OPERATORS.clear()
        _STATIC_OPERATORS[key] = "\n".join(c._code[start:])


def draw_certificate(c: Canvas, facts: CertificateFacts, fonts: FontSet) -> None:
    """Draw one certificate on the canvas's current page."""
    text = _built_in_text if fonts.built_in else str
    regular, bold = fonts.regular, fonts.bold
    static = _Static.of(facts)
    holder = text(facts.holder)
    layout = _choose_layout(static, fonts, holder)
    _static_operators(c, static, layout, fonts)

    # The number and the holder.
    c.setFillColorRGB(*MUTED)
    c.setFont(regular, 11)
    c.drawCentredString(CENTRE, NUMBER_Y, text(f"Nomor: {facts.number}"))
    size, names = _name_lines(holder, bold, layout)
    c.setFillColorRGB(*NAVY)
    _centred_lines(c, names, bold, size, layout.name_y, layout.name_step)
    name_width = max(_width(name, bold, size) for name in names)
    _rule(c, layout.rule_y, max(150, min(name_width / 2 + 30, 320)))

    # The QR code and the address it holds.
    c.addLiteral(qr_path(facts.verify_url, QR_X, QR_Y, QR_SIZE))
    c.setFillColorRGB(*MUTED)
    c.setFont(regular, 7.5)
    y = QR_Y + QR_SIZE - 35
    for line in _wrap(facts.verify_url, regular, 7.5, 230, 3):
        c.drawString(QR_X + QR_SIZE + 10, y, line)
        y -= 10

    if facts.revoked:
        c.saveState()
        c.setFillColorRGB(*RED, alpha=0.22)
        c.translate(CENTRE, PAGE_HEIGHT / 2)
        c.rotate(24)
        c.setFont(bold, 110)
        c.drawCentredString(0, -30, "DICABUT")
        c.restoreState()


def render_certificate(facts: CertificateFacts, out) -> None:
    """Write the certificate's PDF to `out` (a binary file object)."""
    fonts = certificate_fonts()
    c = Canvas(
        out,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1,
        initialFontName=fonts.regular,  # not Helvetica: every font in the PDF is embedded
    )
    for font in fonts.embedded:
        # reportlab keeps a font's subsets per document; see _CachedTTFont.
        font.prime(c._doc)
    c.setTitle(f"Sertifikat {facts.number}")
    c.setSubject(facts.course_title)
    c.setAuthor(facts.organiser)
    c.setCreator("Mitra")
    draw_certificate(c, facts, fonts)
    c.showPage()
    c.save()


def certificate_pdf(facts: CertificateFacts) -> bytes:
    buffer = io.BytesIO()
    render_certificate(facts, buffer)
    return buffer.getvalue()


# ---- the batch job ------------------------------------------------------------------------------


def batch_for_issuing(user, batch_id) -> Batch:
    """The batch, if the user may issue its certificates: the permission, and the batch inside
    the user's own area (a Bantul officer sees DIY's batches but does not issue for them)."""
    if user is None or not user.is_active or not user.has_perm(PERMISSION_ISSUE):
        raise PermissionDenied
    return (
        Batch.objects.managed_by(user)
        .select_related("course", "venue__district__regency")
        .get(pk=batch_id)
    )


def passed_enrolments(batch: Batch):
    """The passed participants of a batch, in name order (the order new certificates are
    numbered in)."""
    return Enrolment.objects.filter(batch=batch, result=Result.PASSED).order_by(
        "worker__full_name", "pk"
    )


# What each certificate of a batch adds to the batch's facts: one query for all participants,
# plain values (no model instances: nothing else is needed).
PARTICIPANT_VALUES = (
    "certificate__number",
    "certificate__verify_code",
    "certificate__issued_on",
    "certificate__valid_until",
    "certificate__revoked_at",
    "worker__full_name",
)


def storage_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def write_batch_zip(
    batch: Batch, user, base_url: str, progress=None, interval: float = 0.25
) -> dict:
    """Issue the batch's missing certificates and print them all into one ZIP; returns counts.

    Progress is reported per certificate, written at most every `interval` seconds."""
    total = passed_enrolments(batch).count()
    report = _Reporter(progress, total, interval)
    report(0, _("Issuing certificates…"))
    issued = 0
    # Issue the missing certificates first, so the numbers follow the name order.
    missing = (
        passed_enrolments(batch)
        .filter(certificate__isnull=True)
        .select_related("batch__course", "worker")
    )
    with transaction.atomic():  # all of them or none; one commit, not one per certificate
        for enrolment in missing.iterator(chunk_size=500):
            services.issue_certificate(enrolment, user)
            issued += 1

    shared = batch_facts(batch)
    name = f"{STORAGE_DIR}/{uuid.uuid4().hex}.zip"
    path = storage_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    printed = skipped = 0
    message = _("Printing certificate %(done)d of %(total)d")
    rows = passed_enrolments(batch).values_list(*PARTICIPANT_VALUES)
    try:
        # Stored, not deflated: the PDFs are compressed already. Each PDF goes into the archive
        # as soon as it is rendered, so memory does not grow with the batch.
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, row in enumerate(rows.iterator(chunk_size=500), start=1):
                number, code, issued_on, valid_until, revoked_at, holder = row
                if revoked_at is not None:
                    skipped += 1
                elif number is not None:  # (None: passed after the issuing above; next time)
                    facts = CertificateFacts(
                        number=number,
                        holder=holder,
                        issued_on=issued_on,
                        valid_until=valid_until,
                        verify_url=verification_url(code, base_url),
                        **shared,
                    )
                    with archive.open(pdf_filename(number), "w") as member:
                        render_certificate(facts, member)
                    printed += 1
                report(done, message % {"done": done, "total": total})
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return {
        "file": name,
        "filename": f"sertifikat-{re.sub(r'[^A-Za-z0-9]+', '-', batch.course.code)}-"
        f"angkatan-{batch.pk}.zip",
        "printed": printed,
        "issued": issued,
        "revoked_skipped": skipped,
        "batch": batch.pk,
        "region_code": batch.region_code,
    }


class _Reporter:
    """Reports every certificate's progress to the job, written at most every 0.25 s (the page
    polls once a second), and always the last one."""

    def __init__(self, progress, total: int, interval: float = 0.25):
        self.progress = progress
        self.total = total
        self.interval = interval
        self.last = 0.0

    def __call__(self, done: int, message: str = "") -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if done in (0, self.total) or now - self.last >= self.interval:
            self.last = now
            self.progress(done, self.total, message)


def run_certificate_batch(*, job, progress, batch_id: int, base_url: str, language: str) -> dict:
    """The background job: "Generate certificates for all passed participants" of a batch."""
    user = job.created_by
    with translation.override(language):
        try:
            batch = batch_for_issuing(user, batch_id)
        except Batch.DoesNotExist:
            raise PermissionDenied(_("This batch is not in your area.")) from None
        result = write_batch_zip(batch, user, base_url, progress)
        progress(
            result["printed"],
            None,
            _("%(printed)d certificates printed (%(issued)d newly issued).")
            % {"printed": result["printed"], "issued": result["issued"]},
        )
    result["download_url"] = reverse("training:certificate_batch_download", args=[job.pk])
    result["finished"] = timezone.now().isoformat()
    return result
