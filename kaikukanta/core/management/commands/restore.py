"""`manage.py restore PATH`: a backup made by `manage.py backup` into an empty database.

The database must be empty (PostgreSQL: created with CREATE DATABASE and nothing in it; SQLite: a new or
empty file): restoring over a register that is in use would destroy visits recorded since the backup,
so that takes --force. On PostgreSQL the whole restore is one transaction: if any part fails, nothing
of it stays. With --force, pg_restore drops each object the backup holds before recreating it (objects
the backup does not hold are left alone); on SQLite the whole file is replaced.
"""

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ._database_copy import engine, file_kind, pg_tool, run_pg_tool, size_mb, user_tables


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` into the database, which must be empty "
            "unless --force is given. Stop the servers first.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--force", action="store_true",
                            help="Restore even into a database that already holds tables, replacing them.")

    def handle(self, *args, path: Path, database: str, force: bool, **options):
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        connection = connections[database]
        kind = engine(connection)
        if file_kind(path) != kind:
            raise CommandError(f"{path} is a {file_kind(path)} backup; the database is {kind}")
        tables = user_tables(connection)
        if tables and not force:
            raise CommandError(
                f"the database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables, e.g. "
                f"{tables[0]}); restore into an empty database, or pass --force to replace its contents")
        started = time.monotonic()
        if kind == "postgresql":
            command = [pg_tool("pg_restore", connection), "--no-owner", "--no-privileges", "--single-transaction",
                       "--exit-on-error", "--dbname", connection.settings_dict["NAME"]]
            if force:
                command += ["--clean", "--if-exists"]
            connection.close()
            run_pg_tool([*command, str(path)], connection)
        else:
            _sqlite_restore(connection, path)
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM visits_visit")
            visits = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM cards_card")
            cards = cursor.fetchone()[0]
        self.stdout.write(f"restored {path} ({size_mb(path)}) in {time.monotonic() - started:.1f} s: "
                          f"{cards:,} cards, {visits:,} visits")


def _sqlite_restore(connection, source_path: Path) -> None:
    connection.ensure_connection()
    with closing(sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)) as source:
        verdict = source.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise CommandError(f"{source_path} failed SQLite's check: {verdict}")
        source.backup(connection.connection)
