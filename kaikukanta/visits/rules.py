"""The visit rules of API.md, in its order, as pure functions shared by the API service and the importer."""

import datetime
from dataclasses import dataclass

from kaikukanta.cards.models import CardType
from kaikukanta.cards.rules import ISSUED_ON_EARLIEST
from kaikukanta.core.bounds import ID_MAX, ID_MIN, INT4_MAX, check_integer
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import OfferingKind

PAPER_LIST_DAYS = 31
MAX_CLIENTS = 10
MAX_ASSISTANTS = 2
CANCEL_WINDOW = datetime.timedelta(days=7)


@dataclass(frozen=True)
class CardFacts:
    card_type: str
    issued_on: datetime.date
    valid_until: datetime.date
    closed_on: datetime.date | None
    children: int


def uses_of(children: int, clients: int) -> int:
    """Tickets obtained with the card: the holder's (or worker's) own, each child's and each client's."""
    return 1 + children + clients


def ticket_value_cents(adult_price_cents: int | None, child_price_cents: int | None, *, children: int,
                       clients: int) -> int | None:
    """The regular price of a visit's tickets: the adult price for the holder's (or worker's) own ticket and
    each client's, the child price for each child. None when a price it needs is not known: never guessed."""
    if adult_price_cents is None or (children and child_price_cents is None):
        return None
    return adult_price_cents * (1 + clients) + (child_price_cents or 0) * children


def check_ranges(*, children: int, clients: int, assistants: int) -> None:
    # Children have no top of their own here: over the card's own count is `too_many_children` (422).
    for field, value, top in (("children", children, INT4_MAX), ("clients", clients, MAX_CLIENTS),
                              ("assistants", assistants, MAX_ASSISTANTS)):
        check_integer(value, field, 0, top)


def check_offering_id(offering_id: int | None) -> None:
    if offering_id is not None:
        check_integer(offering_id, "offering_id", ID_MIN, ID_MAX)


def check_used_on(used_on: datetime.date, today: datetime.date) -> None:
    if used_on > today or used_on < today - datetime.timedelta(days=PAPER_LIST_DAYS):
        raise Refusal(Code.DATE_OUT_OF_RANGE, field="used_on")


def check_imported_used_on(used_on: datetime.date, today: datetime.date) -> None:
    """History has no 31-day limit, but it has happened: not after today, and not before the card existed."""
    if not ISSUED_ON_EARLIEST <= used_on <= today:
        raise Refusal(Code.DATE_OUT_OF_RANGE, field="used_on")


def check_card_usable(card: CardFacts, used_on: datetime.date) -> None:
    if used_on < card.issued_on:
        raise Refusal(Code.CARD_NOT_YET_VALID, field="card_number")
    if used_on > card.valid_until:
        raise Refusal(Code.CARD_EXPIRED, field="card_number")
    if card.closed_on is not None and card.closed_on <= used_on:
        raise Refusal(Code.CARD_CLOSED, field="card_number")


def check_party(card: CardFacts, offering_kind: str | None, *, children: int, clients: int) -> None:
    if card.card_type == CardType.PERSONAL:
        if children > card.children:
            raise Refusal(Code.TOO_MANY_CHILDREN, field="children")
        if children and offering_kind == OfferingKind.COURSE:
            raise Refusal(Code.CHILDREN_NOT_ALLOWED_FOR_COURSE, field="children")
        if clients:
            raise Refusal(Code.CLIENTS_NEED_COMMUNITY_CARD, field="clients")
    elif children:
        raise Refusal(Code.CHILDREN_NEED_PERSONAL_CARD, field="children")


def check_offering_at_venue(offering_venue_id: int | None, venue_id: int) -> None:
    if offering_venue_id is not None and offering_venue_id != venue_id:
        raise Refusal(Code.OFFERING_NOT_AT_VENUE, field="offering_id")


def check_quota(ticket_quota: int | None, uses_already: int, uses: int) -> None:
    if ticket_quota is not None and uses_already + uses > ticket_quota:
        raise Refusal(Code.QUOTA_EXHAUSTED, field="offering_id")


def check_cancellable(recorded_at: datetime.datetime, now: datetime.datetime) -> None:
    if now - recorded_at > CANCEL_WINDOW:
        raise Refusal(Code.CANCEL_WINDOW_PASSED)
