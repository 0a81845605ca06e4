"""Admission control for the offline sync: at most a few sync requests are judged at once, across all app
instances, so that devices coming back online together never take every worker from the online desks.

A sync request takes one of `KAIKUKANTA_SYNC_CONCURRENCY` slots in the shared cache (Redis in production) for
as long as it is judged; a request that finds them all taken is answered at once `429 throttled` with a
`Retry-After` of a few seconds, spread at random so the waiting devices do not come back together. The device
keeps its visits queued and sends them again: nothing is lost, and sending again is harmless (idempotency
keys). A slot is a cache entry that expires by itself after `SLOT_SECONDS`, so a worker that dies while
judging frees its slot within that time. With the cache unreachable a sync is admitted: the slots only keep
the online desk responsive, they guard nothing.
"""

import contextlib
import random
import secrets

from django.conf import settings
from django.core.cache import cache

from kaikukanta.core.errors import Code, Refusal

SLOT_SECONDS = 60          # longer than any sync of one batch; a crashed worker's slot frees itself then
RETRY_AFTER_SECONDS = (2, 8)
KEY = "devices:sync-slot:{}"


def _slots() -> int:
    return max(1, int(getattr(settings, "KAIKUKANTA_SYNC_CONCURRENCY", 2)))


def _retry_after() -> int:
    return random.randint(*RETRY_AFTER_SECONDS)


@contextlib.contextmanager
def sync_slot():
    """Hold one sync slot while the body runs, or refuse with `throttled` and a `Retry-After`."""
    token = secrets.token_hex(8)
    order = list(range(_slots()))
    random.shuffle(order)
    held = None
    try:
        for slot in order:
            if cache.add(KEY.format(slot), token, timeout=SLOT_SECONDS):
                held = KEY.format(slot)
                break
    except Exception:  # noqa: BLE001 -- the cache down: admit rather than stop every device
        held = ""
    if held is None:
        raise Refusal(Code.THROTTLED, detail=str(_retry_after()))
    try:
        yield
    finally:
        if held:
            with contextlib.suppress(Exception):
                # Free only our own slot (it may have expired and been taken by another request meanwhile).
                if cache.get(held) == token:
                    cache.delete(held)
