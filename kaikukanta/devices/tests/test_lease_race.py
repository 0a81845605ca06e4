"""Real concurrent requests on PostgreSQL: devices taking leases, syncing lease visits and the online desk
selling the same quota at once never store more than the quota, and every visit a lease promised is stored."""

import pytest
from django.db.models import Sum

from kaikukanta.reference.models import Municipality
from kaikukanta.reference.services import load_reference
from kaikukanta.testing import ApiClient, build_network, make_card, make_offering
from kaikukanta.visits.models import Visit
from kaikukanta.visits.tests.test_concurrency import all_at_once

from .support import enrol_device, queued

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

QUOTA = 20


@pytest.fixture
def network(transactional_db):
    if not Municipality.objects.exists():
        load_reference()
    return build_network()


def test_racing_devices_and_the_online_desk_never_exceed_the_quota(network, settings):
    # Every sync judged at once, racing the others and the desk for the offering's row (the admission control
    # that would let only a few in at a time is tested in test_admission.py).
    settings.KAIKUKANTA_SYNC_CONCURRENCY = 100
    offering = make_offering(network.venue, ticket_quota=QUOTA)
    devices = [enrol_device(network, f"D{n}")[1] for n in range(5)]
    leases = all_at_once([lambda client=client: client.post(
        "/api/v1/offline/leases", {"offering_id": offering.pk, "tickets": 6}) for client in devices])
    granted = [(client, body) for client, (status, body) in zip(devices, leases, strict=True) if status == 201]
    assert sum(body["tickets"] for _, body in granted) <= QUOTA
    venue = ApiClient(network.tokens["venue"])
    requests = []
    for client, lease in granted:
        # Each device sends its promised visits and one more than its lease.
        for _ in range(lease["tickets"] + 1):
            number = make_card(network.distributor).number
            requests.append(lambda client=client, lease=lease, number=number: client.post(
                "/api/v1/offline/visits", {"visits": [queued(number, offering_id=offering.pk,
                                                              lease_id=lease["id"])]}))
    for _ in range(10):
        number = make_card(network.distributor).number
        requests.append(lambda number=number: venue.post("/api/v1/visits", {"card_number": number,
                                                                           "offering_id": offering.pk}))

    outcomes = all_at_once(requests)

    assert all(isinstance(outcome, tuple) and outcome[0] < 500 for outcome in outcomes), outcomes
    stored = Visit.objects.filter(offering=offering).aggregate(uses=Sum("uses"))["uses"]
    assert stored <= QUOTA
    promised = sum(lease["tickets"] for _, lease in granted)
    lease_stored = sum(1 for status, body in outcomes if status == 200 and "results" in body
                       and body["results"][0]["outcome"] == "stored")
    assert lease_stored >= promised
