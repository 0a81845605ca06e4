"""Django's PostgreSQL backend, with the connection health check skipped while the connection is busy.

Django's health check (`conn_health_checks`) sends `SELECT 1` before the first query of every request that
reuses a connection: one more round trip on each card check and registration (a third of the card check's).
Here it is sent only when the connection has been idle for longer than `HEALTH_CHECK_IDLE_SECONDS`
(settings.KAIKUKANTA_DB_HEALTH_CHECK_IDLE_SECONDS), which is when a restarted server or a proxy's idle timeout
may have dropped it: the first request after a quiet spell still finds a dead connection replaced before its
query. What that gives up: a connection broken within that second of its last use is found by the request's
own query, which then fails (the API answers 503, `core.api_support`) and the connection is replaced for the
next request, instead of being replaced silently first.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_used_at = None

    def close_if_unusable_or_obsolete(self):
        # Called when a request starts and when it ends (django.db.close_old_connections).
        super().close_if_unusable_or_obsolete()
        self.last_used_at = time.monotonic() if self.connection is not None else None

    def close_if_health_check_failed(self):
        idle_allowed = getattr(settings, "KAIKUKANTA_DB_HEALTH_CHECK_IDLE_SECONDS", 1.0)
        if (self.connection is not None and self.health_check_enabled and not self.health_check_done
                and self.last_used_at is not None and time.monotonic() - self.last_used_at < idle_allowed):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
