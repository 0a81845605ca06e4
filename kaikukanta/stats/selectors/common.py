"""The scope of a caller's statistics and the pieces every figure shares: the constants, the exact
rounding, and the expressions a breakdown of visits groups on."""

import datetime
import math
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Case, CharField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear

from kaikukanta.cards.models import Card
from kaikukanta.network.models import SECTORS, Membership, Organisation
from kaikukanta.visits.models import Visit

from .. import disclosure, rollups
from ..rollups import AGE_GROUPS, CHILDREN_KEYS, COMMUNITY, NO_KEY, OLDEST_AGE_GROUP, USE_BUCKETS

SUPPRESS_BELOW = disclosure.SUPPRESS_BELOW
SUMMARY_FIELDS = ("areas", "municipalities", "distributors", "venues", "cardholders", "cards_issued",
                  "cards_activated", "visits", "uses", "child_uses", "low_income_coverage")
HOLDER_GROUPINGS = rollups.HOLDER_DIMS
WITNESS_FIELDS = ("card_1", "card_2", "card_3", "card_4")
VENUE_GROUPINGS = ("area", "municipality", "welfare_area", "venue", "sector", "venue_category")



@dataclass(frozen=True)
class Scope:
    """What a caller's statistics cover: the whole network, an area, a distributor or a venue."""

    area_id: int | None = None
    distributor_id: int | None = None
    venue_id: int | None = None

    @property
    def is_network_or_area(self) -> bool:
        return self.distributor_id is None and self.venue_id is None

    @property
    def covers_cards(self) -> bool:
        return self.venue_id is None

    @property
    def entitled_to_holder_data(self) -> bool:
        """Whether every holder behind the visits in scope is one whose data the caller may read on the card:
        the whole network (the national admin) and a distributor's own cards. A venue reads no holder data
        on a card; an area's venues also admit holders of other areas, whose data its coordinator may not
        read. Their breakdowns of visits by holder attributes pass through `disclosure`."""
        return self.venue_id is None and self.area_id is None

    def card_filter(self, prefix: str = "") -> Q:
        """Cards in scope: those issued by the area's distributors, or by the distributor."""
        if self.area_id is not None:
            return Q((f"{prefix}issuer__area_id", self.area_id))
        if self.distributor_id is not None:
            return Q((f"{prefix}issuer_id", self.distributor_id))
        return Q()

    def cards(self):
        return Card.objects.filter(self.card_filter())

    def visits(self):
        """Visits in scope, cancelled ones left out: at the area's venues, with the distributor's cards,
        or at the venue."""
        visits = Visit.objects.filter(cancelled_at__isnull=True)
        if self.area_id is not None:
            return visits.filter(venue__area_id=self.area_id)
        if self.distributor_id is not None:
            return visits.filter(self.card_filter("card__"))
        if self.venue_id is not None:
            return visits.filter(venue_id=self.venue_id)
        return visits


def _ratio(numerator: int, denominator: int, places: int) -> float:
    """numerator / denominator rounded to `places` decimals, halves away from zero. Computed on exact
    fractions, so the result does not depend on how a database or a float happens to round."""
    exact = Fraction(numerator, denominator)
    rounded = math.floor(abs(exact) * 10**places + Fraction(1, 2))
    return (rounded if exact >= 0 else -rounded) / 10**places


def _active_organisations_on(day: datetime.date):
    return Organisation.objects.filter(Q(inactive_from__isnull=True) | Q(inactive_from__gt=day),
                                       active_from__lte=day)


def _valid_on(day: datetime.date) -> Q:
    return Q(issued_on__lte=day, valid_until__gte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def _child_uses() -> Coalesce:
    # The visit rules refuse children on a community card, so every recorded child came with a personal
    # cardholder; summing the column needs no join to the cards.
    return Coalesce(Sum("children"), 0)


def _home_area_id():
    """The area the holder's home municipality belonged to on the day of the visit."""
    return Subquery(
        Membership.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=OuterRef("used_on")),
                                  municipality_id=OuterRef("card__home_municipality_id"),
                                  joined_on__lte=OuterRef("used_on"))
        .order_by("-joined_on").values("area_id")[:1],
        output_field=IntegerField())


def _age_group() -> Case:
    # Age is counted in the visit's year. Holders are at least 16 in the year their card is issued,
    # so the youngest group starts at 16.
    visit_year = ExtractYear("used_on")
    return Case(
        When(card__card_type=COMMUNITY, then=Value(COMMUNITY)),
        When(card__birth_year__isnull=True, then=Value(NO_KEY)),
        *(When(card__birth_year__gt=visit_year - below, then=Value(label)) for below, label in AGE_GROUPS),
        default=Value(OLDEST_AGE_GROUP), output_field=CharField())


def _home_area() -> Case:
    return Case(
        When(card__card_type=COMMUNITY, then=Value(COMMUNITY)),
        default=Coalesce(Cast(_home_area_id(), CharField()), Value(NO_KEY)), output_field=CharField())


def _children() -> Case:
    return Case(
        When(card__card_type=COMMUNITY, then=Value(COMMUNITY)),
        When(card__children__gte=len(CHILDREN_KEYS) - 1, then=Value(CHILDREN_KEYS[-1])),
        default=Cast("card__children", CharField()), output_field=CharField())


def _gender() -> Case:
    return Case(
        When(card__card_type=COMMUNITY, then=Value(COMMUNITY)),
        When(card__gender="", then=Value(NO_KEY)),
        default=F("card__gender"), output_field=CharField())


def _home_municipality() -> Case:
    return Case(
        When(card__card_type=COMMUNITY, then=Value(COMMUNITY)),
        default=Coalesce(F("card__home_municipality_id"), Value(NO_KEY)), output_field=CharField())


def _or_none(value) -> str:
    return NO_KEY if value in (None, "") else str(value)


def _grouping(group_by: str):
    """The expressions a breakdown groups on, and how one group's values make its key. Every key is a
    one-to-one function of the group's values, so groups never merge after the query and the
    distinct-card counts stay exact."""
    if group_by == "month":
        return ({"year": ExtractYear("used_on"), "month": ExtractMonth("used_on")},
                lambda group: f"{group['year']:04d}-{group['month']:02d}")
    if group_by == "year":
        return {"year": ExtractYear("used_on")}, lambda group: f"{group['year']:04d}"
    expression, key_of = {
        "area": (F("venue__area_id"), str),
        "municipality": (F("venue__municipality_id"), str),
        "welfare_area": (F("venue__municipality__welfare_area__name_fi"), _or_none),
        "venue": (F("venue_id"), str),
        "sector": (F("venue__sector"), _or_none),
        "venue_category": (F("venue__category"), _or_none),
        "age_group": (_age_group(), str),
        "card_type": (F("card__card_type"), str),
        "home_area": (_home_area(), str),
        "children": (_children(), str),
        "gender": (_gender(), str),
        "home_municipality": (_home_municipality(), str),
    }[group_by]
    return {"value": expression}, lambda group: key_of(group["value"])


def _in_period(visits, start: datetime.date | None, end: datetime.date | None):
    if start is not None:
        visits = visits.filter(used_on__gte=start)
    if end is not None:
        visits = visits.filter(used_on__lte=end)
    return visits


def _share(part: int | None, whole: int | None) -> float | None:
    return _ratio(part, whole, 4) if whole else None


def _suppressed_count(count: int) -> tuple[int | None, bool]:
    return (None, True) if 0 < count < SUPPRESS_BELOW else (count, False)


def _year_end(year: int, today: datetime.date) -> datetime.date:
    return today if year == today.year else datetime.date(year, 12, 31)


def _by_sector() -> dict[str, int]:
    return dict.fromkeys(SECTORS, 0)


def _travel_row(home: str, venue: str, visits: int, uses: int, holders: int) -> dict:
    if 0 < holders < SUPPRESS_BELOW:
        return {"home": home, "venue": venue, "visits": None, "uses": None, "holders": None, "suppressed": True}
    return {"home": home, "venue": venue, "visits": visits, "uses": uses, "holders": holders,
            "suppressed": False}


def _activation_result(issued: int, activated: int, renewed: int, buckets: dict[str, int]) -> dict:
    rows = []
    for _, name in USE_BUCKETS:
        cards, suppressed = _suppressed_count(buckets.get(name, 0))
        rows.append({"bucket": name, "cards": cards, "suppressed": suppressed})
    return {"issued": issued, "activated": activated, "activation_share": _share(activated, issued),
            "renewed": renewed, "renewal_share": _share(renewed, issued), "uses_per_card": rows}
