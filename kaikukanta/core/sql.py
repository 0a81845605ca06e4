"""Plain SQL for the few statements on the ticket desk's hot path.

Measured on the benchmark data (1,000,000 cards, PostgreSQL): looking a card up through the ORM
costs 0.5–1.4 ms of Python per query, the same statement through a cursor 0.18 ms. The desk does
a handful of such statements per request, so they are written out here; everything else uses the ORM.
SQLite hands dates, times and booleans back as text and integers, so values are normalised here.
"""

import datetime
import json

from django.db import connection
from django.utils.dateparse import parse_datetime


def fetch_one(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
