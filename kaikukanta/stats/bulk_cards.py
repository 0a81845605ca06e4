"""The statistics of cards written in bulk as new (the card importer), set-based instead of card by card.

A card just written has no visits, no renewal and no wellbeing answers, so all the rollups hold about it is
additive: its `CardFigures` row (no first use, no uses) and one count in each of its family `c` rows (issued,
by card type; for a personal card also ended, and the use bucket of no uses), at the day, month and year of
its area and of the network. The writer hands each new card to `NewCards.figures`, writes the row it returns
beside the card, and calls `NewCards.apply()` once in the same transaction: the counts go into the rollups in
one INSERT .. SELECT .. GROUP BY with an upsert, instead of a pending change per card folded afterwards
(`rollups.fold`), which read every card back and compared it with what the rollups held.

The counts are kept per area, day and key, so they grow with the calendar, not with the rows. The rows must
equal what a fold (and `rollups.rebuild()`) gives for the same cards: stats/tests/test_bulk_cards.py.
"""

import datetime
from collections import Counter

from kaikukanta.cards.facts import ends_on
from kaikukanta.core import sql

from .contributions import CardFacts, card_rows
from .rollups import _ROLLUP_COLUMNS, _copy_into, _lock

# The order of the row `NewCards.figures` returns (CardFigures' fields).
FIGURES_FIELDS = ("card_id", "card_type", "area_id", "issued_on", "ends_on", "birth_year", "children", "gender",
                  "home_municipality", "renewed", "first_used_on", "uses", "wellbeing")
_STAGE = "stats_new_card_rows"
_STAGE_COLUMNS = ("owner", "dim", "grain", "period", "key", "cards")


class NewCards:
    """The statistics of the new cards of one transaction."""

    def __init__(self):
        # (area, card type, issue day, first day no longer valid) → cards: all their card rows depend on
        self.cards: Counter = Counter()

    def figures(self, card_id: int, *, card_type: str, area_id: int, issued_on: datetime.date,
                valid_until: datetime.date, closed_on: datetime.date | None, birth_year: int | None,
                children: int, gender: str, home_municipality: str | None) -> tuple:
        """Count a new card; its CardFigures row (FIGURES_FIELDS), for the caller to write with the card."""
        end = ends_on(issued_on, valid_until, closed_on)
        self.cards[(area_id, card_type, issued_on, end)] += 1
        return (card_id, card_type, area_id, issued_on, end, birth_year, children, gender or "",
                home_municipality or "", False, None, 0, "")

    def rows(self) -> Counter:
        """Family `c` rows (owner, dim, grain, period, key) → cards to add: `rollups.card_rows` of a card not
        yet renewed nor used, once for each kind of new card and times its count."""
        rows: Counter = Counter()
        for (area, card_type, issued_on, end), count in self.cards.items():
            facts = CardFacts(card_type=card_type, area_id=area, issued_on=issued_on, ends_on=end, birth_year=None,
                              children=0, gender="", home_municipality="", renewed=False)
            for _family, *row in card_rows(facts, None, 0):
                rows[tuple(row)] += count
        return rows

    def apply(self) -> None:
        """Add the counts to the rollups, in the caller's transaction. Under the fold's lock: a fold writes the
        rows it computed from what it read, so it must not read them before this and write after."""
        if not self.cards:
            return
        _lock()
        sql.execute(f"DROP TABLE IF EXISTS {_STAGE}", [])
        sql.execute(f"CREATE TEMPORARY TABLE {_STAGE} (owner bigint, dim varchar(20), grain varchar(1), "
                    "period date, key varchar(40), cards bigint)", [])
        _copy_into(_STAGE, _STAGE_COLUMNS, [(*key, count) for key, count in self.rows().items()])
        # WHERE: SQLite needs it to read ON CONFLICT as the upsert's, not a join's.
        sql.execute(
            f"INSERT INTO stats_rollup ({', '.join(_ROLLUP_COLUMNS)}) "
            "SELECT 'c', owner, dim, grain, period, key, 0, 0, 0, SUM(cards), NULL, NULL, NULL, NULL, 0, 0 "
            f"FROM {_STAGE} WHERE cards > 0 GROUP BY owner, dim, grain, period, key "
            "ON CONFLICT (family, dim, grain, owner, period, key) DO UPDATE SET cards = stats_rollup.cards + "
            "excluded.cards", [])
        sql.execute(f"DROP TABLE {_STAGE}", [])
        # What a fold that changed the rollups does: cached dashboards of the older generation are not current.
        sql.execute("UPDATE stats_foldstate SET generation = generation + 1", [])
        self.cards.clear()
