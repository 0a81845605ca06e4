import io

import pytest
from django.db import connection

from kaikukanta.demo.services import generate_demo
from kaikukanta.imports.bulk import Progress


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_shows_rows_rate_and_time_left_at_most_once_a_second():
    clock, stream = FakeClock(), io.StringIO()
    progress = Progress("cards", stream, clock=clock)
    clock.now += 0.5
    progress.update(5000, 0.05)
    assert stream.getvalue() == ""
    clock.now += 1.5
    progress.update(20000, 0.25)
    progress.update(20000, 0.25)
    assert stream.getvalue() == "cards: 20,000 rows, 10,000 rows/s, 25%, ETA 0:00:06\n"


def indexes_of(tables):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2",
                       [tables])
        return cursor.fetchall()


@pytest.mark.postgres
def test_bulk_demo_load_on_postgresql_leaves_every_index_and_sequence_as_it_was(db, settings):
    from kaikukanta.cards.models import Card
    from kaikukanta.visits.models import Visit

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tables = ["cards_card", "cards_cardevent", "cards_cardbatch", "cards_stocknumber", "visits_visit"]
    before = indexes_of(tables)
    generate_demo(cards=50, visits=100, seed=2, areas=1)
    assert indexes_of(tables) == before
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    card = Card.objects.create(number="1234567890", card_type="community", issuer=Card.objects.first().issuer,
                               issued_on="2024-01-01", valid_until="2024-06-01")
    assert card.pk == Card.objects.order_by("-pk").values_list("pk", flat=True).first() > 50
    assert Visit.objects.count() == 100
