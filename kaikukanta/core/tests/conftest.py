import pytest

from .private_postgres import PrivateCluster


@pytest.fixture
def cluster():
    """A private PostgreSQL cluster on a free port (private_postgres.py), removed after the test."""
    cluster = PrivateCluster()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.remove()
