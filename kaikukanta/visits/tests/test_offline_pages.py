"""The server's part of the offline desk: its page, its service worker, its manifest, and enrolling the
device from the desk's signed-in session (the browser side is in devices/tests/test_offline_browser.py)."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from kaikukanta.accounts.caller import Caller
from kaikukanta.devices import services as device_services
from kaikukanta.devices.models import Device
from kaikukanta.testing import sign_in


@pytest.fixture
def venue_client(network):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, network.users["venue"])
    return client


def test_the_service_worker_lists_the_desks_shell_and_covers_the_desk(network, anonymous):
    answer = Client().get("/desk/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/desk/"
    text = answer.content.decode()
    shell = json.loads(text.split("const SHELL_FILES = ", 1)[1].split(";\n", 1)[0])
    assert shell[0] == "/desk/offline/"
    # Every file it caches exists, and the page loads each script it names.
    for url in shell[1:]:
        assert finders.find(url.removeprefix("/static/")), url
    assert "self.addEventListener(\"fetch\"" in text


def test_the_offline_desk_lists_its_manifest_and_scripts_without_inline_script(network, venue_client):
    answer = venue_client.get("/desk/offline/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert '<link rel="manifest" href="/desk/manifest.webmanifest">' in html
    assert 'data-worker="/desk/sw.js"' in html
    shell = json.loads(Client().get("/desk/sw.js").content.decode().split("const SHELL_FILES = ", 1)[1]
                       .split(";\n", 1)[0])
    for script in ("offline-store.js", "offline-cards.js", "offline-sync.js", "offline-desk.js"):
        assert f"/static/js/{script}" in html and f"/static/js/{script}" in shell
    assert "<script>" not in html
    assert "script-src 'self'" in answer["Content-Security-Policy"]


def test_the_manifest_is_in_the_users_language(network):
    answer = Client(headers={"Accept-Language": "sv"}).get("/desk/manifest.webmanifest")
    assert answer["Content-Type"] == "application/manifest+json"
    body = answer.json()
    assert body["name"] == "Kaikukanta biljettförsäljning utan nät"
    assert (body["start_url"], body["scope"], body["display"]) == ("/desk/offline/", "/desk/", "standalone")
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}


def _code(network):
    user = network.users["venue"]
    return device_services.issue_enrolment_code(Caller.for_console(user), user.organisation_id)[1]


def test_the_desk_enrols_its_device_with_the_session_and_its_csrf_token(network, venue_client):
    venue_client.get("/desk/offline/")
    token = venue_client.cookies["csrftoken"].value
    without = venue_client.post("/api/v1/devices/enrol", {"code": _code(network), "name": "Ovi 1"},
                                content_type="application/json")
    assert (without.status_code, without.json()["error"]["code"]) == (403, "forbidden")
    assert not Device.objects.exists()
    answer = venue_client.post("/api/v1/devices/enrol", {"code": _code(network), "name": "Ovi 1"},
                               content_type="application/json", headers={"X-CSRFToken": token})
    assert answer.status_code == 201
    assert answer.json()["credential"].startswith("kkd_")
    assert Device.objects.get().user == network.users["venue"]


def test_a_session_of_another_role_cannot_enrol_a_venues_device(network):
    client = Client()
    sign_in(client, network.users["distributor"])
    answer = client.post("/api/v1/devices/enrol", {"code": _code(network), "name": "Ovi 1"},
                         content_type="application/json")
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "forbidden")
    assert not Device.objects.exists()
