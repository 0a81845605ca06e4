"""A worker's warm-up (gunicorn.conf.py's post_worker_init) leaves it with its database connection open."""

import pytest
from django.db import connection

from kaikukanta.operations.warmup import warm_up


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's in-memory test database never closes")
def test_warm_up_opens_the_database_connection_the_first_request_then_uses(transactional_db):
    connection.close()
    assert connection.connection is None

    warm_up()

    assert connection.connection is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
