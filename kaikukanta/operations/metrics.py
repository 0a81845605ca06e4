"""Prometheus metrics (prometheus_client): request latency by route, desk registrations, and, read when
scraped, the fold backlog, the replica's lag and the tasks that failed for good.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty directory per start, deploy/) so every worker's
counts are added up; without it each process reports its own."""

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

REQUEST_SECONDS = Histogram("kaikukanta_request_seconds", "Time to answer a request, by route pattern.",
                            ["method", "route"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
RESPONSES = Counter("kaikukanta_responses_total", "Responses by route pattern and status class.",
                    ["method", "route", "status"])
REGISTRATIONS = Counter("kaikukanta_desk_registrations_total",
                        "Visits recorded at a desk, by channel: the API (201) or the desk page (its redirect).",
                        ["channel"])
# The routes that record one visit and the status that says it was recorded: the API's 201, the desk page's
# redirect after a recorded visit (a refusal renders the page again). A paper list's rows are not counted.
REGISTRATION_ROUTES = {"api/v1/visits": (201, "api"), "desk/check/": (302, "desk")}


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(method, route).observe(seconds)
    RESPONSES.labels(method, route, f"{status // 100}xx").inc()
    recorded, channel = REGISTRATION_ROUTES.get(route, (None, None))
    if method == "POST" and status == recorded:
        REGISTRATIONS.labels(channel).inc()


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
