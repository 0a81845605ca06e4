import datetime

import pytest

from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Area, AreaStatusPeriod, Membership
from kaikukanta.network.selectors import area_of_municipality_on, area_status_on, network_municipalities_on

pytestmark = pytest.mark.django_db

TURKU_SINCE_2015 = {"name": "Varsinais-Suomi", "status": "pilot",
                    "municipalities": [{"code": "853", "joined_on": "2015-01-01"}]}


def test_admin_creates_an_area_with_its_history(network):
    response = network.client("admin").post("areas", TURKU_SINCE_2015)

    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["id"], int)
    assert body["name"] == "Varsinais-Suomi"
    assert body["status"] == "pilot"
    assert body["municipalities"] == [{"code": "853", "joined_on": "2015-01-01"}]
    assert body["status_history"] == [{"status": "pilot", "effective_from": "2015-01-01"}]
    assert network_municipalities_on(datetime.date(2016, 6, 1), body["id"]) == {"853"}
    assert network_municipalities_on(datetime.date(2014, 12, 31), body["id"]) == set()
    assert AuditRecord.objects.filter(action="area.created", object_id=str(body["id"])).exists()


def test_status_of_an_area_without_municipalities_holds_from_today(network):
    response = network.client("admin").post("areas", {"name": "Tuleva", "status": "preparing",
                                                      "municipalities": []})

    assert response.status_code == 201
    assert response.json()["status_history"] == [
        {"status": "preparing", "effective_from": today().isoformat()}]


def test_joined_on_defaults_to_today(network):
    response = network.client("admin").post("areas", {"name": "Keski-Suomi", "status": "active",
                                                      "municipalities": [{"code": "179"}]})

    assert response.json()["municipalities"] == [{"code": "179", "joined_on": today().isoformat()}]


@pytest.mark.parametrize("language, message", [
    ("fi", "Kuntakoodia ei tunneta."),
    ("sv", "Kommunkoden är okänd."),
    ("en", "Unknown municipality code."),
])
def test_unknown_municipality_is_refused_in_the_callers_language(network, language, message):
    body = {"name": "X", "status": "pilot", "municipalities": [{"code": "853"}, {"code": "999"}]}

    response = network.client("admin", language).post("areas", body)

    assert response.status_code == 422
    assert response.json() == {"error": {"code": "municipality_unknown", "message": message,
                                         "field": "municipalities.1.code"}}
    assert not Area.objects.filter(name="X").exists()


@pytest.mark.parametrize("language, message", [
    ("fi", "Kunta kuuluu jo toiseen alueeseen."),
    ("sv", "Kommunen hör redan till ett annat område."),
    ("en", "The municipality already belongs to another area."),
])
def test_a_municipality_of_another_area_is_taken(network, language, message):
    body = {"name": "X", "status": "pilot", "municipalities": [{"code": "853"}, {"code": "091"}]}

    response = network.client("admin", language).post("areas", body)

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "municipality_taken", "message": message,
                                        "field": "municipalities.1.code"}
    assert not Area.objects.filter(name="X").exists()
    assert not Membership.objects.filter(municipality_id="853").exists()


def test_the_same_municipality_twice_in_one_body_is_invalid(network):
    body = {"name": "X", "status": "pilot", "municipalities": [{"code": "853"}, {"code": "853"}]}

    response = network.client("admin").post("areas", body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == "municipalities.1.code"


@pytest.mark.parametrize("body, field", [
    ({**TURKU_SINCE_2015, "contact": "x"}, "contact"),
    ({**TURKU_SINCE_2015, "status": "closed"}, "status"),
    ({"name": "X", "status": "pilot"}, "municipalities"),
    ({**TURKU_SINCE_2015, "name": ""}, "name"),
    ({**TURKU_SINCE_2015, "municipalities": [{"code": "853", "joined_on": "2015-13-01"}]},
     "municipalities.0.joined_on"),
    ({**TURKU_SINCE_2015, "municipalities": [{"code": 853}]}, "municipalities.0.code"),
])
def test_malformed_area_bodies_are_invalid(network, body, field):
    response = network.client("admin").post("areas", body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == field
    assert Area.objects.count() == 2


def test_coordinator_reads_its_own_area_only(network):
    coordinator = network.client("coordinator")

    own = coordinator.get(f"areas/{network.area.pk}")
    other = coordinator.get(f"areas/{network.other_area.pk}")
    listing = coordinator.get("areas")

    assert own.status_code == 200
    assert own.json()["municipalities"] == [{"code": "049", "joined_on": "2020-01-01"},
                                            {"code": "091", "joined_on": "2020-01-01"}]
    assert own.json()["status"] == "active"
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "forbidden"
    assert [area["id"] for area in listing.json()["results"]] == [network.area.pk]
    assert listing.json()["next"] is None


def test_admin_lists_every_area(network):
    response = network.client("admin").get("areas")

    assert [area["id"] for area in response.json()["results"]] == [network.area.pk, network.other_area.pk]


def test_site_staff_see_no_areas(network):
    assert network.client("venue").get("areas").json() == {"results": [], "next": None}
    assert network.client("distributor").get(f"areas/{network.area.pk}").status_code == 403


def test_unknown_area_is_not_found(network):
    response = network.client("admin").get("areas/999999")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_status_change_takes_effect_today_and_keeps_history(network):
    yesterday = today() - datetime.timedelta(days=1)

    response = network.client("admin").patch(f"areas/{network.area.pk}", {"status": "ended"})

    assert response.status_code == 200
    assert response.json()["status"] == "ended"
    assert response.json()["status_history"] == [
        {"status": "active", "effective_from": "2020-01-01"},
        {"status": "ended", "effective_from": today().isoformat()}]
    assert area_status_on(network.area, yesterday) == "active"
    assert network_municipalities_on(yesterday, network.area.pk) == {"091", "049"}
    assert network_municipalities_on(today(), network.area.pk) == set()


def test_changing_the_status_back_the_same_day_leaves_one_period(network):
    admin = network.client("admin")
    admin.patch(f"areas/{network.area.pk}", {"status": "ended"})

    response = admin.patch(f"areas/{network.area.pk}", {"status": "active"})

    assert response.json()["status_history"] == [{"status": "active", "effective_from": "2020-01-01"}]


def test_a_municipality_left_out_leaves_today_and_earlier_dates_keep_it(network):
    yesterday = today() - datetime.timedelta(days=1)
    before = network_municipalities_on(yesterday, network.area.pk)

    response = network.client("admin").patch(f"areas/{network.area.pk}",
                                             {"municipalities": [{"code": "091"}]})

    assert response.status_code == 200
    body = response.json()
    assert body["municipalities"] == [{"code": "091", "joined_on": "2020-01-01"}]
    left = {"code": "049", "joined_on": "2020-01-01", "left_on": today().isoformat()}
    assert left in body["membership_history"]
    assert before == {"091", "049"}
    assert network_municipalities_on(yesterday, network.area.pk) == {"091", "049"}
    assert network_municipalities_on(today(), network.area.pk) == {"091"}


def test_a_kept_municipality_stays_unchanged(network):
    response = network.client("admin").patch(f"areas/{network.area.pk}", {"municipalities": [
        {"code": "091", "joined_on": "2024-05-05"}, {"code": "049"}]})

    assert response.json()["municipalities"] == [{"code": "049", "joined_on": "2020-01-01"},
                                                 {"code": "091", "joined_on": "2020-01-01"}]
    assert Membership.objects.filter(area=network.area).count() == 2


def test_a_municipality_moves_between_areas_and_history_answers_for_each_date(network):
    admin = network.client("admin")
    yesterday = today() - datetime.timedelta(days=1)

    admin.patch(f"areas/{network.area.pk}", {"municipalities": [{"code": "091"}]})
    response = admin.patch(f"areas/{network.other_area.pk}",
                           {"municipalities": [{"code": "837"}, {"code": "049"}]})

    assert response.status_code == 200
    assert area_of_municipality_on("049", yesterday) == network.area.pk
    assert area_of_municipality_on("049", today()) == network.other_area.pk
    assert network_municipalities_on(yesterday, network.other_area.pk) == {"837"}
    assert network_municipalities_on(today(), network.other_area.pk) == {"837", "049"}


def test_joining_in_the_past_may_not_overlap_another_areas_history(network):
    admin = network.client("admin")
    admin.patch(f"areas/{network.area.pk}", {"municipalities": [{"code": "091"}]})

    response = admin.patch(f"areas/{network.other_area.pk}", {"municipalities": [
        {"code": "837"}, {"code": "049", "joined_on": "2023-01-01"}]})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "municipality_taken"
    assert response.json()["error"]["field"] == "municipalities.1.code"
    assert not Membership.objects.filter(area=network.other_area, municipality_id="049").exists()


def test_joining_before_another_areas_membership_began_is_taken(network):
    admin = network.client("admin")
    joined = admin.patch(f"areas/{network.other_area.pk}", {"municipalities": [
        {"code": "837"}, {"code": "092", "joined_on": "2019-01-01"}]})

    response = admin.post("areas", {"name": "X", "status": "pilot", "municipalities": [
        {"code": "092", "joined_on": "2010-01-01"}]})

    assert joined.status_code == 200
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "municipality_taken"


def test_a_refused_patch_writes_nothing(network):
    response = network.client("admin").patch(f"areas/{network.area.pk}", {
        "name": "Muutettu", "status": "ended", "municipalities": [{"code": "091"}, {"code": "837"}]})

    assert response.status_code == 409
    network.area.refresh_from_db()
    assert network.area.name == "Pääkaupunkiseutu"
    assert AreaStatusPeriod.objects.filter(area=network.area).count() == 1
    assert not Membership.objects.filter(area=network.area, left_on__isnull=False).exists()
    assert not AuditRecord.objects.filter(object_type="area").exists()


def test_a_municipality_scheduled_to_join_later_can_be_withdrawn_without_trace(network):
    admin = network.client("admin")
    later = (today() + datetime.timedelta(days=30)).isoformat()
    admin.patch(f"areas/{network.area.pk}", {"municipalities": [
        {"code": "091"}, {"code": "049"}, {"code": "092", "joined_on": later}]})

    response = admin.patch(f"areas/{network.area.pk}", {"municipalities": [{"code": "091"}, {"code": "049"}]})

    assert response.status_code == 200
    assert not Membership.objects.filter(municipality_id="092").exists()


def test_status_and_membership_changes_are_audited(network):
    network.client("admin").patch(f"areas/{network.area.pk}", {
        "status": "pilot", "municipalities": [{"code": "091"}, {"code": "092"}]})

    records = AuditRecord.objects.filter(object_type="area", object_id=str(network.area.pk),
                                         actor=network.users["admin"])
    changes = sorted((r.action, r.details.get("municipality") or r.details.get("status")) for r in records)
    assert changes == [("area.municipality_joined", "092"), ("area.municipality_left", "049"),
                       ("area.status_changed", "pilot")]


def test_rename_is_audited(network):
    response = network.client("admin").patch(f"areas/{network.area.pk}", {"name": "Uusimaa"})

    assert response.json()["name"] == "Uusimaa"
    assert AuditRecord.objects.filter(action="area.renamed", object_id=str(network.area.pk),
                                      actor=network.users["admin"]).exists()


@pytest.mark.parametrize("body, field, reason", [
    ({"status": None}, "status", "arvo ei saa olla null"),
    ({"name": None}, "name", "arvo ei saa olla null"),
    ({"owner": "x"}, "owner", "pyynnössä ei ole tällaista kenttää"),
    ({"municipalities": [{"code": "091", "left_on": "2024-01-01"}]}, "municipalities.0.left_on",
     "pyynnössä ei ole tällaista kenttää"),
])
def test_malformed_area_patches_are_invalid(network, body, field, reason):
    response = network.client("admin").patch(f"areas/{network.area.pk}", body)

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "message": f"Pyyntö on virheellinen. ({reason})",
                                        "field": field}


@pytest.mark.parametrize("who", ["coordinator", "distributor", "venue"])
def test_only_the_national_admin_manages_areas(network, who):
    client = network.client(who)

    assert client.post("areas", TURKU_SINCE_2015).status_code == 403
    assert client.patch(f"areas/{network.area.pk}", {"status": "ended"}).status_code == 403
    assert area_status_on(network.area, today()) == "active"
    assert Area.objects.count() == 2
