"""Reads of cards, card stock and wellbeing questions. No rules and no writes here."""

import datetime

from django.db import connection
from django.db.models import Q, QuerySet

from kaikukanta.accounts.models import Role
from kaikukanta.accounts.policy import scope_filter
from kaikukanta.core import sql
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.reference.models import PostalCode

from . import rules
from .models import Card, CardBatch, CardEvent, StockNumber, WellbeingQuestion


def card_number_from_path(raw: str) -> str:
    """A number named in a URL: anything that cannot be a card number is simply not found there."""
    try:
        return rules.normalise_card_number(raw)
    except Refusal:
        raise Refusal(Code.CARD_NOT_FOUND) from None


def card_by_number(number: str) -> Card:
    """The whole card, holder data included, with its issuer for the scope check."""
    card = Card.objects.select_related("issuer").filter(number=number).first()
    if card is None:
        raise Refusal(Code.CARD_NOT_FOUND)
    return card


# In the model's field order, as Model.from_db expects them; holder data is not read.
_CHECK_FIELDS = ["id", "number", "card_type", "issuer_id", "issued_on", "valid_until", "closed_on", "children"]
_CHECK_SQL = ("SELECT id, number, card_type, issuer_id, issued_on, valid_until, closed_on, children "
              "FROM cards_card WHERE number = %s")


def card_for_check(number: str) -> Card:
    """The desk's look-up: what a validity check needs, in one indexed statement (see core.sql)."""
    row = sql.fetch_one(_CHECK_SQL, [number])
    if row is None:
        raise Refusal(Code.CARD_NOT_FOUND)
    card_id, number, card_type, issuer_id, issued_on, valid_until, closed_on, children = row
    return Card.from_db(connection.alias, _CHECK_FIELDS, [
        card_id, number, card_type, issuer_id, sql.as_date(issued_on), sql.as_date(valid_until),
        sql.as_date(closed_on), children])


def card_history(card: Card) -> list[CardEvent]:
    """The card's events and those of the cards it replaced, oldest first: history carries over."""
    chain = [card.pk]
    previous = card.replaces_id
    while previous is not None:
        chain.append(previous)
        previous = Card.objects.filter(pk=previous).values_list("replaces_id", flat=True).first()
    return list(CardEvent.objects.filter(card_id__in=chain).select_related("card").order_by("date", "id"))


def number_taken(number: str) -> bool:
    return Card.objects.filter(number=number).exists()


def number_in_stock_of(number: str, distributor_id: int) -> bool:
    return StockNumber.objects.filter(number=number, distributor_id=distributor_id).exists()


def municipality_of_postal_code(code: str) -> str | None:
    """The municipality of a postal code still in use (a retired code is unknown for a new card)."""
    return (PostalCode.objects.filter(code=code, in_current_file=True)
            .values_list("municipality_id", flat=True).first())


def cards_with_holder_access(user) -> QuerySet[Card]:
    """The cards whose holder data `user` may read: everything, an area's, or a distributor's own."""
    return Card.objects.filter(scope_filter(user, area="issuer__area_id", site={Role.DISTRIBUTOR: "issuer_id"}))


def filter_by_status(cards: QuerySet[Card], status: str, day: datetime.date) -> QuerySet[Card]:
    """The same division as `rules.status_on`, as a query."""
    closed = Q(closed_on__isnull=False, closed_on__lte=day)
    if status == rules.CardStatus.CLOSED:
        return cards.filter(closed)
    if status == rules.CardStatus.EXPIRED:
        return cards.exclude(closed).filter(valid_until__lt=day)
    return cards.exclude(closed).filter(valid_until__gte=day)


def expiring_within(cards: QuerySet[Card], days: int, day: datetime.date) -> QuerySet[Card]:
    """Cards still valid today whose validity ends within `days` days: the holders to invite for renewal."""
    return filter_by_status(cards, rules.CardStatus.VALID, day).filter(
        valid_until__lte=day + datetime.timedelta(days=days))


def batches_in_scope(user) -> QuerySet[CardBatch]:
    """Batches of the distributors `user` can see: everything, an area's distributors', or its own site's."""
    return CardBatch.objects.filter(scope_filter(user, area="distributor__area_id",
                                                 site={Role.DISTRIBUTOR: "distributor_id"}))


def batch_numbers(batch: CardBatch) -> list[tuple[str, bool]]:
    """The batch's numbers, each with whether a card has been issued with it."""
    numbers = StockNumber.objects.filter(batch=batch).order_by("number").values_list("number", flat=True)
    issued = set(Card.objects.filter(number__in=numbers).values_list("number", flat=True))
    return [(number, number in issued) for number in numbers]


def current_wellbeing_questions() -> list[WellbeingQuestion]:
    return list(WellbeingQuestion.objects.filter(current=True).order_by("position", "id"))


def current_wellbeing_keys() -> set[str]:
    return set(WellbeingQuestion.objects.filter(current=True).values_list("key", flat=True))
