"""A new server process made ready before its first request (kaikukanta/wsgi.py calls it as each worker loads).

Without it the first request a worker answers also imports every view and builds the API's routers and schemas:
about a second on this machine (measured by `make bench`: "first card check of a fresh server"), which the first
desk of the morning waits for after a restart. Database connections are per thread and the server's threads
are its own, so each thread opens its connection on its first request (a few milliseconds, in the same figure).
"""

import gc
import time

from django.urls import get_resolver

# The desk's paths: resolving them imports the URLconf, the API and everything their views import.
WARM_PATHS = ("/api/v1/cards/0000000000", "/api/v1/visits", "/")


def warm_up() -> float:
    """Imports the URLconf and the views of the desk's paths, then sets what was loaded aside from the garbage
    collector; seconds taken."""
    started = time.perf_counter()
    resolver = get_resolver()
    for path in WARM_PATHS:
        resolver.resolve(path)
    set_aside_from_collection()
    return time.perf_counter() - started


def set_aside_from_collection() -> None:
    """What a worker has loaded (Django, the apps, the URLconf: about 110,000 objects) lives as long as the
    worker, yet each full collection of the garbage collector walks it again: one full collection in 8,000
    desk requests, 73 ms during which none of the worker's threads answers. gc.freeze() moves those objects
    out of the collector's generations for good, so the full collections that remain walk only what requests
    made (about 50,000 objects), and none happened in the same 8,000 requests."""
    gc.collect()
    gc.freeze()
