"""Milestones to celebrate: municipalities joining, each Nth use and each Nth personal card."""

import datetime

from django.db.models import Count, Sum

from kaikukanta.cards.models import CardType
from kaikukanta.network.models import IN_NETWORK_STATUSES, AreaStatusPeriod, Membership

from .. import rollups
from ..rollups import ALL_TIME, BASE_DIM, PERSONAL
from .common import Scope
from .reading import fold
from .rolled import _owner, _rows

MILESTONE_STEPS = {"uses": 10_000, "cards": 5_000}


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


def milestones(scope: Scope | None = None) -> list[dict]:
    """Milestones to celebrate, ordered by date: the Nth municipality joining the network (every one,
    numbered by its first day in the network), each 10,000th use and each 5,000th personal card (the
    day the running total reached it). Without a scope (or for the whole network) they are national;
    an area's are its municipalities, the uses at its venues and the cards its distributors issued."""
    scope = scope or Scope()
    if not scope.is_network_or_area:
        found = _live_milestones(scope)
    else:
        fold()
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


def latest_milestones(scope: Scope | None = None) -> list[dict]:
    """The latest milestone of each kind (the last of each kind in `milestones`), ordered as they are. For the
    network and an area the cost is flat in history: the all-time totals come from the yearly rollup rows,
    and the day a total was reached from that year's months and that month's days, a handful of rows each.
    A site's are read from its own visits and cards, as in `milestones`."""
    scope = scope or Scope()
    if not scope.is_network_or_area:
        latest = {milestone["kind"]: milestone for milestone in _live_milestones(scope)}
        found = list(latest.values())
    else:
        fold()
        areas = _owner(scope)
        found = [milestone for milestone in (
            _latest_crossing("uses", _rows_summing("a", BASE_DIM, areas, None, "uses")),
            _latest_crossing("cards", _rows_summing("c", rollups.ISSUED, areas, PERSONAL, "cards")))
            if milestone is not None]
        first = _first_days_in_network(scope.area_id)
        if first:
            _code, day = max(first.items(), key=lambda item: (item[1], item[0]))
            found.append({"kind": "municipality", "number": len(first), "date": day})
    found.sort(key=lambda milestone: (milestone["date"], milestone["kind"], milestone["number"]))
    return found


def _rows_summing(family: str, dims, owners, key: str | None, measure: str):
    """A function of (grain, first period, last period) giving the sum of `measure` per period, in order."""
    def per_period(grain: str, first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, int]]:
        rows = _rows(family, dims, owners, (grain, first, last))
        if key is not None:
            rows = rows.filter(key=key)
        return list(rows.values("period").annotate(total=Sum(measure)).order_by("period")
                    .values_list("period", "total"))
    return per_period


def _latest_crossing(kind: str, per_period) -> dict | None:
    """The largest multiple of the kind's step the all-time total has reached, and the day it did: found in
    the year, then the month, then the day where the running total passed it."""
    step = MILESTONE_STEPS[kind]
    years = per_period("y", ALL_TIME, datetime.date(datetime.date.max.year, 1, 1))
    reached = sum(total for _, total in years) // step * step
    if not reached:
        return None
    before, chosen = 0, None
    for grain in ("y", "m", "d"):
        periods = years if grain == "y" else per_period(
            grain, chosen, rollups.period_end(chosen, {"m": "y", "d": "m"}[grain]))
        for period, total in periods:
            if before + total >= reached:
                chosen = period       # the running total passes `reached` in this period
                break
            before += total
    return {"kind": kind, "number": reached, "date": chosen}
