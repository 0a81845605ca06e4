import datetime

import pytest

from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Offering
from kaikukanta.testing import make_offering

pytestmark = pytest.mark.django_db


def offering_body(venue, **changes):
    return {"venue_id": venue.pk, "name": "Hamlet", "kind": "event", "date": "2025-03-01", "ticket_quota": 10,
            **changes}


@pytest.mark.parametrize("who", ["admin", "coordinator", "venue"])
def test_venue_staff_coordinator_and_admin_add_offerings(network, who):
    response = network.client(who).post("offerings", offering_body(network.venue))

    assert response.status_code == 201
    body = response.json()
    assert body | {"id": 0} == {"id": 0, "venue_id": network.venue.pk, "name": "Hamlet", "kind": "event",
                                "date": "2025-03-01", "ticket_quota": 10, "adult_price_cents": None,
                                "child_price_cents": None, "archived": False}
    assert AuditRecord.objects.filter(action="offering.created", object_id=str(body["id"]),
                                      actor=network.users[who]).exists()


def test_date_and_quota_are_optional_and_zero_is_a_quota(network):
    client = network.client("venue")

    open_ended = client.post("offerings", {"venue_id": network.venue.pk, "name": "Kausikortti",
                                           "kind": "sport"})
    none_left = client.post("offerings", offering_body(network.venue, ticket_quota=0))

    assert open_ended.status_code == 201
    assert open_ended.json()["date"] is None and open_ended.json()["ticket_quota"] is None
    assert none_left.json()["ticket_quota"] == 0


@pytest.mark.parametrize("changes, field", [
    ({"venue_id": 999999}, "venue_id"),
    ({"kind": "concert"}, "kind"),
    ({"ticket_quota": -1}, "ticket_quota"),
    ({"ticket_quota": "5"}, "ticket_quota"),
    ({"venue_id": "2"}, "venue_id"),
    ({"date": "tomorrow"}, "date"),
    ({"price": 5}, "price"),
])
def test_invalid_offering_bodies(network, changes, field):
    response = network.client("admin").post("offerings", offering_body(network.venue, **changes))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == field
    assert not Offering.objects.exists()


def test_a_distributor_is_no_venue(network):
    response = network.client("admin").post("offerings", offering_body(network.distributor))

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "venue_id"


@pytest.mark.parametrize("who", ["other_coordinator", "other_venue", "distributor"])
def test_others_may_not_add_offerings_to_the_venue(network, who):
    response = network.client(who).post("offerings", offering_body(network.venue))

    assert response.status_code == 403
    assert not Offering.objects.exists()


def test_the_list_is_scoped_and_filtered(network):
    dated = make_offering(network.venue, "Hamlet", date=datetime.date(2025, 3, 1))
    ongoing = make_offering(network.venue, "Näyttely", kind="exhibition")
    make_offering(network.venue, "Ensi-ilta", date=datetime.date(2025, 3, 2))
    elsewhere = make_offering(network.other_venue, "Muumimuseo")

    on_the_day = network.client("venue").get("offerings", on="2025-03-01")
    for_admin = network.client("admin").get("offerings", venue_id=network.other_venue.pk)
    for_other_venue = network.client("other_venue").get("offerings")

    assert [o["id"] for o in on_the_day.json()["results"]] == [dated.pk, ongoing.pk]
    assert [o["id"] for o in for_admin.json()["results"]] == [elsewhere.pk]
    assert [o["id"] for o in for_other_venue.json()["results"]] == [elsewhere.pk]
    assert network.client("distributor").get("offerings").json()["results"] == []


def test_the_list_leaves_archived_offerings_out_unless_asked(network):
    in_use = make_offering(network.venue, "Hamlet")
    archived = make_offering(network.venue, "Vanha näytös", archived=True)
    client = network.client("venue")

    def ids(**params):
        response = client.get("offerings", **params)
        assert response.status_code == 200
        return [offering["id"] for offering in response.json()["results"]]

    assert ids() == [in_use.pk]
    assert ids(archived="false") == [in_use.pk]
    assert ids(archived="true") == [archived.pk]
    assert ids(include_archived="true") == [in_use.pk, archived.pk]
    assert ids(include_archived="true", venue_id=network.venue.pk) == [in_use.pk, archived.pk]


def test_the_schema_documents_the_archived_filters(network):
    schema = network.client("admin").get("openapi.json").json()
    listed = schema["paths"]["/api/v1/offerings"]["get"]["parameters"]
    parameters = {parameter["name"]: parameter for parameter in listed}

    assert parameters["archived"]["schema"]["default"] is False
    assert "archived" in parameters["archived"]["description"]
    assert parameters["include_archived"]["schema"]["default"] is False


@pytest.mark.parametrize("params, status", [
    ({"venue_id": 999999}, 400),
    ({"on": "2025-02-30"}, 400),
    ({"archived": "maybe"}, 400),
])
def test_bad_list_filters(network, params, status):
    assert network.client("admin").get("offerings", **params).status_code == status


def test_filtering_by_another_areas_venue_is_forbidden(network):
    assert network.client("coordinator").get("offerings", venue_id=network.other_venue.pk).status_code == 403


@pytest.mark.parametrize("who, status", [
    ("venue", 200), ("coordinator", 200), ("admin", 200),
    ("other_venue", 403), ("other_coordinator", 403), ("distributor", 403)])
def test_reading_an_offering(network, who, status):
    offering = make_offering(network.venue)

    assert network.client(who).get(f"offerings/{offering.pk}").status_code == status


def test_an_unknown_offering_is_not_found(network):
    assert network.client("admin").get("offerings/999999").status_code == 404
    assert network.client("admin").patch("offerings/999999", {"archived": True}).status_code == 404


def test_venue_staff_change_and_archive_an_offering(network):
    offering = make_offering(network.venue, date=datetime.date(2025, 3, 1), ticket_quota=5)

    response = network.client("venue").patch(f"offerings/{offering.pk}", {
        "name": "Hamlet (lisänäytös)", "kind": "other", "date": None, "ticket_quota": None, "archived": True})

    assert response.status_code == 200
    assert response.json() | {"id": 0} == {
        "id": 0, "venue_id": network.venue.pk, "name": "Hamlet (lisänäytös)", "kind": "other", "date": None,
        "ticket_quota": None, "adult_price_cents": None, "child_price_cents": None, "archived": True}
    assert AuditRecord.objects.filter(action="offering.updated", object_id=str(offering.pk)).exists()


@pytest.mark.parametrize("body, field", [
    ({"ticket_quota": -2}, "ticket_quota"),
    ({"name": None}, "name"),
    ({"archived": None}, "archived"),
    ({"venue_id": 4}, "venue_id"),
])
def test_invalid_offering_changes(network, body, field):
    offering = make_offering(network.venue, ticket_quota=5)

    response = network.client("venue").patch(f"offerings/{offering.pk}", body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    offering.refresh_from_db()
    assert (offering.ticket_quota, offering.archived, offering.venue_id) == (5, False, network.venue.pk)


@pytest.mark.parametrize("who", ["other_venue", "other_coordinator", "distributor"])
def test_others_may_not_change_an_offering(network, who):
    offering = make_offering(network.venue)

    assert network.client(who).patch(f"offerings/{offering.pk}", {"archived": True}).status_code == 403
    offering.refresh_from_db()
    assert offering.archived is False


@pytest.mark.parametrize("who, language, reason", [
    ("admin", "fi", "toimipaikka on otettu pois verkostosta"),
    ("coordinator", "sv", "verksamhetsstället har tagits ur nätverket"),
    ("coordinator", "en", "the site has been taken out of the network"),
])
def test_a_venue_taken_out_of_the_network_gets_no_new_offerings(network, who, language, reason):
    network.venue.active = False
    network.venue.save()

    response = network.client(who, language).post("offerings", offering_body(network.venue))

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", "venue_id")
    assert reason in error["message"]
    assert not Offering.objects.filter(venue=network.venue, name="Hamlet").exists()
