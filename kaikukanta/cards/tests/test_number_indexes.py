"""Card and stock numbers are looked up whole, through their unique index alone (cards migration 0005): the
pattern-matching copy Django adds to a text key was written by every issued or imported card and read by
nothing."""

import pytest
from django.db import connection


def _indexes_of(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_attribute a ON a.attrelid = t.oid "
            "AND a.attnum = ANY(x.indkey) WHERE t.relname = %s AND a.attname = %s ORDER BY 1", [table, column])
        return [definition for _, definition in cursor.fetchall()]


@pytest.mark.postgres
@pytest.mark.django_db
def test_each_number_has_its_unique_index_and_no_pattern_copy():
    card_indexes = _indexes_of("cards_card", "number")
    stock_indexes = _indexes_of("cards_stocknumber", "number")
    assert [("UNIQUE" in index, "pattern_ops" in index) for index in card_indexes] == [(True, False)]
    assert [("UNIQUE" in index, "pattern_ops" in index) for index in stock_indexes] == [(True, False)]
