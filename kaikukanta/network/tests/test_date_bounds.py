"""The network's dates stay within the register's calendar (core/bounds.py: 1.1.1900–31.12.9000): an
offering's day, a municipality's joining, a site's entry and a guideline's publication outside it are
refused with `invalid` naming the field, and nothing is written."""

import datetime

import pytest

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.errors import Refusal
from kaikukanta.network import services
from kaikukanta.network.models import Area, GuidelineVersion, Offering, Organisation
from kaikukanta.testing import make_offering

pytestmark = pytest.mark.django_db

OUTSIDE = ["1800-01-01", "1899-12-31", "9001-01-01"]


@pytest.mark.parametrize("day", OUTSIDE)
def test_an_offering_outside_the_calendar_is_refused(network, day):
    response = network.client("venue").post("offerings", {"venue_id": network.venue.pk, "name": "Hamlet",
                                                          "kind": "event", "date": day})

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == ("invalid", "date")
    assert not Offering.objects.filter(name="Hamlet").exists()


@pytest.mark.parametrize("day", ["1900-01-01", "9000-12-31"])
def test_an_offering_on_the_calendars_first_or_last_day_is_kept(network, day):
    response = network.client("venue").post("offerings", {"venue_id": network.venue.pk, "name": "Hamlet",
                                                          "kind": "event", "date": day})

    assert response.status_code == 201
    assert response.json()["date"] == day


def test_an_offering_is_not_moved_outside_the_calendar(network):
    offering = make_offering(network.venue, date=datetime.date(2025, 3, 1))

    response = network.client("coordinator").patch(f"offerings/{offering.pk}", {"date": "1800-06-01"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "date"
    offering.refresh_from_db()
    assert offering.date == datetime.date(2025, 3, 1)


def test_a_municipality_does_not_join_before_the_calendar(network):
    response = network.client("admin").post("areas", {"name": "Varsinais-Suomi", "status": "pilot", "municipalities": [
        {"code": "853", "joined_on": "2015-01-01"}, {"code": "019", "joined_on": "1800-01-01"}]})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "municipalities.1.joined_on"
    assert not Area.objects.filter(name="Varsinais-Suomi").exists()


def test_a_site_does_not_enter_the_network_before_the_calendar(network):
    response = network.client("admin").post("organisations", {
        "name": "Vanha teatteri", "kind": "venue", "area_id": network.area.pk, "municipality": "091",
        "category": "theatre", "sector": "culture", "active_from": "1800-01-01"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "active_from"
    assert not Organisation.objects.filter(name="Vanha teatteri").exists()


def test_no_guideline_is_published_before_the_calendar(network):
    with pytest.raises(Refusal) as refused:
        services.publish_guideline_version(Caller.for_console(network.users["admin"]), label="1800",
                                           published_on=datetime.date(1800, 1, 1))

    assert refused.value.field == "published_on"
    assert not GuidelineVersion.objects.filter(label="1800").exists()
