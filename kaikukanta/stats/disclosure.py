"""Disclosure control: what a breakdown by holder attributes may show a caller who may not read the holder
data on the cards (a venue; see README "Security and privacy").

A venue records every visit at it, backdated up to `PAPER_LIST_DAYS` and cancellable for `CANCEL_WINDOW`
after recording, with any valid card number. Threshold suppression alone cannot protect holders from
such a caller: it can add a card to a quiet day, read the figures, and take the visit back; or compare
two answers that differ by one holder. So its holder breakdowns are made of fixed atoms it can no longer
change, each released once and the same way every time:

- the atoms are calendar months that ended at least `SETTLING_DAYS` before today (no visit dated in
  them can be recorded or cancelled by a venue any more), so an answer is the same before and after
  anything the caller may do; a period counts only the settled calendar months wholly inside it;
- in each month a cell of fewer than `SUPPRESS_BELOW` distinct holders is left out altogether (no
  count, no key, no row), so it adds nothing to any row or total;
- every other cell's numbers are randomly rounded to a multiple of `ROUNDING_BASE`, unbiased, with the
  draw keyed by the server's secret and the cell's exact contents, so asking again gives the same
  answer and averaging learns nothing;
- an answer over several months is the sum of those months' released cells, and the total is the sum
  of the rows shown: overlapping periods, other groupings and the total are arithmetic on released
  cells and give away nothing a hidden cell holds.

Every output (API, CSV, dashboard, exports, report) reads these breakdowns through `selectors.uses` and
`selectors.travel`, which send every caller not entitled to the holder data here.
"""

import datetime
import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

from kaikukanta.visits.rules import CANCEL_WINDOW, PAPER_LIST_DAYS

# A cell of a breakdown by holder attributes that counts this few distinct cards (but some) is suppressed.
SUPPRESS_BELOW = 5
# A visit dated today − PAPER_LIST_DAYS may be recorded today and cancelled for CANCEL_WINDOW more.
SETTLING_DAYS = PAPER_LIST_DAYS + CANCEL_WINDOW.days + 1
ROUNDING_BASE = 5


def settled_through(today: datetime.date) -> datetime.date:
    """The last day of the latest calendar month no visit of which a venue can record or cancel any more."""
    cutoff = today - datetime.timedelta(days=SETTLING_DAYS)
    return cutoff if _month_end(cutoff) == cutoff else cutoff.replace(day=1) - datetime.timedelta(days=1)


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def settled_span(start: datetime.date | None, end: datetime.date | None,
                 today: datetime.date) -> tuple[datetime.date | None, datetime.date] | None:
    """The first and last day of the settled calendar months wholly inside `start`..`end` (open ends: all
    time; a `None` first day means from the beginning), or None when there is none."""
    first = None
    if start is not None:
        first = start if start.day == 1 else _month_end(start) + datetime.timedelta(days=1)
    last = settled_through(today)
    if end is not None:
        last = min(last, end if _month_end(end) == end else end.replace(day=1) - datetime.timedelta(days=1))
    if first is not None and first > last:
        return None
    return first, last


def random_round(value: int, seed: tuple) -> int:
    """`value` rounded to a multiple of ROUNDING_BASE, up with the probability of its remainder over the
    base (so the expected result is `value`), the draw fixed by the server secret and `seed`."""
    remainder = value % ROUNDING_BASE
    if not remainder:
        return value
    digest = hmac.new(settings.SECRET_KEY.encode(), repr(seed).encode(), hashlib.sha256).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return value - remainder + (ROUNDING_BASE if draw < remainder / ROUNDING_BASE else 0)


def released(cells: Iterable[tuple[tuple, str, dict]], counted: tuple[str, ...], context: tuple) -> dict:
    """The released figures per key from (key, month, exact figures with `holders`) cells: cells of fewer
    than SUPPRESS_BELOW holders left out, the others' `counted` numbers randomly rounded and summed over
    the months. `context` (the caller's scope and the breakdown) enters every draw."""
    rows = {}
    for key, month, figures in cells:
        if figures["holders"] < SUPPRESS_BELOW:
            continue
        contents = tuple(sorted(figures.items()))
        row = rows.setdefault(key, dict.fromkeys(counted, 0))
        for name in counted:
            row[name] += random_round(figures[name], (*context, month, key, contents, name))
    return rows
