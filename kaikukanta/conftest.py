import pytest

from kaikukanta.core.testing import ApiClient, build_network


@pytest.fixture(autouse=True)
def reference_data_survives_flushes(request, django_db_blocker):
    """A transactional test ends by flushing every table, the migration-loaded reference data with
    them; put it back so the tests after it find the municipalities and postal codes."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    from kaikukanta.reference.models import Municipality
    from kaikukanta.reference.services import load_reference

    with django_db_blocker.unblock():
        if not Municipality.objects.exists():
            load_reference()


@pytest.fixture
def network(db):
    return build_network()


@pytest.fixture
def anonymous():
    return ApiClient()


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (real concurrency) run in the PostgreSQL pass; in that pass a missing
    server is an error, never a skip."""
    import os

    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("KAIKUKANTA_REQUIRE_POSTGRES") == "1" and not on_postgres:
        raise pytest.UsageError("KAIKUKANTA_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL pass of `.ci/run`")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)
