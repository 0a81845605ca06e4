"""Sessions end on the server: after `KAIKUKANTA_SESSION_IDLE_MINUTES` without a request, and at the latest
`KAIKUKANTA_SESSION_MAX_HOURS` after signing in, whatever the browser keeps.

The time of the last request is written back at most once a minute, so a busy desk does not write its
session on every request (and with Redis the session is read from the cache, see settings).
"""

import time

from django.conf import settings
from django.contrib.auth import logout

SIGNED_IN_AT = "kk_signed_in_at"
LAST_SEEN_AT = "kk_last_seen_at"
LAST_SEEN_RESOLUTION = 60


def now() -> float:
    """Seconds since the epoch; the tests move this clock."""
    return time.time()


def start(session) -> None:
    """Called when a user signs in."""
    moment = int(now())
    session[SIGNED_IN_AT] = moment
    session[LAST_SEEN_AT] = moment


def expired(session, moment: float) -> bool:
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        # A session from before these limits existed, or one not started by a login: no known age.
        return True
    return (moment - last_seen_at > settings.KAIKUKANTA_SESSION_IDLE_MINUTES * 60
            or moment - signed_in_at > settings.KAIKUKANTA_SESSION_MAX_HOURS * 3600)


class SessionExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            moment = now()
            if expired(request.session, moment):
                # The user is signed out here; the page they asked for then sends them to the login page.
                logout(request)
            elif moment - request.session[LAST_SEEN_AT] >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_AT] = int(moment)
        return self.get_response(request)
