"""One reading: the tables of one dashboard asked of the selectors together.

A dashboard's tables ask the rollups for the same sums several times (the venue rows of the period feed the
breakdowns by area, sector and venue and both value tables; the yearly table is also the report form's first
year), and each selector first brings the rollups up to date. Inside `one_reading()` the rollups are folded
once, at the first figure, and each identical read (`remembered`) is made once; outside it every call reads
afresh, as before. Nothing is remembered beyond the block, so a figure is never older than the reading it
belongs to, and the tables of one reading agree with one another.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from .. import rollups

T = TypeVar("T")
_READING: ContextVar[dict | None] = ContextVar("stats_reading", default=None)
_FOLDED = ("fold",)


@contextmanager
def one_reading() -> Iterator[None]:
    """Fold once and read each identical figure once until the block ends (nested blocks share the outer one)."""
    if _READING.get() is not None:
        yield
        return
    token = _READING.set({})
    try:
        yield
    finally:
        _READING.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, made once per reading for each `key`; the callers never change what it returns."""
    memo = _READING.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def fold() -> None:
    """Bring the rollups up to date before a figure is read (`rollups.fold`), once per reading."""
    remembered(_FOLDED, rollups.fold)
