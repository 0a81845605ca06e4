"""A venue taken out of the network gets no edit of its offerings and no new default offering, whichever door
asks: the API, the coordinator's offering form or the service itself (core/sites.py). Archiving an offering
and clearing the default only withdraw something and stay possible."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network import services
from kaikukanta.network.models import Offering, Organisation
from kaikukanta.testing import make_offering, sign_in

pytestmark = pytest.mark.django_db

REASONS = {"fi": "toimipaikka on otettu pois verkostosta", "sv": "verksamhetsstället har tagits ur nätverket",
           "en": "the site has been taken out of the network"}


def _closed(venue):
    venue.active = False
    venue.save()


def _stored(offering) -> tuple:
    offering.refresh_from_db()
    return offering.name, offering.ticket_quota, offering.archived


@pytest.mark.parametrize("language", sorted(REASONS))
@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_the_api_refuses_an_edit_of_an_offering_of_a_venue_out_of_the_network(network, who, language):
    offering = make_offering(network.venue, "Hamlet", ticket_quota=5)
    _closed(network.venue)

    response = network.client(who, language).patch(f"offerings/{offering.pk}", {"name": "Macbeth",
                                                                                 "ticket_quota": 9})

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", "venue_id")
    assert REASONS[language] in error["message"]
    assert _stored(offering) == ("Hamlet", 5, False)


def test_the_api_archives_an_offering_of_a_venue_out_of_the_network_but_does_not_restore_it(network):
    offering = make_offering(network.venue, "Hamlet")
    _closed(network.venue)
    client = network.client("coordinator", "en")

    archived = client.patch(f"offerings/{offering.pk}", {"archived": True})
    restored = client.patch(f"offerings/{offering.pk}", {"archived": False})
    archived_and_renamed = client.patch(f"offerings/{offering.pk}", {"archived": True, "name": "Macbeth"})

    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert restored.status_code == 400 and restored.json()["error"]["field"] == "venue_id"
    assert REASONS["en"] in restored.json()["error"]["message"]
    assert archived_and_renamed.status_code == 400
    assert _stored(offering) == ("Hamlet", None, True)


def test_a_venue_back_in_the_network_edits_its_offerings_again(network):
    offering = make_offering(network.venue, "Hamlet")
    _closed(network.venue)
    network.venue.active = True
    network.venue.save()

    response = network.client("coordinator").patch(f"offerings/{offering.pk}", {"name": "Macbeth"})

    assert response.status_code == 200
    assert _stored(offering)[0] == "Macbeth"


def _coordinator_page(network) -> Client:
    client = Client()
    sign_in(client, network.users["coordinator"])
    client.cookies["django_language"] = "en"
    return client


def test_the_coordinators_offering_form_says_why_and_saves_nothing(network):
    offering = make_offering(network.venue, "Hamlet", ticket_quota=5)
    _closed(network.venue)
    client = _coordinator_page(network)

    response = client.post(reverse("desk:offering_edit", args=[offering.pk]),
                           {"name": "Macbeth", "kind": "event", "ticket_quota": "9"})

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert REASONS["en"] in page
    assert _stored(offering) == ("Hamlet", 5, False)


def test_the_coordinators_page_archives_but_does_not_restore(network):
    offering = make_offering(network.venue, "Hamlet")
    _closed(network.venue)
    client = _coordinator_page(network)

    archived = client.post(reverse("desk:offering_archive", args=[offering.pk]))
    assert archived.status_code == 302 and _stored(offering)[2] is True
    restored = client.post(reverse("desk:offering_archive", args=[offering.pk]), {"restore": "1"})

    assert restored.status_code == 400
    assert REASONS["en"] in html.unescape(restored.content.decode())
    assert _stored(offering)[2] is True


@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_the_service_refuses_a_default_offering_for_a_venue_out_of_the_network(network, who):
    offering = make_offering(network.venue, "Hamlet")
    _closed(network.venue)

    with pytest.raises(Refusal) as refused:
        services.set_default_offering(Caller.for_console(network.users[who]), venue_id=network.venue.pk,
                                      offering_id=offering.pk)

    assert (refused.value.code, refused.value.field) == (Code.INVALID, "venue_id")
    assert REASONS["en"] in refused.value.message("en")
    assert Organisation.objects.get(pk=network.venue.pk).default_offering_id is None


def test_the_service_clears_the_default_of_a_venue_out_of_the_network(network):
    offering = make_offering(network.venue, "Hamlet")
    Organisation.objects.filter(pk=network.venue.pk).update(default_offering=offering)
    _closed(network.venue)

    services.set_default_offering(Caller.for_console(network.users["coordinator"]), venue_id=network.venue.pk,
                                  offering_id=None)

    assert Organisation.objects.get(pk=network.venue.pk).default_offering_id is None


def test_the_service_refuses_an_edit_but_archives(network):
    offering = make_offering(network.venue, "Hamlet")
    _closed(network.venue)
    caller = Caller.for_console(network.users["coordinator"])

    with pytest.raises(Refusal) as refused:
        services.update_offering(caller, offering.pk, ticket_quota=3)
    assert (refused.value.code, refused.value.field) == (Code.INVALID, "venue_id")
    services.update_offering(caller, offering.pk, archived=True)

    assert Offering.objects.get(pk=offering.pk).archived is True
    assert _stored(offering) == ("Hamlet", None, True)
