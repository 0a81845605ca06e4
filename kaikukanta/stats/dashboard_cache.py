"""The dashboard's tables, kept in the shared cache under what they were computed from, and made ahead by the
worker after it folds.

A dashboard is every table of one scope and set of filters (`tables.Figures`), in one language. Computing it
is one reading of the rollups (`selectors.one_reading`: folded once, each sum read once, 37 statements for the
national dashboard) and writing its thousands of cells: about 0.3 s of CPU at 200,000 visits, 2 s on the loaded
two-core machine (README). So the tables are kept in the shared cache (`CACHES`, Redis in production) as one
entry per scope, filters, day and language, labelled with the generation they were computed at: the rollups'
(`rollups.generation`, one more after every fold that changed them, read from the database the figures come
from, so a standby's cache label matches its rollups) and the inputs' (`inputs_changed`: sites, areas,
memberships, municipalities, low-income figures, wellbeing questions; bumped by their saves and deletes).

- Without a live worker (`make run`, the tests) a reader folds first, as before, and uses an entry only of the
  very generation it then sees: every figure stays exact.
- With a live worker a reader leaves the fold to it and may read figures a fold interval behind the desk
  (operations); it then also takes an entry of an older rollup generation made in the last
  `KAIKUKANTA_DASHBOARD_STALE_SECONDS`. Each reader notes its dashboard (`RECENT_KEY`), and the worker, after
  every fold that changed the rollups, makes the dashboards read in the last `RECENT_SECONDS` again (`warm`),
  so the first reader after a desk flood or an import finds its tables made.
- Every entry lives at most `KAIKUKANTA_DASHBOARD_CACHE_SECONDS`: the bound for a change no signal reports (a
  bulk update, an old release's fold during a rolling upgrade, a restored database).

Disclosure control is not touched: an entry holds the tables as `Figures` built them for that scope, after
suppression and rounding, and the scope (from `services.scope_for`) is part of its key.
"""

import datetime
import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from kaikukanta.core.clock import today as current_day

from . import rollups
from . import selectors as stats_selectors
from .selectors import Scope
from .tables import Figures, Table

logger = logging.getLogger(__name__)
INPUTS_KEY = "stats:dashboard:inputs"
RECENT_KEY = "stats:dashboard:recent"
RECENT_SECONDS = 15 * 60
RECENT_MOST = 50


@dataclass(frozen=True)
class Dashboard:
    """What one dashboard shows: the scope, the filters, the day it is read on and the language."""

    scope: Scope
    start: datetime.date | None
    end: datetime.date | None
    on: datetime.date
    group_by: str
    today: datetime.date
    language: str
    only_breakdown: bool = False
    # The scope whose first year the annual report form offers (the caller's whole scope), or None.
    report_scope: Scope | None = None
    query: str = ""               # the filters as the download links repeat them

    @property
    def key(self) -> str:
        return "stats:dashboard:" + hashlib.sha256(repr(self).encode()).hexdigest()


@dataclass(frozen=True)
class Made:
    generation: tuple[int, int]   # (rollups, inputs)
    made_at: float
    tables: dict[str, Table]
    first_year: int | None


def inputs_generation() -> int:
    return cache.get(INPUTS_KEY, 0)


def inputs_changed(**_signal) -> None:
    """A site, area, membership, municipality, low-income figure or wellbeing question changed: every entry
    made before is of an older generation. Counted now and again when the change commits, so nothing
    computed from the rows as they were in between survives."""
    _bump_inputs()
    transaction.on_commit(_bump_inputs)


def _bump_inputs() -> None:
    cache.add(INPUTS_KEY, 0, timeout=None)
    try:
        cache.incr(INPUTS_KEY)
    except ValueError:          # evicted between the two calls
        cache.set(INPUTS_KEY, 1, timeout=None)


def generation() -> tuple[int, int]:
    return rollups.generation(), inputs_generation()


def tables(dashboard: Dashboard) -> Made:
    """The dashboard's tables (and the report form's first year), from the cache when they are of the
    generation being read (or, with a live worker, recent enough), otherwise computed now and kept."""
    with stats_selectors.one_reading():
        stats_selectors.fold()
        now = generation()
        _remember(dashboard)
        made = cache.get(dashboard.key)
        if made is not None and _usable(made, now):
            return made
        return _make(dashboard, now)


def _usable(made: Made, now: tuple[int, int]) -> bool:
    if made.generation == now:
        return True
    # Left to others, the rollups read here are a fold interval behind anyway (or, on a standby, may be behind
    # the primary the worker made the entry from): a recent entry of another fold is as good.
    return (rollups.fold_left_to_others() and made.generation[1] == now[1]
            and time.time() - made.made_at < settings.KAIKUKANTA_DASHBOARD_STALE_SECONDS)


def _make(dashboard: Dashboard, now: tuple[int, int]) -> Made:
    # One reading: the rollups folded once, and a sum two tables need (or the report form's first year and
    # the yearly table) read once.
    with stats_selectors.one_reading(), translation.override(dashboard.language):
        figures = Figures(dashboard.scope, start=dashboard.start, end=dashboard.end, on=dashboard.on,
                          group_by=dashboard.group_by, today=dashboard.today)
        built = {"breakdown": figures.table("breakdown")} if dashboard.only_breakdown else figures.tables()
        # Rendered too: the page's thousands of cells cost as much to write as the figures to read.
        for name, table in built.items():
            if name != "summary":
                table.page_html = render_to_string("stats/_table.html", {
                    "table": table, "heat": name == "travel", "query": dashboard.query})
        first_year = None
        if dashboard.report_scope is not None:
            rows = stats_selectors.yearly(dashboard.report_scope, dashboard.today)["rows"]
            first_year = min((row["year"] for row in rows), default=None)
    made = Made(now, time.time(), built, first_year)
    cache.set(dashboard.key, made, settings.KAIKUKANTA_DASHBOARD_CACHE_SECONDS)
    return made


def _remember(dashboard: Dashboard) -> None:
    """Note the dashboard as read now, for the worker to make again after its next fold."""
    moment = time.time()
    recent = {key: (seen, shown) for key, (seen, shown) in (cache.get(RECENT_KEY) or {}).items()
              if moment - seen < RECENT_SECONDS}
    recent[dashboard.key] = (moment, dashboard)
    newest = sorted(recent.items(), key=lambda item: item[1][0], reverse=True)[:RECENT_MOST]
    cache.set(RECENT_KEY, dict(newest), RECENT_SECONDS)


def warm(budget_seconds: float | None = None) -> int:
    """Make again each dashboard read in the last RECENT_SECONDS whose entry is not of the current generation,
    the most recently read first, starting no new one after `budget_seconds` (the worker after each fold, so
    folding never waits long for it); returns how many were made."""
    day = current_day()
    started = time.monotonic()
    made = 0
    recent = sorted((cache.get(RECENT_KEY) or {}).items(), key=lambda item: item[1][0], reverse=True)
    for key, (_seen, dashboard) in recent:
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            break
        if dashboard.today != day:
            continue
        now = generation()
        kept = cache.get(key)
        if kept is None or kept.generation != now:
            try:
                _make(dashboard, now)
            except Exception:
                # Its reader computes it instead; the fold that ran before is not undone by this.
                logger.exception("a dashboard could not be made ahead", extra={"dashboard": key})
                continue
            made += 1
    return made
