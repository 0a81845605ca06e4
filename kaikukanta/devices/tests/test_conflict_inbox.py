"""The conflict inbox through its API and services: who may record a refused visit as sent, who may correct
it, discarding with a reason, the history, and every refusal in the caller's language."""

import datetime

import pytest

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.models import AuditRecord
from kaikukanta.devices import conflicts, services
from kaikukanta.devices.models import Conflict
from kaikukanta.testing import make_card
from kaikukanta.visits.models import Visit

from .support import enrol_device, queued

pytestmark = pytest.mark.django_db


def _sync(client, visits):
    answer = client.post("/api/v1/offline/visits", {"visits": visits, "pending": 0})
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


def _revoked_queue(network, *cards, children=0):
    """Conflicts of a revoked device: its queue, sent after the revocation, of valid cards."""
    device, client = enrol_device(network)
    services.revoke_device(Caller.for_console(network.users["venue"]), device.pk)
    results = _sync(client, [queued(card.number, children=children) for card in cards])
    assert {result["code"] for result in results} == {"device_revoked"}
    return [result["conflict_id"] for result in results]


def _inbox(network, who, status="open", language=None):
    answer = network.client(who, language).get("/api/v1/devices/conflicts", venue_id=network.venue.pk,
                                               status=status)
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


def test_the_inbox_lists_what_the_device_sent_with_the_reason_in_the_caller_s_language(network):
    card = make_card(network.distributor, children=1)
    device, client = enrol_device(network)
    _sync(client, [queued(card.number, children=3)])

    for who in ("venue", "coordinator", "admin"):
        listed = _inbox(network, who, language="sv")
        assert [(c["card_number"], c["children"], c["code"], c["device_name"]) for c in listed] == [
            (card.number, 3, "too_many_children", device.name)], who
        assert listed[0]["message"] == Refusal(Code.TOO_MANY_CHILDREN).message("sv")
    assert _inbox(network, "venue", language="en")[0]["message"] == Refusal(Code.TOO_MANY_CHILDREN).message("en")


def test_only_the_venue_s_own_people_see_its_inbox(network):
    enrol_device(network)
    for who in ("other_venue", "other_coordinator", "distributor"):
        answer = network.client(who).get("/api/v1/devices/conflicts", venue_id=network.venue.pk)
        assert answer.status_code == 403, who
    assert network.client("admin").get("/api/v1/devices/conflicts", venue_id=999_999).status_code == 404
    assert network.client("venue").get("/api/v1/devices/conflicts", venue_id=network.venue.pk,
                                       status="closed").status_code == 400


def test_the_coordinator_records_a_revoked_device_s_visit_as_sent_once(network):
    card = make_card(network.distributor)
    [conflict_id] = _revoked_queue(network, card)

    answer = network.client("coordinator").post(f"/api/v1/devices/conflicts/{conflict_id}/record")
    again = network.client("coordinator").post(f"/api/v1/devices/conflicts/{conflict_id}/record")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "recorded" and body["visit_id"] is not None
    visit = Visit.objects.get()
    assert visit.pk == body["visit_id"] and visit.venue_id == network.venue.pk
    # Recorded in the name of the staff member whose device it was; the decision is the coordinator's.
    assert visit.recorded_by_id == network.users["venue"].pk
    audit = AuditRecord.objects.get(action="conflict.recorded")
    assert audit.actor_id == network.users["coordinator"].pk and audit.details["corrected"] == {}
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict_resolved"
    assert Visit.objects.count() == 1
    assert [c["id"] for c in _inbox(network, "venue", status="recorded")] == [conflict_id]
    assert _inbox(network, "venue") == []


def test_the_venue_s_staff_may_not_record_as_sent_and_are_told_why_in_their_language(network):
    card = make_card(network.distributor)
    [conflict_id] = _revoked_queue(network, card)

    answer = network.client("venue", "sv").post(f"/api/v1/devices/conflicts/{conflict_id}/record",
                                                {"children": 0})

    assert answer.status_code == 403
    assert answer.json()["error"] == {"code": "conflict_needs_coordinator",
                                      "message": Refusal(Code.CONFLICT_NEEDS_COORDINATOR).message("sv")}
    assert Conflict.objects.get().status == "open" and not Visit.objects.exists()


def test_the_venue_s_staff_correct_the_children_and_the_visit_is_recorded(network):
    card = make_card(network.distributor, children=1)
    _, client = enrol_device(network)
    [result] = _sync(client, [queued(card.number, children=2)])

    answer = network.client("venue").post(f"/api/v1/devices/conflicts/{result['conflict_id']}/record",
                                          {"children": 1})

    assert answer.status_code == 200, answer.content
    assert Visit.objects.get().children == 1
    audit = AuditRecord.objects.get(action="conflict.recorded")
    assert audit.actor_id == network.users["venue"].pk and audit.details["corrected"] == {"children": 1}


def test_a_correction_the_rules_still_refuse_leaves_the_conflict_open(network):
    card = make_card(network.distributor, children=1)
    _, client = enrol_device(network)
    [result] = _sync(client, [queued(card.number, children=3)])

    answer = network.client("venue", "en").post(f"/api/v1/devices/conflicts/{result['conflict_id']}/record",
                                                {"children": 2})

    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == Refusal(Code.TOO_MANY_CHILDREN).message("en")
    assert Conflict.objects.get().status == "open" and not Visit.objects.exists()


def test_recording_anyway_never_lets_a_card_closed_before_the_visit_in(network):
    yesterday = today() - datetime.timedelta(days=1)
    card = make_card(network.distributor, issued_on=today() - datetime.timedelta(days=10),
                     closed_on=yesterday - datetime.timedelta(days=1))
    _, client = enrol_device(network)
    [result] = _sync(client, [queued(card.number, used_on=yesterday)])

    answer = network.client("coordinator").post(f"/api/v1/devices/conflicts/{result['conflict_id']}/record")

    assert answer.status_code == 422 and answer.json()["error"]["code"] == "card_closed"
    assert Conflict.objects.get().status == "open" and not Visit.objects.exists()


def test_the_other_area_s_coordinator_cannot_record_or_discard(network):
    [conflict_id] = _revoked_queue(network, make_card(network.distributor))

    for path, body in (("record", None), ("discard", {"reason": "ei meidän"})):
        answer = network.client("other_coordinator").post(f"/api/v1/devices/conflicts/{conflict_id}/{path}", body)
        assert answer.status_code == 403, path
    assert network.client("admin").post("/api/v1/devices/conflicts/999999/record").status_code == 404


def test_a_conflict_is_discarded_with_a_reason_and_stays_in_the_history(network):
    _, client = enrol_device(network)
    [result] = _sync(client, [queued("1234567890")])
    path = f"/api/v1/devices/conflicts/{result['conflict_id']}/discard"

    empty = network.client("venue", "sv").post(path, {"reason": "   "})
    done = network.client("venue").post(path, {"reason": "Näppäilyvirhe, kävijä kirjattu uudelleen"})
    again = network.client("coordinator").post(path, {"reason": "toinen kerta"})

    assert empty.status_code == 400 and empty.json()["error"]["field"] == "reason"
    assert empty.json()["error"]["message"] == Refusal(Code.INVALID).message("sv")
    assert done.status_code == 200 and done.json()["status"] == "discarded"
    assert again.status_code == 409
    [listed] = _inbox(network, "coordinator", status="discarded")
    assert listed["reason"] == "Näppäilyvirhe, kävijä kirjattu uudelleen" and listed["resolved_at"]
    assert AuditRecord.objects.filter(action="conflict.discarded", actor=network.users["venue"]).count() == 1
    assert not Visit.objects.exists()


def test_the_service_asks_the_policy_for_each_way_out(network):
    card = make_card(network.distributor)
    first, second = _revoked_queue(network, card, card)
    venue, coordinator = (Caller.for_console(network.users[who]) for who in ("venue", "coordinator"))

    with pytest.raises(Refusal) as refused:
        conflicts.record(venue, first)
    assert refused.value.code == Code.CONFLICT_NEEDS_COORDINATOR
    # A "correction" to the figures the device sent is no correction.
    with pytest.raises(Refusal):
        conflicts.record(venue, first, children=0, clients=0, assistants=0)
    with pytest.raises(Refusal) as refused:
        conflicts.record(Caller.for_console(network.users["distributor"]), first)
    assert refused.value.code == Code.FORBIDDEN

    conflicts.record(coordinator, first)
    conflicts.discard(venue, second, reason="sama käynti kahdesti")
    assert dict(Conflict.objects.values_list("pk", "status")) == {first: "recorded", second: "discarded"}
