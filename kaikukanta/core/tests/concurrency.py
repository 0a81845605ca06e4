"""Tools for racing requests on PostgreSQL: threads with their own connections, released together, and a
pause that holds one write's transaction open at its last statement while another request runs into it."""

import dataclasses
import threading
import time
from contextlib import contextmanager

from django.db import connection

from kaikukanta.core import audit

WAIT_SECONDS = 30


def all_at_once(*requests) -> list[tuple[int, dict | None]]:
    """Runs each zero-argument request in its own thread (its own database connection), released by one
    barrier; returns each one's (status, JSON body or None), in the order given."""
    start = threading.Barrier(len(requests))
    outcomes: list = [None] * len(requests)

    def run(position, request):
        try:
            start.wait()
            response = request()
            outcomes[position] = (response.status_code, response.json() if response.content else None)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below, not lost in the thread
            outcomes[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(position, request)) for position, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS * 2)
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    return outcomes


class Paused:
    """A request running in a thread, stopped just after its audit insert (its last statement), its
    transaction still open, until `release()`."""

    def __init__(self, request, action: str):
        self.reached = threading.Event()
        self.go_on = threading.Event()
        self.outcome = None
        self._request = request
        self._action = action
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            response = self._request()
            self.outcome = (response.status_code, response.json() if response.content else None)
        except Exception as error:  # noqa: BLE001 - reported by result()
            self.outcome = error
        finally:
            self.reached.set()
            connection.close()

    def pause_here(self, action: str) -> None:
        if action == self._action and threading.current_thread() is self._thread:
            self.reached.set()
            assert self.go_on.wait(WAIT_SECONDS), "never released"

    def release(self):
        self.go_on.set()
        self._thread.join(WAIT_SECONDS * 2)
        return self.result()

    def result(self):
        assert isinstance(self.outcome, tuple), self.outcome
        return self.outcome


@contextmanager
def holding(request, action: str):
    """Starts `request` in a thread and yields it once it has written its `action` audit row (and so all
    the rest of its write) without committing."""
    paused = Paused(request, action)
    original, original_new = audit.record, audit.for_new_row

    def record(actor, recorded_action, *args, **kwargs):
        original(actor, recorded_action, *args, **kwargs)
        paused.pause_here(recorded_action)

    class PausingEntry(audit.NewRowEntry):
        # The audit row of a row its insert writes (the desk's visit): paused once that insert has run.
        def written(self, object_id):
            paused.pause_here(self.action)

    def for_new_row(*args, **kwargs):
        return PausingEntry(**dataclasses.asdict(original_new(*args, **kwargs)))

    audit.record, audit.for_new_row = record, for_new_row
    try:
        paused._thread.start()
        assert paused.reached.wait(WAIT_SECONDS), "the request never reached its audit row"
        assert paused.outcome is None, f"the request ended before its audit row: {paused.outcome}"
        yield paused
    finally:
        paused.go_on.set()
        paused._thread.join(WAIT_SECONDS * 2)
        audit.record, audit.for_new_row = original, original_new


class Running:
    """A request running in a thread of its own until `result()`."""

    def __init__(self, request):
        self.outcome = None

        def run():
            try:
                response = request()
                self.outcome = (response.status_code, response.json() if response.content else None)
            except Exception as error:  # noqa: BLE001 - reported by result()
                self.outcome = error
            finally:
                connection.close()

        self._thread = threading.Thread(target=run)
        self._thread.start()

    def result(self):
        self._thread.join(WAIT_SECONDS * 2)
        assert isinstance(self.outcome, tuple), self.outcome
        return self.outcome


def wait_until_blocked(count: int = 1) -> None:
    """Waits until `count` other sessions of this database wait for a lock: the racing request has really
    run into the held one (no sleeping and hoping)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.01)
    raise AssertionError(f"no {count} session(s) came to wait for the held lock")
