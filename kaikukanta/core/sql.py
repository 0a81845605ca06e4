"""Plain SQL for the few statements on the ticket desk's hot path.

Measured on the benchmark data (1,000,000 cards, PostgreSQL): looking a card up through the ORM
costs 0.5–1.4 ms of Python per query, the same statement through a cursor 0.18 ms. The desk does
a handful of such statements per request, so they are written out here; everything else uses the ORM.
SQLite hands dates, times and booleans back as text and integers, so values are normalised here.
"""

import datetime
import json

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.dateparse import parse_datetime

_KEPT_CURSOR = "_kaikukanta_kept_cursor"


def fetch_one(sql: str, params: list) -> tuple | None:
    cursor = _kept_cursor()
    if cursor is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    cursor.execute(sql, params)
    return cursor.fetchone()


def execute(sql: str, params: list) -> None:
    cursor = _kept_cursor()
    if cursor is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    cursor.execute(sql, params)


def _kept_cursor():
    """On PostgreSQL, one cursor per connection for these statements instead of a new one for each: making and
    closing Django's cursor wrapper took about 30 µs of the 85 µs of Python a statement costs. Everything a new
    cursor does first still runs: the connection is opened if need be and health-checked as for any cursor
    (core/postgresql), and errors are wrapped as Django's. A cursor of a connection closed or replaced since is
    not reused. Where statements are being recorded (DEBUG, the tests' query counts), and on SQLite, whose
    connections do not outlive a request, None: a cursor is made per statement as before."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor != "postgresql" or database.queries_logged:
        return None
    database.close_if_health_check_failed()
    database.ensure_connection()
    kept = database.__dict__.get(_KEPT_CURSOR)
    if kept is None or kept.cursor.closed or kept.cursor.connection is not database.connection:
        kept = database.cursor()
        setattr(database, _KEPT_CURSOR, kept)
    return kept


def insert_returning_id(sql: str, params: list) -> int:
    """`sql` is an INSERT ending in `RETURNING id` (PostgreSQL, and SQLite since 3.35)."""
    return fetch_one(sql, params)[0]


def as_date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def as_int_tuple(value) -> tuple[int, ...] | None:
    """A JSON list of integers as a cursor returns it (text on SQLite and for PostgreSQL's jsonb here, or
    already a list), or None for SQL NULL and JSON null."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        value = json.loads(value)
    return tuple(int(item) for item in value) if value is not None else None


def as_datetime(value) -> datetime.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value
