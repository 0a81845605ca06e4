"""A distributor's or a venue's figures, read from its own cards and visits (indexed by issuer and by
venue, they cost what that one site has), and the breakdowns by holder attributes of a caller not
entitled to the holder data, which pass through `disclosure`."""

import datetime

from django.db.models import Count, DateField, Exists, F, IntegerField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from kaikukanta.cards.models import CardEvent, CardEventKind, CardType, WellbeingAnswer
from kaikukanta.core.clock import today as current_day
from kaikukanta.network.models import SECTORS
from kaikukanta.network.selectors import network_municipalities_on
from kaikukanta.visits.models import Visit

from .. import disclosure
from ..rollups import COMMUNITY, USE_BUCKETS, bucket_of
from .common import (
    HOLDER_GROUPINGS,
    SUPPRESS_BELOW,
    Scope,
    _activation_result,
    _by_sector,
    _child_uses,
    _grouping,
    _home_area,
    _in_period,
    _travel_row,
    _valid_on,
    _year_end,
)


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
