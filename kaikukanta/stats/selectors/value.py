"""The value of tickets given: the regular price of the tickets the venues gave for the card.

Each visit keeps the value of its tickets as priced when it was recorded (`Visit.ticket_value_cents`), so a
later price change never rewrites the past; a visit without a known value (no offering, or an offering without
a price it needs) is counted apart, never guessed: `priced_uses` are the uses whose value is known.

Disclosure: a value is a fact of one visit (its offering's prices, its children and clients, which the venue
recorded itself), not of a holder. It is offered only by the venue groupings and by period (`VALUE_GROUPINGS`),
the groupings whose visit counts are exact for every caller (README "Security and privacy"); a breakdown by
holder attributes, which would have to pass through `disclosure`, is not offered at all.

The network's and an area's figures come from the card-type rollup rows, which carry each visit's value and
its uses when the value is known (`rollups.py`), so their cost does not grow with the visits; a distributor's
and a venue's from their own visits, as every other figure of theirs.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from ..rollups import BASE_DIM
from .common import Scope, _grouping, _in_period, _share
from .reading import fold
from .rolled import _owner, _pieces, _totals, _venue_key, _venues

VALUE_GROUPINGS = ("year", "area", "municipality", "venue", "sector")
VALUE_FIELDS = ("ticket_value_cents", "priced_uses", "uses")


def _sums() -> dict:
    # Named apart from the columns: an annotation called `uses` would be what a later Sum("uses") sums.
    return {"sum_ticket_value_cents": Coalesce(Sum("ticket_value_cents"), 0),
            "sum_priced_uses": Coalesce(Sum("uses", filter=Q(ticket_value_cents__isnull=False)), 0),
            "sum_uses": Coalesce(Sum("uses"), 0)}


def _figures(group: dict) -> dict:
    figures = {name: group[f"sum_{name}"] for name in VALUE_FIELDS}
    figures["value_known_share"] = _share(figures["priced_uses"], figures["uses"])
    return figures


def ticket_value(scope: Scope, group_by: str, start: datetime.date | None = None,
                 end: datetime.date | None = None) -> dict:
    """The value of the tickets of visits in scope dated `start`..`end` (both included, each optional), in
    cents, per key of `group_by` (one of `VALUE_GROUPINGS`), rows sorted by key, with their total; the
    uses whose value is known and their share of all uses (4 decimals, `None` without uses)."""
    if group_by not in VALUE_GROUPINGS:
        raise ValueError(f"no value figures by {group_by}")
    if scope.is_network_or_area:
        return _rolled_value(scope, group_by, start, end)
    visits = _in_period(scope.visits(), start, end)
    expressions, key_of = _grouping(group_by)
    rows = [{"key": key_of(group), **_figures(group)}
            for group in visits.order_by().values(**expressions).annotate(**_sums())]
    rows.sort(key=lambda row: row["key"])
    return {"rows": rows, "total": _figures(visits.aggregate(**_sums()))}


def _rolled_value(scope: Scope, group_by: str, start: datetime.date | None, end: datetime.date | None) -> dict:
    """The network's and an area's value figures from the card-type rollup rows: by year from the area's (or
    the network's) own rows, by a venue grouping from each venue's rows with the venue as it is now."""
    fold()
    groups = defaultdict(lambda: dict.fromkeys(_ROLLED, 0))
    if group_by == "year":
        for (period,), total in _totals("a", BASE_DIM, _owner(scope), _pieces(start, end, "y"), ("period",)).items():
            _add_value(groups[f"{period.year:04d}"], total)
    else:
        venues = _venues(scope)
        for (owner,), total in _totals("v", BASE_DIM, venues, _pieces(start, end, "t"), ("owner",)).items():
            _add_value(groups[_venue_key(group_by, venues[owner])], total)
    whole = dict.fromkeys(_ROLLED, 0)
    rows = []
    for key in sorted(groups):
        _add_value(whole, groups[key])
        rows.append({"key": key, **_rolled_figures(groups[key])})
    return {"rows": rows, "total": _rolled_figures(whole)}


_ROLLED = ("ticket_value_cents", "priced_uses", "uses")


def _add_value(into: dict, total: dict) -> None:
    for name in _ROLLED:
        into[name] += total[name]


def _rolled_figures(sums: dict) -> dict:
    return {**{name: sums[name] for name in VALUE_FIELDS},
            "value_known_share": _share(sums["priced_uses"], sums["uses"])}


def value_summary(scope: Scope, on: datetime.date) -> dict:
    """The value of the tickets of visits in scope dated up to `on` (without `uses`, which the summary has)."""
    total = ticket_value(scope, "year", end=on)["total"]
    return {name: total[name] for name in ("ticket_value_cents", "priced_uses", "value_known_share")}


def value_by_year(scope: Scope) -> dict[int, dict]:
    """The value figures of each year with visits in scope."""
    return {int(row["key"]): row for row in ticket_value(scope, "year")["rows"]}


def euros(cents: int) -> Decimal:
    """Cents as exact euros."""
    return Decimal(cents) / 100


def yearly_with_value(yearly: dict, scope: Scope) -> dict:
    """The yearly table (`figures.yearly`) with each row's value figures; a year without visits has none."""
    by_year = value_by_year(scope)
    empty = {"ticket_value_cents": 0, "priced_uses": 0, "uses": 0, "value_known_share": None}
    rows = []
    for row in yearly["rows"]:
        figures = by_year.get(row["year"], empty)
        rows.append({**row, **{name: figures[name] for name in ("ticket_value_cents", "priced_uses",
                                                                 "value_known_share")}})
    return {"rows": rows}
