"""Reads of cards, card stock and wellbeing questions. No rules, and no writes but one: every read that
hands holder data to someone leaves an audit row (`record_holder_read`), here, so that each door
(API, pages, PDFs, exports, admin) shares it."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from kaikukanta.accounts.models import Role, User
from kaikukanta.accounts.policy import Action, allowed, require, scope_filter
from kaikukanta.core import audit, sql
from kaikukanta.core.clock import add_months
from kaikukanta.core.damm import strip_separators
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.middleware import mark_holder_data
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Organisation
from kaikukanta.network.selectors import municipality_in_network
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.reference.models import PostalCode

from . import guessing, rules
from .models import Card, CardBatch, CardEvent, StockNumber, WellbeingQuestion


def card_number_from_path(raw: str) -> str:
    """A number named in a URL: anything that cannot be a card number is simply not found there."""
    try:
        return rules.normalise_card_number(raw)
    except Refusal:
        raise Refusal(Code.CARD_NOT_FOUND) from None


HOLDER_READ = "holder_data.read"


def record_holder_read(user, numbers: list[str], via: str) -> None:
    """The audit row of a read handing holder data to `user`: one card by number, or a list's numbers
    (with their count). `via` names the door: api, card_page, card_list, insert_pdf, area_export, admin...
    It also marks the response as holder data, which then carries `Cache-Control: no-store`, an empty
    list's too (core.middleware.NoStoreMiddleware)."""
    mark_holder_data()
    if not numbers:
        return
    if len(numbers) == 1:
        audit.record(user, HOLDER_READ, object_type="card", object_id=numbers[0], via=via, count=1)
    else:
        audit.record(user, HOLDER_READ, object_type="card", object_id="", via=via, count=len(numbers),
                     numbers=numbers)


def card_by_number(number: str) -> Card:
    """The whole card, holder data included, with its issuer for the scope check."""
    card = Card.objects.select_related("issuer").filter(number=number).first()
    if card is None:
        raise Refusal(Code.CARD_NOT_FOUND)
    return card


def card_with_holder_data_for(user, number: str, *, via: str) -> Card:
    """The whole card for a caller the policy lets read its holder data (checked by the caller), audited."""
    card = card_by_number(number)
    record_holder_read(user, [card.number], via)
    return card


# In the model's field order, as Model.from_db expects them; holder data is not read.
_CHECK_FIELDS = ["id", "number", "card_type", "issuer_id", "issued_on", "valid_until", "closed_on", "children",
                 "children_birth_years"]
_CHECK_SQL = ("SELECT id, number, card_type, issuer_id, issued_on, valid_until, closed_on, children, "
              "children_birth_years FROM cards_card WHERE number = %s")


def card_for_check(number: str) -> Card:
    """The desk's look-up: what a validity check needs, in one indexed statement (see core.sql)."""
    row = sql.fetch_one(_CHECK_SQL, [number])
    if row is None:
        raise Refusal(Code.CARD_NOT_FOUND)
    card_id, number, card_type, issuer_id, issued_on, valid_until, closed_on, children, birth_years = row
    years = sql.as_int_tuple(birth_years)
    return Card.from_db(connection.alias, _CHECK_FIELDS, [
        card_id, number, card_type, issuer_id, sql.as_date(issued_on), sql.as_date(valid_until),
        sql.as_date(closed_on), children, list(years) if years is not None else None])


def children_today_area_id(user, card: Card) -> int | None:
    """Whose rules say how many of the card's children come free today: the caller's site's area, a
    coordinator's own area, else (the national admin, or the holder looking at My card: `user` None) the
    card's issuing area."""
    if user is not None and user.organisation_id is not None:
        return user.organisation.area_id
    if user is not None and user.area_id is not None:
        return user.area_id
    return card.issuer.area_id


def children_today(card: Card, day: datetime.date, area_id: int | None) -> int:
    """How many of the card's children come free on `day` by the rules in force then in `area_id`."""
    return rules.children_free(card.children, sql.as_int_tuple(card.children_birth_years), day,
                               rules_in_force(area_id, day))


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


# Read by the card pages. Each one answers for the signed-in user, so a page cannot show what its caller
# may not see: a card outside the caller's scope is simply not found.

DEFAULT_VALIDITY_MONTHS = 12
EXPIRING_SOON_DAYS = 30


def card_with_holder_data(user, raw_number: str, *, via: str) -> Card:
    """A card with everything its page shows, if `user` may read its holder data (audited, `via` naming
    the page); otherwise not found."""
    number = card_number_from_path(raw_number)
    card = (Card.objects.select_related("issuer", "home_municipality", "replaces", "replaced_by")
            .filter(number=number).first())
    if card is None or not allowed(user, Action.VIEW_HOLDER_DATA, card):
        raise Refusal(Code.CARD_NOT_FOUND)
    record_holder_read(user, [card.number], via)
    return card


def card_to_manage(user, raw_number: str, *, via: str) -> Card:
    """A card `user` may renew, close or replace; for anyone else it does not exist (as in the API)."""
    number = card_number_from_path(raw_number)
    card = Card.objects.select_related("issuer").filter(number=number).first()
    if card is None or not allowed(user, Action.MANAGE_CARD, card):
        raise Refusal(Code.CARD_NOT_FOUND)
    return card_with_holder_data(user, number, via=via)


def _unissued_stock(distributor_id: int) -> QuerySet[StockNumber]:
    return StockNumber.objects.filter(distributor_id=distributor_id).exclude(
        Exists(Card.objects.filter(number=OuterRef("number"))))


def next_stock_number(distributor_id: int) -> str | None:
    """The site's next unissued number: oldest batch first, so stock is used in the order it came."""
    return (_unissued_stock(distributor_id).order_by(F("batch_id").asc(nulls_first=True), "number")
            .values_list("number", flat=True).first())


def unissued_stock_count(distributor_id: int) -> int:
    return _unissued_stock(distributor_id).count()


def default_valid_until(day: datetime.date, area_id: int | None = None) -> datetime.date:
    """A year from `day`, or the longest validity of the area's rules in force that day when that is shorter."""
    return add_months(day, min(DEFAULT_VALIDITY_MONTHS, rules_in_force(area_id, day).max_validity_months))


@dataclass(frozen=True)
class PostalCodeLookup:
    code: str
    municipality_fi: str
    municipality_sv: str
    in_network: bool


def postal_code_lookup(code: str, day: datetime.date) -> PostalCodeLookup | None:
    """The municipality of a postal code in use, and whether a holder living there may get a card on `day`
    (the same two questions the issue service asks)."""
    postal = (PostalCode.objects.select_related("municipality")
              .filter(code=code.strip(), in_current_file=True).first())
    if postal is None:
        return None
    municipality = postal.municipality
    return PostalCodeLookup(code=postal.code, municipality_fi=municipality.name_fi,
                            municipality_sv=municipality.name_sv,
                            in_network=municipality_in_network(municipality.code, day))


@dataclass(frozen=True)
class CardListPage:
    cards: list[Card]
    next_after: int | None


def card_list(user, *, day: datetime.date, number: str = "", status: str | None = None,
              expiring_soon: bool = False, card_type: str | None = None, after: int | None = None,
              limit: int = 50) -> CardListPage:
    """The cards whose holder data `user` may read (a distributor's own site's), newest first, a page at a
    time by keyset (`after` is the last id of the previous page). `number` matches any part of the number,
    spaces and dashes ignored."""
    cards = cards_with_holder_access(user)
    if number:
        digits = strip_separators(number)
        if not digits.isascii() or not digits.isdigit():
            return CardListPage(cards=[], next_after=None)
        cards = cards.filter(number=digits) if len(digits) == 10 else cards.filter(number__contains=digits)
    if status is not None:
        cards = filter_by_status(cards, status, day)
    if expiring_soon:
        cards = expiring_within(cards, EXPIRING_SOON_DAYS, day)
    if card_type is not None:
        cards = cards.filter(card_type=card_type)
    if after is not None:
        cards = cards.filter(pk__lt=after)
    rows = list(cards.select_related("issuer").order_by("-pk")[:limit + 1])
    record_holder_read(user, [card.number for card in rows[:limit]], "card_list")
    return CardListPage(cards=rows[:limit], next_after=rows[limit - 1].pk if len(rows) > limit else None)


def batch_for(user, batch_id: int) -> CardBatch:
    """A batch as `user` may read its numbers (the rule of `GET /card-batches/{id}`): 404 if there is none,
    403 outside the caller's scope."""
    batch = CardBatch.objects.select_related("distributor", "created_by").filter(pk=batch_id).first()
    if batch is None:
        raise Refusal(Code.NOT_FOUND)
    require(user, Action.VIEW_ORGANISATION, batch.distributor)
    return batch


def batch_search(user, *, distributor_id: int | None = None):
    """Card batches of the distributors in `user`'s scope, newest first."""
    batches = batches_in_scope(user).select_related("distributor", "created_by")
    if distributor_id is not None:
        batches = batches.filter(distributor_id=distributor_id)
    return batches.order_by("-created_at", "-pk")


# Card-number guessing alerts (audit records written by cards.guessing) ------------------------------------


@dataclass(frozen=True)
class GuessingAlert:
    at: datetime.datetime
    source: str
    scope: str
    user: object | None
    site: Organisation | None
    address: str
    count: int
    window_minutes: int


def guessing_alerts(user):
    """The alerts of the caller's scope, newest first: a coordinator's are those of its area's sites and
    users; the national admin's are all, including bursts on the public page, which belong to no area."""
    require(user, Action.VIEW_GUESSING_ALERTS)
    return (AuditRecord.objects.filter(action=guessing.ALERT)
            .filter(scope_filter(user, area="details__area", site={})).order_by("-at", "-id"))


def describe_guessing_alerts(records) -> list[GuessingAlert]:
    """The records of one page with their users and sites, in two queries."""
    records = list(records)
    users = User.objects.in_bulk({record.details.get("user") for record in records} - {None})
    sites = Organisation.objects.in_bulk({record.details.get("site") for record in records} - {None})
    return [GuessingAlert(at=record.at, source=record.details.get("source", ""),
                          scope=record.details.get("scope", ""), user=users.get(record.details.get("user")),
                          site=sites.get(record.details.get("site")), address=record.details.get("address", ""),
                          count=record.details.get("count", 0),
                          window_minutes=record.details.get("window", 0) // 60)
            for record in records]


def numbers_known(numbers: list[str]) -> tuple[set[str], dict[str, int]]:
    """Which of `numbers` a card already has, and whose stock holds each (the importer's check of a chunk).
    On PostgreSQL one statement with the numbers as one array parameter, each looked up in both unique indexes
    (two lists of thousands of placeholders cost more to send and to plan than to run); in order, so that
    neighbouring look-ups read the same index pages, and only the numbers found come back (a file of new cards:
    none)."""
    if connection.vendor != "postgresql":
        return (set(Card.objects.filter(number__in=numbers).values_list("number", flat=True)),
                dict(StockNumber.objects.filter(number__in=numbers).values_list("number", "distributor_id")))
    with connection.cursor() as cursor:
        cursor.execute("SELECT n.number, c.id IS NOT NULL, s.distributor_id FROM unnest(%s::varchar[]) AS n(number) "
                       "LEFT JOIN cards_card c ON c.number = n.number "
                       "LEFT JOIN cards_stocknumber s ON s.number = n.number "
                       "WHERE c.id IS NOT NULL OR s.number IS NOT NULL", [sorted(numbers)])
        rows = cursor.fetchall()
    return ({number for number, card, _ in rows if card},
            {number: owner for number, _, owner in rows if owner is not None})
