"""A new server process made ready before its first request (kaikukanta/wsgi.py calls it as each worker loads).

Without it the first request a worker answers also imports every view and builds the API's routers and schemas:
about a second on this machine (measured by `make bench`: "first card check of a fresh server"), which the first
desk of the morning waits for after a restart. Database connections are per thread and the server's threads
are its own, so each thread opens its connection on its first request (a few milliseconds, in the same figure).
"""

import time

from django.urls import get_resolver

# The desk's paths: resolving them imports the URLconf, the API and everything their views import.
WARM_PATHS = ("/api/v1/cards/0000000000", "/api/v1/visits", "/")


def warm_up() -> float:
    """Imports the URLconf and the views of the desk's paths; seconds taken."""
    started = time.perf_counter()
    resolver = get_resolver()
    for path in WARM_PATHS:
        resolver.resolve(path)
    return time.perf_counter() - started
