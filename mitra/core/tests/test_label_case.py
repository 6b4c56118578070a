"""Labels are in sentence case (issue 13): "Kasus & kegiatan", not "Kasus & Kegiatan". Only the
first word, proper names and the pronoun "Anda" start with a capital in the Indonesian
catalogue; a status badge starts with a capital even though the choice label is lower case."""

import re
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[2] / "locale" / "id" / "LC_MESSAGES" / "django.po"
CSS = Path(__file__).resolve().parents[2] / "static" / "mitra" / "mitra.css"
# Names, official terms and abbreviations that keep their capitals inside a label.
PROPER = {
    "Anda",
    "Rp",
    "Indonesia",
    "Mitra",
    "Kementerian",
    "Sosial",
    "RI",
    "Dinas",
    "Kemensos",
    "Bantul",
    "Trimulyo",
    "Balai",
    "Desa",
    "Jl",
    "Imogiri",
    "Timur",
    "Siti",
    "Angkatan",
    "I",
    "II",
    "III",
    "Pekerja",
    "Masyarakat",
    "Inggris",
    "Temu",
    "Nasional",
    "Berprestasi",
    "Karang",
    "Taruna",
    "Permensos",
}


def _title_cased(text: str) -> list[str]:
    # A label quoted in another (“Kiriman”, a tab's name) keeps its own capital.
    text = re.sub(r"“[^”]*”", "“”", text)
    words = re.findall(r"[A-Za-z][\w'-]*", text)
    return [w for w in words[1:] if w[0].isupper() and not w.isupper() and w not in PROPER]


def test_short_labels_in_the_catalogue_are_in_sentence_case():
    offenders = []
    for entry in polib.pofile(str(PO)):
        text = entry.msgstr
        # Labels: short, no placeholders, not a sentence.
        if not text or len(text) > 60 or "%" in text or "{" in text:
            continue
        if text.rstrip().endswith((".", "?", "!")):
            continue
        if _title_cased(text):
            offenders.append(text)
    assert offenders == []


def test_the_guard_catches_title_case():
    assert _title_cased("Kasus & Kegiatan") == ["Kegiatan"]
    assert _title_cased("Kasus & kegiatan") == []
    assert _title_cased("Kembali ke “Kiriman”") == []
    assert _title_cased("Kembali ke “Kiriman” Lain") == ["Lain"]


def test_status_badges_start_with_a_capital():
    assert ".status::first-letter { text-transform: uppercase; }" in CSS.read_text()


def test_a_choice_label_alone_in_a_cell_starts_with_a_capital():
    """A choice label ("normal", "kunjungan rumah") that fills a table cell or a fact is shown
    with capfirst, as the cells around it are."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    bare = re.compile(r"<(?:td|dd)(?: [^>]*)?>\{\{ [a-z_.]+get_[a-z_]+_display \}\}")
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if bare.search(path.read_text())
    ]
    assert offenders == []
