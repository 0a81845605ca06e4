"""A table's whole contents written anew beside it and swapped in at the end (the rebuild's `stats_rollup` and
`stats_cardfigures`).

Deleting every row and inserting the new ones keeps each index up to date row by row: at 300,000 visits that
upkeep was most of a rebuild (100,000 rows took 6.8 s into the indexed table against 0.6 s without, README
"Rebuilding the statistics at full scale"). On PostgreSQL the new rows go into a table of the same columns,
defaults, identity and checks but no index; its indexes are then built once each, by sorting, and the new table
takes the old one's name, indexes, constraints, sequence and grants, all in the caller's transaction. Readers
keep reading the old rows until it commits; they wait only for the swap itself, not for the rows. The swap
takes its locks with a short timeout and tries again, so a reader between two statements of its own never
meets the rebuild in a deadlock. On SQLite (small data) the new rows are copied over the old ones.
"""

import contextlib
import time

from django.db import DatabaseError, connection, transaction

from kaikukanta.core import sql

_SUFFIX = "_next"
_LOCK_TIMEOUT = "2s"
_SWAP_ATTEMPTS = 30


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def written_anew(*models):
    """Yields, per model, the name of an empty table of its columns to write its new contents into; when the
    block ends without an error, those contents replace the model's table."""
    tables = [model._meta.db_table for model in models]
    for table in tables:
        sql.execute(f"DROP TABLE IF EXISTS {table}{_SUFFIX}", [])
        if _on_postgresql():
            sql.execute(f"CREATE TABLE {table}{_SUFFIX} (LIKE {table} INCLUDING ALL EXCLUDING INDEXES)", [])
        else:
            sql.execute(f"CREATE TEMPORARY TABLE {table}{_SUFFIX} AS SELECT * FROM {table} WHERE 0 = 1", [])
    yield [f"{table}{_SUFFIX}" for table in tables]
    if _on_postgresql():
        indexes = {table: _indexes_of(table) for table in tables}
        for table in tables:
            _build_indexes_like(table, indexes[table])
            sql.execute(f"ANALYZE {table}{_SUFFIX}", [])
        _swap(tables, indexes)
    else:
        for model, table in zip(models, tables, strict=True):
            columns = ", ".join(field.column for field in model._meta.concrete_fields
                                if not (field.primary_key and field.get_internal_type().endswith("AutoField")))
            sql.execute(f"DELETE FROM {table}", [])
            sql.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}{_SUFFIX}", [])
            sql.execute(f"DROP TABLE {table}{_SUFFIX}", [])


def _indexes_of(table: str) -> list[tuple]:
    """(index name, CREATE INDEX statement, constraint name or None, constraint definition or None)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid), c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid LEFT JOIN pg_constraint c "
            "ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid WHERE x.indrelid = %s::regclass "
            "ORDER BY i.relname", [table])
        return cursor.fetchall()


def _temporary_name(table: str, position: int) -> str:
    return f"{table}{_SUFFIX}_{position}"


def _build_indexes_like(table: str, indexes: list[tuple]) -> None:
    for position, (_index, definition, constraint, constraint_definition) in enumerate(indexes):
        name = _temporary_name(table, position)
        if constraint:
            sql.execute(f"ALTER TABLE {table}{_SUFFIX} ADD CONSTRAINT {name} {constraint_definition}", [])
        else:
            head, _, columns = definition.partition(" USING ")
            unique = "UNIQUE " if head.startswith("CREATE UNIQUE") else ""
            sql.execute(f"CREATE {unique}INDEX {name} ON {table}{_SUFFIX} USING {columns}", [])


def _grants_of(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT grantee, privilege_type FROM information_schema.role_table_grants WHERE table_name = %s "
            "AND table_schema = current_schema() AND grantee <> current_user", [table])
        return cursor.fetchall()


def _swap(tables: list[str], indexes: dict[str, list[tuple]]) -> None:
    for attempt in range(_SWAP_ATTEMPTS):
        try:
            with transaction.atomic():
                sql.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'", [])
                sql.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE", [])
                sql.execute("SET LOCAL lock_timeout = DEFAULT", [])
                for table in tables:
                    _take_the_place_of(table, indexes[table])
            return
        except DatabaseError:
            if attempt == _SWAP_ATTEMPTS - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


def _sequences_of(table: str) -> list[tuple[str, str]]:
    """(column, sequence) of the table's identity and serial columns."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname, pg_get_serial_sequence(%s, a.attname) FROM pg_attribute a "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped", [table, table])
        return [(column, sequence) for column, sequence in cursor.fetchall() if sequence]


def _take_the_place_of(table: str, indexes: list[tuple]) -> None:
    grants = _grants_of(table)
    sql.execute(f"DROP TABLE {table}", [])
    sql.execute(f"ALTER TABLE {table}{_SUFFIX} RENAME TO {table}", [])
    for position, (index, _definition, constraint, _constraint_definition) in enumerate(indexes):
        name = _temporary_name(table, position)
        if constraint:
            # Renaming a constraint renames its index with it.
            sql.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {name} TO {constraint}", [])
            name = constraint
        if index != name:
            sql.execute(f"ALTER INDEX {name} RENAME TO {index}", [])
    for column, sequence in _sequences_of(table):
        sql.execute(f"ALTER SEQUENCE {sequence} RENAME TO {table}_{column}_seq", [])
    for grantee, privilege in grants:
        sql.execute(f'GRANT {privilege} ON {table} TO "{grantee}"', [])
