"""Statistics as set-based reads over cards and visits, identical on SQLite and PostgreSQL.

Every figure is one aggregate query (or a handful per request), never a loop over visits or cards in
Python, so the same definitions can later be served from rollup tables without changing their meaning.
Permissions are not checked here: `services.scope_for` decides the `Scope` a caller may read.
"""

import datetime
import math
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear

from kaikukanta.cards.models import Card, CardEventKind, CardType, WellbeingAnswer, WellbeingQuestion
from kaikukanta.network.models import SECTORS, Membership, Organisation, OrganisationKind
from kaikukanta.network.selectors import areas_in_network_on, network_municipalities_on
from kaikukanta.reference.low_income import low_income_population
from kaikukanta.visits.models import Visit

# A cell of a breakdown by holder attributes that counts this few distinct cards (but some) is suppressed.
SUPPRESS_BELOW = 5
NO_KEY = "none"
COMMUNITY = CardType.COMMUNITY.value
AGE_GROUPS = ((18, "16-17"), (30, "18-29"), (50, "30-49"), (65, "50-64"))
OLDEST_AGE_GROUP = "65+"
SUMMARY_FIELDS = ("areas", "municipalities", "distributors", "venues", "cardholders", "cards_issued",
                  "cards_activated", "visits", "uses", "child_uses", "low_income_coverage")
HOLDER_GROUPINGS = ("age_group", "home_area")


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


def summary(scope: Scope, on: datetime.date) -> dict:
    result = dict.fromkeys(SUMMARY_FIELDS)
    if scope.is_network_or_area:
        in_network = areas_in_network_on(on)
        if scope.area_id is not None:
            in_network &= {scope.area_id}
        municipalities = network_municipalities_on(on, scope.area_id)
        organisations = _active_organisations_on(on)
        if scope.area_id is not None:
            organisations = organisations.filter(area_id=scope.area_id)
        result.update(areas=len(in_network), municipalities=len(municipalities),
                      **organisations.aggregate(
                          distributors=Count("id", filter=Q(kind=OrganisationKind.DISTRIBUTOR)),
                          venues=Count("id", filter=Q(kind=OrganisationKind.VENUE))))
    if scope.covers_cards:
        used_by_then = Visit.objects.filter(card=OuterRef("pk"), cancelled_at__isnull=True, used_on__lte=on)
        result.update(scope.cards().filter(card_type=CardType.PERSONAL).aggregate(
            cardholders=Count("id", filter=_valid_on(on)),
            cards_issued=Count("id", filter=Q(issued_on__lte=on)),
            cards_activated=Count("id", filter=Q(Exists(used_by_then)))))
    result.update(scope.visits().filter(used_on__lte=on).aggregate(
        visits=Count("id"), uses=Coalesce(Sum("uses"), 0), child_uses=_child_uses()))
    if scope.is_network_or_area:
        population = low_income_population(municipalities, on.year)
        if population:
            result["low_income_coverage"] = _ratio(result["cardholders"], population, 4)
    return result


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
    }[group_by]
    return {"value": expression}, lambda group: key_of(group["value"])


def uses(scope: Scope, group_by: str, start: datetime.date | None = None,
         end: datetime.date | None = None) -> dict:
    """Visits, uses and child uses per key of `group_by`, sorted by key, with their total."""
    visits = scope.visits()
    if start is not None:
        visits = visits.filter(used_on__gte=start)
    if end is not None:
        visits = visits.filter(used_on__lte=end)
    expressions, key_of = _grouping(group_by)
    suppressing = group_by in HOLDER_GROUPINGS
    counts = {"visits": Count("id"), "uses": Sum("uses"), "child_uses": _child_uses()}
    if suppressing:
        counts["cards"] = Count("card_id", distinct=True)
    grouped = visits.order_by().values(**expressions).annotate(**counts)
    rows = []
    for group in grouped:
        row = {"key": key_of(group), "visits": group["visits"], "uses": group["uses"],
               "child_uses": group["child_uses"], "suppressed": False}
        if suppressing and group["cards"] < SUPPRESS_BELOW:
            row.update(visits=None, uses=None, child_uses=None, suppressed=True)
        rows.append(row)
    rows.sort(key=lambda row: row["key"])
    total = visits.aggregate(visits=Count("id"), uses=Coalesce(Sum("uses"), 0), child_uses=_child_uses())
    return {"rows": rows, "total": total}


def _year_end(year: int, today: datetime.date) -> datetime.date:
    return today if year == today.year else datetime.date(year, 12, 31)


def _by_sector() -> dict[str, int]:
    return dict.fromkeys(SECTORS, 0)


def yearly(scope: Scope, today: datetime.date) -> dict:
    """The national yearly table: one row a year from the first year with cards or visits in scope to
    `today`'s year. Uses count in the sector of the venue where they happened."""
    personal_cards = scope.cards().filter(card_type=CardType.PERSONAL).order_by()
    firsts = [scope.visits().aggregate(first=Min("used_on"))["first"]]
    if scope.covers_cards:
        firsts.append(scope.cards().aggregate(first=Min("issued_on"))["first"])
    known = [first.year for first in firsts if first is not None]
    if not known:
        return {"rows": []}

    registered = activated = {}
    if scope.covers_cards:
        registered = dict(personal_cards.annotate(year=ExtractYear("issued_on")).values("year")
                          .annotate(cards=Count("id")).values_list("year", "cards"))
        first_use = (Visit.objects.filter(card=OuterRef("pk"), cancelled_at__isnull=True)
                     .order_by("used_on").values("used_on")[:1])
        activated = dict(personal_cards.annotate(first_use=Subquery(first_use, output_field=DateField()))
                         .filter(first_use__isnull=False).annotate(year=ExtractYear("first_use"))
                         .values("year").annotate(cards=Count("id")).values_list("year", "cards"))

    rows = {year: {"year": year,
                   "cards_registered": registered.get(year, 0) if scope.covers_cards else None,
                   "cards_activated": activated.get(year, 0) if scope.covers_cards else None,
                   "adult_uses": _by_sector(), "child_uses": _by_sector(), "community_uses": _by_sector(),
                   "uses": 0,
                   "municipalities": (len(network_municipalities_on(_year_end(year, today), scope.area_id))
                                      if scope.is_network_or_area else None)}
            for year in range(min(known), today.year + 1)}
    for group in (scope.visits().order_by()
                  .values(year=ExtractYear("used_on"), sector=F("venue__sector"),
                          card_type=F("card__card_type"))
                  .annotate(visits=Count("id"), children=Sum("children"), uses=Sum("uses"))):
        row = rows.get(group["year"])
        if row is None:
            continue
        row["uses"] += group["uses"]
        if group["sector"] not in SECTORS:
            continue
        if group["card_type"] == COMMUNITY:
            row["community_uses"][group["sector"]] += group["uses"]
        else:
            row["adult_uses"][group["sector"]] += group["visits"]
            row["child_uses"][group["sector"]] += group["children"]
    return {"rows": list(rows.values())}


def wellbeing(scope: Scope) -> list[dict]:
    """Per question: holders (cards) who answered at issue and at a later renewal, with the mean of their
    answers at issue and at their latest renewal. 1–4 respondents are suppressed."""
    questions = list(WellbeingQuestion.objects.order_by("-current", "position", "id"))
    figures = {}
    if scope.covers_cards:
        latest_renewal_answer = (
            WellbeingAnswer.objects.filter(card=OuterRef("card_id"), question_key=OuterRef("question_key"),
                                           event__event=CardEventKind.RENEWED)
            .order_by("-event__date", "-event_id").values("value")[:1])
        answered_both = (
            WellbeingAnswer.objects.filter(scope.card_filter("card__"), event__event=CardEventKind.ISSUED)
            .annotate(now=Subquery(latest_renewal_answer, output_field=IntegerField()))
            .filter(now__isnull=False))
        figures = {figure["question_key"]: figure
                   for figure in answered_both.order_by().values("question_key").annotate(
                       respondents=Count("card_id", distinct=True), answers=Count("id"),
                       sum_at_issue=Sum("value"), sum_now=Sum("now"))}
    results = []
    for question in questions:
        result = {"key": question.key, "current": question.current,
                  "text": {"fi": question.text_fi, "sv": question.text_sv, "en": question.text_en},
                  "respondents": None, "mean_at_issue": None, "mean_now": None, "change": None,
                  "suppressed": False}
        figure = figures.get(question.key)
        if scope.covers_cards:
            result["respondents"] = figure["respondents"] if figure else 0
        if figure and figure["respondents"] < SUPPRESS_BELOW:
            result.update(respondents=None, suppressed=True)
        elif figure:
            answers = figure["answers"]
            result.update(mean_at_issue=_ratio(figure["sum_at_issue"], answers, 2),
                          mean_now=_ratio(figure["sum_now"], answers, 2),
                          change=_ratio(figure["sum_now"] - figure["sum_at_issue"], answers, 2))
        results.append(result)
    return results
