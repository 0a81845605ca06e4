"""The one write of the public pages: every "my card" lookup leaves an audit row, a failed one too, so that
guessing card numbers or birth years can be spotted. The rows name the card (when the number exists) and a
keyed fingerprint of the client's network, never what was typed."""

import hashlib
import hmac

from django.conf import settings

from kaikukanta.core import audit
from kaikukanta.core.clock import today

from . import selectors

LOOKUP = "my_card_lookup"
LOOKUP_FAILED = "my_card_lookup_failed"


def client_fingerprint(client_network: str) -> str:
    """Enough to tell repeated attempts from one network apart, without keeping its address in clear."""
    digest = hmac.new(settings.SECRET_KEY.encode(), client_network.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def look_up_my_card(raw_number: str, birth_year: int, *, client_network: str) -> selectors.MyCard | None:
    found = selectors.my_card(raw_number, birth_year, today())
    details = {"client": client_fingerprint(client_network)}
    if found.failure:
        details["reason"] = found.failure
    audit.record(None, LOOKUP if found.card else LOOKUP_FAILED, object_type="card",
                 object_id=found.card_id if found.card_id is not None else "", **details)
    return found.card
