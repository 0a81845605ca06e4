"""Rollups of visits and cards, kept exact by folding pending changes into them before they are read.

Why not update the rollups in the desk's transaction: the rows a registration would update (its venue's
day, month and year, its area's) are the same for every registration at that venue, and a transaction
holds their locks until it commits, so registrations at one venue would take turns at the pace of a
commit. Measured with pgbench on the benchmark data (1,000,000 cards, 10,000,000 visits, 16 clients at
one venue): 2,000 registrations/s without rollups, 270–450/s with them, 700–830/s with every row split
eight ways. So every write path appends one row to `PendingChange` in its own transaction instead (an
insert, which never waits for another), and `fold()` takes those rows into the rollups before any
figure is read. A figure is therefore always that of the committed visits and cards: nothing is ever
stale, only folded a moment later. (Cards imported in bulk are the exception: new, they are counted in the
import's own transaction, `bulk_cards.py`.)

The fold, one at a time (an advisory lock on PostgreSQL; SQLite has one writer anyway), takes the
pending rows of a batch of cards and, per card, compares what the rollups hold about it (the card's
facts as last folded, `CardFigures`, and its visits minus those recorded since, plus those cancelled
since) with the card as it is now, and adds the difference. Rereading the pending rows after reading the
cards and visits, until they no longer change, makes those reads agree with one another even while the
desk keeps registering.

What is rolled up, each by day, month and year (`period` is the first day):
- family `v`, owner a venue, dimension `card_type`: visits, uses, child uses. Everything that describes the
  venue's side (its area, municipality, welfare area, sector, category) is read from the venue when the
  figures are read, so renaming a sector or moving a venue to another municipality needs no refolding;
- family `a`, owner the venue's area (and NETWORK for `card_type`): the same by `card_type`, and by each
  holder attribute
  (`HOLDER_DIMS`: age group in the visit's year, children, gender, home municipality, home area on the
  visit's day — the last one is also the travel table) with the number of distinct cards;
- family `c`, owner the issuing distributor's area, and NETWORK: cards issued (key: card type) by issue day; personal
  cards ending (the first day they are no longer valid) by that day, activated by the day of their first
  use, renewed, and per bucket of uses to date, by issue day.

Distinct holders, for suppression: a row counts its distinct cards, and while there are at most four,
keeps their ids. The cards of a union of rows (a cell over a period that spans several rows, or several
areas) are then known exactly whenever there could be fewer than five: if any row has five or more, so
does the cell; otherwise every row lists all its cards and their union is the answer.

`rebuild()` recomputes everything from the operational tables with set-based SQL (`rebuild_stats`);
the demo generator uses it after a bulk load. A test compares it with the folded rollups.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

from kaikukanta.cards.facts import AGE_GROUPS, NO_KEY, OLDEST_AGE_GROUP, age_group, ends_on  # noqa: F401 (selectors read the groups here)
from kaikukanta.core import sql

from .contributions import (  # noqa: F401 (the rebuild and the readers read these here)
    ACTIVATED,
    ALL_TIME,
    BASE_DIM,
    BUCKET,
    CARD_DIMS,
    CHILDREN_KEYS,
    COMMUNITY,
    ENDED,
    GRAINS,
    HOLDER_DIMS,
    ISSUED,
    NETWORK,
    PERSONAL,
    RENEWED,
    USE_BUCKETS,
    VISIT_GRAINS,
    WITNESSES,
    CardFacts,
    Contribution,
    Memberships,
    VisitFacts,
    bucket_of,
    card_rows,
    children_key,
    contribution,
    contribution_change,
    period_end,
    period_of,
    wellbeing_pairs,
)
from .models import CardFigures, FoldState, PendingChange, WellbeingRollup

# Cards per fold batch: their pending rows, visits and answers are read together.
BATCH_CARDS = 2000
ROWS_PER_STATEMENT = 500
_LOCK_ID = 7_154_073_201

# What the rollups hold: a fold finding FoldState.version older rebuilds them first (1: the value of tickets).
VERSION = 1

_PENDING_SQL = "INSERT INTO stats_pendingchange (card_id, visit_id, sign) VALUES (%s, %s, %s)"
_ROLLUP_COLUMNS = ("family", "owner", "dim", "grain", "period", "key", "visits", "uses", "child_uses", "cards",
                   "card_1", "card_2", "card_3", "card_4", "ticket_value_cents", "priced_uses")
_KEY_COLUMNS = _ROLLUP_COLUMNS[:6]
# Where each of a fold's differences (visits, uses, child uses, cards, value, priced uses) goes in a row.
_MEASURE_POSITIONS = (6, 7, 8, 9, 14, 15)


# ---- writing down what changed (every write path, in its own transaction) ----------------------------

def insert_visit(insert_sql: str, params: list, card_id: int, audit_entry) -> int:
    """The desk's visit insert (`insert_sql`: an INSERT into visits_visit ending in `RETURNING id`) together
    with its pending change, an insert that never waits for another, and its audit row (`audit_entry`, a
    core.audit.NewRowEntry). On PostgreSQL the three go in one statement (a data-modifying WITH), so the desk
    makes no extra round trip; SQLite has no such statement."""
    if _on_postgresql():
        audit_sql, audit_params = audit_entry.sql_from("visit")
        visit_id = sql.fetch_one(f"WITH visit AS ({insert_sql}), pending AS (INSERT INTO stats_pendingchange "
                                 f"(card_id, visit_id, sign) SELECT %s, id, 1 FROM visit), audited AS ({audit_sql}) "
                                 "SELECT id FROM visit", [*params, card_id, *audit_params])[0]
        audit_entry.written(visit_id)
        return visit_id
    visit_id = sql.insert_returning_id(insert_sql, params)
    visit_recorded(card_id, visit_id)
    audit_entry.record_new(visit_id)
    return visit_id


def visit_recorded(card_id: int, visit_id: int) -> None:
    sql.execute(_PENDING_SQL, [card_id, visit_id, 1])


def visit_cancelled(card_id: int, visit_id: int) -> None:
    sql.execute(_PENDING_SQL, [card_id, visit_id, -1])


def cards_changed(*card_ids: int) -> None:
    """Cards issued, renewed, closed or replaced, or their wellbeing answers moved."""
    PendingChange.objects.bulk_create([PendingChange(card_id=card_id) for card_id in card_ids])


# ---- folding ---------------------------------------------------------------------------------------

def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _lock() -> None:
    if _on_postgresql():
        sql.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _fetch(statement: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


# Whether a reader may leave the fold to someone else (a live worker, or the primary behind the replica it
# reads). The operations app, above this one, answers it: it says how at start-up (OperationsConfig.ready).
def _nobody_else_folds() -> bool:
    return False


_fold_left_to_others: Callable[[], bool] = _nobody_else_folds


def leave_fold_to_others_when(check: Callable[[], bool]) -> None:
    global _fold_left_to_others
    _fold_left_to_others = check


def _in(values: list) -> tuple[str, list]:
    """`column` + this: one array parameter on PostgreSQL (`= ANY(%s::bigint[])`; every caller passes ids),
    which psycopg sends as it is, instead of thousands of placeholders it would split and convert one by one
    (with the COPY of card figures: a fold of 10,000 imported cards 11-13 s -> 7.5-9 s); placeholders elsewhere."""
    if _on_postgresql():
        # Cast: psycopg types a list of small ints as int2[] or numeric[], which would keep the index unused.
        return " = ANY(%s::bigint[])", [list(values)]
    return f" IN ({_placeholders(len(values))})", list(values)


def fold() -> None:
    """Bring the rollups up to date with every committed change. Cheap when nothing is pending."""
    if _fold_left_to_others():
        return
    state = FoldState.objects.first()
    pending = sql.fetch_one("SELECT EXISTS (SELECT 1 FROM stats_pendingchange)", [])[0]
    if (state is not None and state.version >= VERSION and not pending
            and state.memberships == Memberships.load().fingerprint()):
        return
    if pending and not connection.in_atomic_block and _backlog_is_quicker_rebuilt():
        from . import rebuilding

        rebuilding.rebuild()
        return
    with transaction.atomic():
        _lock()
        state = FoldState.objects.first()
        if state is None or state.version < VERSION:
            # Never folded, or folded by a release whose rollups lack something this one reads.
            from . import rebuilding

            rebuilding.rebuild_locked()
            return
        memberships = Memberships.load()
        changed = _fold_pending(memberships)
        if state.memberships != memberships.fingerprint():
            from . import rebuilding

            rebuilding.rebuild_home_areas()
            state.memberships = memberships.fingerprint()
            state.save(update_fields=["memberships"])
            changed = True
        if changed:
            sql.execute("UPDATE stats_foldstate SET generation = generation + 1", [])


# Past this many pending changes, and one for every REBUILD_VISITS_PER_CHANGE visits, a rebuild is quicker
# than the fold: measured at 1,000,000 cards and 10,000,000 visits, the fold took about 1 ms a change
# (21 s for 20,000) and the rebuild about 10 µs a visit (about 100 s). A big import or a long stop of the
# worker leaves such a backlog; a desk's day never does.
REBUILD_BACKLOG = 50_000
REBUILD_VISITS_PER_CHANGE = 100


def _backlog_is_quicker_rebuilt() -> bool:
    backlog = sql.fetch_one("SELECT COUNT(*) FROM (SELECT 1 FROM stats_pendingchange LIMIT %s) p",
                            [REBUILD_BACKLOG + 1])[0]
    if backlog <= REBUILD_BACKLOG:
        return False
    if _on_postgresql():
        visits = sql.fetch_one("SELECT reltuples FROM pg_class WHERE oid = 'visits_visit'::regclass", [])[0]
    else:
        visits = sql.fetch_one("SELECT COUNT(*) FROM visits_visit", [])[0]
    backlog = sql.fetch_one("SELECT COUNT(*) FROM stats_pendingchange", [])[0]
    return backlog * REBUILD_VISITS_PER_CHANGE > max(visits, 0)


def generation() -> int:
    """How many folds and rebuilds have changed the rollups (0: never folded); read where the rollups are."""
    return FoldState.objects.values_list("generation", flat=True).first() or 0


def fold_left_to_others() -> bool:
    """Whether a reader here leaves the fold to a live worker or to the primary (see `fold`)."""
    return _fold_left_to_others()


def _fold_pending(memberships: Memberships) -> bool:
    """Fold the changes pending now; whether there were any."""
    # Changes arriving while we fold wait for the next fold, so a busy desk cannot keep this one going.
    last = sql.fetch_one("SELECT MAX(id) FROM stats_pendingchange", [])[0]
    folded = False
    while last is not None:
        card_ids = sorted({row[0] for row in _fetch(
            "SELECT card_id FROM stats_pendingchange WHERE id <= %s ORDER BY id LIMIT %s",
            [last, BATCH_CARDS])})
        if not card_ids:
            break
        _fold_cards(card_ids, memberships)
        folded = True
    return folded


@dataclass
class _Batch:
    changes: list            # (pending id, card id, visit id, sign)
    cards: dict              # card id → CardFacts now (absent: no such card)
    visits: dict             # card id → [VisitFacts], cancelled ones included
    folded: dict             # card id → CardFacts as last folded (absent: never folded)
    counted: dict = field(default_factory=dict)  # card id → the visits counted once folded


def _pending_of(card_ids: list[int]) -> list[tuple]:
    among, params = _in(card_ids)
    return _fetch(f"SELECT id, card_id, visit_id, sign FROM stats_pendingchange WHERE card_id{among} ORDER BY id",
                  params)


def _read_batch(card_ids: list[int]) -> _Batch:
    changes = _pending_of(card_ids)
    while True:
        batch = _Batch(changes, _cards_now(card_ids), _visits_of(card_ids), _folded_facts(card_ids))
        again = _pending_of(card_ids)
        if again == changes:
            return batch
        changes = again


def _cards_now(card_ids: list[int]) -> dict[int, CardFacts]:
    among, params = _in(card_ids)
    answers = defaultdict(list)
    for card_id, key, value, kind, date, event_id in _fetch(
            "SELECT a.card_id, a.question_key, a.value, e.event, e.date, e.id FROM cards_wellbeinganswer a "
            f"JOIN cards_cardevent e ON e.id = a.event_id WHERE a.card_id{among}", params):
        answers[card_id].append((key, value, kind, sql.as_date(date), event_id))
    cards = {}
    for row in _fetch(
            "SELECT c.id, c.card_type, o.area_id, c.issued_on, c.valid_until, c.closed_on, c.birth_year, "
            "c.children, c.gender, c.home_municipality_id, EXISTS (SELECT 1 FROM cards_cardevent e "
            "WHERE e.card_id = c.id AND e.event = %s) FROM cards_card c JOIN network_organisation o "
            f"ON o.id = c.issuer_id WHERE c.id{among}", [RENEWED, *params]):
        card_id, card_type, area_id, issued_on, valid_until, closed_on, birth_year, children, gender, home, renewed \
            = row
        issued_on = sql.as_date(issued_on)
        cards[card_id] = CardFacts(
            card_type, area_id, issued_on, ends_on(issued_on, sql.as_date(valid_until), sql.as_date(closed_on)),
            birth_year, children, gender or "", home or "", bool(renewed),
            wellbeing_pairs(answers[card_id]) if card_type == PERSONAL else ())
    return cards


def _visits_of(card_ids: list[int]) -> dict[int, list[VisitFacts]]:
    visits = defaultdict(list)
    for visit_id, card_id, venue_id, area_id, used_on, uses, children, cancelled_at, value in _fetch(
            "SELECT v.id, v.card_id, v.venue_id, o.area_id, v.used_on, v.uses, v.children, v.cancelled_at, "
            "v.ticket_value_cents FROM visits_visit v JOIN network_organisation o ON o.id = v.venue_id "
            f"WHERE v.card_id{_in(card_ids)[0]}", _in(card_ids)[1]):
        visits[card_id].append(VisitFacts(visit_id, venue_id, area_id, sql.as_date(used_on), uses, children,
                                          cancelled_at is not None, value))
    return visits


def _folded_facts(card_ids: list[int]) -> dict[int, CardFacts]:
    return {figures.card_id: CardFacts.of_figures(figures)
            for figures in CardFigures.objects.filter(card_id__in=card_ids)}


class _Changes:
    """Differences to add to the rollups, gathered over a batch of cards."""

    def __init__(self):
        self.sums = defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # row → visits, uses, child uses, cards, value, priced
        self.joined = defaultdict(set)                   # holder row → cards now counted in it
        self.left = defaultdict(set)                     # holder row → cards no longer counted in it
        self.wellbeing = defaultdict(lambda: [0, 0, 0])  # (area, question) → respondents, sums

    def add(self, card_id: int, before: Contribution, after: Contribution) -> None:
        for sign, part in ((-1, before), (1, after)):
            for row, (visits, uses, child, value, priced) in part.sums.items():
                sums = self.sums[row]
                sums[0] += sign * visits
                sums[1] += sign * uses
                sums[2] += sign * child
                sums[4] += sign * value
                sums[5] += sign * priced
            for row, count in part.cards.items():
                self.sums[row][3] += sign * count
            for cell, (then, now) in part.wellbeing.items():
                figures = self.wellbeing[cell]
                figures[0] += sign
                figures[1] += sign * then
                figures[2] += sign * now
        for row in after.present - before.present:
            self.joined[row].add(card_id)
            self.sums[row][3] += 1
        for row in before.present - after.present:
            self.left[row].add(card_id)
            self.sums[row][3] -= 1


def _fold_cards(card_ids: list[int], memberships: Memberships) -> None:
    batch = _read_batch(card_ids)
    recorded = {change[2] for change in batch.changes if change[3] > 0}
    cancelled = {change[2] for change in batch.changes if change[3] < 0} - recorded
    changes = _Changes()
    for card_id in card_ids:
        visits = batch.visits.get(card_id, [])
        now = [visit for visit in visits if not visit.cancelled]
        folded = batch.folded.get(card_id)
        then = [] if folded is None else (
            [visit for visit in now if visit.id not in recorded]
            + [visit for visit in visits if visit.cancelled and visit.id in cancelled])
        card = batch.cards.get(card_id)
        if folded is not None and folded == card:
            changes.add(card_id, *contribution_change(card, then, now, memberships))
        else:
            changes.add(card_id, contribution(folded, then, memberships), contribution(card, now, memberships))
        batch.counted[card_id] = now
    _save_card_figures(card_ids, batch)
    _apply(changes, {change[0] for change in batch.changes}, memberships)
    _apply_wellbeing(changes.wellbeing)
    ids = [change[0] for change in batch.changes]
    for start in range(0, len(ids), ROWS_PER_STATEMENT):
        chunk = ids[start:start + ROWS_PER_STATEMENT]
        among, params = _in(chunk)
        sql.execute(f"DELETE FROM stats_pendingchange WHERE id{among}", params)


_FIGURES_COLUMNS = tuple(field.column for field in CardFigures._meta.concrete_fields)


def _save_card_figures(card_ids: list[int], batch: _Batch) -> None:
    among, params = _in(card_ids)
    sql.execute(f"DELETE FROM stats_cardfigures WHERE card_id{among}", params)
    # COPY on PostgreSQL: bulk_create's statement of thousands of placeholders cost a third of a fold.
    figures = [facts.figures(card_id, batch.counted[card_id]) for card_id, facts in batch.cards.items()]
    _copy_into("stats_cardfigures", _FIGURES_COLUMNS,
               [tuple(getattr(row, field.attname) for field in CardFigures._meta.concrete_fields) for row in figures])


def _copy_into(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows into a (temporary) table: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    if _on_postgresql():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_placeholders(len(columns))})",
                           [tuple(value.isoformat() if isinstance(value, datetime.date) else value for value in row)
                            for row in rows])


def _rows_by_key(keys: list[tuple]) -> dict[tuple, list]:
    """The stored rollup rows among `keys`, as [id, *_ROLLUP_COLUMNS values]: the keys go to a temporary
    table and are joined with the rollups, one indexed look-up each."""
    sql.execute("DROP TABLE IF EXISTS stats_fold_keys", [])
    sql.execute("CREATE TEMPORARY TABLE stats_fold_keys (family varchar(1), owner bigint, dim varchar(20), "
                "grain varchar(1), period date, key varchar(40))", [])
    _copy_into("stats_fold_keys", _KEY_COLUMNS, keys)
    found = {}
    for row in _fetch(f"SELECT r.id, {', '.join('r.' + name for name in _ROLLUP_COLUMNS)} FROM stats_fold_keys k "
                      "JOIN stats_rollup r ON " + " AND ".join(f"r.{name} = k.{name}" for name in _KEY_COLUMNS),
                      []):
        row = list(row)
        row[5] = sql.as_date(row[5])
        found[tuple(row[1:7])] = row
    sql.execute("DROP TABLE stats_fold_keys", [])
    return found


def _apply(changes: _Changes, batch_changes: set[int], memberships: Memberships) -> None:
    keys = [key for key, sums in changes.sums.items() if any(sums) or key in changes.joined or key in changes.left]
    stored = _rows_by_key(keys)
    kept, deleted, refill = [], [], []
    for key in keys:
        known = stored.get(key)
        row = known[1:] if known else [*key, 0, 0, 0, 0, None, None, None, None, 0, 0]
        before_cards = row[9]
        for position, amount in zip(_MEASURE_POSITIONS, changes.sums[key], strict=True):
            row[position] += amount
        if key in changes.joined or key in changes.left:
            listed = {card for card in row[10:14] if card is not None}
            cards = (listed - changes.left[key]) | changes.joined[key]
            if row[9] > WITNESSES:
                row[10:14] = [None] * WITNESSES
            elif before_cards <= WITNESSES and len(cards) == row[9]:
                _set_witnesses(row, cards)
            else:
                refill.append(row)
        if any(row[6:10]) or any(row[14:16]):
            kept.append((row, known[0] if known else None))
        elif known:
            deleted.append(known[0])
    for row in refill:
        cards = _cards_in_row(tuple(row[:6]), batch_changes, memberships)
        if len(cards) != row[9]:
            raise RuntimeError(f"rollup row {row[:6]} counts {row[9]} cards, its visits {len(cards)}: "
                               "run rebuild_stats")
        _set_witnesses(row, cards)
    _write_rows([(*row[6:], row_id) for row, row_id in kept if row_id is not None],
                [row for row, row_id in kept if row_id is None], deleted)


def _set_witnesses(row: list, cards: set[int]) -> None:
    listed = sorted(cards)
    row[10:14] = listed + [None] * (WITNESSES - len(listed))


def _write_rows(updated: list[tuple], inserted: list[list], deleted: list[int]) -> None:
    """Rows that exist are updated by id from a temporary table, new ones inserted, emptied ones deleted,
    each in one statement (COPY on PostgreSQL): a fold may touch hundreds of thousands of rows."""
    measures = _ROLLUP_COLUMNS[6:]
    if updated:
        sql.execute("DROP TABLE IF EXISTS stats_fold_rows", [])
        sql.execute(f"CREATE TEMPORARY TABLE stats_fold_rows ({', '.join(f'{name} bigint' for name in measures)}, "
                    "id bigint)", [])
        _copy_into("stats_fold_rows", (*measures, "id"), updated)
        sql.execute(f"UPDATE stats_rollup SET {', '.join(f'{name} = f.{name}' for name in measures)} "
                    "FROM stats_fold_rows f WHERE stats_rollup.id = f.id", [])
        sql.execute("DROP TABLE stats_fold_rows", [])
    _copy_into("stats_rollup", _ROLLUP_COLUMNS, inserted)
    for start in range(0, len(deleted), ROWS_PER_STATEMENT):
        chunk = deleted[start:start + ROWS_PER_STATEMENT]
        among, params = _in(chunk)
        sql.execute(f"DELETE FROM stats_rollup WHERE id{among}", params)


def _cards_in_row(key: tuple, batch_changes: set[int], memberships: Memberships) -> set[int]:
    """The cards a holder row counts once this batch is folded: read from the visits of its period at its
    area's venues with the cards' folded facts; visits whose recording or cancelling is still pending
    (outside this batch) count as they did before it. Only needed when a row falls from five or more
    cards to four or fewer, so this scan is rare."""
    _, area_id, dim, grain, period, wanted = key
    rows = _fetch(
        "SELECT v.id, v.card_id, v.used_on, v.cancelled_at, f.card_type, f.birth_year, f.children, f.gender, "
        "f.home_municipality FROM visits_visit v JOIN network_organisation o ON o.id = v.venue_id "
        "JOIN stats_cardfigures f ON f.card_id = v.card_id "
        "WHERE o.area_id = %s AND v.used_on >= %s AND v.used_on <= %s",
        [area_id, period, period_end(period, grain)])
    recorded_later, cancelled_later = set(), set()
    visit_ids = [row[0] for row in rows]
    for start in range(0, len(visit_ids), ROWS_PER_STATEMENT):
        chunk = visit_ids[start:start + ROWS_PER_STATEMENT]
        for pending_id, visit_id, sign in _fetch(
                "SELECT id, visit_id, sign FROM stats_pendingchange "
                f"WHERE visit_id{_in(chunk)[0]}", _in(chunk)[1]):
            if pending_id not in batch_changes:
                (recorded_later if sign > 0 else cancelled_later).add(visit_id)
    position = HOLDER_DIMS.index(dim)
    found = set()
    for visit_id, card_id, used_on, cancelled_at, card_type, birth_year, children, gender, home in rows:
        if visit_id in recorded_later:
            continue
        if cancelled_at is not None and visit_id not in cancelled_later:
            continue
        day = sql.as_date(used_on)
        facts = CardFacts(card_type, area_id, day, day, birth_year, children, gender, home, False)
        if facts.holder_keys(day, memberships)[position] == wanted:
            found.add(card_id)
    return found


def _apply_wellbeing(changes: dict) -> None:
    for (owner, key), (respondents, then, now) in changes.items():
        if not (respondents or then or now):
            continue
        row, _ = WellbeingRollup.objects.get_or_create(owner=owner, question_key=key)
        row.respondents += respondents
        row.sum_at_issue += then
        row.sum_now += now
        if row.respondents or row.sum_at_issue or row.sum_now:
            row.save()
        else:
            row.delete()


# ---- rebuilding from scratch (stats/rebuilding.py, which reads this module's definitions) ----------------

def rebuild() -> None:
    """Recompute every rollup from the cards, visits and answers (`manage.py rebuild_stats`), in a
    transaction of its own reading them as one snapshot."""
    from . import rebuilding

    rebuilding.rebuild()
