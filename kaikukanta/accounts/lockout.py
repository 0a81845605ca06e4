"""Login throttling with django-axes, built so that it cannot be used to lock everyone out.

Each failed login counts twice, in the cache every server process shares: once for the username and
the address together, locked after `AXES_FAILURE_LIMIT` failures, and once for the address alone, locked
after `KAIKUKANTA_LOGIN_FAILURES_PER_ADDRESS`. Someone guessing an account's password from elsewhere only
locks their own address out of that account; its owner signs in from theirs as before. One address
trying many accounts is stopped by the second counter. Both end after `AXES_COOLOFF_TIME`.

A successful login clears the username-and-address counter only: clearing the address counter too would
let one valid account reset the count of an address that is guessing others.
"""

import math

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_client_username, get_cool_off, make_cache_key_list
from axes.signals import user_locked_out
from django.conf import settings
from django.shortcuts import render

from kaikukanta.core import audit

from .models import User


def _keys(username: str | None, address: str) -> tuple[str, str]:
    pair, alone = make_cache_key_list([{"username": username or "", "ip_address": address},
                                       {"ip_address": address}])
    return pair, alone


def _cool_off_seconds(request=None) -> int:
    return int(get_cool_off(request).total_seconds())


class LoginLockoutHandler(AxesCacheHandler):
    def _counts(self, request, credentials) -> tuple[int, int]:
        pair, alone = _keys(get_client_username(request, credentials), request.axes_ip_address)
        return self.cache.get(pair, 0), self.cache.get(alone, 0)

    def is_locked(self, request, credentials=None) -> bool:
        pair, alone = self._counts(request, credentials)
        return pair >= settings.AXES_FAILURE_LIMIT or alone >= settings.KAIKUKANTA_LOGIN_FAILURES_PER_ADDRESS

    def get_failures(self, request, credentials=None) -> int:
        """The failures as a count against AXES_FAILURE_LIMIT, the address counter scaled to that limit."""
        pair, alone = self._counts(request, credentials)
        scale = settings.AXES_FAILURE_LIMIT / settings.KAIKUKANTA_LOGIN_FAILURES_PER_ADDRESS
        return max(pair, math.floor(alone * scale))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        already_locked = getattr(request, "axes_locked_out", False)
        if not already_locked:
            timeout = _cool_off_seconds(request)
            for key in _keys(username, address):
                if not self.cache.add(key, 1, timeout=timeout):
                    self.cache.incr(key)
                    self.cache.touch(key, timeout=timeout)
        locked = already_locked or self.is_locked(request, credentials)
        user = User.objects.filter(username=username).only("pk").first() if username else None
        # A username nobody has is not written down: people type their password into that field too.
        subject = {"object_type": "user", "object_id": user.pk if user else ""}
        audit.record(None, "login.failed", **subject, address=address, username_known=user is not None,
                     locked=locked)
        if locked:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            if not already_locked:
                audit.record(None, "login.locked_out", **subject, address=address)
            user_locked_out.send("axes", request=request, username=username, ip_address=address)

    def user_logged_in(self, sender, request, user, **kwargs):
        pair, _alone = _keys(user.get_username(), request.axes_ip_address)
        self.cache.delete(pair)


def locked_out(request, original_response=None, credentials=None):
    """The page of a locked login: 429 with Retry-After, in the page's language."""
    seconds = _cool_off_seconds(request)
    response = render(request, "accounts/locked_out.html", {"minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
