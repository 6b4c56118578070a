"""Compile locale/*/LC_MESSAGES/*.po to .mo in pure Python (no gettext needed to build)."""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def main() -> None:
    for po_path in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(LOCALE_DIR)}: {po.percent_translated()}% translated")


if __name__ == "__main__":
    main()
