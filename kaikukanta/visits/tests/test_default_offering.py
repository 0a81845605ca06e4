"""The venue picks the offering its desk starts with; offerings whose date has passed archive themselves."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network import services as network_services
from kaikukanta.testing import make_offering, sign_in

pytestmark = pytest.mark.django_db


def signed_in(network, who: str = "venue") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, network.users[who])
    return client


def selected_offering(page: str) -> str | None:
    match = re.search(r'<option value="(\d+)" selected', page)
    return match.group(1) if match else None


def test_a_new_undated_offering_does_not_become_the_desks_default(network):
    make_offering(network.venue, "Näyttely")
    make_offering(network.venue, "Aamukonsertti")  # alphabetically first: it used to be chosen silently
    assert selected_offering(signed_in(network).get(reverse("desk:check")).content.decode()) is None


def test_the_desk_starts_with_the_offering_the_venue_chose(network):
    chosen = make_offering(network.venue, "Näyttely")
    make_offering(network.venue, "Aamukonsertti")
    client = signed_in(network)
    response = client.post(reverse("desk:offering_default"), {"offering_id": chosen.pk})
    assert response.status_code == 302
    assert selected_offering(client.get(reverse("desk:check")).content.decode()) == str(chosen.pk)
    assert selected_offering(client.get(reverse("desk:paper")).content.decode()) == str(chosen.pk)
    offerings = client.get(reverse("desk:offerings")).content.decode()
    assert offerings.count("data-default-offering") == 1
    client.post(reverse("desk:offering_default"), {"offering_id": ""})
    assert selected_offering(client.get(reverse("desk:check")).content.decode()) is None


def test_todays_offering_comes_first_when_nothing_is_chosen(network):
    make_offering(network.venue, "Aamukonsertti")
    tonight = make_offering(network.venue, "Iltanäytös", date=today())
    assert selected_offering(signed_in(network).get(reverse("desk:check")).content.decode()) == str(tonight.pk)


def test_a_venue_cannot_choose_another_venues_or_a_past_offering(network):
    other = make_offering(network.other_venue, "Tampereen näyttely")
    past = make_offering(network.venue, "Eilinen", date=today() - datetime.timedelta(days=1))
    for offering in (other, past):
        with pytest.raises(Refusal) as refused:
            network_services.set_default_offering(Caller.for_console(network.users["venue"]), venue_id=network.venue.pk,
                                                  offering_id=offering.pk)
        assert (refused.value.code, refused.value.field) == (Code.OFFERING_NOT_AT_VENUE, "offering_id")
    with pytest.raises(Refusal) as refused:
        network_services.set_default_offering(Caller.for_console(network.users["other_venue"]),
                                              venue_id=network.venue.pk, offering_id=None)
    assert refused.value.code == Code.FORBIDDEN


def _names(page: str) -> list[str]:
    return re.findall(r'<h3 class="offering-item__name">([^<]+?)\s*(?:<|$)', page)


def test_past_offerings_archive_themselves_and_page_through(network):
    make_offering(network.venue, "Jatkuva")
    make_offering(network.venue, "Huomenna", date=today() + datetime.timedelta(days=1))
    for days in range(1, 26):
        make_offering(network.venue, f"Mennyt {days:02d}", date=today() - datetime.timedelta(days=days))
    make_offering(network.venue, "Arkistoitu", archived=True)
    client = signed_in(network)
    in_use = client.get(reverse("desk:offerings")).content.decode()
    assert _names(in_use) == ["Jatkuva", "Huomenna"]
    archived = client.get(reverse("desk:offerings"), {"show": "archived"}).content.decode()
    assert _names(archived)[:2] == ["Mennyt 01", "Mennyt 02"] and len(_names(archived)) == 20
    assert "Page 1 of 2" in archived
    second = client.get(reverse("desk:offerings"), {"show": "archived", "page": 2}).content.decode()
    assert _names(second) == [f"Mennyt {days:02d}" for days in range(21, 26)] + ["Arkistoitu"]
    assert "Take back into use" in second, "a hand-archived offering can come back; a past one cannot"
    assert second.count("Take back into use") == 1
