"""The Indonesian catalogue is complete, compiled, and actually used: Indonesian is the default
language, English is one click (or one browser setting) away, and numbers are written the
Indonesian way (7.285, not 7,285)."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db

MITRA_DIR = Path(__file__).resolve().parents[2]
PO_PATH = MITRA_DIR / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
BRACE_PLACEHOLDER = re.compile(r"\{[a-z_]*\}")

NAVIGATION_ID = [
    "Beranda",
    "Wilayah",
    "Pekerja Sosial",
    "Pelatihan",
    "Kasus &amp; kegiatan",
    "Usaha",
    "Penghargaan",
    "Acara",
    "Laporan",
    "Admin",
]


def _catalogue(entries):
    """(context, msgid) -> translation, for entries that count as translated."""
    result = {}
    for entry in entries:
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
        if entry.msgid_plural:
            result[key] = tuple(sorted(entry.msgstr_plural.items()))
        else:
            result[key] = entry.msgstr
    return result


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


# --- the catalogue file -------------------------------------------------------------------------


def test_every_entry_is_translated_and_not_fuzzy(po):
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated entries in {PO_PATH.name}: {untranslated}"
    assert not fuzzy, f"fuzzy entries in {PO_PATH.name}: {fuzzy}"
    assert not po.obsolete_entries()
    assert len(po) > 0


def test_header_is_indonesian_with_one_plural_form(po):
    assert po.metadata["Language"] == "id"
    assert po.metadata["Project-Id-Version"] == "Mitra"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy
    for entry in po:
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0}, entry.msgid


def test_placeholders_are_kept(po):
    for entry in po:
        pattern = BRACE_PLACEHOLDER if "python-brace-format" in entry.flags else PLACEHOLDER
        # Indonesian has one form, used for every count: it follows the English plural.
        wanted = sorted(pattern.findall(entry.msgid_plural or entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(pattern.findall(text)) == wanted, (entry.msgid, text)


def test_compiled_catalogue_matches_the_po_file(po):
    """The .mo Django reads must say exactly what the .po says. If this fails, run
    `python -m mitra.core.i18n_compile`."""
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run python -m mitra.core.i18n_compile"
    mo = polib.mofile(str(MO_PATH))
    from_po = _catalogue(po.translated_entries())
    from_mo = _catalogue(mo)
    missing = sorted(k[1] for k in from_po.keys() - from_mo.keys())
    extra = sorted(k[1] for k in from_mo.keys() - from_po.keys())
    changed = sorted(k[1] for k in from_po.keys() & from_mo.keys() if from_po[k] != from_mo[k])
    assert not missing, f"in the .po but not in the .mo: {missing}"
    assert not extra, f"in the .mo but no longer in the .po: {extra}"
    assert not changed, f"translated differently in the .mo: {changed}"
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalogue_holds_every_string_marked_in_the_source(po, tmp_path, monkeypatch):
    """A string marked for translation but missing from the .po would show in English. Extract the
    strings again from a copy of the project's own files and compare with the catalogue."""
    source = tmp_path / "mitra"
    for path in MITRA_DIR.rglob("*"):
        if path.suffix not in {".py", ".html", ".txt"} or not path.is_file():
            continue
        rel = path.relative_to(MITRA_DIR)
        if rel.parts[0] in {"locale", "static"} or "__pycache__" in rel.parts:
            continue
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, source / rel)
    locale_dir = source / "locale"
    locale_dir.mkdir()
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[str(locale_dir)]):
        call_command("makemessages", locale=["id"], no_location=True, verbosity=0)
    fresh = polib.pofile(str(locale_dir / "id" / "LC_MESSAGES" / "django.po"))
    fresh_ids = {(e.msgctxt, e.msgid) for e in fresh}
    known_ids = {(e.msgctxt, e.msgid) for e in po}
    assert not sorted(m for _c, m in fresh_ids - known_ids), (
        "strings missing from the catalogue: run makemessages -l id from inside mitra/"
    )
    assert not sorted(m for _c, m in known_ids - fresh_ids), (
        "catalogue holds strings the source no longer has: run makemessages --no-obsolete"
    )


# --- what a user sees ---------------------------------------------------------------------------


def test_login_page_is_indonesian_by_default(client):
    response = client.get("/masuk/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "id"
    assert '<html lang="id">' in response.text
    assert "Masuk" in response.text
    assert "Nama pengguna" in response.text
    assert "Log in" not in response.text


def test_a_browser_set_to_english_still_gets_indonesian_first(client):
    """Only the choice made in Mitra switches the language, not the browser's Accept-Language."""
    response = client.get("/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "id"
    assert "Masuk" in response.text


def test_language_switch_changes_the_language_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk/"
    english = client.get("/masuk/")
    assert english.headers["Content-Language"] == "en"
    assert '<html lang="en">' in english.text
    assert "Log in" in english.text
    assert "Masuk" not in english.text

    client.post("/i18n/setlang/", {"language": "id", "next": "/masuk/"})
    # The choice made in the app wins over the browser's preference.
    indonesian = client.get("/masuk/", HTTP_ACCEPT_LANGUAGE="en")
    assert indonesian.headers["Content-Language"] == "id"
    assert "Masuk" in indonesian.text


def test_navigation_reads_in_indonesian(bantul_officer, client_for):
    response = client_for(bantul_officer).get("/")
    assert response.status_code == 200
    text = response.text
    nav = text[text.index('<nav id="main-menu"') : text.index("</nav>")]
    positions = [nav.index(f"{label}<") for label in NAVIGATION_ID]
    assert positions == sorted(positions), "menu items are out of order"
    # Every section is built: no item is marked "segera" (soon) any more.
    assert "segera" not in nav
    assert "Petugas kabupaten/kota (Dinas Sosial)" in text
    assert "Keluar" in text


def test_plural_uses_the_single_indonesian_form():
    template = Template(
        "{% load i18n %}{% blocktranslate count n=n %}{{ n }} region{% plural %}"
        "{{ n }} regions{% endblocktranslate %}"
    )
    with translation.override("id"):
        assert template.render(Context({"n": 1})) == "1 wilayah"
        assert template.render(Context({"n": 5})) == "5 wilayah"


# --- numbers and dates --------------------------------------------------------------------------


def test_indonesian_numbers_use_a_dot_for_thousands():
    """Figures for people go through |intcomma (grouped by locale); a bare {{ n }} is not grouped,
    so ids in element ids and form values stay plain digits (row-10590)."""
    template = Template("{% load humanize %}{{ n|intcomma }}|{{ big|intcomma }}|{{ n }}|{{ x }}")
    context = Context({"n": 7285, "big": 1234567, "x": 1234.5})
    with translation.override("id"):
        assert template.render(context) == "7.285|1.234.567|7285|1234,5"
    with translation.override("en"):
        assert template.render(context) == "7,285|1,234,567|7285|1234.5"


def test_indonesian_dates_use_indonesian_month_names():
    import datetime

    template = Template('{{ d|date:"j F Y" }}|{{ d|date:"j M Y" }}')
    with translation.override("id"):
        assert template.render(Context({"d": datetime.date(2026, 8, 17)})) == (
            "17 Agustus 2026|17 Agu 2026"
        )
