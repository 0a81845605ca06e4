"""`python killable_import.py COMMAND FILE MARKER`: runs the import command as `manage.py` would, but stops
for good once two chunks are written inside its transaction, after creating MARKER, so that a test can
kill it with SIGKILL at a moment when it is known to be writing (no sleeping and hoping)."""

import os
import sys
import time
from pathlib import Path

CHUNKS_BEFORE_STOPPING = 2


def main(command: str, path: str, marker: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaikukanta.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kaikukanta.imports import services

    for importer in (services._CardImport, services._VisitImport):
        importer.write = _stopping_after(importer.write, marker)
    call_command(command, path)


def _stopping_after(write, marker: str):
    written = []

    def stopping_write(self, batch):
        write(self, batch)
        written.append(batch)
        if len(written) == CHUNKS_BEFORE_STOPPING:
            Path(marker).touch()
            while True:
                time.sleep(60)

    return stopping_write


if __name__ == "__main__":
    main(*sys.argv[1:])
