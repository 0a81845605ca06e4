"""Recomputing every rollup from the operational tables with set-based SQL (`rollups.rebuild()`,
`manage.py rebuild_stats`; the demo generator after a bulk load; the fold when the rollups are of an older
version or a membership changed). What the rows mean is `rollups`' docstring; a test compares a rebuild with
the folded rollups.

The holder rows (family `a`, HOLDER_DIMS) are the costly part: each counts distinct cards, and while there
are at most four, keeps their ids. Every visit's holder keys are computed once, into one row per day, area
and card (`stats_rebuild_days`), with flags marking a card's first row in its month, year and all time
(per key where the key can change over a card's days: the age group, and the home area). Distinct cards of
a longer period are then sums of those flags, so each dimension's day rows are grouped once, by hashing, into
day cells (`stats_rebuild_cells`), and months, years and all time are summed from the day cells: no grouping
by card per period, and no sort of every row by card. Card ids: a cell's smallest and largest card are
MIN and MAX, the middle ones (cells of three or four cards) come from the few rows of those cells. A longer
cell with at most four cards has only such day cells, so its ids are the union of theirs.

Measured at 10,000,000 visits: README "Rebuilding the statistics at full scale".
"""

from collections import defaultdict

from django.db import connection, transaction

from kaikukanta.cards.facts import AGE_GROUPS, NO_KEY, OLDEST_AGE_GROUP
from kaikukanta.core import sql

from .fresh_tables import written_anew
from .models import CardFigures, FoldState, Rollup, WellbeingRollup
from .rollups import (
    _ROLLUP_COLUMNS,
    ACTIVATED,
    ALL_TIME,
    BASE_DIM,
    BUCKET,
    CHILDREN_KEYS,
    COMMUNITY,
    ENDED,
    HOLDER_DIMS,
    ISSUED,
    NETWORK,
    PERSONAL,
    RENEWED,
    USE_BUCKETS,
    VERSION,
    WITNESSES,
    Memberships,
    _fetch,
    _lock,
    _on_postgresql,
    generation,
    wellbeing_pairs,
)


def rebuild() -> None:
    """Recompute every rollup from the cards, visits and answers. In a transaction of its own it reads them
    as one snapshot (REPEATABLE READ on PostgreSQL), so changes committed meanwhile stay pending for the next
    fold instead of being counted twice or not at all."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and _on_postgresql():
            sql.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", [])
        _lock()
        rebuild_locked()


def _dialect(postgresql: str, sqlite: str) -> str:
    """The same expression in the engine's own SQL."""
    return postgresql if _on_postgresql() else sqlite


def _month_start(column: str) -> str:
    return _dialect(f"CAST(date_trunc('month', {column}) AS date)", f"date({column}, 'start of month')")


def _year_start(column: str) -> str:
    return _dialect(f"CAST(date_trunc('year', {column}) AS date)", f"date({column}, 'start of year')")


def _period_sql(column: str, grain: str) -> str:
    if grain == "t":
        return _dialect(f"DATE '{ALL_TIME.isoformat()}'", f"'{ALL_TIME.isoformat()}'")
    return {"d": column, "m": _month_start(column), "y": _year_start(column)}[grain]


def _year_of(column: str) -> str:
    return _dialect(f"CAST(EXTRACT(YEAR FROM {column}) AS integer)", f"CAST(strftime('%%Y', {column}) AS integer)")


def _day_after(column: str) -> str:
    return _dialect(f"({column} + 1)", f"date({column}, '+1 day')")


def _holder_key_sql(dim: str) -> str:
    """The SQL twin of CardFacts.holder_keys, over visits v, cards c and the home membership m."""
    community = f"WHEN c.card_type = '{COMMUNITY}' THEN '{COMMUNITY}'"
    if dim == "age_group":
        age = f"{_year_of('v.used_on')} - c.birth_year"
        groups = " ".join(f"WHEN {age} < {below} THEN '{label}'" for below, label in AGE_GROUPS)
        return f"CASE {community} WHEN c.birth_year IS NULL THEN '{NO_KEY}' {groups} ELSE '{OLDEST_AGE_GROUP}' END"
    if dim == "children":
        top = len(CHILDREN_KEYS) - 1
        return (f"CASE {community} WHEN c.children >= {top} THEN '{CHILDREN_KEYS[top]}' "
                "ELSE CAST(c.children AS TEXT) END")
    if dim == "gender":
        return f"CASE {community} WHEN c.gender = '' THEN '{NO_KEY}' ELSE c.gender END"
    if dim == "home_municipality":
        return f"CASE {community} ELSE COALESCE(c.home_municipality_id, '{NO_KEY}') END"
    return f"CASE {community} WHEN m.area_id IS NULL THEN '{NO_KEY}' ELSE CAST(m.area_id AS TEXT) END"


_CHILD_USES_SQL = f"SUM(CASE WHEN c.card_type = '{PERSONAL}' THEN v.children ELSE 0 END)"
_VALUE_SQL = ("COALESCE(SUM(v.ticket_value_cents), 0), "
              "SUM(CASE WHEN v.ticket_value_cents IS NULL THEN 0 ELSE v.uses END)")
_ROLLUP_LIST = ", ".join(_ROLLUP_COLUMNS)


def _insert(table: str) -> str:
    return f"INSERT INTO {table} ({_ROLLUP_LIST}) "

_WITNESS_COLUMNS = tuple(f"card_{n}" for n in range(1, WITNESSES + 1))


def rebuild_locked() -> None:
    for table in ("stats_wellbeingrollup", "stats_pendingchange"):
        sql.execute(f"DELETE FROM {table}", [])
    if _on_postgresql():
        # In-memory sorts and hashes for the big groupings below instead of spilling to disk, and room for
        # the index builds of the new tables.
        sql.execute("SET LOCAL work_mem = '256MB'", [])
        sql.execute("SET LOCAL maintenance_work_mem = '512MB'", [])
        # Compiling each big statement's expressions took longer than it saved (measured at 10,000,000
        # visits: 3 s of JIT on the day rows' statement alone).
        sql.execute("SET LOCAL jit = off", [])
    memberships = Memberships.load()
    # The rollups and card figures are written into new tables and swapped in (fresh_tables); the new
    # tables are analysed there, since the planner's figures of the old ones describe other rows (measured:
    # one dashboard statement 179 ms before, 4 ms after).
    with written_anew(Rollup, CardFigures) as (rollups, figures):
        _rebuild_usage(rollups)
        _rebuild_holder_rows(HOLDER_DIMS, rollups)
        _rebuild_cards(rollups, figures)
    if _on_postgresql():
        sql.execute("ANALYZE stats_wellbeingrollup", [])
    before = generation()
    FoldState.objects.all().delete()
    FoldState.objects.create(memberships=memberships.fingerprint(), version=VERSION, generation=before + 1)


def _analyze(table: str) -> None:
    """The planner's figures of a table just filled, which autovacuum has not seen (and never sees of a
    temporary table): without them, summing the venues' day rows into the areas' took 11–14 s at 10,000,000
    visits, planned as if the table were empty."""
    if _on_postgresql():
        sql.execute(f"ANALYZE {table}", [])


def _rebuild_usage(table: str) -> None:
    sql.execute(
        _insert(table) + f"SELECT 'v', v.venue_id, '{BASE_DIM}', 'd', v.used_on, c.card_type, COUNT(*), "
        f"SUM(v.uses), {_CHILD_USES_SQL}, 0, NULL, NULL, NULL, NULL, {_VALUE_SQL} FROM visits_visit v "
        "JOIN cards_card c ON c.id = v.card_id WHERE v.cancelled_at IS NULL "
        "GROUP BY v.venue_id, v.used_on, c.card_type", [])
    _analyze(table)
    sql.execute(
        _insert(table) + f"SELECT 'a', o.area_id, '{BASE_DIM}', 'd', r.period, r.key, SUM(r.visits), "
        "SUM(r.uses), SUM(r.child_uses), 0, NULL, NULL, NULL, NULL, SUM(r.ticket_value_cents), SUM(r.priced_uses) "
        f"FROM {table} r JOIN network_organisation o ON o.id = r.owner "
        f"WHERE r.family = 'v' AND r.dim = '{BASE_DIM}' AND r.grain = 'd' GROUP BY o.area_id, r.period, r.key", [])
    _sum_areas_into_the_network(table, f"r.family = 'a' AND r.dim = '{BASE_DIM}'")
    _sum_days_into_longer_periods(table, f"r.family IN ('v', 'a') AND r.dim = '{BASE_DIM}'", ("m", "y", "t"))


def _sum_areas_into_the_network(table: str, condition: str) -> None:
    sql.execute(
        _insert(table) + f"SELECT r.family, {NETWORK}, r.dim, 'd', r.period, r.key, SUM(r.visits), SUM(r.uses), "
        "SUM(r.child_uses), SUM(r.cards), NULL, NULL, NULL, NULL, SUM(r.ticket_value_cents), SUM(r.priced_uses) "
        f"FROM {table} r WHERE r.grain = 'd' AND {condition} GROUP BY r.family, r.dim, r.period, r.key", [])


def _sum_days_into_longer_periods(table: str, condition: str, grains: tuple[str, ...]) -> None:
    """Longer rows of additive counts (no distinct cards) as sums of the day rows."""
    for grain in grains:
        period = _period_sql("r.period", grain)
        sql.execute(
            _insert(table) + f"SELECT r.family, r.owner, r.dim, '{grain}', {period}, r.key, SUM(r.visits), "
            "SUM(r.uses), SUM(r.child_uses), SUM(r.cards), NULL, NULL, NULL, NULL, SUM(r.ticket_value_cents), "
            f"SUM(r.priced_uses) FROM {table} r WHERE r.grain = 'd' AND {condition} "
            "GROUP BY r.family, r.owner, r.dim, r.key"
            + ("" if grain == "t" else f", {period}"), [])


# ---- holder rows ---------------------------------------------------------------------------------------

# Per dimension, the day rows' flags that are 1 on a card's first row of a month, a year and all time with the
# dimension's key. The key of the children, gender and home municipality is the card's own; the age group is
# the same all year and only ever grows; the home area can change on any day and come back.
_FIRST_FLAGS = {dim: ("new_m", "new_y", "new_t") for dim in HOLDER_DIMS}
_FIRST_FLAGS["age_group"] = ("new_m", "new_y", "new_t_age")
_FIRST_FLAGS["home_area"] = ("new_m_home", "new_y_home", "new_t_home")


def _rebuild_holder_rows(dims: tuple[str, ...], table: str) -> None:
    _create_day_rows()
    _create_day_cells(dims)
    columns = ", ".join(_WITNESS_COLUMNS)
    sql.execute(_insert(table) + "SELECT 'a', owner, dim, 'd', period, key, visits, uses, child_uses, cards, "
                f"{columns}, 0, 0 FROM stats_rebuild_cells", [])
    for grain in ("m", "y", "t"):
        _insert_longer_cells(grain, table)
    for table in ("stats_rebuild_days", "stats_rebuild_cells"):
        sql.execute(f"DROP TABLE {table}", [])


def _first(column: str, window: str) -> str:
    """1 on the first row of a window partition (ordered by day) with this value of `column`, else 0."""
    return f"CASE WHEN LAG({column}) OVER {window} = {column} THEN 0 ELSE 1 END"


def _create_day_rows() -> None:
    """One row per day, area and card, with the card's holder keys that day and its first-row flags (window
    w: the card at the area; h: the card at the area with one home area). The rows are grouped by the card's
    and its home membership's ids, of which the keys are functions, so the grouping sorts a few integers
    rather than five texts (at 10,000,000 visits: 45 s of the server's CPU instead of 87 s); h partitions by
    the home area's id, which tells the same rows apart as its key."""
    keys = ", ".join(f"{_holder_key_sql(dim)} AS key_{dim}" for dim in HOLDER_DIMS)
    sql.execute("DROP TABLE IF EXISTS stats_rebuild_days", [])
    sql.execute(
        "CREATE TEMPORARY TABLE stats_rebuild_days AS SELECT g.*, "
        f"{_first('g.month', 'w')} AS new_m, {_first('g.year', 'w')} AS new_y, "
        f"{_first('g.card_id', 'w')} AS new_t, {_first('g.key_age_group', 'w')} AS new_t_age, "
        f"{_first('g.month', 'h')} AS new_m_home, {_first('g.year', 'h')} AS new_y_home, "
        f"{_first('g.card_id', 'h')} AS new_t_home FROM ("
        f"SELECT v.used_on, {_month_start('v.used_on')} AS month, {_year_start('v.used_on')} AS year, "
        f"o.area_id AS owner, c.id AS card_id, m.area_id AS home_area_id, {keys}, COUNT(*) AS visits, "
        f"SUM(v.uses) AS uses, CASE WHEN c.card_type = '{PERSONAL}' THEN SUM(v.children) ELSE 0 END AS child_uses "
        "FROM visits_visit v "
        "JOIN cards_card c ON c.id = v.card_id JOIN network_organisation o ON o.id = v.venue_id "
        "LEFT JOIN network_membership m ON m.municipality_id = c.home_municipality_id "
        "AND m.joined_on <= v.used_on AND (m.left_on IS NULL OR m.left_on > v.used_on) "
        "WHERE v.cancelled_at IS NULL GROUP BY o.area_id, c.id, v.used_on, m.id) g "
        "WINDOW w AS (PARTITION BY g.owner, g.card_id ORDER BY g.used_on), "
        "h AS (PARTITION BY g.owner, g.card_id, g.home_area_id ORDER BY g.used_on)", [])
    _analyze("stats_rebuild_days")


def _create_day_cells(dims: tuple[str, ...]) -> None:
    """Each dimension's day rows grouped by day, area and key: a day row is one card, so the cell's cards
    are its rows, and the sums of the flags are what the cell adds to its month's, year's and all time's."""
    sql.execute("DROP TABLE IF EXISTS stats_rebuild_cells", [])
    sql.execute(
        "CREATE TEMPORARY TABLE stats_rebuild_cells (dim varchar(20), period date, owner bigint, key varchar(40), "
        "visits bigint, uses bigint, child_uses bigint, cards bigint, new_m bigint, new_y bigint, new_t bigint, "
        + ", ".join(f"{column} bigint" for column in _WITNESS_COLUMNS) + ")", [])
    # The smallest and the largest card of a cell of at most WITNESSES; those between them below.
    ends = [f"CASE WHEN COUNT(*) <= {WITNESSES} THEN MIN(card_id) END",
            *(f"CASE WHEN COUNT(*) = {n} THEN MAX(card_id) END" for n in range(2, WITNESSES + 1))]
    for dim in dims:
        month, year, ever = _FIRST_FLAGS[dim]
        sql.execute(
            f"INSERT INTO stats_rebuild_cells SELECT '{dim}', used_on, owner, key_{dim}, SUM(visits), SUM(uses), "
            f"SUM(child_uses), COUNT(*), SUM({month}), SUM({year}), SUM({ever}), {', '.join(ends)} "
            f"FROM stats_rebuild_days GROUP BY used_on, owner, key_{dim}", [])
        _analyze("stats_rebuild_cells")
        if WITNESSES < 3:
            continue
        ranked = (f"SELECT d.used_on AS period, d.owner, d.key_{dim} AS key, d.card_id, ROW_NUMBER() OVER "
                  f"(PARTITION BY d.used_on, d.owner, d.key_{dim} ORDER BY d.card_id) AS position "
                  "FROM stats_rebuild_days d JOIN stats_rebuild_cells s ON s.dim = %s "
                  f"AND s.cards BETWEEN 3 AND {WITNESSES} AND s.period = d.used_on AND s.owner = d.owner "
                  f"AND s.key = d.key_{dim}")
        sql.execute(
            "UPDATE stats_rebuild_cells SET " + ", ".join(f"{column} = w.{column}" for column in _WITNESS_COLUMNS)
            + f" FROM ({_witnesses_of(ranked)}) w WHERE stats_rebuild_cells.dim = %s "
            "AND stats_rebuild_cells.period = w.period AND stats_rebuild_cells.owner = w.owner "
            "AND stats_rebuild_cells.key = w.key", [dim, dim])


def _witnesses_of(ranked: str) -> str:
    """Per cell, the card ids of `ranked` (period, owner, key, card_id, position) as card_1..card_4."""
    picks = ", ".join(f"MAX(CASE WHEN r.position = {n} THEN r.card_id END) AS card_{n}"
                      for n in range(1, WITNESSES + 1))
    return f"SELECT r.period, r.owner, r.key, {picks} FROM ({ranked}) r GROUP BY r.period, r.owner, r.key"


def _insert_longer_cells(grain: str, table: str) -> None:
    """The rows of a month, a year or all time from the day cells: sums, the cards by the flags, and for a
    cell of at most WITNESSES cards the union of its day cells' ids."""
    flag = {"m": "new_m", "y": "new_y", "t": "new_t"}[grain]
    period = _period_sql("period", grain)
    sql.execute("DROP TABLE IF EXISTS stats_rebuild_longer", [])
    sql.execute(
        f"CREATE TEMPORARY TABLE stats_rebuild_longer AS SELECT dim, {period} AS period, owner, key, "
        f"SUM(visits) AS visits, SUM(uses) AS uses, SUM(child_uses) AS child_uses, SUM({flag}) AS cards "
        "FROM stats_rebuild_cells GROUP BY dim, owner, key" + ("" if grain == "t" else f", {period}"), [])
    _analyze("stats_rebuild_longer")
    small = (f"SELECT c.dim, {_period_sql('c.period', grain)} AS period, c.owner, c.key, "
             + ", ".join(f"c.{column}" for column in _WITNESS_COLUMNS) + " FROM stats_rebuild_cells c "
             f"JOIN stats_rebuild_longer s ON s.cards <= {WITNESSES} AND s.dim = c.dim "
             f"AND s.period = {_period_sql('c.period', grain)} AND s.owner = c.owner AND s.key = c.key")
    ids = " UNION ".join(f"SELECT dim, period, owner, key, {column} AS card_id FROM small "
                         f"WHERE {column} IS NOT NULL" for column in _WITNESS_COLUMNS)
    ranked = ("SELECT ids.*, ROW_NUMBER() OVER (PARTITION BY dim, period, owner, key ORDER BY card_id) "
              "AS position FROM ids")
    picks = ", ".join(f"MAX(CASE WHEN position = {n} THEN card_id END) AS card_{n}" for n in range(1, WITNESSES + 1))
    sql.execute(
        f"WITH small AS ({small}), ids AS ({ids}), ranked AS ({ranked}), "
        f"witnessed AS (SELECT dim, period, owner, key, {picks} FROM ranked GROUP BY dim, period, owner, key) "
        + _insert(table) + f"SELECT 'a', l.owner, l.dim, '{grain}', l.period, l.key, l.visits, l.uses, "
        "l.child_uses, l.cards, " + ", ".join(f"w.{column}" for column in _WITNESS_COLUMNS) + ", 0, 0 "
        "FROM stats_rebuild_longer l LEFT JOIN witnessed w ON w.dim = l.dim AND w.period = l.period "
        "AND w.owner = l.owner AND w.key = l.key", [])
    sql.execute("DROP TABLE stats_rebuild_longer", [])


def rebuild_home_areas() -> None:
    """After a membership changed, even in the past: the home areas of every visit again."""
    sql.execute("DELETE FROM stats_rollup WHERE family = 'a' AND dim = 'home_area'", [])
    _rebuild_holder_rows(("home_area",), "stats_rollup")


# ---- cards and wellbeing -------------------------------------------------------------------------------

def _rebuild_cards(table: str, figures: str) -> None:
    valid_until_end = _day_after("c.valid_until")
    if _on_postgresql():
        ends = f"GREATEST(c.issued_on, LEAST({valid_until_end}, COALESCE(c.closed_on, {valid_until_end})))"
    else:
        ends = f"MAX(c.issued_on, MIN({valid_until_end}, COALESCE(c.closed_on, {valid_until_end})))"
    sql.execute(
        f"INSERT INTO {figures} (card_id, card_type, area_id, issued_on, ends_on, birth_year, children, "
        "gender, home_municipality, renewed, first_used_on, uses, wellbeing) "
        f"SELECT c.id, c.card_type, o.area_id, c.issued_on, {ends}, c.birth_year, c.children, c.gender, "
        "COALESCE(c.home_municipality_id, ''), EXISTS (SELECT 1 FROM cards_cardevent e WHERE e.card_id = c.id "
        f"AND e.event = '{RENEWED}'), u.first_use, COALESCE(u.uses, 0), '' FROM cards_card c "
        "JOIN network_organisation o ON o.id = c.issuer_id LEFT JOIN (SELECT card_id, MIN(used_on) AS first_use, "
        "SUM(uses) AS uses FROM visits_visit WHERE cancelled_at IS NULL GROUP BY card_id) u ON u.card_id = c.id",
        [])
    personal = f"f.card_type = '{PERSONAL}'"
    buckets = " ".join(f"WHEN f.uses >= {lowest} THEN '{name}'" for lowest, name in reversed(USE_BUCKETS))
    for dim, day, key, condition in (
            (ISSUED, "f.issued_on", "f.card_type", "1 = 1"),
            (ENDED, "f.ends_on", "''", personal),
            (ACTIVATED, "f.first_used_on", "''", f"{personal} AND f.first_used_on IS NOT NULL"),
            (RENEWED, "f.issued_on", "''", f"{personal} AND f.renewed"),
            (BUCKET, "f.issued_on", f"CASE {buckets} END", personal)):
        sql.execute(
            _insert(table) + f"SELECT 'c', f.area_id, '{dim}', 'd', {day}, {key}, 0, 0, 0, COUNT(*), "
            f"NULL, NULL, NULL, NULL, 0, 0 FROM {figures} f WHERE {condition} GROUP BY f.area_id, {day}"
            + ("" if key == "''" else f", {key}"), [])
    _sum_areas_into_the_network(table, "r.family = 'c'")
    _sum_days_into_longer_periods(table, "r.family = 'c'", ("m", "y"))
    _rebuild_wellbeing(figures)


def _rebuild_wellbeing(figures_table: str) -> None:
    answers = defaultdict(list)
    for card_id, key, value, kind, date, event_id in _fetch(
            "SELECT a.card_id, a.question_key, a.value, e.event, e.date, e.id FROM cards_wellbeinganswer a "
            "JOIN cards_cardevent e ON e.id = a.event_id JOIN cards_card c ON c.id = a.card_id "
            f"WHERE c.card_type = '{PERSONAL}'", []):
        answers[card_id].append((key, value, kind, sql.as_date(date), event_id))
    areas = dict(_fetch(f"SELECT f.card_id, f.area_id FROM {figures_table} f JOIN cards_wellbeinganswer a "
                        f"ON a.card_id = f.card_id JOIN cards_card c ON c.id = f.card_id "
                        f"WHERE c.card_type = '{PERSONAL}' GROUP BY f.card_id, f.area_id", []))
    sums = defaultdict(lambda: [0, 0, 0])
    updates = []
    for card_id, given in answers.items():
        pairs = wellbeing_pairs(given)
        if not pairs:
            continue
        updates.append((";".join(f"{key}={then}:{now}" for key, then, now in pairs), card_id))
        for key, then, now in pairs:
            figures = sums[(areas[card_id], key)]
            figures[0] += 1
            figures[1] += then
            figures[2] += now
    if updates:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {figures_table} SET wellbeing = %s WHERE card_id = %s", updates)
    WellbeingRollup.objects.bulk_create([
        WellbeingRollup(owner=owner, question_key=key, respondents=respondents, sum_at_issue=then, sum_now=now)
        for (owner, key), (respondents, then, now) in sums.items()])
