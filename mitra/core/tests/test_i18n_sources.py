"""Strings marked for translation are the ones `makemessages` finds.

xgettext only knows `_` and Django's own function names. A module that imported `gettext_lazy as
_l` had its strings silently left out of the catalogue, so every dashboard indicator came out in
English while the catalogue test stayed green. This test reads the source instead."""

import ast
from pathlib import Path

MITRA_DIR = Path(__file__).resolve().parents[2]
EXTRACTED = {"_"}  # besides each function's own name, which xgettext knows


def _aliases(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for name in node.names:
                if name.asname and name.asname not in EXTRACTED:
                    found.append(
                        f"{path.relative_to(MITRA_DIR)}:{node.lineno} {name.name} as {name.asname}"
                    )
    return found


def test_translation_functions_are_imported_under_names_makemessages_extracts():
    bad = [alias for path in sorted(MITRA_DIR.rglob("*.py")) for alias in _aliases(path)]
    assert not bad, (
        "makemessages does not extract strings marked with these names; import the function as "
        f"`_` or under its own name: {bad}"
    )


def test_the_check_sees_an_alias(tmp_path, monkeypatch):
    module = tmp_path / "module.py"
    module.write_text("from django.utils.translation import gettext_lazy as _l\n")
    monkeypatch.setattr("mitra.core.tests.test_i18n_sources.MITRA_DIR", tmp_path)
    assert _aliases(module) == ["module.py:1 gettext_lazy as _l"]
