"""The device credential: a bearer secret `kkd_…`, stored as a SHA-256 digest like an API token."""

import hashlib
import secrets

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from kaikukanta.accounts.caller import Caller, Channel
from kaikukanta.accounts.selectors import second_factor_pending
from kaikukanta.core.client_address import client_address

from .models import Device

DEVICE_PREFIX = "kkd_"
LAST_SEEN_RESOLUTION_SECONDS = 60


def new_device_secret() -> str:
    return DEVICE_PREFIX + secrets.token_urlsafe(32)


def device_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class DeviceAuth(HttpBearer):
    """A device's credential, revoked or not: each service decides what a revoked device still gets (its
    queued visits become conflicts; nothing else). Any other bearer is left to the next authenticator."""

    def authenticate(self, request, token: str):
        if not token.startswith(DEVICE_PREFIX):
            return None
        device = (Device.objects.select_related("user", "user__organisation", "venue")
                  .filter(digest=device_digest(token)).first())
        if device is None:
            return None
        now = timezone.now()
        if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > LAST_SEEN_RESOLUTION_SECONDS:
            Device.objects.filter(pk=device.pk).update(last_seen_at=now)
            device.last_seen_at = now
        request.device = device
        return device


def device_caller(request) -> Caller:
    """The caller of a device's request: the device acting for the staff member who enrolled it. A user's
    own token reaching a device operation gives a caller without a device (refused `device_required`)."""
    device = getattr(request, "device", None)
    if device is None:
        return Caller.api(request)
    return Caller(user=device.user, site=device.venue, address=client_address(request), channel=Channel.DEVICE,
                  device=device)


class DeskSessionAuth(SessionAuth):
    """The signed-in session of the desk's page, for enrolling the device it runs on (the offline desk,
    static/js/offline-sync.js): Django's CSRF check applies (the `X-CSRFToken` header), and a sign-in still
    waiting for its second step is not signed in."""

    def authenticate(self, request, key):
        if second_factor_pending(request):
            return None
        return super().authenticate(request, key)
