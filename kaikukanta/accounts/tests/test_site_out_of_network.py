"""A site taken out of the network takes no new staff, and its staff are not taken back into use, whichever
door asks: the API, the back office's pages or the console (core/sites.py)."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts import services
from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import User
from kaikukanta.core.errors import Refusal
from kaikukanta.testing import make_organisation, sign_in

pytestmark = pytest.mark.django_db

REASONS = {"fi": "toimipaikka on otettu pois verkostosta", "sv": "verksamhetsstället har tagits ur nätverket",
           "en": "the site has been taken out of the network"}


def _closed_distributor(network):
    site = make_organisation("Suljettu sosiaalitoimisto", "distributor", network.area, "091")
    site.active = False
    site.save()
    return site


@pytest.mark.parametrize("language", sorted(REASONS))
@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_the_api_refuses_staff_for_a_site_out_of_the_network(network, who, language):
    site = _closed_distributor(network)

    response = network.client(who, language).post(
        "users", {"username": "uusi-jakaja", "role": "distributor", "organisation_id": site.pk})

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", "organisation_id")
    assert REASONS[language] in error["message"]
    assert not User.objects.filter(username="uusi-jakaja").exists()


def test_another_areas_closed_site_stays_forbidden_to_a_coordinator(network):
    site = _closed_distributor(network)

    response = network.client("other_coordinator").post(
        "users", {"username": "uusi-jakaja", "role": "distributor", "organisation_id": site.pk})

    assert response.status_code == 403


def test_the_users_page_says_why_beside_the_site(network):
    site = _closed_distributor(network)
    client = Client()
    sign_in(client, network.users["coordinator"])
    client.cookies["django_language"] = "en"

    response = client.post(reverse("network:user_new"), {
        "username": "uusi-jakaja", "password": "", "role": "distributor", "organisation_id": site.pk,
        "language": "fi"})

    page = html.unescape(response.content.decode())
    assert response.status_code in (400, 422, 200)
    assert 'id="id_organisation_id_error"' in page and REASONS["en"] in page
    assert not User.objects.filter(username="uusi-jakaja").exists()


def test_the_console_refuses_staff_for_a_site_out_of_the_network(network):
    site = _closed_distributor(network)

    with pytest.raises(Refusal) as refused:
        services.create_user_from_console(Caller.for_console(), username="uusi-jakaja", role="distributor",
                                          organisation_id=site.pk)

    assert refused.value.field == "organisation_id"
    assert not User.objects.filter(username="uusi-jakaja").exists()


def test_staff_of_a_closed_site_are_not_taken_back_into_use(network):
    target = network.users["distributor"]
    coordinator = network.client("coordinator", "sv")
    assert coordinator.patch(f"users/{target.pk}", {"active": False}).status_code == 200
    network.distributor.active = False
    network.distributor.save()

    response = coordinator.patch(f"users/{target.pk}", {"active": True})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "organisation_id"
    assert REASONS["sv"] in response.json()["error"]["message"]
    assert not User.objects.get(pk=target.pk).is_active
    # Deactivating stays possible, and so does everything for staff of a site in the network.
    assert coordinator.patch(f"users/{network.users['venue'].pk}", {"active": False}).status_code == 200
    assert coordinator.patch(f"users/{network.users['venue'].pk}", {"active": True}).status_code == 200
