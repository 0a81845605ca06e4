"""Enrolment, revocation and the device's downloads, through the HTTP API."""

import pytest

from kaikukanta.accounts.caller import Caller
from kaikukanta.cards import signing
from kaikukanta.core.clock import today
from kaikukanta.devices import services
from kaikukanta.devices.models import Device
from kaikukanta.testing import make_card

from .support import enrol_device

pytestmark = pytest.mark.django_db


def test_venue_staff_enrol_a_device_with_a_one_use_code(network):
    venue = network.client("venue")
    issued = venue.post("/api/v1/devices/enrolment-codes", {"venue_id": network.venue.pk})
    assert issued.status_code == 201
    code = issued.json()["code"]

    other_venue = network.client("other_venue").post("/api/v1/devices/enrol", {"code": code, "name": "Ovi 0"})
    enrolled = venue.post("/api/v1/devices/enrol", {"code": code.lower(), "name": "Ovi 1"})
    again = venue.post("/api/v1/devices/enrol", {"code": code, "name": "Ovi 2"})

    assert other_venue.status_code == 403
    assert enrolled.status_code == 201
    assert enrolled.json()["credential"].startswith("kkd_")
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "enrolment_code_invalid"
    listed = venue.get("/api/v1/devices", venue_id=network.venue.pk).json()["results"]
    assert [(d["name"], d["revoked"]) for d in listed] == [("Ovi 1", False)]
    # Only the digest is stored.
    assert not Device.objects.filter(digest=enrolled.json()["credential"]).exists()


def test_only_the_venue_s_own_staff_get_a_code_and_its_coordinator_sees_and_revokes(network):
    for who in ("coordinator", "other_venue", "distributor"):
        answer = network.client(who).post("/api/v1/devices/enrolment-codes", {"venue_id": network.venue.pk})
        assert answer.status_code == 403, who
    device, _ = enrol_device(network)

    assert network.client("other_coordinator").delete(f"/api/v1/devices/{device.pk}").status_code == 403
    assert network.client("coordinator").get("/api/v1/devices", venue_id=network.venue.pk).status_code == 200
    assert network.client("coordinator").delete(f"/api/v1/devices/{device.pk}").status_code == 204
    device.refresh_from_db()
    assert device.revoked_at is not None


def test_the_bundle_holds_the_public_key_and_no_card_list(network):
    make_card(network.distributor)
    _, client = enrol_device(network)

    bundle = client.get("/api/v1/offline/bundle").json()

    assert bundle["public_key"] == signing.public_key()
    assert bundle["today"] == today().isoformat()
    assert "numbers" not in bundle and "cards" not in bundle


def test_revocations_list_closed_numbers_only(network):
    valid = make_card(network.distributor)
    closed = make_card(network.distributor, closed_on=today())
    _, client = enrol_device(network)

    numbers = client.get("/api/v1/offline/revocations").json()["numbers"]

    assert closed.number in numbers and valid.number not in numbers


def test_a_user_token_is_not_a_device_and_a_revoked_device_downloads_nothing(network):
    device, client = enrol_device(network)
    answer = network.client("venue").get("/api/v1/offline/bundle")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "device_required"

    services.revoke_device(Caller.for_console(network.users["venue"]), device.pk)

    for path in ("/api/v1/offline/bundle", "/api/v1/offline/revocations"):
        answer = client.get(path)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "device_revoked"


def test_an_expired_code_enrols_nothing(network):
    from django.utils import timezone

    from kaikukanta.devices.models import EnrolmentCode

    _, code = services.issue_enrolment_code(Caller.for_console(network.users["venue"]), network.venue.pk)
    EnrolmentCode.objects.update(expires_at=timezone.now())

    answer = network.client("venue").post("/api/v1/devices/enrol", {"code": code, "name": "Ovi"})

    assert answer.status_code == 422 and not Device.objects.exists()


def test_a_signed_card_code_verifies_and_a_tampered_one_does_not(network):
    card = make_card(network.distributor, children=2)
    payload = signing.qr_payload(card)

    assert payload.endswith("." + card.number)
    assert signing.verify(payload)
    assert not signing.verify(payload.replace(".P2.", ".P3."))
    assert not signing.verify(card.number)


def test_the_bundle_carries_the_rules_in_force_for_the_venue_s_area(network):
    from kaikukanta.programme.selectors import rules_in_force

    _, client = enrol_device(network)

    rules = client.get("/api/v1/offline/bundle").json()["rules"]

    assert rules["max_clients"] == rules_in_force(network.area, today()).max_clients
    assert rules["paper_list_days"] == rules_in_force(network.area, today()).paper_list_days
