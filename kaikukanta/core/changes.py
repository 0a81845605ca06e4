"""What the card and visit services changed, told to whoever keeps a copy of it: the statistics.

The services sit below the statistics (core/tests/test_layers.py), so they do not call them. They tell
this module each change, inside their own transaction, and the statistics app says at start-up
(`StatsConfig.ready`) how each change is written down: one pending-change insert, which never waits for
another (stats/rollups.py says why the rollups are not updated in the write itself). The visit insert is
handed over whole, so that on PostgreSQL it and its pending change stay one statement on the desk's path.

Nothing is told into the void: a change made before a follower is registered is refused, never lost."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Follower:
    # (insert_sql, params, card_id, audit_entry) -> the new visit's id: runs `insert_sql` (an INSERT into
    # visits_visit ending in `RETURNING id`) and writes the change down in the same transaction, and the visit's
    # audit row (core.audit.NewRowEntry) with it.
    insert_visit: Callable[[str, list, int, object], int]
    visit_cancelled: Callable[[int, int], None]     # (card_id, visit_id)
    cards_changed: Callable[..., None]              # (*card_ids): issued, renewed, closed, replaced, coarsened
    catch_up: Callable[[], None]                    # take every change written down into the copy now


_follower: Follower | None = None


def follow(follower: Follower) -> None:
    global _follower
    _follower = follower


def follower() -> Follower:
    """The follower registered; a layer above may register a wrapped one (operations counts recorded visits)."""
    return _the_follower()


def _the_follower() -> Follower:
    if _follower is None:
        raise ImproperlyConfigured("no follower of the register's changes: is kaikukanta.stats installed?")
    return _follower


def insert_visit(insert_sql: str, params: list, card_id: int, audit_entry) -> int:
    return _the_follower().insert_visit(insert_sql, params, card_id, audit_entry)


def visit_cancelled(card_id: int, visit_id: int) -> None:
    _the_follower().visit_cancelled(card_id, visit_id)


def cards_changed(*card_ids: int) -> None:
    _the_follower().cards_changed(*card_ids)


def catch_up() -> None:
    _the_follower().catch_up()
