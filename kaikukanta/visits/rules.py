"""The visit rules of API.md, in its order, as pure functions shared by the API service and the importer."""

import datetime
from dataclasses import dataclass

from kaikukanta.cards.models import CardType
from kaikukanta.cards.rules import ISSUED_ON_EARLIEST, children_free
from kaikukanta.core.bounds import ID_MAX, ID_MIN, INT4_MAX, check_integer
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import OfferingKind
from kaikukanta.programme.ruleset import BOUNDS, RuleSet, describe_days

# A visit is judged by the rules in force in the venue's area (programme.selectors.rules_in_force): on the
# visit's date for the party, the card's area and courses; on the recording day for how far back the paper
# list goes and how long the visit may be cancelled. These are the longest any area's rules allow (the
# statistics' settling period, stats/disclosure.py, and the desk's lists are built on them).
PAPER_LIST_DAYS = BOUNDS["paper_list_days"][1]
MAX_CLIENTS = BOUNDS["max_clients"][1]
MAX_ASSISTANTS = BOUNDS["max_assistants"][1]
CANCEL_WINDOW = datetime.timedelta(days=BOUNDS["cancel_window_days"][1])


@dataclass(frozen=True)
class CardFacts:
    card_type: str
    issued_on: datetime.date
    valid_until: datetime.date
    closed_on: datetime.date | None
    children: int
    # Each child's birth year where the card records them (None: only the count, judged as a count).
    children_birth_years: tuple[int, ...] | None = None
    # The area of the site that issued the card.
    area_id: int | None = None


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


def check_ranges(*, children: int, clients: int, assistants: int, rules: RuleSet) -> None:
    # Children have no top of their own here: over the card's own count is `too_many_children` (422).
    for field, value, top in (("children", children, INT4_MAX), ("clients", clients, rules.max_clients),
                              ("assistants", assistants, rules.max_assistants)):
        check_integer(value, field, 0, top)


def children_admitted(card: CardFacts, day: datetime.date, rules: RuleSet) -> int:
    """How many children come free on `day` (cards.rules.children_free: the card check says the same)."""
    return children_free(card.children, card.children_birth_years, day, rules)


def check_offering_id(offering_id: int | None) -> None:
    if offering_id is not None:
        check_integer(offering_id, "offering_id", ID_MIN, ID_MAX)


def check_used_on(used_on: datetime.date, today: datetime.date, rules: RuleSet) -> None:
    """`rules`: those in force on `today`, the day of recording."""
    if used_on > today or used_on < today - datetime.timedelta(days=rules.paper_list_days):
        raise Refusal(Code.DATE_OUT_OF_RANGE, field="used_on", detail=describe_days(rules.paper_list_days))


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


def check_card_area(card: CardFacts, venue_area_id: int | None, rules: RuleSet) -> None:
    if not rules.other_area_cards and card.area_id != venue_area_id:
        raise Refusal(Code.CARD_OF_OTHER_AREA, field="card_number")


def check_party(card: CardFacts, offering_kind: str | None, *, children: int, clients: int, used_on: datetime.date,
                rules: RuleSet) -> None:
    if card.card_type == CardType.PERSONAL:
        if children > children_admitted(card, used_on, rules):
            raise Refusal(Code.TOO_MANY_CHILDREN, field="children")
        if children and offering_kind == OfferingKind.COURSE and not rules.courses_admit_children:
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


def check_cancellable(recorded_at: datetime.datetime, now: datetime.datetime, rules: RuleSet) -> None:
    """`rules`: those in force on the day the visit was recorded (a promise made then is kept)."""
    if now - recorded_at > rules.cancel_window:
        raise Refusal(Code.CANCEL_WINDOW_PASSED, detail=describe_days(rules.cancel_window_days))
