"""Developer tool: fill Indonesian translations from a JSON file {msgid: msgstr}, then save the
catalogue in the wrapping the repository keeps (run it after `make messages`, then compile with
`python -m mitra.core.i18n_compile`). Usage: python -m mitra.core.i18n_fill FILE.json"""

import json
import sys
from pathlib import Path

import polib

PO_PATH = Path(__file__).resolve().parents[1] / "locale" / "id" / "LC_MESSAGES" / "django.po"


def main(argv: list[str]) -> int:
    po = polib.pofile(str(PO_PATH), wrapwidth=78)
    translations = json.loads(Path(argv[0]).read_text(encoding="utf-8")) if argv else {}
    for entry in po:
        if entry.msgid in translations:
            if entry.msgid_plural:
                # Indonesian has one plural form (nplurals=1): the same text for every count.
                entry.msgstr_plural = {0: translations[entry.msgid]}
            else:
                entry.msgstr = translations[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
            entry.previous_msgid_plural = None
    po.save()
    left = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    for msgid in left:
        print("untranslated:", msgid)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
