"""The oracle of what a venue's breakdowns by holder attributes show (README "Security and privacy"),
computed with plain loops from a World's lists: only settled calendar months wholly inside the period,
cells of fewer than five holders left out, the others' numbers randomly rounded to a multiple of five
and summed over the months. The draw itself is the one function taken from the code under test
(`random_round`, tested on its own in test_disclosure.py)."""

import calendar
import datetime
from collections import defaultdict

from kaikukanta.core.clock import today
from kaikukanta.stats.disclosure import random_round

SETTLED_AFTER_DAYS = 31 + 7 + 1   # backdating, then the cancel window, then the day itself


def settled_months(start, end, on=None):
    """(year, month, first day, last day) of the settled calendar months wholly inside start..end."""
    limit = (on or today()) - datetime.timedelta(days=SETTLED_AFTER_DAYS)
    first_year = start.year if start else 2000
    for year in range(first_year, limit.year + 1):
        for month in range(1, 13):
            first = datetime.date(year, month, 1)
            last = datetime.date(year, month, calendar.monthrange(year, month)[1])
            if last <= limit and (start is None or first >= start) and (end is None or last <= end):
                yield year, month, first, last


def _released(world, cells, counted, context, figures):
    rows = {}
    for (month, key), members in sorted(cells.items()):
        holders = len({visit["card_id"] for visit in members})
        if holders < 5:
            continue
        exact = {"holders": holders, "visits": len(members), "uses": sum(visit["uses"] for visit in members),
                 "child_uses": sum(world.child_uses_of(visit) for visit in members)}
        contents = tuple(sorted((name, exact[name]) for name in ("holders", *figures)))
        row = rows.setdefault(key, dict.fromkeys(counted, 0))
        for name in counted:
            row[name] += random_round(exact[name], (*context, month, key, contents, name))
    return rows


def _cells(world, scope, start, end, key_of):
    cells = defaultdict(list)
    for year, month, first, last in settled_months(start, end):
        for visit in world.visits:
            if world.visit_in(scope, visit) and first <= visit["used_on"] <= last:
                cells[(f"{year:04d}-{month:02d}", key_of(visit))].append(visit)
    return cells


def venue_uses(world, scope, group_by, start=None, end=None):
    cells = _cells(world, scope, start, end, lambda visit: world.key_of(group_by, visit))
    counted = ("visits", "uses", "child_uses")
    shown = _released(world, cells, counted, ("uses", group_by, scope[1]), counted)
    rows = [{"key": key, **shown[key], "suppressed": False} for key in sorted(shown)]
    return {"rows": rows, "total": {name: sum(row[name] for row in rows) for name in counted}}


def venue_travel(world, scope, start=None, end=None):
    def key_of(visit):
        return (world.key_of("home_area", visit), str(world.organisations[visit["venue_id"]]["area_id"]))

    cells = _cells(world, scope, start, end, key_of)
    shown = _released(world, cells, ("visits", "uses", "holders"), ("travel", scope[1]), ("visits", "uses"))
    return {"rows": [{"home": home, "venue": venue, **shown[(home, venue)], "suppressed": False}
                     for home, venue in sorted(shown)]}
