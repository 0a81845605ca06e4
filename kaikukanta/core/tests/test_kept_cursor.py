"""core.sql keeps one cursor per PostgreSQL connection for the desk's statements, and never one whose connection
is gone: a closed or replaced connection gets a new cursor, and recorded statements (DEBUG, query counts) go
through a cursor of their own as every other statement does."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext

from kaikukanta.core import sql

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def kept():
    return connections[DEFAULT_DB_ALIAS].__dict__.get(sql._KEPT_CURSOR)


def test_statements_share_one_cursor_of_their_connection():
    assert sql.fetch_one("SELECT %s::int", [1]) == (1,)
    first = kept()
    sql.execute("SELECT %s::int", [2])
    assert sql.fetch_one("SELECT %s::int", [3]) == (3,)
    assert first is not None and kept() is first
    assert first.cursor.connection is connection.connection


def test_a_closed_connection_is_opened_again_with_a_new_cursor():
    sql.fetch_one("SELECT 1", [])
    old = kept()
    connection.close()
    assert sql.fetch_one("SELECT %s::int", [4]) == (4,)
    assert kept() is not old and kept().cursor.connection is connection.connection


def test_recorded_statements_are_recorded_and_leave_the_kept_cursor_alone():
    sql.fetch_one("SELECT 1", [])
    before = kept()
    with CaptureQueriesContext(connection) as captured:
        sql.fetch_one("SELECT %s::int", [5])
    assert [query["sql"] for query in captured.captured_queries] == ["SELECT 5::int"]
    assert kept() is before
