"""The one write of the public pages: every "my card" lookup leaves an audit row, a failed one too, so that
guessing card numbers or birth years can be spotted. The rows name the card (when the number exists) and a
keyed fingerprint of the client's network, never what was typed.

The look-up limit is here too, so that every door to My card counts the same: failed look-ups only (an
office or a library behind one address looks up many holders' cards), per client address and per number
typed, and each failure is watched for guessing (cards.guessing): numbers from one address, and birth years
of one number from many addresses."""

import hashlib
import hmac

from django.conf import settings
from django_ratelimit.core import get_usage

from kaikukanta.accounts.caller import Caller
from kaikukanta.cards import guessing
from kaikukanta.core import audit, damm
from kaikukanta.core.clock import today

from . import selectors

LOOKUP = "my_card_lookup"
LOOKUP_FAILED = "my_card_lookup_failed"


def client_fingerprint(client_network: str) -> str:
    """Enough to tell repeated attempts from one network apart, without keeping its address in clear."""
    digest = hmac.new(settings.SECRET_KEY.encode(), client_network.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


# Ten failures in ten minutes is plenty for a holder with a typo, and makes guessing a birth year for a
# known number (about a hundred candidates) or a number for a known year slow enough to notice.
LOOKUP_RATE = "10/10m"
# A cache that cannot count answers no wait (time_left -1): a whole window's wait then.
WINDOW_SECONDS = 600


def _limits(caller: Caller, raw_number: str) -> list[tuple[str, str]]:
    limits = [("public.my_card.client", caller.address or "")]
    number = damm.strip_separators(raw_number or "")
    if number:
        limits.append(("public.my_card.number", number))
    return limits


def _usage(group: str, value: str, *, increment: bool):
    return get_usage(None, group=group, key=lambda _group, _request, value=value: value, rate=LOOKUP_RATE,
                     increment=increment)


def seconds_until_allowed(caller: Caller, raw_number: str) -> int | None:
    """The seconds to wait when the caller's address, or the card number typed, has had too many failed
    look-ups in this window, else None."""
    waits = []
    for group, value in _limits(caller, raw_number):
        usage = _usage(group, value, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            waits.append(usage["time_left"] if usage["time_left"] > 0 else WINDOW_SECONDS)
    return max(waits) if waits else None


def _count_failure(caller: Caller, raw_number: str) -> None:
    for group, value in _limits(caller, raw_number):
        _usage(group, value, increment=True)
    guessing.unknown_number(caller, guessing.MY_CARD)
    number = damm.strip_separators(raw_number or "")
    if number:
        guessing.my_card_number_failed(caller.address, number)


def look_up_my_card(caller: Caller, raw_number: str, birth_year: int) -> selectors.MyCard | None:
    """The holder's own card for a number and a birth year, or None; a failure counts against the limits."""
    found = selectors.my_card(raw_number, birth_year, today())
    details = {"client": client_fingerprint(caller.address or "")}
    if found.failure:
        details["reason"] = found.failure
    audit.record(None, LOOKUP if found.card else LOOKUP_FAILED, object_type="card",
                 object_id=found.card_id if found.card_id is not None else "", **details)
    if found.card is None:
        _count_failure(caller, raw_number)
    return found.card
