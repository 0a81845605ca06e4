"""Statistics, identical on SQLite and PostgreSQL.

The network's and an area's figures are read from the rollups (`rollups.py`), brought up to date first,
so their cost depends on the number of days, areas and venues, not on the number of cards and visits.
A distributor's or a venue's figures are read from its own cards and visits (`_live_*`): indexed by
issuer and by venue, they cost what that one site has, and they follow the same definitions (the tests
hold both to the same oracle). Every figure is a handful of aggregate queries, never a query per row.
Permissions are not checked here: `services.scope_for` decides the `Scope` a caller may read.
"""

import datetime
import math
from collections import defaultdict
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
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear

from kaikukanta.cards.models import Card, CardEvent, CardEventKind, CardType, WellbeingAnswer, WellbeingQuestion
from kaikukanta.core.clock import today as current_day
from kaikukanta.network.models import (
    IN_NETWORK_STATUSES,
    SECTORS,
    Area,
    AreaStatusPeriod,
    Membership,
    Organisation,
    OrganisationKind,
)
from kaikukanta.network.selectors import areas_in_network_on, network_municipalities_on
from kaikukanta.reference.low_income import low_income_population
from kaikukanta.visits.models import Visit

from . import disclosure, rollups
from .models import Rollup, WellbeingRollup
from .rollups import (
    AGE_GROUPS,
    ALL_TIME,
    BASE_DIM,
    CHILDREN_KEYS,
    COMMUNITY,
    NO_KEY,
    OLDEST_AGE_GROUP,
    PERSONAL,
    USE_BUCKETS,
    bucket_of,
)

SUPPRESS_BELOW = disclosure.SUPPRESS_BELOW
SUMMARY_FIELDS = ("areas", "municipalities", "distributors", "venues", "cardholders", "cards_issued",
                  "cards_activated", "visits", "uses", "child_uses", "low_income_coverage")
HOLDER_GROUPINGS = rollups.HOLDER_DIMS
WITNESS_FIELDS = ("card_1", "card_2", "card_3", "card_4")
VENUE_GROUPINGS = ("area", "municipality", "welfare_area", "venue", "sector", "venue_category")
MILESTONE_STEPS = {"uses": 10_000, "cards": 5_000}


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


def summary(scope: Scope, on: datetime.date) -> dict:
    result = dict.fromkeys(SUMMARY_FIELDS)
    if not scope.is_network_or_area:
        result.update(_live_counts(scope, on))
        return result
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
    rollups.fold()
    result.update(_rolled_up_counts(scope, on))
    population = low_income_population(municipalities, on.year)
    if population:
        result["low_income_coverage"] = _ratio(result["cardholders"], population, 4)
    return result


def _live_counts(scope: Scope, on: datetime.date) -> dict:
    result = {}
    if scope.covers_cards:
        used_by_then = Visit.objects.filter(card=OuterRef("pk"), cancelled_at__isnull=True, used_on__lte=on)
        result.update(scope.cards().filter(card_type=CardType.PERSONAL).aggregate(
            cardholders=Count("id", filter=_valid_on(on)),
            cards_issued=Count("id", filter=Q(issued_on__lte=on)),
            cards_activated=Count("id", filter=Q(Exists(used_by_then)))))
    result.update(scope.visits().filter(used_on__lte=on).aggregate(
        visits=Count("id"), uses=Coalesce(Sum("uses"), 0), child_uses=_child_uses()))
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


def _live_uses(scope: Scope, group_by: str, start: datetime.date | None = None,
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


def _settled_cells(scope: Scope, start, end, expressions: dict, key_of, counted: dict) -> list[tuple]:
    """(key, month, exact figures) per calendar month and key of the settled months in `start`..`end`."""
    span = disclosure.settled_span(start, end, current_day())
    if span is None:
        return []
    grouped = (_in_period(scope.visits(), *span).order_by()
               .values(year=ExtractYear("used_on"), month=ExtractMonth("used_on"), **expressions)
               .annotate(holders=Count("card_id", distinct=True), **counted))
    return [(key_of(group), f"{group['year']:04d}-{group['month']:02d}",
             {name: group[name] for name in ("holders", *counted)}) for group in grouped]


def _protected_uses(scope: Scope, group_by: str, start, end) -> dict:
    """A breakdown by holder attributes for a caller not entitled to the holder data (`disclosure`)."""
    expressions, key_of = _grouping(group_by)
    cells = _settled_cells(scope, start, end, expressions, key_of,
                           {"visits": Count("id"), "uses": Sum("uses"), "child_uses": _child_uses()})
    counted = ("visits", "uses", "child_uses")
    shown = disclosure.released(cells, counted, ("uses", group_by, scope.venue_id or scope.area_id))
    rows = [{"key": key, **shown[key], "suppressed": False} for key in sorted(shown)]
    return {"rows": rows, "total": {name: sum(row[name] for row in rows) for name in counted}}


def _protected_travel(scope: Scope, start, end) -> dict:
    """The travel table for a caller not entitled to the holder data (`disclosure`): `holders` is summed
    over the months, each month's distinct holders counted once."""
    cells = _settled_cells(scope, start, end, {"home": _home_area(), "venue_area": F("venue__area_id")},
                           lambda group: (group["home"], str(group["venue_area"])),
                           {"visits": Count("id"), "uses": Sum("uses")})
    shown = disclosure.released(cells, ("visits", "uses", "holders"), ("travel", scope.venue_id or scope.area_id))
    rows = [{"home": home, "venue": venue, **shown[(home, venue)], "suppressed": False}
            for home, venue in sorted(shown)]
    return {"rows": rows}


def _year_end(year: int, today: datetime.date) -> datetime.date:
    return today if year == today.year else datetime.date(year, 12, 31)


def _by_sector() -> dict[str, int]:
    return dict.fromkeys(SECTORS, 0)


def _live_yearly(scope: Scope, today: datetime.date) -> dict:
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
    figures = {}
    if scope.is_network_or_area:
        rollups.fold()
        owners = WellbeingRollup.objects.filter(owner__in=_areas(scope))
        figures = {figure["question_key"]: figure for figure in owners.values("question_key").annotate(
            respondents=Sum("respondents"), sum_at_issue=Sum("sum_at_issue"), sum_now=Sum("sum_now"))}
    elif scope.covers_cards:
        figures = _live_wellbeing(scope)
    results = []
    for question in WellbeingQuestion.objects.order_by("-current", "position", "id"):
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
            respondents = figure["respondents"]
            result.update(mean_at_issue=_ratio(figure["sum_at_issue"], respondents, 2),
                          mean_now=_ratio(figure["sum_now"], respondents, 2),
                          change=_ratio(figure["sum_now"] - figure["sum_at_issue"], respondents, 2))
        results.append(result)
    return results


def _live_wellbeing(scope: Scope) -> dict[str, dict]:
    """A card answers once at issue, so its issue answers are its respondents' answers."""
    latest_renewal_answer = (
        WellbeingAnswer.objects.filter(card=OuterRef("card_id"), question_key=OuterRef("question_key"),
                                       event__event=CardEventKind.RENEWED)
        .order_by("-event__date", "-event_id").values("value")[:1])
    answered_both = (
        WellbeingAnswer.objects.filter(scope.card_filter("card__"), event__event=CardEventKind.ISSUED)
        .annotate(now=Subquery(latest_renewal_answer, output_field=IntegerField()))
        .filter(now__isnull=False))
    return {figure["question_key"]: figure
            for figure in answered_both.order_by().values("question_key").annotate(
                respondents=Count("card_id", distinct=True), sum_at_issue=Sum("value"), sum_now=Sum("now"))}


def _share(part: int | None, whole: int | None) -> float | None:
    return _ratio(part, whole, 4) if whole else None


def _suppressed_count(count: int) -> tuple[int | None, bool]:
    return (None, True) if 0 < count < SUPPRESS_BELOW else (count, False)


def _live_activation(scope: Scope, start: datetime.date | None = None, end: datetime.date | None = None) -> dict:
    """Personal cards issued in scope from `start` to `end` (issue dates, both included): how many were
    ever used (`activated`), how many renewed at least once, and how many cards fall in each bucket of
    uses (every ticket of the card to date, cancelled visits left out). A bucket of 1–4 cards is
    suppressed. A venue has no cards in its scope: its numbers are `None` and it has no buckets."""
    if not scope.covers_cards:
        return {"issued": None, "activated": None, "activation_share": None, "renewed": None,
                "renewal_share": None, "uses_per_card": []}
    cards = scope.cards().filter(card_type=CardType.PERSONAL)
    if start is not None:
        cards = cards.filter(issued_on__gte=start)
    if end is not None:
        cards = cards.filter(issued_on__lte=end)
    uses_of_card = (Visit.objects.filter(card=OuterRef("pk"), cancelled_at__isnull=True).order_by()
                    .values("card").annotate(total=Sum("uses")).values("total"))
    renewed = CardEvent.objects.filter(card=OuterRef("pk"), event=CardEventKind.RENEWED)
    per_card = cards.order_by().annotate(
        uses_total=Coalesce(Subquery(uses_of_card, output_field=IntegerField()), 0),
        renewed=Exists(renewed)).values_list("uses_total", "renewed")
    counts = dict.fromkeys((name for _, name in USE_BUCKETS), 0)
    issued = activated = renewals = 0
    for uses_total, was_renewed in per_card.iterator(chunk_size=5000):
        issued += 1
        activated += uses_total > 0
        renewals += bool(was_renewed)
        counts[bucket_of(uses_total)] += 1
    return _activation_result(issued, activated, renewals, counts)


def _activation_result(issued: int, activated: int, renewed: int, buckets: dict[str, int]) -> dict:
    rows = []
    for _, name in USE_BUCKETS:
        cards, suppressed = _suppressed_count(buckets.get(name, 0))
        rows.append({"bucket": name, "cards": cards, "suppressed": suppressed})
    return {"issued": issued, "activated": activated, "activation_share": _share(activated, issued),
            "renewed": renewed, "renewal_share": _share(renewed, issued), "uses_per_card": rows}


def _live_travel(scope: Scope, start: datetime.date | None = None, end: datetime.date | None = None) -> dict:
    """How far the card travels: visits, uses and distinct holders (cards) of visits in scope from `start`
    to `end`, per pair of the holder's home area on the visit's day ("community" for community cards,
    "none" outside every area) and the venue's area. A pair of 1–4 holders is suppressed."""
    visits = _in_period(scope.visits(), start, end)
    grouped = (visits.order_by().values(home=_home_area(), venue_area=F("venue__area_id"))
               .annotate(visits=Count("id"), uses=Sum("uses"), holders=Count("card_id", distinct=True)))
    rows = [_travel_row(group["home"], str(group["venue_area"]), group["visits"], group["uses"],
                        group["holders"]) for group in grouped]
    rows.sort(key=lambda row: (row["home"], row["venue"]))
    return {"rows": rows}


def _travel_row(home: str, venue: str, visits: int, uses: int, holders: int) -> dict:
    if 0 < holders < SUPPRESS_BELOW:
        return {"home": home, "venue": venue, "visits": None, "uses": None, "holders": None, "suppressed": True}
    return {"home": home, "venue": venue, "visits": visits, "uses": uses, "holders": holders,
            "suppressed": False}


def _in_period(visits, start: datetime.date | None, end: datetime.date | None):
    if start is not None:
        visits = visits.filter(used_on__gte=start)
    if end is not None:
        visits = visits.filter(used_on__lte=end)
    return visits


def _first_days_in_network(area_id: int | None) -> dict[str, datetime.date]:
    """Each municipality's first day in the network: a member of an area that was pilot or active then."""
    periods: dict[int, list] = {}
    for area, status, since in (AreaStatusPeriod.objects.order_by("area_id", "effective_from")
                                .values_list("area_id", "status", "effective_from")):
        periods.setdefault(area, []).append((since, status))
    first: dict[str, datetime.date] = {}
    memberships = Membership.objects.all()
    if area_id is not None:
        memberships = memberships.filter(area_id=area_id)
    for area, code, joined, left in memberships.values_list("area_id", "municipality_id", "joined_on",
                                                            "left_on"):
        statuses = periods.get(area, [])
        for position, (since, status) in enumerate(statuses):
            until = statuses[position + 1][0] if position + 1 < len(statuses) else None
            day = max(since, joined)
            ends = [limit for limit in (until, left) if limit is not None]
            if status in IN_NETWORK_STATUSES and (not ends or day < min(ends)):
                if code not in first or day < first[code]:
                    first[code] = day
                break
    return first


def _crossings(kind: str, daily: list[tuple[datetime.date, int]]) -> list[dict]:
    """Each multiple of the kind's step reached by the running total of `daily` (in date order)."""
    step = MILESTONE_STEPS[kind]
    reached, total, found = step, 0, []
    for day, amount in daily:
        total += amount
        while total >= reached:
            found.append({"kind": kind, "number": reached, "date": day})
            reached += step
    return found


def _live_milestones(scope: Scope) -> list[dict]:
    """A site's milestones: the uses of its scope and, for a distributor, its cards."""
    daily_uses = (scope.visits().order_by("used_on").values("used_on").annotate(total=Sum("uses"))
                  .values_list("used_on", "total"))
    found = _crossings("uses", list(daily_uses))
    if scope.covers_cards:
        daily_cards = (scope.cards().filter(card_type=CardType.PERSONAL).order_by("issued_on")
                       .values("issued_on").annotate(total=Count("id")).values_list("issued_on", "total"))
        found += _crossings("cards", list(daily_cards))
    return found


# ---- the network's and an area's figures, from the rollups -------------------------------------------

def _areas(scope: Scope) -> list[int]:
    """The owners of holder rows in scope (listing them lets the index find each owner's rows directly)."""
    if scope.area_id is not None:
        return [scope.area_id]
    return list(Area.objects.values_list("id", flat=True))


def _owner(scope: Scope) -> list[int]:
    """The owner of card-type and card rows in scope: the area, or the whole network's own rows."""
    return [rollups.NETWORK if scope.area_id is None else scope.area_id]


def _venues(scope: Scope) -> dict[int, dict]:
    venues = Organisation.objects.filter(kind=OrganisationKind.VENUE)
    if scope.area_id is not None:
        venues = venues.filter(area_id=scope.area_id)
    return {venue["id"]: venue for venue in venues.values(
        "id", "area_id", "municipality_id", "sector", "category",
        welfare_area=F("municipality__welfare_area__name_fi"))}


def _pieces(start: datetime.date | None, end: datetime.date | None, coarsest: str) -> list[tuple]:
    """The fewest rollup periods that exactly cover `start`..`end` (open ends: all time), as
    (grain, first period, last period) runs, using no grain longer than `coarsest` ("t", "y" or "m")."""
    if start is None and end is None and coarsest == "t":
        return [("t", ALL_TIME, ALL_TIME)]
    day, end = start or ALL_TIME, end or datetime.date.max
    pieces = []
    while day is not None and day <= end:
        if coarsest != "m" and (day.month, day.day) == (1, 1) and rollups.period_end(day, "y") <= end:
            last = end.year if rollups.period_end(end, "y") == end else end.year - 1
            pieces.append(("y", day, day.replace(year=last)))
            last_day = datetime.date(last, 12, 31)
        elif day.day == 1 and rollups.period_end(day, "m") <= end:
            last = end.replace(day=1) if rollups.period_end(end, "m") == end else _month_before(end)
            if coarsest != "m" and last.year > day.year:
                last = day.replace(month=12)
            pieces.append(("m", day, last))
            last_day = rollups.period_end(last, "m")
        else:
            last_day = min(end, rollups.period_end(day, "m"))
            pieces.append(("d", day, last_day))
        day = last_day + datetime.timedelta(days=1) if last_day < end else None
    return pieces


def _month_before(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _rows(family: str, dims, owners, piece: tuple):
    """Rollup rows of one run of periods: every condition is one the index can use (an OR of runs could
    not: it would read every row of the dimension)."""
    grain, first, last = piece
    dims = [dims] if isinstance(dims, str) else list(dims)
    return Rollup.objects.filter(family=family, dim__in=dims, grain=grain, owner__in=list(owners),
                                 period__gte=first, period__lte=last).order_by()


def _totals(family: str, dims, owners, pieces: list[tuple], by: tuple[str, ...] = (),
            leave_out_key: str | None = None) -> dict[tuple, dict]:
    """Sums over the rows of `pieces` per value of the `by` fields, with the most distinct cards in one row
    (`most`) and the number of rows (`rows`)."""
    totals = defaultdict(lambda: {"visits": 0, "uses": 0, "child_uses": 0, "cards": 0, "most": 0, "rows": 0})
    for piece in pieces:
        rows = _rows(family, dims, owners, piece)
        if leave_out_key is not None:
            rows = rows.exclude(key=leave_out_key)
        sums = {"sum_visits": Sum("visits"), "sum_uses": Sum("uses"), "sum_child_uses": Sum("child_uses"),
                "sum_cards": Sum("cards"), "most": Max("cards"), "rows": Count("id")}
        groups = rows.values(*by).annotate(**sums) if by else [rows.aggregate(**sums)]
        for group in groups:
            if not group["rows"]:
                continue
            total = totals[tuple(group[name] for name in by)]
            for name in ("visits", "uses", "child_uses", "cards"):
                total[name] += group[f"sum_{name}"]
            total["rows"] += group["rows"]
            total["most"] = max(total["most"], group["most"])
    return totals


def _rolled_up_counts(scope: Scope, on: datetime.date) -> dict:
    areas = _owner(scope)
    upto = _pieces(None, on, "y")
    usage = _totals("a", BASE_DIM, areas, upto).get((), {})
    result = {name: usage.get(name, 0) for name in ("visits", "uses", "child_uses")}
    cards = {dim: total["cards"] for (dim,), total in _totals(
        "c", (rollups.ISSUED, rollups.ENDED, rollups.ACTIVATED), areas, upto, ("dim",), COMMUNITY).items()}
    issued = cards.get(rollups.ISSUED, 0)
    result.update(cardholders=issued - cards.get(rollups.ENDED, 0), cards_issued=issued,
                  cards_activated=cards.get(rollups.ACTIVATED, 0))
    return result


def _venue_key(group_by: str, venue: dict) -> str:
    if group_by == "area":
        return str(venue["area_id"])
    if group_by == "municipality":
        return venue["municipality_id"]
    if group_by == "venue":
        return str(venue["id"])
    return _or_none(venue[{"welfare_area": "welfare_area", "sector": "sector", "venue_category": "category"}[
        group_by]])


def _base_key(group_by: str, period: datetime.date, key: str) -> str:
    if group_by == "month":
        return f"{period:%Y-%m}"
    if group_by == "year":
        return f"{period.year:04d}"
    return key


def _holder_cells(dim: str, owners, pieces: list[tuple], by: tuple[str, ...]) -> dict[tuple, dict]:
    """Cells of a breakdown by a holder attribute with their distinct cards: `holders` is exact when one
    row makes the cell or when it has fewer than five (then every row lists its cards), otherwise None
    (five or more, but how many the rows cannot tell)."""
    cells = {}
    small = []
    for key, total in _totals("a", dim, owners, pieces, by).items():
        holders = total["most"] if total["rows"] == 1 or total["most"] >= SUPPRESS_BELOW else None
        cells[key] = {"visits": total["visits"], "uses": total["uses"], "child_uses": total["child_uses"],
                      "holders": holders}
        if holders is None and total["most"] < SUPPRESS_BELOW:
            small.append(key)
    if small:
        listed = defaultdict(set)
        wanted = Q(pk__in=[])
        for key in small:
            wanted |= Q(**dict(zip(by, key, strict=True)))
        for piece in pieces:
            for row in _rows("a", dim, owners, piece).filter(wanted).values(*by, *WITNESS_FIELDS):
                listed[tuple(row[name] for name in by)].update(
                    row[name] for name in WITNESS_FIELDS if row[name] is not None)
        for key in small:
            cells[key]["holders"] = len(listed[key])
    return cells


def uses(scope: Scope, group_by: str, start: datetime.date | None = None,
         end: datetime.date | None = None) -> dict:
    """Visits, uses and child uses per key of `group_by`, sorted by key, with their total."""
    if group_by in HOLDER_GROUPINGS and not scope.entitled_to_holder_data:
        return _protected_uses(scope, group_by, start, end)
    if not scope.is_network_or_area:
        return _live_uses(scope, group_by, start, end)
    rollups.fold()
    groups = defaultdict(lambda: {"visits": 0, "uses": 0, "child_uses": 0})
    hidden = set()
    if group_by in HOLDER_GROUPINGS:
        for (key,), cell in _holder_cells(group_by, _areas(scope), _pieces(start, end, "t"), ("key",)).items():
            groups[key] = {name: cell[name] for name in ("visits", "uses", "child_uses")}
            if cell["holders"] is not None and cell["holders"] < SUPPRESS_BELOW:
                hidden.add(key)
    elif group_by in VENUE_GROUPINGS:
        venues = _venues(scope)
        for (owner,), total in _totals("v", BASE_DIM, venues, _pieces(start, end, "t"), ("owner",)).items():
            _add(groups[_venue_key(group_by, venues[owner])], total)
    else:
        coarsest = {"month": "m", "year": "y"}.get(group_by, "t")
        pieces = _pieces(start, end, coarsest)
        for (period, key), total in _totals("a", BASE_DIM, _owner(scope), pieces, ("period", "key")).items():
            _add(groups[_base_key(group_by, period, key)], total)
    total = {"visits": 0, "uses": 0, "child_uses": 0}
    rows = []
    for key in sorted(groups):
        figures = groups[key]
        _add(total, figures)
        if key in hidden:
            rows.append({"key": key, "visits": None, "uses": None, "child_uses": None, "suppressed": True})
        else:
            rows.append({"key": key, **figures, "suppressed": False})
    return {"rows": rows, "total": total}


def _add(into: dict, figures: dict) -> None:
    for name in ("visits", "uses", "child_uses"):
        into[name] += figures[name]


def yearly(scope: Scope, today: datetime.date) -> dict:
    """The national yearly table: one row a year from the first year with cards or visits in scope to
    `today`'s year. Uses count in the sector of the venue where they happened."""
    if not scope.is_network_or_area:
        return _live_yearly(scope, today)
    rollups.fold()
    areas, venues = _owner(scope), _venues(scope)
    every_year = ("y", ALL_TIME, datetime.date(datetime.date.max.year, 1, 1))
    cards = _rows("c", (rollups.ISSUED, rollups.ACTIVATED), areas, every_year)
    visits = _rows("v", BASE_DIM, venues, every_year)
    firsts = [rows.aggregate(first=Min("period"))["first"] for rows in (cards, visits)]
    known = [first.year for first in firsts if first is not None]
    if not known:
        return {"rows": []}
    counted = defaultdict(int)
    for row in cards.exclude(key=COMMUNITY).values("dim", "period").annotate(cards=Sum("cards")):
        counted[(row["dim"], row["period"].year)] += row["cards"]
    rows = {year: {"year": year, "cards_registered": counted[(rollups.ISSUED, year)],
                   "cards_activated": counted[(rollups.ACTIVATED, year)],
                   "adult_uses": _by_sector(), "child_uses": _by_sector(), "community_uses": _by_sector(),
                   "uses": 0,
                   "municipalities": len(network_municipalities_on(_year_end(year, today), scope.area_id))}
            for year in range(min(known), today.year + 1)}
    for group in visits.values("period", "owner", "key").annotate(
            visits=Sum("visits"), uses=Sum("uses"), child_uses=Sum("child_uses")):
        row = rows.get(group["period"].year)
        if row is None:
            continue
        row["uses"] += group["uses"]
        sector = venues[group["owner"]]["sector"]
        if sector not in SECTORS:
            continue
        if group["key"] == COMMUNITY:
            row["community_uses"][sector] += group["uses"]
        else:
            row["adult_uses"][sector] += group["visits"]
            row["child_uses"][sector] += group["child_uses"]
    return {"rows": list(rows.values())}


def activation(scope: Scope, start: datetime.date | None = None, end: datetime.date | None = None) -> dict:
    """Personal cards issued in scope from `start` to `end` (issue dates, both included): how many were
    ever used (`activated`), how many renewed at least once, and how many cards fall in each bucket of
    uses (every ticket of the card to date, cancelled visits left out). A bucket of 1–4 cards is
    suppressed. A venue has no cards in its scope: its numbers are `None` and it has no buckets."""
    if not scope.is_network_or_area:
        return _live_activation(scope, start, end)
    rollups.fold()
    counted = defaultdict(int)
    for cell, total in _totals("c", (rollups.ISSUED, rollups.RENEWED, rollups.BUCKET), _owner(scope),
                               _pieces(start, end, "y"), ("dim", "key"), COMMUNITY).items():
        counted[cell] = total["cards"]
    issued = counted[(rollups.ISSUED, PERSONAL)]
    buckets = {name: counted[(rollups.BUCKET, name)] for _, name in USE_BUCKETS}
    return _activation_result(issued, issued - buckets[USE_BUCKETS[0][1]], counted[(rollups.RENEWED, "")], buckets)


def travel(scope: Scope, start: datetime.date | None = None, end: datetime.date | None = None) -> dict:
    """How far the card travels: visits, uses and distinct holders (cards) of visits in scope from `start`
    to `end`, per pair of the holder's home area on the visit's day ("community" for community cards,
    "none" outside every area) and the venue's area. A pair of 1–4 holders is suppressed.

    Holders of a pair come from a single rollup row when the period is all time, a year, a month or a
    day; over other periods a pair of five or more is counted from the period's visits."""
    if not scope.entitled_to_holder_data:
        return _protected_travel(scope, start, end)
    if not scope.is_network_or_area:
        return _live_travel(scope, start, end)
    rollups.fold()
    cells = _holder_cells("home_area", _areas(scope), _pieces(start, end, "t"), ("owner", "key"))
    uncounted = [key for key, cell in cells.items() if cell["holders"] is None]
    if uncounted:
        counted = {(group["venue_area"], group["home"]): group["holders"] for group in (
            _in_period(scope.visits(), start, end).order_by()
            .values(home=_home_area(), venue_area=F("venue__area_id"))
            .annotate(holders=Count("card_id", distinct=True)))}
        for key in uncounted:
            cells[key]["holders"] = counted[key]
    rows = [_travel_row(home, str(venue_area), cell["visits"], cell["uses"], cell["holders"])
            for (venue_area, home), cell in cells.items()]
    rows.sort(key=lambda row: (row["home"], row["venue"]))
    return {"rows": rows}


def milestones(scope: Scope | None = None) -> list[dict]:
    """Milestones to celebrate, ordered by date: the Nth municipality joining the network (every one,
    numbered by its first day in the network), each 10,000th use and each 5,000th personal card (the
    day the running total reached it). Without a scope (or for the whole network) they are national;
    an area's are its municipalities, the uses at its venues and the cards its distributors issued."""
    scope = scope or Scope()
    if not scope.is_network_or_area:
        found = _live_milestones(scope)
    else:
        rollups.fold()
        areas = _owner(scope)
        days = ("d", ALL_TIME, datetime.date.max)
        daily_uses = (_rows("a", BASE_DIM, areas, days).values("period").annotate(total=Sum("uses"))
                      .order_by("period").values_list("period", "total"))
        daily_cards = (_rows("c", rollups.ISSUED, areas, days).filter(key=PERSONAL).values("period")
                       .annotate(total=Sum("cards")).order_by("period").values_list("period", "total"))
        first = _first_days_in_network(scope.area_id)
        ordered = sorted(first.items(), key=lambda item: (item[1], item[0]))
        found = [{"kind": "municipality", "number": position, "date": day}
                 for position, (_, day) in enumerate(ordered, start=1)]
        found += _crossings("uses", list(daily_uses)) + _crossings("cards", list(daily_cards))
    found.sort(key=lambda milestone: (milestone["date"], milestone["kind"], milestone["number"]))
    return found
