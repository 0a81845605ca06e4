"""Two desks acting on the same number at the same moment: one wins, the other gets the contract's
refusal, never a server error or a duplicate."""

import threading

import pytest
from django.apps import apps
from django.db import connection

from kaikukanta.cards.models import Card

from .helpers import personal_card

# Reference data (municipalities, postal codes) is loaded by a migration and would not come back after
# the flush that ends a transactional test, so it is left out of the flush.
# (App names, not INSTALLED_APPS entries: an entry may name an AppConfig class.)
APPS_FLUSHED_AFTERWARDS = [config.name for config in apps.get_app_configs() if config.name != "kaikukanta.reference"]


def race(requests):
    """Runs each zero-argument request in its own thread, released together; returns the status codes."""
    barrier = threading.Barrier(len(requests))
    statuses = []

    def run(request):
        try:
            barrier.wait()
            statuses.append(request().status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, available_apps=APPS_FLUSHED_AFTERWARDS)
def test_the_same_number_issued_twice_at_once_is_taken_once(network, stock):
    clients = [network.client("distributor") for _ in range(2)]

    statuses = race([lambda client=client: client.post("cards", personal_card(stock[0]))
                     for client in clients])

    assert statuses == [201, 409]
    assert Card.objects.filter(number=stock[0]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, available_apps=APPS_FLUSHED_AFTERWARDS)
def test_a_card_replaced_twice_at_once_is_replaced_once(network, stock, issued):
    clients = [network.client("distributor") for _ in range(2)]

    statuses = race([lambda client=client, new=new: client.post(f"cards/{stock[0]}/replace",
                                                                {"new_number": new})
                     for client, new in zip(clients, stock[1:3], strict=True)])

    assert statuses == [201, 422]
    assert Card.objects.filter(replaces__number=stock[0]).count() == 1
