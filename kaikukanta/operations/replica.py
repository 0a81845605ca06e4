"""Statistics on a streaming replica: which database a read goes to.

Only inside `statistics_reads()` (set by StatisticsReadMiddleware for the statistics pages, their exports, the
annual report, the area export and the statistics API) and only for the register's own tables of the apps in
`REPLICA_APPS` does a read go to the `replica` alias. Everything else stays on the primary: every write, the
desk and card issuing (they never enter the context), and, even inside it, users, tokens, sessions and the
audit log, so an access decision is never taken on a stale row. A replica that cannot be reached, or whose
replay lags more than KAIKUKANTA_REPLICA_MAX_LAG_SECONDS, is not used; it is asked again after
KAIKUKANTA_REPLICA_CHECK_SECONDS.
"""

import contextlib
import contextvars
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)
REPLICA = "replica"
REPLICA_APPS = {"stats", "cards", "visits", "network", "reference"}
_reading_statistics = contextvars.ContextVar("reading_statistics", default=False)
_used_replica = contextvars.ContextVar("used_replica", default=False)


@dataclass
class ReplicaState:
    configured: bool
    reachable: bool = False
    lag_seconds: float | None = None
    checked_at: float = 0.0

    @property
    def usable(self) -> bool:
        return (self.configured and self.reachable and self.lag_seconds is not None
                and self.lag_seconds <= settings.KAIKUKANTA_REPLICA_MAX_LAG_SECONDS)


_state: ReplicaState | None = None
_lock = threading.Lock()

# Seconds since the standby last replayed a transaction; 0 when it has replayed everything it received.
LAG_SQL = ("SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
           "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END")


def configured() -> bool:
    return REPLICA in settings.DATABASES


def measure() -> ReplicaState:
    """Ask the replica now."""
    state = ReplicaState(configured=configured(), checked_at=time.monotonic())
    if not state.configured:
        return state
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag = cursor.fetchone()
        state.reachable = True
        state.lag_seconds = float(lag) if in_recovery else 0.0
    except DatabaseError as error:
        logger.warning("replica unavailable: %s", error.__class__.__name__)
        connections[REPLICA].close()
    return state


def state() -> ReplicaState:
    """The replica's state, measured at most every KAIKUKANTA_REPLICA_CHECK_SECONDS per process."""
    global _state
    current = _state
    if current is not None and time.monotonic() - current.checked_at < settings.KAIKUKANTA_REPLICA_CHECK_SECONDS:
        return current
    with _lock:
        if _state is None or time.monotonic() - _state.checked_at >= settings.KAIKUKANTA_REPLICA_CHECK_SECONDS:
            _state = measure()
        return _state


def mark_down() -> None:
    """A query on the replica failed: use the primary until the next check."""
    global _state
    _state = ReplicaState(configured=configured(), checked_at=time.monotonic())
    connections[REPLICA].close()


@contextlib.contextmanager
def statistics_reads():
    token = _reading_statistics.set(True)
    used = _used_replica.set(False)
    try:
        yield
    finally:
        _reading_statistics.reset(token)
        _used_replica.reset(used)


@contextlib.contextmanager
def primary_only():
    token = _reading_statistics.set(False)
    try:
        yield
    finally:
        _reading_statistics.reset(token)


def reading_statistics() -> bool:
    return _reading_statistics.get()


def reading_from_replica() -> bool:
    """Whether statistics read now would come from the replica (the fold on read is then left to the worker:
    the rollups the replica holds are the ones the primary folded)."""
    return reading_statistics() and configured() and state().usable


def used_replica() -> bool:
    return _used_replica.get()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # A read inside a transaction on the primary (a write, the fold) belongs to that transaction.
        if (model._meta.app_label in REPLICA_APPS and not connections["default"].in_atomic_block
                and reading_from_replica()):
            _used_replica.set(True)
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
