"""A rebuild writes the rollups and card figures into new tables and swaps them in (stats/fresh_tables.py):
the tables keep their indexes, constraints, identity and grants; a reader sees the old figures until the
rebuild commits, is never refused meanwhile, and a reader in the middle of its own transaction only makes
the swap wait."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from kaikukanta.stats import rollups
from kaikukanta.stats.models import CardFigures, Rollup

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABLES = ("stats_rollup", "stats_cardfigures")


def shape(table: str) -> dict:
    """What a swap must keep: columns with their defaults and identity, indexes, constraints, grants."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, is_nullable, column_default, is_identity, identity_generation "
            "FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position", [table])
        columns = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
                       [table])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass ORDER BY conname", [table])
        constraints = cursor.fetchall()
        cursor.execute("SELECT grantee, privilege_type FROM information_schema.role_table_grants "
                       "WHERE table_name = %s ORDER BY 1, 2", [table])
        grants = cursor.fetchall()
        cursor.execute("SELECT a.attname, pg_get_serial_sequence(%s, a.attname) FROM pg_attribute a "
                       "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped", [table, table])
        sequences = sorted(row for row in cursor.fetchall() if row[1])
    return {"columns": columns, "indexes": indexes, "constraints": constraints, "grants": grants,
            "sequences": sequences}


def other_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None,
                           user=settings["USER"], password=settings["PASSWORD"] or None,
                           dbname=settings["NAME"], autocommit=True)


@pytest.fixture
def reader_role():
    name = f"kk_rollup_reader_{connection.settings_dict['NAME']}"[:60]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{name}"')
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN')
        for table in TABLES:
            cursor.execute(f'GRANT SELECT ON {table} TO "{name}"')
    yield name
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f'REVOKE ALL ON {table} FROM "{name}"')
        cursor.execute(f'DROP ROLE "{name}"')


def test_the_swapped_tables_keep_their_shape(rich, reader_role):
    rollups.fold()
    before = {table: shape(table) for table in TABLES}
    assert any(grantee == reader_role for grantee, _ in before["stats_rollup"]["grants"])
    rows = Rollup.objects.count()
    rollups.rebuild()
    assert {table: shape(table) for table in TABLES} == before
    assert Rollup.objects.count() == rows
    # The identity still numbers new rows, and the one-row-per-key constraint still holds.
    rollups.rebuild()
    assert Rollup.objects.count() == rows


def in_a_thread(work) -> tuple[threading.Thread, list]:
    failures = []

    def run():
        try:
            work()
        except Exception as error:  # reported by the test
            failures.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    return worker, failures


def test_readers_see_the_old_figures_or_the_new_never_an_error(rich):
    rollups.fold()
    rows = Rollup.objects.count()
    Rollup.objects.filter(family="v").delete()
    old = Rollup.objects.count()
    assert old < rows
    seen = []
    with other_connection() as reader:
        worker, failures = in_a_thread(rollups.rebuild)
        while worker.is_alive():
            seen.append(reader.execute("SELECT count(*) FROM stats_rollup").fetchone()[0])
        worker.join()
        seen.append(reader.execute("SELECT count(*) FROM stats_rollup").fetchone()[0])
    assert not failures
    assert set(seen) <= {old, rows}
    assert seen[-1] == rows
    # Once the new rows are there, the old ones never come back.
    assert old not in seen[seen.index(rows):]


def test_a_reader_inside_its_own_transaction_only_delays_the_swap(rich):
    rollups.fold()
    rows, figures = Rollup.objects.count(), CardFigures.objects.count()
    with other_connection() as reader:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM stats_rollup").fetchone()[0] == rows
        worker, failures = in_a_thread(rollups.rebuild)
        time.sleep(3)  # longer than one lock wait of the swap, so it has had to try again
        assert worker.is_alive(), "the swap did not wait for the reader's transaction"
        # The reader may go on in its transaction: the rebuild waits for it instead of deadlocking with it.
        assert reader.execute("SELECT count(*) FROM stats_cardfigures").fetchone()[0] == figures
        reader.execute("COMMIT")
        worker.join(timeout=120)
    assert not failures
    assert not worker.is_alive()
    assert Rollup.objects.count() == rows
