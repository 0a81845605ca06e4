"""An import killed halfway (SIGKILL, no chance to clean up) leaves nothing of itself; running it again
stores every row once. On SQLite and on PostgreSQL.

The import runs as a separate process, as an operator runs it, on the test's database (on SQLite a file copy
of it, since the test database lives in memory). It is killed once two chunks are written inside its one
transaction and it is seen to hold its write lock.
"""

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from kaikukanta.core import damm
from kaikukanta.core.clock import today
from kaikukanta.imports.services import CHUNK_SIZE
from kaikukanta.testing import make_card

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
ROWS = CHUNK_SIZE * 2 + 2000  # killed after the second chunk, with a third still to come
WAIT_SECONDS = 120

TABLES = {
    "import_visits": ("visits_visit", "stats_pendingchange"),
    "import_cards": ("cards_card", "cards_cardevent", "cards_stocknumber", "stats_cardfigures",
                     "stats_pendingchange"),
}


class Database:
    """The database the import process works on, and plain-SQL counts of it from outside that process."""

    def __init__(self, tmp_path: Path):
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.file = tmp_path / "import.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(self.file) as copy:
                connection.connection.backup(copy)
            self.url = f"sqlite:///{self.file}"
        else:
            password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
            self.url = (f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
                        f"{settings['PORT'] or 5432}/{settings['NAME']}")

    def scalar(self, sql: str, params=()) -> int:
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.file) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def counts(self, command: str) -> dict[str, int]:
        counts = {table: self.scalar(f"SELECT count(*) FROM {table}") for table in TABLES[command]}  # noqa: S608
        counts["audit"] = self.scalar("SELECT count(*) FROM core_auditrecord WHERE action = %s", [command])
        return counts

    def write_locked_by_another(self, table: str) -> bool:
        if connection.vendor == "sqlite":
            try:
                with sqlite3.connect(self.file, timeout=0) as db:
                    db.execute("BEGIN IMMEDIATE")
                    db.rollback()
            except sqlite3.OperationalError as error:
                return "locked" in str(error)
            return False
        return self.scalar(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = %s "
            "AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()", [table]) > 0


def run(database: Database, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "DATABASE_URL": database.url}, text=True)


def visits_file(network, tmp_path: Path) -> Path:
    first = datetime.date(2021, 1, 1)
    cards = [make_card(network.distributor, issued_on=first, valid_until=today() + datetime.timedelta(days=30))
             for _ in range(10)]
    lines = [f"{cards[row % 10].number},{network.venue.pk},,{first + datetime.timedelta(days=row % 1000)},0,,"
             for row in range(ROWS)]
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(["card_number,venue_id,offering_id,used_on,children,clients,assistants", *lines])
                    + "\n", encoding="utf-8")
    return path


def cards_file(network, tmp_path: Path) -> Path:
    issued, until = today() - datetime.timedelta(days=10), today() + datetime.timedelta(days=100)
    numbers: set[str] = set()
    while len(numbers) < ROWS:
        numbers.add(damm.random_number())
    lines = [f"{number},personal,{network.distributor.pk},{issued},{until},1980,00100,0,,active"
             for number in sorted(numbers)]
    path = tmp_path / "cards.csv"
    path.write_text("\n".join(["number,card_type,issuer_id,issued_on,valid_until,birth_year,postal_code,"
                               "children,gender,status", *lines]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["import_visits", "import_cards"])
def test_an_import_killed_while_writing_stores_nothing_and_a_rerun_stores_every_row_once(
        network, tmp_path, command):
    path = (visits_file if command == "import_visits" else cards_file)(network, tmp_path)
    database = Database(tmp_path)
    before = database.counts(command)
    marker = tmp_path / "writing"

    importer = run(database, str(Path(__file__).with_name("killable_import.py")), command, str(path), str(marker))
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not marker.exists():
            assert importer.poll() is None, importer.communicate()
            assert time.monotonic() < deadline, "the import never wrote two chunks"
            time.sleep(0.05)
        assert database.write_locked_by_another(TABLES[command][0])
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.communicate(timeout=WAIT_SECONDS)
    assert importer.returncode == -signal.SIGKILL

    assert database.counts(command) == before

    rerun = run(database, "manage.py", command, str(path))
    out, err = rerun.communicate(timeout=WAIT_SECONDS)
    assert rerun.returncode == 0, err
    assert f"imported {ROWS:,} rows" in out
    after = database.counts(command)
    # The rows, their card events and stock numbers (and the cards' statistics); nothing left pending.
    expected = {table: before[table] + ROWS for table in TABLES[command] if table != "stats_pendingchange"}
    assert {table: after[table] for table in expected} == expected
    assert after["audit"] == before["audit"] + 1
    assert after["stats_pendingchange"] == 0
