"""Every user-visible string is translated into Finnish and Swedish, and the compiled catalogues are current.

English is the source language of the msgids. Extraction runs Django's own `makemessages` on a copy of
each app, so a string marked for translation but missing from the committed catalogue fails here.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

APPS_DIR = Path(settings.BASE_DIR) / "kaikukanta"
CATALOGUES = sorted(APPS_DIR.glob("*/locale/*/LC_MESSAGES/django.po"))
TRANSLATED_APPS = sorted({path.parts[-5] for path in CATALOGUES})

# Files and `makemessages` subprocesses only, no database: CI runs these in one pass of two.
pytestmark = pytest.mark.once


def test_the_apps_with_pages_have_catalogues():
    assert {"core", "accounts"} <= set(TRANSLATED_APPS)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_every_entry_is_translated_and_not_fuzzy(path):
    catalogue = polib.pofile(str(path))
    assert not catalogue.untranslated_entries(), [entry.msgid for entry in catalogue.untranslated_entries()]
    assert not catalogue.fuzzy_entries(), [entry.msgid for entry in catalogue.fuzzy_entries()]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_compiled_catalogue_matches_its_source(path):
    compiled = polib.mofile(str(path.with_suffix(".mo")))
    source = polib.pofile(str(path))
    assert {(e.msgid, e.msgstr) for e in compiled if e.msgid and not e.msgid_plural} == {
        (e.msgid, e.msgstr) for e in source.translated_entries() if not e.msgid_plural}, (
        f"{path.with_suffix('.mo')} is stale: run `make messages`")


@pytest.mark.parametrize("app", TRANSLATED_APPS)
def test_every_marked_string_is_in_the_catalogue(app, tmp_path):
    copy = tmp_path / app
    shutil.copytree(APPS_DIR / app, copy, ignore=shutil.ignore_patterns("locale", "tests", "__pycache__"))
    (copy / "locale").mkdir()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "kaikukanta.settings",
                   "PYTHONPATH": str(settings.BASE_DIR)}
    # django-admin, not `python -m django`: the app's selectors.py in the working directory would shadow
    # the standard library's selectors module.
    django_admin = Path(sys.executable).with_name("django-admin")
    subprocess.run([str(django_admin), "makemessages", "--locale", "fi", "--no-location"],
                   cwd=copy, env=environment, check=True, capture_output=True)
    extracted = {entry.msgid for entry in polib.pofile(str(copy / "locale/fi/LC_MESSAGES/django.po")) if entry.msgid}
    committed = {entry.msgid for entry in polib.pofile(str(APPS_DIR / app / "locale/fi/LC_MESSAGES/django.po"))}
    assert extracted, f"makemessages found no strings in {app}"
    assert extracted <= committed, f"not in {app}'s catalogue (run scripts/messages.sh {app}): {extracted - committed}"


def test_a_msgid_means_the_same_in_every_app():
    """Django merges every app's catalogue and the first app listed wins a shared msgid; two apps that
    translate the same English differently would show one app's word on the other's pages."""
    seen: dict[tuple, tuple] = {}
    clashes = []
    for path in CATALOGUES:
        language = path.parts[-3]
        for entry in polib.pofile(str(path)).translated_entries():
            key = (language, entry.msgctxt, entry.msgid)
            if key in seen and seen[key][0] != entry.msgstr:
                clashes.append(f"{language} {entry.msgid!r}: {seen[key][1]}={seen[key][0]!r}, "
                               f"{path.parts[-5]}={entry.msgstr!r}")
            seen.setdefault(key, (entry.msgstr, path.parts[-5]))
    assert not clashes, "translate these alike, or give them a context (pgettext):\n" + "\n".join(clashes)
