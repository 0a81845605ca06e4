"""The desk devices' pages as their users see them: a venue's devices and enrolment code, revoking with a
confirmation, the coordinator's overview, the conflict inbox and each way to resolve a conflict."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.models import AuditRecord
from kaikukanta.devices import services
from kaikukanta.devices.models import Conflict, Device
from kaikukanta.testing import make_card, sign_in
from kaikukanta.visits.models import Visit

from .support import enrol_device, queued

pytestmark = pytest.mark.django_db


def _client(network, who, language="fi"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, network.users[who])
    return client


def _sync(client, visits, pending=0):
    answer = client.post("/api/v1/offline/visits", {"visits": visits, "pending": pending})
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_venue_staff_get_their_venue_s_devices_with_pending_and_conflicts(network):
    device, api = enrol_device(network, name="Ovi 2")
    _sync(api, [queued("1234567890")], pending=4)
    client = _client(network, "venue", "en")

    response = client.get(reverse("devices:index"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("devices:venue", kwargs={"venue_id": network.venue.pk})
    row = re.search(r"<tr>\s*<th scope=\"row\">Ovi 2</th>.*?</tr>", response.content.decode(), re.S).group(0)
    cells = re.findall(r'<td class="number">(\d+)</td>', row)
    assert cells == ["4", "1"]  # waiting to be sent, open conflicts
    assert "Conflict inbox: 1 open conflict" in _text(response)


def test_an_enrolment_code_is_shown_as_text_and_qr_with_its_expiry_and_enrols_one_device(network):
    client = _client(network, "venue", "en")

    response = client.post(reverse("devices:enrolment_code", kwargs={"venue_id": network.venue.pk}))

    assert response.status_code == 200
    code = re.search(r"<code>([A-Z0-9-]{14})</code>", response.content.decode()).group(1)
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" width="240" height="240" alt="QR code of the '
                     r'enrolment code ' + code, response.content.decode())
    assert "Valid until" in _text(response)
    device, _ = services.enrol(Caller.for_console(network.users["venue"]), code=code, name="Uusi")
    assert device.venue_id == network.venue.pk
    with pytest.raises(Refusal):
        services.enrol(Caller.for_console(network.users["venue"]), code=code, name="Toinen")


def test_the_coordinator_may_not_issue_an_enrolment_code_and_is_told_so(network):
    response = _client(network, "coordinator", "sv").post(
        reverse("devices:enrolment_code", kwargs={"venue_id": network.venue.pk}))

    assert response.status_code == 403
    assert Refusal(Code.FORBIDDEN).message("sv") in response.content.decode()


def test_revoking_asks_first_then_revokes_audited(network):
    device, api = enrol_device(network)
    client = _client(network, "venue", "en")
    path = reverse("devices:revoke", kwargs={"device_id": device.pk})

    asked = client.get(path)
    assert f"Revoke the device {device.name}?" in _text(asked)
    assert Device.objects.get(pk=device.pk).revoked_at is None

    done = client.post(path, follow=True)
    assert Device.objects.get(pk=device.pk).revoked_at is not None
    assert f"The device {device.name} has been revoked." in _text(done)
    assert AuditRecord.objects.filter(action="device.revoked", object_id=str(device.pk)).count() == 1
    # It can record nothing more: its queue goes to the inbox.
    card = make_card(network.distributor)
    assert _sync(api, [queued(card.number)])[0]["code"] == "device_revoked"


def test_another_venue_s_staff_cannot_revoke_and_are_told_so_in_their_language(network):
    device, _ = enrol_device(network)

    response = _client(network, "other_venue", "sv").post(reverse("devices:revoke", kwargs={"device_id": device.pk}))

    assert response.status_code == 403
    assert Refusal(Code.FORBIDDEN).message("sv") in response.content.decode()
    assert Device.objects.get(pk=device.pk).revoked_at is None


def test_the_coordinator_s_overview_shows_its_area_s_venues_only(network):
    _, api = enrol_device(network)
    _sync(api, [queued("1234567890")], pending=6)
    enrol_device(network, user=network.users["other_venue"])

    mine = _text(_client(network, "coordinator").get(reverse("devices:index")))
    theirs = _text(_client(network, "other_coordinator").get(reverse("devices:index")))

    assert re.search(rf"{network.venue.name} {network.area.name} 1 6 1", mine)
    assert network.other_venue.name not in mine
    assert network.other_venue.name in theirs and network.venue.name not in theirs


def test_the_inbox_lists_the_conflict_with_the_number_typed_and_the_reason_in_each_language(network):
    card = make_card(network.distributor, children=1)
    _, api = enrol_device(network)
    _sync(api, [queued(card.number, children=4)])
    path = reverse("devices:inbox", kwargs={"venue_id": network.venue.pk})

    for language in ("fi", "sv", "en"):
        for who in ("venue", "coordinator"):
            text = _text(_client(network, who, language).get(path))
            assert card.number in text and Refusal(Code.TOO_MANY_CHILDREN).message(language) in text, (who, language)
    assert _client(network, "other_coordinator").get(path).status_code == 403


def _conflict_page(network, who, language="en"):
    conflict = Conflict.objects.get()
    return _client(network, who, language), reverse("devices:conflict", kwargs={"conflict_id": conflict.pk})


def _revoked_conflict(network):
    device, api = enrol_device(network)
    services.revoke_device(Caller.for_console(network.users["venue"]), device.pk)
    _sync(api, [queued(make_card(network.distributor).number)])


def test_the_coordinator_records_anyway_from_the_page(network):
    _revoked_conflict(network)
    client, path = _conflict_page(network, "coordinator")
    assert "Record anyway" in _text(client.get(path))

    done = client.post(path, {"action": "record"}, follow=True)

    assert "The visit has been recorded." in _text(done)
    assert Conflict.objects.get().status == "recorded" and Visit.objects.count() == 1
    history = _text(client.get(reverse("devices:inbox", kwargs={"venue_id": network.venue.pk}) + "?show=history"))
    assert "Recorded after all" in history and "coordinator" in history


def test_venue_staff_get_no_record_anyway_and_a_refusal_in_their_language_if_they_try(network):
    _revoked_conflict(network)
    client, path = _conflict_page(network, "venue", "sv")
    assert 'value="record"' not in client.get(path).content.decode()

    refused = client.post(path, {"action": "record"})

    assert Refusal(Code.CONFLICT_NEEDS_COORDINATOR).message("sv") in refused.content.decode()
    assert Conflict.objects.get().status == "open" and not Visit.objects.exists()


def test_venue_staff_correct_the_children_then_record(network):
    card = make_card(network.distributor, children=1)
    _, api = enrol_device(network)
    _sync(api, [queued(card.number, children=3)])
    client, path = _conflict_page(network, "venue")

    still_too_many = client.post(path, {"action": "correct", "correct-children": "2", "correct-clients": "0",
                                        "correct-assistants": "0"})
    assert Refusal(Code.TOO_MANY_CHILDREN).message("en") in still_too_many.content.decode()
    assert Conflict.objects.get().status == "open"

    done = client.post(path, {"action": "correct", "correct-children": "1", "correct-clients": "0",
                              "correct-assistants": "0"}, follow=True)
    assert "The visit has been recorded with the corrected party." in _text(done)
    assert Visit.objects.get().children == 1 and Conflict.objects.get().status == "recorded"


def test_a_conflict_is_discarded_from_the_page_with_a_reason(network):
    _, api = enrol_device(network)
    _sync(api, [queued("1234567890")])
    client, path = _conflict_page(network, "coordinator", "fi")

    empty = client.post(path, {"action": "discard", "discard-reason": ""})
    assert "Tämä kenttä vaaditaan" in empty.content.decode() and Conflict.objects.get().status == "open"

    client.post(path, {"action": "discard", "discard-reason": "Väärä numero, kävijä kirjattu käsin"})
    conflict = Conflict.objects.get()
    assert conflict.status == "discarded" and conflict.resolution_reason.startswith("Väärä numero")
    assert AuditRecord.objects.filter(action="conflict.discarded").count() == 1
    # Resolved, it offers no way out any more.
    assert 'name="action"' not in client.get(path).content.decode()
