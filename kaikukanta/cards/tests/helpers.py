"""Request bodies and write counters shared by the card tests."""

import datetime

from kaikukanta.cards.models import (
    Card,
    CardBatch,
    CardEvent,
    StockNumber,
    WellbeingAnswer,
    WellbeingQuestion,
)
from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord


def in_days(days: int) -> str:
    return (today() + datetime.timedelta(days=days)).isoformat()


def personal_card(number: str, /, **overrides) -> dict:
    body = {"number": number, "card_type": "personal", "valid_until": in_days(100),
            "holder": {"birth_year": 1980, "postal_code": "00100", "children": 2}}
    holder = overrides.pop("holder", {})
    body.update(overrides)
    if holder is None:
        body.pop("holder")
    else:
        body["holder"] = {**body["holder"], **holder}
    return body


def written() -> dict:
    """Row counts of everything a card request could write."""
    return {model.__name__: model.objects.count()
            for model in (Card, CardEvent, WellbeingAnswer, StockNumber, CardBatch, WellbeingQuestion,
                          AuditRecord)}


def refused(response, status: int, code: str, field: str | None = None) -> None:
    """The response is the contract's error body with this status, code and (when given) field."""
    body = response.json()
    assert response.status_code == status, body
    assert body["error"]["code"] == code, body
    if field is not None:
        assert body["error"].get("field") == field, body
