"""Cards imported in bulk are counted as they are written (stats/bulk_cards.py): when the import ends, the
rollups equal a rebuild from scratch, even when nothing folds afterwards (a live worker's fold, or none)."""

import io

from django.core.management import call_command

from kaikukanta.accounts.caller import Caller
from kaikukanta.cards import services as cards
from kaikukanta.cards.models import Card
from kaikukanta.stats import rollups
from kaikukanta.stats.models import CardFigures, FoldState, PendingChange, Rollup

from .test_rollups import rollup_state

HEADER = "number,card_type,issuer_id,issued_on,valid_until,birth_year,postal_code,children,gender,status"


def numbers_of(rich, distributor, count):
    return list(cards.create_card_batch(Caller.for_console(rich.world.network.users["admin"]),
                                        distributor_id=distributor.pk, count=count)[1])


def card_file(rich, tmp_path):
    """New cards of two areas: personal and community, active and closed, on days across months, some on the
    day of an existing card (its rows gain a count), some on days no card had (new rows)."""
    d1, d3 = rich.world.network.distributor, rich.d3
    turku, helsinki = numbers_of(rich, d3, 7), numbers_of(rich, d1, 3)
    lines = [
        f"{turku[0]},personal,{d3.pk},2024-06-01,2025-05-31,1975,22100,0,,active",       # f2's day
        f"{turku[1]},personal,{d3.pk},2024-01-31,2024-12-31,1950,20100,2,female,active",
        f"{turku[2]},personal,{d3.pk},2024-02-01,2024-12-31,1990,20100,1,male,closed",
        f"{turku[3]},personal,{d3.pk},2024-02-01,2024-03-31,2001,20100,0,other,active",
        f"{turku[4]},community,{d3.pk},2024-03-15,2025-03-14,,,,,active",
        f"{turku[5]},personal,{d3.pk},2024-12-31,2025-06-30,1960,20100,3,,closed",
        f"{turku[6]},personal,{d3.pk},2024-06-01,2025-05-31,1982,20100,0,female,active",
        f"{helsinki[0]},personal,{d1.pk},2024-04-01,2025-03-31,1990,01300,1,female,active",  # c3's day
        f"{helsinki[1]},community,{d1.pk},2024-07-07,2025-07-06,,,,,active",
        f"{helsinki[2]},personal,{d1.pk},2024-05-20,2024-05-31,1944,01300,0,,active",
    ]
    path = tmp_path / "cards.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path, len(lines)


def test_imported_cards_are_in_the_rollups_at_commit_as_a_rebuild_counts_them(rich, tmp_path, monkeypatch):
    rollups.fold()
    assert FoldState.objects.exists() and not PendingChange.objects.exists()
    cards_before, rows_before = Card.objects.count(), Rollup.objects.filter(family="c").count()
    generation = rollups.generation()
    # As in production with a live worker: nothing folds after the import, readers leave it to the worker.
    monkeypatch.setattr(rollups, "_fold_left_to_others", lambda: True)
    path, rows = card_file(rich, tmp_path)
    call_command("import_cards", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Card.objects.count() == cards_before + rows
    assert not PendingChange.objects.exists()
    assert CardFigures.objects.count() == Card.objects.count()
    assert Rollup.objects.filter(family="c").count() > rows_before
    assert rollups.generation() > generation
    imported = rollup_state()
    rollups.rebuild()
    assert rollup_state() == imported

