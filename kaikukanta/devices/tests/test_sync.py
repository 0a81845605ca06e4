"""Sync of visits queued offline: judged with their own date, stored once, refusals kept as conflicts."""

import datetime

import pytest

from kaikukanta.accounts.caller import Caller
from kaikukanta.cards import services as card_services
from kaikukanta.core.clock import today
from kaikukanta.devices import conflicts, services
from kaikukanta.devices.models import Conflict, Device
from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits.models import Visit

from .support import enrol_device, queued

pytestmark = pytest.mark.django_db


def _sync(client, visits, pending=0, language=None):
    answer = client.post("/api/v1/offline/visits", {"visits": visits, "pending": pending})
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


def test_each_queued_visit_gets_its_outcome_and_a_resend_stores_nothing_twice(network):
    card = make_card(network.distributor, children=2)
    device, client = enrol_device(network)
    batch = [queued(card.number, children=2), queued(card.number), queued(card.number, children=3),
             queued("1234567890")]

    first = _sync(client, batch, pending=0)
    second = _sync(client, batch)

    assert [r["outcome"] for r in first] == ["stored", "stored", "conflict", "conflict"]
    assert [r["code"] for r in first] == [None, None, "too_many_children", "number_invalid"]
    assert second == first
    assert Visit.objects.count() == 2 and Conflict.objects.count() == 2
    assert Visit.objects.get(pk=first[0]["visit_id"]).children == 2


def test_a_card_closed_after_the_visit_counts_and_one_closed_before_is_a_conflict(network):
    yesterday = today() - datetime.timedelta(days=1)
    closed_after = make_card(network.distributor, issued_on=today() - datetime.timedelta(days=10))
    closed_before = make_card(network.distributor, issued_on=today() - datetime.timedelta(days=10),
                              closed_on=yesterday - datetime.timedelta(days=1))
    _, client = enrol_device(network)
    # Closed at the register today, after the visit the device made yesterday.
    card_services.close_card(Caller.for_console(network.users["distributor"]), closed_after.number, reason="lost")

    results = _sync(client, [queued(closed_after.number, used_on=yesterday),
                             queued(closed_before.number, used_on=yesterday)])

    assert [r["outcome"] for r in results] == ["stored", "conflict"]
    assert results[1]["code"] == "card_closed"


def test_the_reason_reads_in_the_device_s_language(network):
    _, client = enrol_device(network, language="sv")

    results = _sync(client, [queued(make_card(network.distributor, closed_on=today()).number)])

    assert results[0]["message"] == "Kortet är stängt."


def test_a_revoked_device_s_queue_becomes_conflicts_but_what_it_stored_stays_stored(network):
    card = make_card(network.distributor)
    device, client = enrol_device(network)
    stored = queued(card.number)
    _sync(client, [stored])
    services.revoke_device(Caller.for_console(network.users["venue"]), device.pk)

    results = _sync(client, [stored, queued(card.number), queued(card.number)])

    assert [r["outcome"] for r in results] == ["stored", "conflict", "conflict"]
    assert {r["code"] for r in results[1:]} == {"device_revoked"}
    assert Visit.objects.count() == 1


def test_sync_reports_pending_and_last_synced(network):
    device, client = enrol_device(network)

    _sync(client, [], pending=7)

    device = Device.objects.get(pk=device.pk)
    assert device.pending == 7 and device.last_synced_at is not None
    listed = network.client("coordinator").get("/api/v1/devices", venue_id=network.venue.pk).json()
    assert listed["results"][0]["pending"] == 7


def test_a_conflict_is_recorded_after_all_with_corrected_children_or_discarded_with_a_reason(network):
    card = make_card(network.distributor, children=1)
    _, client = enrol_device(network)
    first, second = _sync(client, [queued(card.number, children=2), queued(card.number, children=5)])
    venue = Caller.for_console(network.users["venue"])

    conflicts.record(venue, first["conflict_id"], children=1)
    conflicts.discard(Caller.for_console(network.users["coordinator"]), second["conflict_id"], reason="typo")

    statuses = dict(Conflict.objects.values_list("pk", "status"))
    assert statuses == {first["conflict_id"]: "recorded", second["conflict_id"]: "discarded"}
    assert list(Visit.objects.values_list("children", flat=True)) == [1]
    # Sent again, the recorded one is the stored visit, never a second one.
    _sync(client, [queued(card.number, key=Conflict.objects.get(pk=first["conflict_id"]).idempotency_key)])
    assert Visit.objects.count() == 1


def test_the_other_area_s_coordinator_cannot_discard(network):
    _, client = enrol_device(network)
    conflict_id = _sync(client, [queued("1234567890")])[0]["conflict_id"]
    from kaikukanta.core.errors import Refusal

    with pytest.raises(Refusal):
        conflicts.discard(Caller.for_console(network.users["other_coordinator"]), conflict_id, reason="x")


def test_a_batch_over_the_limit_is_refused_whole(network):
    _, client = enrol_device(network)
    card = make_card(network.distributor)

    answer = client.post("/api/v1/offline/visits", {"visits": [queued(card.number) for _ in range(101)]})

    assert answer.status_code == 400 and not Visit.objects.exists()


def test_an_offering_of_another_venue_is_a_conflict(network):
    card = make_card(network.distributor)
    other = make_offering(network.other_venue)
    _, client = enrol_device(network)

    result = _sync(client, [queued(card.number, offering_id=other.pk)])[0]

    assert result["code"] == "offering_not_at_venue"


def test_synced_visits_carry_the_value_of_their_tickets_as_at_the_desk(network):
    card = make_card(network.distributor, children=2)
    concert = make_offering(network.venue, "Konsertti", adult_price_cents=2000, child_price_cents=500)
    unpriced = make_offering(network.venue, "Ilmainen")
    _, client = enrol_device(network)
    results = _sync(client, [queued(card.number, offering_id=concert.pk, children=2, assistants=1),
                             queued(card.number, offering_id=unpriced.pk),
                             queued(card.number, offering_id=concert.pk, children=3)])
    assert [r["outcome"] for r in results] == ["stored", "stored", "conflict"]
    stored = [Visit.objects.get(pk=r["visit_id"]).ticket_value_cents for r in results[:2]]
    assert stored == [3000, None]
    # A conflict recorded after all is valued like any other visit, for the party finally recorded.
    conflict = conflicts.record(Caller.for_console(network.users["venue"]), results[2]["conflict_id"], children=1)
    assert conflict.visit.ticket_value_cents == 2500
