"""Helpers of the devices tests: an enrolled device of the first area's venue and its API client."""

import datetime
import uuid

from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.clock import today
from kaikukanta.devices import services
from kaikukanta.testing import ApiClient


def enrol_device(network, name: str = "Ovi 1", user=None, language=None):
    user = user or network.users["venue"]
    _, code = services.issue_enrolment_code(Caller.for_console(user), user.organisation_id)
    device, secret = services.enrol(Caller.for_console(user), code=code, name=name)
    return device, ApiClient(secret, language)


def queued(card_number: str, *, key: str | None = None, used_on: datetime.date | None = None, **extra) -> dict:
    return {"key": key or str(uuid.uuid4()), "card_number": card_number,
            "used_on": (used_on or today()).isoformat(), "recorded_at": timezone.now().isoformat(), **extra}
