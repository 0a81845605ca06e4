"""Real concurrent requests on PostgreSQL: the quota and idempotency keys hold when desks race.

Each thread is one desk request with its own database connection, released at the thread's end.
"""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum

from kaikukanta.reference.models import Municipality
from kaikukanta.reference.services import load_reference
from kaikukanta.testing import ApiClient, build_network, make_card, make_offering
from kaikukanta.visits.models import Visit

from .support import post_visit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network(transactional_db):
    # A transactional test before this one may have flushed the reference data its migration loaded.
    if not Municipality.objects.exists():
        load_reference()
    return build_network()


def all_at_once(requests) -> list[tuple[int, dict]]:
    """Runs the callables in threads released together; returns each one's (status, body)."""
    start = threading.Barrier(len(requests))
    outcomes: list = [None] * len(requests)

    def desk(position, request):
        try:
            start.wait()
            response = request()
            outcomes[position] = (response.status_code, response.json())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below, not lost in the thread
            outcomes[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(position, request))
               for position, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    return outcomes


def posting(token: str, body: dict, key: str | None = None):
    return lambda: post_visit(ApiClient(token), body, key=key)


def statuses(outcomes) -> Counter:
    return Counter(status for status, _ in outcomes)




def test_a_quota_of_10_admits_exactly_10_of_20_simultaneous_visits(network):
    offering = make_offering(network.venue, ticket_quota=10)
    token = network.tokens["venue"]
    cards = [make_card(network.distributor) for _ in range(20)]
    outcomes = all_at_once([posting(token, {"card_number": card.number, "offering_id": offering.pk})
                            for card in cards])
    assert statuses(outcomes) == {201: 10, 409: 10}
    assert {body["error"]["code"] for status, body in outcomes if status == 409} == {"quota_exhausted"}
    stored = Visit.objects.filter(offering=offering)
    assert stored.count() == 10
    assert stored.aggregate(total=Sum("uses"))["total"] == 10


def test_parties_of_different_sizes_never_overfill_the_quota(network):
    offering = make_offering(network.venue, ticket_quota=10)
    token = network.tokens["venue"]
    parties = [make_card(network.distributor, card_type="community") for _ in range(12)]
    outcomes = all_at_once([posting(token, {"card_number": card.number, "offering_id": offering.pk,
                                            "clients": position % 3})
                            for position, card in enumerate(parties)])
    admitted = sum(body["uses"] for status, body in outcomes if status == 201)
    assert admitted == Visit.objects.filter(offering=offering).aggregate(total=Sum("uses"))["total"]
    # Parties of 1, 2 and 3 uses, four of each: whatever the order, at most one ticket is left over.
    assert 9 <= admitted <= 10
    assert set(statuses(outcomes)) <= {201, 409}


def test_the_same_key_from_many_threads_makes_exactly_one_visit(network):
    card = make_card(network.distributor, children=1)
    token = network.tokens["venue"]
    outcomes = all_at_once([posting(token, {"card_number": card.number, "children": 1}, key="tap-twice")
                            for _ in range(10)])
    assert statuses(outcomes) == {201: 1, 200: 9}
    assert len({str(body) for _, body in outcomes}) == 1
    assert Visit.objects.count() == 1


def test_the_same_key_racing_for_the_last_ticket_is_answered_as_the_first_request(network):
    offering = make_offering(network.venue, ticket_quota=1)
    card = make_card(network.distributor)
    token = network.tokens["venue"]
    outcomes = all_at_once([posting(token, {"card_number": card.number, "offering_id": offering.pk},
                                    key="last-ticket") for _ in range(8)])
    assert statuses(outcomes) == {201: 1, 200: 7}
    assert Visit.objects.count() == 1
