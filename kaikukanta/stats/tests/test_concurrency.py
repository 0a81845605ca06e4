"""Real concurrency on PostgreSQL: desks registering and cancelling while readers fold, all at once.

Each thread has its own database connection. However the folds interleave with the desks' commits, the
rollups end equal to a rebuild from the visits, and nothing is counted twice or left out.
"""

import datetime
import threading

import pytest
from django.db import connection

from kaikukanta.core.clock import today
from kaikukanta.reference.models import Municipality
from kaikukanta.reference.services import load_reference
from kaikukanta.stats import rollups
from kaikukanta.stats.models import PendingChange
from kaikukanta.testing import ApiClient, build_network, make_card
from kaikukanta.visits.models import Visit

from .test_rollups import rollup_state

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network(transactional_db):
    if not Municipality.objects.exists():
        load_reference()
    return build_network()


def test_folds_racing_the_desk_count_every_visit_once(network):
    rollups.fold()
    # Few cards, so that folds and desks keep meeting on the same cards and the same rollup rows.
    cards = [make_card(network.distributor, children=2, issued_on=today() - datetime.timedelta(days=10),
                       valid_until=today() + datetime.timedelta(days=100)) for _ in range(6)]
    for card in cards:
        rollups.cards_changed(card.pk)
    errors = []
    done = threading.Event()

    def desk(offset: int, venue: str) -> None:
        client = ApiClient(network.tokens[venue])
        try:
            for round_number in range(12):
                card = cards[(offset + round_number) % len(cards)]
                response = client.post("visits", {"card_number": card.number, "children": round_number % 3})
                assert response.status_code == 201, response.content
                if round_number % 4 == 3:
                    assert client.delete(f"visits/{response.json()['id']}").status_code == 204
        except Exception as error:  # noqa: BLE001 - reported by the assertion below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    def reader() -> None:
        try:
            while not done.is_set():
                rollups.fold()
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    desks = [threading.Thread(target=desk, args=(offset, venue))
             for offset, venue in enumerate(["venue", "other_venue", "venue", "other_venue"])]
    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers + desks:
        thread.start()
    for thread in desks:
        thread.join(timeout=120)
    done.set()
    for thread in readers:
        thread.join(timeout=120)
    assert errors == []
    rollups.fold()
    assert not PendingChange.objects.exists()
    folded = rollup_state()
    rollups.rebuild()
    assert rollup_state() == folded
    assert Visit.objects.filter(cancelled_at__isnull=True).count() == 36
