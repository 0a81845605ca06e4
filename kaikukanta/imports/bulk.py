"""Writing many rows fast, and telling how it goes: shared by the importers and the demo generator.

On PostgreSQL rows are streamed with COPY (psycopg 3), an order of magnitude faster than INSERTs;
elsewhere (SQLite) they go in with executemany. Either way the rows join the caller's transaction.
"""

import datetime
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection
from psycopg import sql

from kaikukanta.core.memory import peak_rss_mb  # noqa: F401  (the importers and the demo read it here)


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_value(value):
    # Stored the way Django's SQLite backend stores these types, so the ORM reads them back unchanged.
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


# PostgreSQL's names, as psycopg knows them, for the column types Django creates.
_BINARY_TYPES = {"bigint": "int8", "integer": "int4", "smallint": "int2", "boolean": "bool", "date": "date",
                 "timestamp with time zone": "timestamptz", "varchar": "text", "text": "text",
                 "jsonb": "jsonb"}


class TableWriter:
    """Appends tuples of `fields` (model field names, in order) to the model's table."""

    def __init__(self, model, fields: Sequence[str]):
        meta = model._meta
        self.table = meta.db_table
        self.fields = [meta.get_field(name) for name in fields]
        self.columns = [field.column for field in self.fields]

    def _binary_types(self) -> list[str]:
        return [_BINARY_TYPES[field.db_type(connection).split("(")[0]] for field in self.fields]

    def write(self, rows: Iterable[tuple]) -> int:
        if on_postgresql():
            return self._copy(rows)
        return self._insert(rows)

    def _copy(self, rows: Iterable[tuple]) -> int:
        # Binary COPY: several times faster to encode than text, values sent as they are typed.
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(self.table), sql.SQL(", ").join(sql.Identifier(c) for c in self.columns))
        connection.ensure_connection()
        count = 0
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(self._binary_types())
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def _insert(self, rows: Iterable[tuple]) -> int:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        placeholders = ", ".join(["%s"] * len(self.columns))
        statement = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({placeholders})"
        values = [tuple(_sqlite_value(v) for v in row) for row in rows]
        if values:
            with connection.cursor() as cursor:
                cursor.executemany(statement, values)
        return len(values)


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for rows about to be written with explicit ids (so other rows can point at them).

    On PostgreSQL they come from the table's own sequence, safe beside concurrent writers. On SQLite
    the caller's transaction holds the write lock, so the next ids after the highest one are free.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        if on_postgresql():
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, pk_column, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk_column)}), 0) "
                       f"FROM {connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


def settle_after_bulk_write(models: Sequence) -> None:
    """After rows were written with explicit ids: move each id sequence past them, and refresh the
    planner's statistics so the first queries on the new rows get good plans (PostgreSQL only)."""
    if not on_postgresql():
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table, pk_column = model._meta.db_table, model._meta.pk.column
            if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField"):
                highest = f"SELECT MAX({quote(pk_column)}) FROM {quote(table)}"
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), "
                               f"COALESCE(({highest}), 0) + 1, false)", [table, pk_column])
            cursor.execute(f"ANALYZE {quote(table)}")


@contextmanager
def loading_into_empty_tables(models: Sequence) -> Iterator[None]:
    """For a caller that fills empty tables with rows it made consistent itself, inside its transaction.

    On PostgreSQL the tables' secondary indexes are dropped meanwhile and built again at the end (one
    sort per index instead of millions of random inserts), and when the role may do it, foreign-key
    triggers are off (session_replication_role), instead of millions of deferred checks at commit.
    Constraint indexes (primary keys, unique columns) stay. If the caller fails, its rollback undoes
    the drops too. Elsewhere nothing changes.
    """
    if not on_postgresql():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        if superuser:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = indexname)",
            [[model._meta.db_table for model in models]])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        if superuser:
            cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)


class Progress:
    """Rows done, rate and time left, on one line of `stream` at most once every `interval` seconds."""

    def __init__(self, label: str, stream=None, *, interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.last_shown = self.started

    def update(self, done: int, fraction: float | None = None) -> None:
        now = self.clock()
        if now - self.last_shown < self.interval:
            return
        self.last_shown = now
        self.stream.write(self.line(done, fraction, now))
        self.stream.flush()

    def line(self, done: int, fraction: float | None, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        text = f"{self.label}: {done:,} rows, {rate:,.0f} rows/s"
        if fraction:
            remaining = elapsed * (1 - fraction) / fraction
            text += f", {fraction:.0%}, ETA {datetime.timedelta(seconds=round(remaining))}"
        return text + "\n"
