import pytest

from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Organisation
from kaikukanta.testing import ApiClient, make_token

pytestmark = pytest.mark.django_db


def venue_body(network, **changes):
    body = {"name": "Espoon kaupunginmuseo", "kind": "venue", "area_id": network.area.pk,
            "municipality": "049", "category": "museum", "sector": "culture"}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def distributor_body(network, **changes):
    body = {"name": "Espoon nuorisopalvelut", "kind": "distributor", "area_id": network.area.pk,
            "municipality": "049", "category": "youth_services"}
    body.update(changes)
    return body


@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_admin_and_coordinator_create_sites_in_the_area(network, who):
    response = network.client(who).post("organisations", venue_body(network))

    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["id"], int)
    assert body | {"id": 0} == {
        "id": 0, "name": "Espoon kaupunginmuseo", "kind": "venue", "area_id": network.area.pk,
        "municipality": "049", "category": "museum", "sector": "culture", "active": True,
        "active_from": today().isoformat(), "inactive_from": None, "contact_name": "", "contact_email": "",
        "contact_phone": "", "guideline_version": "", "guideline_committed_on": None,
        "website": "", "public_phone": "", "public_email": "", "street_address": "", "opening_hours": "",
        "booking_info": "", "accessibility_info": "", "children_welcome": False, "booking_needed": True}
    assert AuditRecord.objects.filter(action="organisation.created", object_id=str(body["id"]),
                                      actor=network.users[who]).exists()


def test_a_distributor_has_no_sector(network):
    response = network.client("coordinator").post("organisations", distributor_body(network))

    assert response.status_code == 201
    assert response.json()["sector"] is None


def test_optional_details_are_kept(network):
    response = network.client("admin").post("organisations", venue_body(
        network, contact_name="Maija Meikäläinen", contact_email="museo@espoo.example",
        contact_phone="+358 9 123", guideline_version="2024", guideline_committed_on="2024-02-01",
        active_from="2019-05-01"))

    assert response.status_code == 201
    body = response.json()
    assert body["contact_email"] == "museo@espoo.example"
    assert body["guideline_committed_on"] == "2024-02-01"
    assert body["active_from"] == "2019-05-01"


@pytest.mark.parametrize("body_of, changes, field", [
    (venue_body, {"sector": None}, "sector"),
    (venue_body, {"sector": "health"}, "sector"),
    (venue_body, {"category": "ngo"}, "category"),
    (distributor_body, {"sector": "culture"}, "sector"),
    (distributor_body, {"category": "theatre"}, "category"),
    (venue_body, {"kind": "shop"}, "kind"),
    (venue_body, {"area_id": 999999}, "area_id"),
    (venue_body, {"area_id": "1"}, "area_id"),
    (venue_body, {"contact_email": "not an address"}, "contact_email"),
    (venue_body, {"name": "   "}, "name"),
    (venue_body, {"homepage": "https://example.org"}, "homepage"),
])
def test_invalid_site_bodies_are_refused_naming_the_field(network, body_of, changes, field):
    response = network.client("admin").post("organisations", body_of(network, **changes))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == field
    assert Organisation.objects.count() == 4


@pytest.mark.parametrize("language, message", [
    ("fi", "Kunta ei kuulu alueeseen."),
    ("sv", "Kommunen hör inte till området."),
    ("en", "The municipality does not belong to the area."),
])
def test_the_municipality_must_belong_to_the_area(network, language, message):
    body = venue_body(network, municipality="837")

    response = network.client("coordinator", language).post("organisations", body)

    assert response.status_code == 422
    assert response.json()["error"] == {"code": "municipality_not_in_area", "message": message,
                                        "field": "municipality"}
    assert Organisation.objects.count() == 4


def test_a_municipality_that_has_left_the_area_no_longer_belongs(network):
    network.client("admin").patch(f"areas/{network.area.pk}", {"municipalities": [{"code": "091"}]})

    response = network.client("coordinator").post("organisations", venue_body(network, municipality="049"))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "municipality_not_in_area"


def test_an_unknown_municipality_code(network):
    response = network.client("admin").post("organisations", venue_body(network, municipality="999"))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "municipality_unknown"
    assert response.json()["error"]["field"] == "municipality"


@pytest.mark.parametrize("who", ["other_coordinator", "distributor", "venue"])
def test_others_may_not_create_sites_in_the_area(network, who):
    response = network.client(who).post("organisations", venue_body(network))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Organisation.objects.count() == 4


@pytest.mark.parametrize("who, visible", [
    ("admin", ["distributor", "venue", "other_distributor", "other_venue"]),
    ("coordinator", ["distributor", "venue"]),
    ("distributor", ["distributor"]),
    ("other_venue", ["other_venue"]),
])
def test_the_list_is_scoped_to_the_caller(network, who, visible):
    response = network.client(who).get("organisations")

    assert response.status_code == 200
    expected = {getattr(network, name).pk for name in visible}
    assert {site["id"] for site in response.json()["results"]} == expected


def test_the_list_filters_by_area_and_kind(network):
    response = network.client("admin").get("organisations", area_id=network.other_area.pk, kind="venue")

    assert [site["id"] for site in response.json()["results"]] == [network.other_venue.pk]


@pytest.mark.parametrize("params, status, field", [
    ({"area_id": 999999}, 400, "area_id"),
    ({"area_id": "x"}, 400, "area_id"),
    ({"kind": "shop"}, 400, "kind"),
])
def test_bad_list_filters_are_invalid(network, params, status, field):
    response = network.client("admin").get("organisations", **params)

    assert response.status_code == status
    assert response.json()["error"]["field"] == field


def test_filtering_by_another_area_is_forbidden(network):
    response = network.client("coordinator").get("organisations", area_id=network.other_area.pk)

    assert response.status_code == 403


@pytest.mark.parametrize("who, site, status", [
    ("admin", "other_venue", 200),
    ("coordinator", "venue", 200),
    ("coordinator", "other_venue", 403),
    ("venue", "venue", 200),
    ("venue", "distributor", 403),
    ("distributor", "distributor", 200),
    ("distributor", "other_distributor", 403),
])
def test_reading_one_site(network, who, site, status):
    response = network.client(who).get(f"organisations/{getattr(network, site).pk}")

    assert response.status_code == status


def test_an_unknown_site_is_not_found(network):
    assert network.client("admin").get("organisations/999999").status_code == 404


def test_coordinator_changes_a_site_of_its_area(network):
    response = network.client("coordinator").patch(f"organisations/{network.venue.pk}", {
        "name": "Helsingin Kaupunginteatteri", "category": "dance", "contact_phone": "09 394 022",
        "guideline_version": "2025", "guideline_committed_on": "2025-01-15", "municipality": "049"})

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Helsingin Kaupunginteatteri"
    assert body["category"] == "dance"
    assert body["sector"] == "culture"
    assert body["municipality"] == "049"
    assert body["guideline_committed_on"] == "2025-01-15"
    assert AuditRecord.objects.filter(action="organisation.updated", object_id=str(network.venue.pk)).exists()


@pytest.mark.parametrize("site, body, status, code, field", [
    ("venue", {"sector": None}, 400, "invalid", "sector"),
    ("venue", {"category": "ngo"}, 400, "invalid", "category"),
    ("distributor", {"sector": "sport"}, 400, "invalid", "sector"),
    ("venue", {"name": None}, 400, "invalid", "name"),
    ("venue", {"active": "no"}, 400, "invalid", "active"),
    ("venue", {"area_id": 2}, 400, "invalid", "area_id"),
    ("venue", {"kind": "distributor"}, 400, "invalid", "kind"),
    ("venue", {"municipality": "837"}, 422, "municipality_not_in_area", "municipality"),
    ("venue", {"municipality": "999"}, 422, "municipality_unknown", "municipality"),
])
def test_refused_site_changes_write_nothing(network, site, body, status, code, field):
    organisation = getattr(network, site)

    response = network.client("admin").patch(f"organisations/{organisation.pk}", body)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == field
    unchanged = Organisation.objects.get(pk=organisation.pk)
    assert (unchanged.name, unchanged.category, unchanged.sector, unchanged.municipality_id) == (
        organisation.name, organisation.category, organisation.sector, organisation.municipality_id)


@pytest.mark.parametrize("who", ["other_coordinator", "venue", "distributor"])
def test_others_may_not_change_a_site(network, who):
    response = network.client(who).patch(f"organisations/{network.venue.pk}", {"name": "Kaapattu"})

    assert response.status_code == 403
    assert Organisation.objects.get(pk=network.venue.pk).name == "Kaupunginteatteri"


def test_taking_a_site_out_of_the_network_locks_its_users_out_and_keeps_its_history(network):
    coordinator = network.client("coordinator")

    response = coordinator.patch(f"organisations/{network.venue.pk}", {"active": False})

    assert response.status_code == 200
    assert response.json()["active"] is False
    assert response.json()["inactive_from"] == today().isoformat()
    assert response.json()["active_from"] == "2020-01-01"
    for language, message in [("fi", "Sinulla ei ole oikeutta tähän."),
                              ("en", "You are not allowed to do this.")]:
        refused = network.client("venue", language).get("settings")
        assert refused.status_code == 403
        assert refused.json()["error"] == {"code": "forbidden", "message": message}
    assert network.client("venue").get(f"organisations/{network.venue.pk}").status_code == 403
    assert network.client("distributor").get("settings").status_code == 200

    again = coordinator.patch(f"organisations/{network.venue.pk}", {"active": True})

    assert again.json()["active"] is True
    assert again.json()["inactive_from"] is None
    # The staff's old tokens were revoked when the site left: a new one works, the old stays dead.
    assert network.client("venue").get("settings").status_code == 401
    assert ApiClient(make_token(network.users["venue"])).get("settings").status_code == 200
