"""Public reads: where the card works, and what holders may see of their own card.

Nothing here names a distributor: cards are given by workers, not applied for, so the public pages
point to "your social or health service worker" instead. The only holder data shown is what the
holder typed and what the card itself says (validity, children, visits).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet

from kaikukanta.cards import rules
from kaikukanta.cards.models import Card, CardType
from kaikukanta.cards.selectors import card_by_number, card_history, children_today_area_id
from kaikukanta.cards.selectors import children_today as children_today_of
from kaikukanta.core.errors import Refusal
from kaikukanta.network.models import Area, NationalSettings, Offering, Organisation, OrganisationKind
from kaikukanta.network.selectors import areas_in_network_on, memberships_on
from kaikukanta.reference.models import Municipality
from kaikukanta.visits.models import Visit

VISIT_HISTORY_LIMIT = 100
# Finnish and Swedish put å, ä and ö after z; code point order would put ä before å.
_NORDIC_ORDER = str.maketrans({"å": "z\x01", "ä": "z\x02", "æ": "z\x02", "ö": "z\x03", "ø": "z\x03"})


def collation_key(name: str) -> str:
    return name.lower().translate(_NORDIC_ORDER)


def municipality_name(municipality: Municipality, language: str) -> str:
    """Swedish pages use the Swedish name; Finnish and English pages the Finnish one, as Finland does."""
    return municipality.name_sv if language == "sv" and municipality.name_sv else municipality.name_fi


@dataclass(frozen=True)
class NetworkArea:
    name: str
    municipalities: list[str]


def network_areas(day: datetime.date, language: str) -> list[NetworkArea]:
    """The areas that are pilot or active on `day`, each with its member municipalities' names."""
    memberships = (memberships_on(day).filter(area_id__in=areas_in_network_on(day))
                   .select_related("area", "municipality"))
    names_by_area: dict[int, tuple[str, list[str]]] = {}
    for membership in memberships:
        _, names = names_by_area.setdefault(membership.area_id, (membership.area.name, []))
        names.append(municipality_name(membership.municipality, language))
    return sorted((NetworkArea(name, sorted(names, key=collation_key)) for name, names in names_by_area.values()),
                  key=lambda area: collation_key(area.name))


def public_venues(day: datetime.date) -> QuerySet[Organisation]:
    """Venues open to cardholders on `day`: active sites of areas that are pilot or active then."""
    return Organisation.objects.filter(
        kind=OrganisationKind.VENUE, active=True, active_from__lte=day,
        area_id__in=areas_in_network_on(day)).select_related("municipality")


def venue_finder(day: datetime.date, *, municipality: str | None = None, sector: str | None = None,
                 text: str | None = None, children_welcome: bool = False,
                 no_booking: bool = False) -> QuerySet[Organisation]:
    """The public venues matching every filter given; `text` is a part of the name, in any case."""
    venues = public_venues(day)
    if municipality:
        venues = venues.filter(municipality_id=municipality)
    if sector:
        venues = venues.filter(sector=sector)
    if text:
        venues = venues.filter(name__icontains=text)
    if children_welcome:
        venues = venues.filter(children_welcome=True)
    if no_booking:
        venues = venues.filter(booking_needed=False)
    return venues.order_by("name", "pk")


def finder_municipalities(day: datetime.date, language: str) -> list[tuple[str, str]]:
    """(code, name) of every municipality with at least one public venue, in alphabetical order."""
    codes = public_venues(day).values_list("municipality_id", flat=True).distinct()
    named = [(municipality.code, municipality_name(municipality, language))
             for municipality in Municipality.objects.filter(code__in=codes)]
    return sorted(named, key=lambda pair: collation_key(pair[1]))


def area_in_network(area_id: int, day: datetime.date) -> Area | None:
    """The area, if it is pilot or active on `day` (one in preparation or ended has no public list)."""
    return Area.objects.filter(pk=area_id, pk__in=areas_in_network_on(day)).first()


def public_venue(venue_id: int, day: datetime.date) -> Organisation | None:
    return public_venues(day).filter(pk=venue_id).first()


def venue_offerings(venue: Organisation, day: datetime.date) -> list[Offering]:
    """What a holder can still go to: not archived and not past; ongoing ones (no date) first."""
    return list(venue.offerings.filter(archived=False).filter(Q(date__isnull=True) | Q(date__gte=day))
                .order_by(F("date").asc(nulls_first=True), "name", "pk"))


@dataclass(frozen=True)
class Statements:
    """What the accessibility statement and the privacy notice say that differs between deployments."""

    controller_name: str
    controller_address: str
    privacy_email: str
    accessibility_email: str
    known_gaps: list[str]
    reviewed_on: datetime.date | None
    retention_years: int


def statements(language: str) -> Statements:
    current = NationalSettings.current()
    gaps = getattr(current, f"accessibility_gaps_{language}", "") or current.accessibility_gaps_fi
    return Statements(
        controller_name=current.controller_name, controller_address=current.controller_address,
        privacy_email=current.privacy_email, accessibility_email=current.accessibility_email,
        known_gaps=[line.strip(" -•\t") for line in gaps.splitlines() if line.strip(" -•\t")],
        reviewed_on=current.statements_reviewed_on, retention_years=settings.KAIKUKANTA_HOLDER_RETENTION_YEARS)


@dataclass(frozen=True)
class VisitLine:
    used_on: datetime.date
    venue_name: str


@dataclass(frozen=True)
class MyCard:
    number: str
    status: str
    valid_until: datetime.date
    closed_on: datetime.date | None
    children: int
    # How many of them come free today by the rules in force in the card's area (its issuing site's).
    children_today: int
    visits: list[VisitLine]
    more_visits: bool


@dataclass(frozen=True)
class CardLookup:
    """The answer to a "my card" query. `card_id` and `failure` are for the audit trail only: the page
    says the same whatever the reason a lookup failed."""

    card: MyCard | None
    card_id: int | None = None
    failure: str = ""


def _visits_of(card: Card) -> tuple[list[VisitLine], bool]:
    """The holder's visits, newest first, including those made with the cards this one replaced."""
    chain = {card.pk} | {event.card_id for event in card_history(card)}
    rows = list(Visit.objects.filter(card_id__in=chain, cancelled_at__isnull=True)
                .order_by("-used_on", "-pk").values_list("used_on", "venue__name")[:VISIT_HISTORY_LIMIT + 1])
    return [VisitLine(used_on, name) for used_on, name in rows[:VISIT_HISTORY_LIMIT]], len(rows) > VISIT_HISTORY_LIMIT


def my_card(raw_number: str, birth_year: int, day: datetime.date) -> CardLookup:
    """A personal card whose number and holder's birth year both match, as its holder may see it."""
    try:
        card = card_by_number(rules.normalise_card_number(raw_number, field="card_number"))
    except Refusal as refusal:
        return CardLookup(None, failure=refusal.code.value)
    if card.card_type != CardType.PERSONAL:
        return CardLookup(None, card.pk, "community_card")
    if card.birth_year != birth_year:
        return CardLookup(None, card.pk, "birth_year_mismatch")
    visits, more = _visits_of(card)
    status = rules.status_on(valid_until=card.valid_until, closed_on=card.closed_on, day=day)
    children_today = children_today_of(card, day, children_today_area_id(None, card))
    return CardLookup(MyCard(number=card.number, status=status, valid_until=card.valid_until,
                             closed_on=card.closed_on, children=card.children, children_today=children_today,
                             visits=visits, more_visits=more), card.pk)
