"""The figures the API, pages, exports and the report read: one function per table. The network's and
an area's come from the rollups (`rolled`), a distributor's and a venue's from their own visits (`live`)."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Min, Q, Sum

from kaikukanta.cards.models import WellbeingQuestion
from kaikukanta.network.models import SECTORS, OrganisationKind
from kaikukanta.network.selectors import (
    areas_in_network_on,
    network_municipalities_on,
    network_municipalities_on_days,
)
from kaikukanta.reference.low_income import low_income_population

from .. import rollups
from ..models import WellbeingRollup
from ..rollups import ALL_TIME, BASE_DIM, COMMUNITY, PERSONAL, USE_BUCKETS
from .common import (
    HOLDER_GROUPINGS,
    SUMMARY_FIELDS,
    SUPPRESS_BELOW,
    VENUE_GROUPINGS,
    Scope,
    _activation_result,
    _active_organisations_on,
    _by_sector,
    _home_area,
    _in_period,
    _ratio,
    _travel_row,
    _year_end,
)
from .live import (
    _live_activation,
    _live_counts,
    _live_travel,
    _live_uses,
    _live_wellbeing,
    _live_yearly,
    _protected_travel,
    _protected_uses,
)
from .reading import fold, remembered
from .rolled import (
    _add,
    _areas,
    _base_key,
    _holder_cells,
    _owner,
    _pieces,
    _rolled_up_counts,
    _rows,
    _totals,
    _venue_key,
    _venues,
)
from .value import value_summary, yearly_with_value


def summary(scope: Scope, on: datetime.date) -> dict:
    """The counts of `on` (`SUMMARY_FIELDS`) with the value of the tickets given up to then."""
    return {**_counts(scope, on), **value_summary(scope, on)}


def _counts(scope: Scope, on: datetime.date) -> dict:
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
    fold()
    result.update(_rolled_up_counts(scope, on))
    population = low_income_population(municipalities, on.year)
    if population:
        result["low_income_coverage"] = _ratio(result["cardholders"], population, 4)
    return result


def uses(scope: Scope, group_by: str, start: datetime.date | None = None,
         end: datetime.date | None = None) -> dict:
    """Visits, uses and child uses per key of `group_by`, sorted by key, with their total."""
    if group_by in HOLDER_GROUPINGS and not scope.entitled_to_holder_data:
        return _protected_uses(scope, group_by, start, end)
    if not scope.is_network_or_area:
        return _live_uses(scope, group_by, start, end)
    fold()
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


def yearly(scope: Scope, today: datetime.date) -> dict:
    """The national yearly table: one row a year from the first year with cards or visits in scope to
    `today`'s year. Uses count in the sector of the venue where they happened; each row has the value of
    its tickets given."""
    return remembered(("yearly", scope, today), lambda: yearly_with_value(_yearly_counts(scope, today), scope))


def _yearly_counts(scope: Scope, today: datetime.date) -> dict:
    if not scope.is_network_or_area:
        return _live_yearly(scope, today)
    fold()
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
    years = range(min(known), today.year + 1)
    municipalities = network_municipalities_on_days([_year_end(year, today) for year in years], scope.area_id)
    rows = {year: {"year": year, "cards_registered": counted[(rollups.ISSUED, year)],
                   "cards_activated": counted[(rollups.ACTIVATED, year)],
                   "adult_uses": _by_sector(), "child_uses": _by_sector(), "community_uses": _by_sector(),
                   "uses": 0, "municipalities": len(municipalities[_year_end(year, today)])}
            for year in years}
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
    fold()
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
    fold()
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


def wellbeing(scope: Scope) -> list[dict]:
    """Per question: holders (cards) who answered at issue and at a later renewal, with the mean of their
    answers at issue and at their latest renewal. 1–4 respondents are suppressed."""
    figures = {}
    if scope.is_network_or_area:
        fold()
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
