"""Venue staff keep their own venue's public page up to date (Action.UPDATE_VENUE_INFO), with the checks of
the coordinators' site form and the API, audited; nothing else of the site can be changed that way."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Organisation
from kaikukanta.network.venue_info import update_venue_info
from kaikukanta.testing import sign_in

pytestmark = pytest.mark.django_db

PAGE = {"street_address": "Eläintarhantie 5", "website": "https://teatteri.example/liput",
        "public_phone": "+358 9 123 4567", "public_email": "liput@teatteri.example",
        "opening_hours": "ti–la 11–19", "booking_info": "Varaa lippukassalta, mainitse Kaikukortti.",
        "accessibility_info": "Esteetön sisäänkäynti pihan puolelta.", "children_welcome": "1",
        "booking_needed": "1"}


def signed_in(network, who: str = "venue") -> Client:
    client = Client()
    sign_in(client, network.users[who])
    return client


def field_errors(response, field_id: str) -> list[str]:
    return [html.unescape(text) for text in
            re.findall(rf'<p class="field__error" id="{field_id}_error">(.*?)</p>', response.content.decode())]


def test_venue_staff_edit_their_venues_public_page_and_the_public_sees_it(network):
    response = signed_in(network).post(reverse("desk:venue_info"), PAGE)

    assert response.status_code == 302
    venue = Organisation.objects.get(pk=network.venue.pk)
    assert (venue.website, venue.public_phone, venue.opening_hours, venue.children_welcome) == (
        "https://teatteri.example/liput", "+358 9 123 4567", "ti–la 11–19", True)
    record = AuditRecord.objects.get(action="venue_info.updated", object_id=str(venue.pk))
    assert record.actor == network.users["venue"]
    assert "website" in record.details["fields"]
    public = Client().get(reverse("public:venue_detail", args=[venue.pk])).content.decode()
    assert "https://teatteri.example/liput" in public and "ti–la 11–19" in public


def test_the_page_shows_what_is_stored_and_saves_only_changes(network):
    Organisation.objects.filter(pk=network.venue.pk).update(opening_hours="ma–pe 9–17")
    client = signed_in(network)

    assert 'ma–pe 9–17' in client.get(reverse("desk:venue_info")).content.decode()
    venue = Organisation.objects.get(pk=network.venue.pk)
    response = client.post(reverse("desk:venue_info"), {
        "opening_hours": "ma–pe 9–17", **{flag: "1" if getattr(venue, flag) else "0"
                                          for flag in ("children_welcome", "booking_needed")}})

    assert response.status_code == 302
    assert not AuditRecord.objects.filter(action="venue_info.updated").exists()


@pytest.mark.parametrize("field, value, reason", [
    ("website", "teatteri.example", "https://"),
    ("public_phone", "12", "5"),
    ("public_email", "ei osoite", "@"),
    ("booking_info", "Soita 040 123 4567", "puhelinnumeroa"),
])
def test_a_refused_field_says_why_beside_it_and_keeps_what_was_typed(network, field, value, reason):
    response = signed_in(network).post(reverse("desk:venue_info"), {**PAGE, field: value})

    assert response.status_code == 200
    errors = field_errors(response, f"id_{field}")
    assert len(errors) == 1 and reason in errors[0]
    assert "https://teatteri.example/liput" in response.content.decode() or field == "website"
    assert Organisation.objects.get(pk=network.venue.pk).website == ""


def test_venue_staff_change_only_their_own_venues_public_page(network):
    venue_staff = Caller.for_console(network.users["venue"])

    with pytest.raises(Refusal) as other_venue:
        update_venue_info(venue_staff, network.other_venue.pk, opening_hours="aina")
    with pytest.raises(Refusal) as the_name:
        update_venue_info(venue_staff, network.venue.pk, name="Toinen nimi")
    with pytest.raises(Refusal) as a_distributor:
        update_venue_info(Caller.for_console(network.users["distributor"]), network.distributor.pk,
                          opening_hours="aina")

    assert other_venue.value.code == Code.FORBIDDEN
    assert (the_name.value.code, the_name.value.field) == (Code.INVALID, "name")
    assert a_distributor.value.code == Code.FORBIDDEN
    assert Organisation.objects.get(pk=network.other_venue.pk).opening_hours == ""
    assert Organisation.objects.get(pk=network.venue.pk).name == network.venue.name


def test_the_coordinator_may_change_it_too_and_the_other_areas_may_not(network):
    update_venue_info(Caller.for_console(network.users["coordinator"]), network.venue.pk, opening_hours="aina")

    with pytest.raises(Refusal) as other:
        update_venue_info(Caller.for_console(network.users["other_coordinator"]), network.venue.pk,
                          opening_hours="ei koskaan")
    assert other.value.code == Code.FORBIDDEN
    assert Organisation.objects.get(pk=network.venue.pk).opening_hours == "aina"


def test_the_venue_menu_links_the_page(network):
    assert f'href="{reverse("desk:venue_info")}"' in signed_in(network).get(reverse("desk:check")).content.decode()
