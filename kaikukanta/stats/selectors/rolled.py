"""The network's and an area's figures, read from the rollups (`rollups.py`): the fewest rollup periods
that cover a period, and the sums over their rows."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Max, Q, Sum

from kaikukanta.network.models import Area, Organisation, OrganisationKind

from .. import rollups
from ..models import Rollup
from ..rollups import ALL_TIME, BASE_DIM, COMMUNITY
from .common import SUPPRESS_BELOW, WITNESS_FIELDS, Scope, _or_none
from .reading import remembered


def _areas(scope: Scope) -> list[int]:
    """The owners of holder rows in scope (listing them lets the index find each owner's rows directly)."""
    if scope.area_id is not None:
        return [scope.area_id]
    return remembered(("areas",), lambda: list(Area.objects.values_list("id", flat=True)))


def _owner(scope: Scope) -> list[int]:
    """The owner of card-type and card rows in scope: the area, or the whole network's own rows."""
    return [rollups.NETWORK if scope.area_id is None else scope.area_id]


def _venues(scope: Scope) -> dict[int, dict]:
    return remembered(("venues", scope.area_id), lambda: _read_venues(scope))


def _read_venues(scope: Scope) -> dict[int, dict]:
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


# The measures `_totals` adds up (the value of tickets only on card-type rows, zero on the others).
_SUMMED = ("visits", "uses", "child_uses", "cards", "ticket_value_cents", "priced_uses")


def _totals(family: str, dims, owners, pieces: list[tuple], by: tuple[str, ...] = (),
            leave_out_key: str | None = None) -> dict[tuple, dict]:
    """Sums (`_SUMMED`) over the rows of `pieces` per value of the `by` fields, with the most distinct cards in one row
    (`most`) and the number of rows (`rows`); asked again in one reading, the same sums without reading again."""
    asked = (family, dims if isinstance(dims, str) else tuple(dims), tuple(owners), tuple(pieces), by, leave_out_key)
    return remembered(("totals", *asked), lambda: _read_totals(*asked))


def _read_totals(family: str, dims, owners, pieces: tuple, by: tuple[str, ...],
                 leave_out_key: str | None) -> dict[tuple, dict]:
    # One statement for every piece: each arm of the UNION ALL is a query of its own to the index. Without `by`,
    # each arm is grouped by the family, which all its rows share: one group, or none without rows.
    sums = {**{f"sum_{name}": Sum(name) for name in _SUMMED}, "most": Max("cards"), "rows": Count("id")}
    arms = []
    for piece in pieces:
        rows = _rows(family, dims, owners, piece)
        if leave_out_key is not None:
            rows = rows.exclude(key=leave_out_key)
        arms.append(rows.values(*(by or ("family",))).annotate(**sums))
    totals = defaultdict(lambda: {**dict.fromkeys(_SUMMED, 0), "most": 0, "rows": 0})
    if not arms:
        return {}
    for group in arms[0].union(*arms[1:], all=True) if len(arms) > 1 else arms[0]:
        if not group["rows"]:
            continue
        total = totals[tuple(group[name] for name in by)]
        for name in _SUMMED:
            total[name] += group[f"sum_{name}"]
        total["rows"] += group["rows"]
        total["most"] = max(total["most"], group["most"])
    return dict(totals)


def _rolled_up_counts(scope: Scope, on: datetime.date) -> dict:
    areas = _owner(scope)
    upto = _pieces(None, on, "y")
    # By period, as the value of the tickets up to the same day reads them (`value.value_summary`): one read.
    by_period = _totals("a", BASE_DIM, areas, upto, ("period",)).values()
    result = {name: sum(total[name] for total in by_period) for name in ("visits", "uses", "child_uses")}
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


def _add(into: dict, figures: dict) -> None:
    for name in ("visits", "uses", "child_uses"):
        into[name] += figures[name]
