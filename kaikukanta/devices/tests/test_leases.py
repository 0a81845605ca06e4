"""Leases of a day's quota: held tickets count for everyone, a device can store what its lease promised, and
devices together never exceed a quota."""

import random

import pytest
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.errors import Refusal
from kaikukanta.devices.models import Lease
from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits import services as visit_services
from kaikukanta.visits.models import Visit

from .support import enrol_device, queued

pytestmark = pytest.mark.django_db


def _lease(client, offering, tickets):
    return client.post("/api/v1/offline/leases", {"offering_id": offering.pk, "tickets": tickets})


def test_held_tickets_are_taken_for_the_online_desk_too(network):
    offering = make_offering(network.venue, ticket_quota=3)
    _, device = enrol_device(network)
    assert _lease(device, offering, 2).json()["tickets"] == 2
    venue = Caller.for_console(network.users["venue"])

    visit_services.record_visit(venue, card_number=make_card(network.distributor).number, offering_id=offering.pk)
    with pytest.raises(Refusal) as refused:
        visit_services.record_visit(venue, card_number=make_card(network.distributor).number,
                                    offering_id=offering.pk)

    assert refused.value.code == "quota_exhausted"


def test_a_lease_grants_what_is_free_and_none_free_is_quota_exhausted(network):
    offering = make_offering(network.venue, ticket_quota=5)
    _, first = enrol_device(network, "A")
    _, second = enrol_device(network, "B")

    assert _lease(first, offering, 4).json()["tickets"] == 4
    assert _lease(second, offering, 4).json()["tickets"] == 1
    refused = _lease(second, offering, 9)
    assert refused.status_code == 201 and refused.json()["tickets"] == 1   # kept, never shrunk
    _, third = enrol_device(network, "C")
    assert _lease(third, offering, 1).json()["error"]["code"] == "quota_exhausted"


def test_an_expired_or_returned_lease_frees_its_tickets(network):
    offering = make_offering(network.venue, ticket_quota=2)
    _, first = enrol_device(network, "A")
    lease = _lease(first, offering, 2).json()
    _, second = enrol_device(network, "B")
    assert _lease(second, offering, 1).status_code == 409

    returned = first.post("/api/v1/offline/leases", {"offering_id": offering.pk, "tickets": 0})
    assert returned.status_code == 200 and returned.json()["id"] == lease["id"] and returned.json()["returned"]
    assert _lease(second, offering, 1).json()["tickets"] == 1
    Lease.objects.update(expires_at=timezone.now())
    _, third = enrol_device(network, "C")
    assert _lease(third, offering, 2).json()["tickets"] == 2


def test_visits_under_a_lease_are_stored_although_the_rest_of_the_quota_went_meanwhile(network):
    offering = make_offering(network.venue, ticket_quota=4)
    _, device = enrol_device(network)
    lease = _lease(device, offering, 2).json()
    venue = Caller.for_console(network.users["venue"])
    for _ in range(2):
        visit_services.record_visit(venue, card_number=make_card(network.distributor).number,
                                    offering_id=offering.pk)

    results = device.post("/api/v1/offline/visits", {"visits": [
        queued(make_card(network.distributor).number, offering_id=offering.pk, lease_id=lease["id"])
        for _ in range(3)]}).json()["results"]

    assert [r["outcome"] for r in results] == ["stored", "stored", "conflict"]
    assert results[2]["code"] == "quota_exhausted"
    assert Lease.objects.get().used == 2


@pytest.mark.parametrize("seed", range(5))
def test_many_devices_in_any_order_never_exceed_the_quota_nor_refuse_a_promise(network, seed):
    rng = random.Random(seed)
    quota = 20
    offering = make_offering(network.venue, ticket_quota=quota)
    devices = [enrol_device(network, f"D{n}")[1] for n in range(4)]
    promised = []   # (device, lease id) per visit a device promised offline
    for client in devices:
        answer = _lease(client, offering, rng.randint(1, 9))
        if answer.status_code == 201:
            lease = answer.json()
            promised += [(client, lease["id"])] * lease["tickets"]
    # Over-eager devices try one more than their lease, and the online desk sells what it can.
    extra = [(client, None) for client in devices]
    queue = promised + extra
    rng.shuffle(queue)
    venue = Caller.for_console(network.users["venue"])
    refused_promises = 0
    for client, lease_id in queue:
        if rng.random() < 0.3:
            try:
                visit_services.record_visit(venue, card_number=make_card(network.distributor).number,
                                            offering_id=offering.pk)
            except Refusal:
                pass
        result = client.post("/api/v1/offline/visits", {"visits": [
            queued(make_card(network.distributor).number, offering_id=offering.pk, lease_id=lease_id)]}
        ).json()["results"][0]
        if lease_id is not None and result["outcome"] != "stored":
            refused_promises += 1

    stored = sum(Visit.objects.filter(offering=offering).values_list("uses", flat=True))
    assert stored <= quota
    assert refused_promises == 0
