import pytest

from kaikukanta.cards.models import Card
from kaikukanta.core.models import AuditRecord

ENDPOINTS = ["stats/summary", "stats/uses", "stats/yearly", "stats/wellbeing", "stats/activation", "stats/value",
             "stats/travel", "stats/milestones"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_without_a_token_it_is_unauthenticated(anonymous, network, path):
    response = anonymous.get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_coordinator_may_not_look_into_another_area(network, path):
    response = network.client("coordinator").get(path, area_id=network.other_area.pk)
    assert response.status_code == 403
    assert response.json()["error"] == {"code": "forbidden", "message": "Sinulla ei ole oikeutta tähän."}


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("who", ["distributor", "venue"])
def test_a_site_may_not_ask_for_an_area_not_even_its_own(network, path, who):
    response = network.client(who, "en").get(path, area_id=network.area.pk)
    assert response.status_code == 403
    assert response.json()["error"] == {"code": "forbidden", "message": "You are not allowed to do this."}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_an_area_that_does_not_exist_is_invalid(network, path):
    response = network.client("admin", "sv").get(path, area_id=999_999)
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "message": "Begäran är ogiltig.",
                                        "field": "area_id"}


@pytest.mark.parametrize("params, field", [
    ({"area_id": "abc"}, "area_id"),
    ({"on": "2024-13-01"}, "on"),
    ({"on": "yesterday"}, "on"),
])
def test_malformed_summary_parameters_are_invalid(network, params, field):
    response = network.client("admin").get("stats/summary", **params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == field


GROUPS = ("'month', 'year', 'area', 'municipality', 'welfare_area', 'venue', 'sector', 'venue_category', "
          "'age_group', 'card_type', 'home_area', 'children', 'gender', 'home_municipality'")


@pytest.mark.parametrize("params, field, reason", [
    ({"group_by": "holder_name"}, "group_by", f" (must be one of {GROUPS})"),
    ({"group_by": ""}, "group_by", f" (must be one of {GROUPS})"),
    ({"format": "xlsx"}, "format", " (must be one of 'json', 'csv')"),
    ({"from": "2024-02-30"}, "from", " (must be a date as YYYY-MM-DD)"),
    ({"from": "2024-06-01", "to": "2024-05-31"}, "to", ""),
])
def test_malformed_uses_parameters_are_invalid(network, params, field, reason):
    response = network.client("admin", "en").get("stats/uses", **params)
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "message": f"The request is invalid.{reason}",
                                        "field": field}


def test_reading_statistics_writes_nothing(rich):
    cards, audit = Card.objects.count(), AuditRecord.objects.count()
    for path in ENDPOINTS:
        assert rich.get("coordinator", path).status_code == 200
    assert (Card.objects.count(), AuditRecord.objects.count()) == (cards, audit)


def test_a_coordinator_of_an_area_not_yet_in_the_network_sees_zeros(rich):
    body = rich.get("lappi_coordinator", "stats/summary", on="2024-06-30").json()
    assert body["areas"] == 0 and body["municipalities"] == 0 and body["visits"] == 0


def test_the_schema_documents_the_statistics(anonymous):
    schema = anonymous.get("/api/v1/openapi.json").json()
    for path in ENDPOINTS:
        operation = schema["paths"]["/api/v1/" + path]["get"]
        assert "403 forbidden" in operation["description"]
        assert "view_stats" in operation["description"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/stats/uses"]["get"]["parameters"]}
    assert "home_area" in str(parameters["group_by"])
    assert {"from", "to", "area_id", "format"} <= set(parameters)
