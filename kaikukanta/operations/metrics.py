"""Prometheus metrics (prometheus_client): request latency by route, desk registrations, and, read when
scraped, the fold backlog, the replica's lag and the tasks that failed for good.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty directory per start, deploy/) so every worker's
counts are added up; without it each process reports its own."""

import os
from contextvars import ContextVar

from django.db import transaction
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

REQUEST_SECONDS = Histogram("kaikukanta_request_seconds", "Time to answer a request, by route pattern.",
                            ["method", "route"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
RESPONSES = Counter("kaikukanta_responses_total", "Responses by route pattern and status class.",
                    ["method", "route", "status"])
REGISTRATIONS = Counter("kaikukanta_desk_registrations_total",
                        "Visits recorded at a desk, by channel: the API (201), the desk page (its redirect), "
                        "the rows of a paper list or an offline device's synced visits (each visit stored).",
                        ["channel"])
# The routes that record one visit and the status that says it was recorded: the API's 201, the desk page's
# redirect after a recorded visit (a refusal renders the page again).
REGISTRATION_ROUTES = {"api/v1/visits": (201, "api"), "desk/check/": (302, "desk")}
# A paper list and an offline device's sync save each visit on its own and answer 200 whatever some of them met
# (refused, kept as a conflict, a replay of an earlier send), so their visits are counted as they are committed
# (`counting_visits`), not by the status.
COMMITTED_ROUTES = {"desk/paper/": "paper", "api/v1/offline/visits": "offline"}
_committed: ContextVar[list | None] = ContextVar("kaikukanta_committed_visits", default=None)


def observe(method: str, route: str, status: int, seconds: float, committed_visits: int = 0) -> None:
    REQUEST_SECONDS.labels(method, route).observe(seconds)
    RESPONSES.labels(method, route, f"{status // 100}xx").inc()
    recorded, channel = REGISTRATION_ROUTES.get(route, (None, None))
    if method == "POST" and status == recorded:
        REGISTRATIONS.labels(channel).inc()
    elif method == "POST" and route in COMMITTED_ROUTES and committed_visits:
        REGISTRATIONS.labels(COMMITTED_ROUTES[route]).inc(committed_visits)


def counting_visits(insert_visit):
    """`core.changes`' visit insert, also noting each visit of a counted request once its transaction commits
    (a row refused after its insert, or rolled back, is not counted; a replayed row inserts nothing)."""
    def insert(insert_sql: str, params: list, card_id: int, audit_entry) -> int:
        visit_id = insert_visit(insert_sql, params, card_id, audit_entry)
        committed = _committed.get()
        if committed is not None:
            transaction.on_commit(lambda: committed.append(visit_id))
        return visit_id
    return insert


def count_committed_visits():
    """Start counting the visits the current request commits; returns (the list they go to, a reset token)."""
    committed: list = []
    return committed, _committed.set(committed)


def stop_counting(token) -> None:
    _committed.reset(token)


class StateCollector:
    """Figures that live in the database or the replica, read at scrape time so every process agrees."""

    def collect(self):
        from kaikukanta.stats.models import PendingChange

        from . import replica
        from .models import TaskFailure

        yield GaugeMetricFamily("kaikukanta_fold_backlog", "Statistics changes not yet folded.",
                                value=PendingChange.objects.count())
        yield GaugeMetricFamily("kaikukanta_task_failures", "Background tasks that failed for good.",
                                value=TaskFailure.objects.count())
        if replica.configured():
            state = replica.state()
            yield GaugeMetricFamily("kaikukanta_replica_up", "1 when statistics read from the replica.",
                                    value=1 if state.usable else 0)
            if state.lag_seconds is not None:
                yield GaugeMetricFamily("kaikukanta_replica_lag_seconds", "Replay lag of the streaming replica.",
                                        value=state.lag_seconds)


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    return generate_latest(requests) + generate_latest(_state_registry())


def _state_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(StateCollector())
    return registry
