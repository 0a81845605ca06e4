import logging
import re
import time
import uuid

from . import metrics, replica
from .logs import request_id

access_log = logging.getLogger("kaikukanta.access")
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# What reads statistics: the dashboard, its exports and the annual report, the statistics API, the area export.
STATISTICS_PREFIXES = ("/stats/", "/api/v1/stats/", "/network/area-export/")


class RequestMetricsMiddleware:
    """A request id (the proxy's X-Request-ID when it sends a sane one), an access line and the latency metric."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _GIVEN_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        committed, counting = metrics.count_committed_visits() if request.method == "POST" else (None, None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            route = match.route if match is not None else "unmatched"
            metrics.observe(request.method, route, response.status_code, seconds, len(committed or ()))
            response["X-Request-ID"] = rid
            access_log.info("request", extra={"request_id": rid, "method": request.method, "route": route,
                                              "status": response.status_code, "ms": round(seconds * 1000, 1)})
            return response
        finally:
            request_id.reset(token)
            if counting is not None:
                metrics.stop_counting(counting)


class StatisticsReadMiddleware:
    """Statistics requests read from the replica when one is configured (operations/replica.py), and leave the
    fold to a live worker (operations/tasks.py). A read that fails on the replica is answered again from the
    primary, so losing the standby costs no page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(STATISTICS_PREFIXES):
            return self.get_response(request)
        with replica.statistics_reads():
            response = self.get_response(request)
            failed_on_replica = replica.used_replica() and response.status_code >= 500
        if failed_on_replica and request.method in ("GET", "HEAD"):
            replica.mark_down()
            response = self.get_response(request)
        return response
