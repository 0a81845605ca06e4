"""`manage.py backup PATH`: a consistent copy of the whole database while the server keeps running.

PostgreSQL: pg_dump's custom format (one snapshot of every table). SQLite: the SQLite backup API, which
copies the database as one read transaction, so writers carry on (WAL) and the copy is of one moment.
The copy is written beside PATH first and renamed into place only when complete, so a failed or
interrupted backup never leaves a half-written file under the name of a backup.
"""

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ._database_copy import engine, pg_tool, run_pg_tool, size_mb


class Command(BaseCommand):
    help = ("Back the database up into PATH (pg_dump custom format on PostgreSQL, an SQLite database file on "
            "SQLite) while the server runs. Restore it with `manage.py restore PATH`.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--overwrite", action="store_true", help="Replace PATH when it already exists.")

    def handle(self, *args, path: Path, database: str, overwrite: bool, **options):
        if path.exists() and not overwrite:
            raise CommandError(f"{path} exists; pass --overwrite to replace it")
        if not path.parent.is_dir():
            raise CommandError(f"folder {path.parent} does not exist")
        connection = connections[database]
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        started = time.monotonic()
        try:
            if engine(connection) == "postgresql":
                run_pg_tool([pg_tool("pg_dump", connection), "--format=custom", "--file", str(partial)],
                            connection)
            else:
                _sqlite_backup(connection, partial)
            with partial.open("rb") as written:
                os.fsync(written.fileno())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"backed up {connection.vendor} database into {path} ({size_mb(path)}) "
                          f"in {time.monotonic() - started:.1f} s")


def _sqlite_backup(connection, target_path: Path) -> None:
    connection.ensure_connection()
    with closing(sqlite3.connect(target_path)) as target:
        # One step (all pages at once) holds one read transaction: the copy is of a single moment.
        connection.connection.backup(target)
        # A self-contained file: no write-ahead log beside it to be forgotten when it is copied away.
        target.execute("PRAGMA journal_mode=DELETE")
        verdict = target.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise CommandError(f"the copy failed SQLite's check: {verdict}")
