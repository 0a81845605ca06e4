"""What the health checks and the national admin's status page report."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

from . import replica
from .models import TaskFailure
from .tasks import HEARTBEAT_KEY

OK, DOWN, NOT_CONFIGURED, DEGRADED = "ok", "down", "not_configured", "degraded"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str = ""


def database() -> Check:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("database", OK)
    except DatabaseError as error:
        return Check("database", DOWN, error.__class__.__name__)


def replica_check() -> Check:
    state = replica.measure() if replica.configured() else None
    if state is None:
        return Check("replica", NOT_CONFIGURED)
    if not state.reachable:
        return Check("replica", DOWN)
    if not state.usable:
        return Check("replica", DEGRADED, f"{state.lag_seconds:.1f}")
    return Check("replica", OK, f"{state.lag_seconds:.1f}")


def cache_check() -> Check:
    try:
        cache.set("kaikukanta:readyz", 1, timeout=10)
        if cache.get("kaikukanta:readyz") != 1:
            return Check("cache", DOWN)
        return Check("cache", OK)
    except Exception as error:  # a cache backend raises its client's own errors
        return Check("cache", DOWN, error.__class__.__name__)


def broker() -> Check:
    if not settings.CELERY_BROKER_URL:
        return Check("broker", NOT_CONFIGURED)
    from kaikukanta.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=1)
        return Check("broker", OK)
    except Exception as error:  # kombu raises its transport's errors
        return Check("broker", DOWN, error.__class__.__name__)


def worker() -> Check:
    if not settings.CELERY_BROKER_URL:
        return Check("worker", NOT_CONFIGURED)
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None:
        return Check("worker", DOWN)
    age = time.time() - beat
    limit = settings.KAIKUKANTA_WORKER_HEARTBEAT_SECONDS * 4
    return Check("worker", OK if age < limit else DOWN, f"{age:.0f}")


def readiness() -> list[Check]:
    return [database(), replica_check(), cache_check(), broker(), worker()]


def ready(checks: list[Check]) -> bool:
    """A host is taken out of the proxy's rotation only for what it cannot serve without: its database, and
    the shared cache when one is configured (rate limits). A lost replica falls back to the primary and a lost
    worker leaves the fold to readers, so those are reported but do not empty the rotation."""
    essential = {"database"} | ({"cache"} if settings.REDIS_URL else set())
    return all(check.status != DOWN for check in checks if check.name in essential)


def fold_backlog() -> int:
    from kaikukanta.stats.models import PendingChange

    return PendingChange.objects.count()


def recent_failures(limit: int = 20) -> list[TaskFailure]:
    return list(TaskFailure.objects.all()[:limit])
