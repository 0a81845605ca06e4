"""A new server process made ready before its first request (gunicorn's post_worker_init, gunicorn.conf.py).

Without it the first request a worker answers also imports every view, builds the API's routers and schemas
and opens the database connection: about a second on this machine (measured by `make bench`: "first card
check of a fresh server"), which the first desk of the morning waits for after a restart.
"""

import logging
import time

from django.db import connections
from django.urls import get_resolver

logger = logging.getLogger(__name__)

# The desk's paths: resolving them imports the URLconf, the API and everything their views import.
WARM_PATHS = ("/api/v1/cards/0000000000", "/api/v1/visits", "/")


def warm_up() -> float:
    """Imports the URLconf and opens the default database connection; seconds taken. A database that cannot be
    reached now is left for the first request to find (it answers 503), instead of failing the worker."""
    started = time.perf_counter()
    resolver = get_resolver()
    for path in WARM_PATHS:
        resolver.resolve(path)
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure to connect is the first request's to report
        logger.warning("warm-up could not reach the database", exc_info=True)
        connections["default"].close()
    return time.perf_counter() - started
