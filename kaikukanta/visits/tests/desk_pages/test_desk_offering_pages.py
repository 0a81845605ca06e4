"""The venue's offerings on the desk's pages, through Django's test client."""


import pytest
from django.urls import reverse

from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Offering
from kaikukanta.testing import make_offering

from ..support import personal_card
from .support import message, record, signed_in

pytestmark = pytest.mark.django_db


# Offerings -----------------------------------------------------------------------------------------------


def test_venue_staff_add_an_offering_with_a_quota(network, desk):
    response = desk.post(reverse("desk:offering_new"), {"name": "Hamlet", "kind": "event",
                                                         "date": today().isoformat(), "ticket_quota": "20"})
    assert response["Location"] == reverse("desk:offerings")
    offering = Offering.objects.get()
    assert (offering.venue, offering.name, offering.date, offering.ticket_quota) == (
        network.venue, "Hamlet", today(), 20)
    page = desk.get(reverse("desk:offerings")).content.decode()
    assert "Offering “Hamlet” added." in page and "<h3 class=\"offering-item__name\">Hamlet</h3>" in page


def test_an_offering_form_with_mistakes_keeps_what_was_typed(desk):
    page = desk.post(reverse("desk:offering_new"), {"name": "Hamlet", "kind": "event",
                                                     "ticket_quota": "-1"}).content.decode()
    assert "Ensure this value is greater than or equal to 0." in page and 'value="Hamlet"' in page
    assert not Offering.objects.exists()


def test_editing_changes_only_what_changed_and_can_remove_the_quota(network, desk):
    offering = make_offering(network.venue, "Hamlet", ticket_quota=10)
    response = desk.post(reverse("desk:offering_edit", args=[offering.pk]),
                         {"name": "Hamlet", "kind": "event", "date": "", "ticket_quota": ""})
    assert response["Location"] == reverse("desk:offerings")
    offering.refresh_from_db()
    assert offering.ticket_quota is None
    assert AuditRecord.objects.get(action="offering.updated").details["fields"] == ["ticket_quota"]


def test_archiving_takes_an_offering_off_the_desk_and_restoring_brings_it_back(network, desk):
    offering = make_offering(network.venue, "Hamlet")
    listing = desk.post(reverse("desk:offering_archive", args=[offering.pk]), follow=True).content.decode()
    assert 'data-kind="event">Hamlet' not in desk.get(reverse("desk:check")).content.decode()
    assert "Offering “Hamlet” archived." in listing and "Take back into use" in listing
    desk.post(reverse("desk:offering_archive", args=[offering.pk]), {"restore": "1"})
    assert 'data-kind="event">Hamlet' in desk.get(reverse("desk:check")).content.decode()


def test_the_offerings_list_shows_todays_card_tickets_against_the_quota(network, desk):
    offering = make_offering(network.venue, "Hamlet", ticket_quota=10)
    record(desk, personal_card(network, children=2).number, offering_id=offering.pk, children=2)
    make_offering(network.other_venue, "Muualla")
    page = desk.get(reverse("desk:offerings")).content.decode()
    assert "<dd data-quota>10</dd>" in page and "<dd data-used-today>3</dd>" in page
    assert "Muualla" not in page


def test_the_area_coordinator_edits_an_offering_of_its_area_by_its_address(network):
    offering = make_offering(network.venue, "Hamlet")
    coordinator = signed_in(network, "coordinator")
    response = coordinator.post(reverse("desk:offering_edit", args=[offering.pk]),
                                {"name": "Hamlet (ruotsiksi)", "kind": "event", "ticket_quota": "5"})
    assert response["Location"] == reverse("desk:offering_edit", args=[offering.pk])
    offering.refresh_from_db()
    assert (offering.name, offering.ticket_quota) == ("Hamlet (ruotsiksi)", 5)


@pytest.mark.parametrize("who", ["other_venue", "other_coordinator", "distributor"])
def test_an_offering_outside_the_scope_can_be_neither_edited_nor_archived(network, who):
    offering = make_offering(network.venue, "Hamlet")
    client = signed_in(network, who)
    edit = client.post(reverse("desk:offering_edit", args=[offering.pk]), {"name": "X", "kind": "event"})
    archive = client.post(reverse("desk:offering_archive", args=[offering.pk]))
    assert (edit.status_code, archive.status_code) == (403, 403)
    assert message(Code.FORBIDDEN) in edit.content.decode()
    offering.refresh_from_db()
    assert (offering.name, offering.archived) == ("Hamlet", False)


def test_an_unknown_offering_is_not_found(desk):
    assert desk.get(reverse("desk:offering_edit", args=[987654])).status_code == 404
