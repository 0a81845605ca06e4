"""A backlog of pending changes bigger than a rebuild's work (a large import, a worker stopped for long) is
taken in by a rebuild rather than change by change; a desk's usual backlog is folded."""

import pytest
from django.db import transaction

from kaikukanta.stats import rebuilding, rollups
from kaikukanta.stats.models import PendingChange

from .test_rollups import rollup_state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rebuilds(monkeypatch):
    calls = []
    rebuild = rebuilding.rebuild

    def counted():
        calls.append(1)
        rebuild()

    monkeypatch.setattr(rebuilding, "rebuild", counted)
    return calls


def folded_change_by_change() -> tuple:
    """The rollups the fold alone gives for the pending changes, left as they were."""
    with transaction.atomic():
        rollups.fold()
        state = rollup_state()
        transaction.set_rollback(True)
    return state


def test_a_backlog_bigger_than_a_rebuild_is_rebuilt_to_the_same_figures(rich, rebuilds, monkeypatch):
    assert PendingChange.objects.exists()
    expected = folded_change_by_change()
    monkeypatch.setattr(rollups, "REBUILD_BACKLOG", 1)
    monkeypatch.setattr(rollups, "REBUILD_VISITS_PER_CHANGE", 10**6)
    before = rollups.generation()
    rollups.fold()
    assert rebuilds == [1]
    assert not PendingChange.objects.exists()
    assert rollups.generation() > before
    assert rollup_state() == expected


def test_a_backlog_below_the_bound_is_folded(rich, rebuilds, monkeypatch):
    monkeypatch.setattr(rollups, "REBUILD_BACKLOG", 1)
    monkeypatch.setattr(rollups, "REBUILD_VISITS_PER_CHANGE", 0)
    expected = folded_change_by_change()
    rollups.fold()
    assert rebuilds == []
    assert not PendingChange.objects.exists()
    assert rollup_state() == expected


def test_the_default_bound_folds_a_small_world(rich, rebuilds):
    rollups.fold()
    assert rebuilds == []
