"""Fill translations into an app's .po files: `python scripts/fill_po.py APP TRANSLATIONS.json`.

The JSON maps each English msgid to {"fi": ..., "sv": ...}. Entries already translated are kept unless
the JSON gives them again; the .mo files are compiled afterwards with `make messages`.
"""

import json
import sys
from pathlib import Path

import polib


def fill(app: str, translations: dict) -> list[str]:
    missing = []
    for language in ("fi", "sv"):
        path = Path("kaikukanta") / app / "locale" / language / "LC_MESSAGES" / "django.po"
        catalog = polib.pofile(str(path))
        for entry in catalog:
            given = translations.get(entry.msgid, {}).get(language)
            if given:
                if entry.msgid_plural:
                    one, many = given if isinstance(given, list) else (given, given)
                    entry.msgstr_plural = {0: one, 1: many}
                else:
                    entry.msgstr = given
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
            if not (entry.msgstr or any(entry.msgstr_plural.values())):
                missing.append(f"{language}: {entry.msgid}")
        catalog.save(str(path))
    return missing


if __name__ == "__main__":
    left = fill(sys.argv[1], json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
    print("\n".join(f"untranslated {item}" for item in left) or "all translated")
