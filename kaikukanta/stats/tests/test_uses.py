import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaikukanta.stats import rollups

from .world import new_card, new_visit

d = datetime.date

GROUPINGS = ["month", "year", "area", "municipality", "welfare_area", "venue", "sector", "venue_category",
             "age_group", "card_type", "home_area", "children", "gender", "home_municipality"]
PERIODS = [(None, None), (d(2024, 1, 1), d(2024, 12, 31)), (None, d(2024, 6, 1)), (d(2024, 6, 1), None)]


def _period(start, end) -> dict:
    params = {}
    if start:
        params["from"] = start.isoformat()
    if end:
        params["to"] = end.isoformat()
    return params


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_uses_match_the_oracle_for_every_scope_and_period(rich, group_by):
    for viewer, (_, scope) in rich.viewers.items():
        for start, end in PERIODS:
            response = rich.get(viewer, "stats/uses", group_by=group_by, **_period(start, end))
            assert response.status_code == 200, response.content
            assert response.json() == rich.world.uses(scope, group_by, start, end), (viewer, start, end)


def test_month_is_the_default_breakdown(rich):
    body = rich.get("admin", "stats/uses", **{"from": "2024-05-01", "to": "2024-06-30"}).json()
    assert body == {
        "rows": [
            # c6 with 3 clients, f1 with 2 children
            {"key": "2024-05", "visits": 2, "uses": 7, "child_uses": 2, "suppressed": False},
            # f2 (its second visit that day was cancelled)
            {"key": "2024-06", "visits": 1, "uses": 1, "child_uses": 0, "suppressed": False},
        ],
        "total": {"visits": 3, "uses": 8, "child_uses": 2},
    }


def test_keys_by_hand(rich):
    world = rich.world
    n = world.network
    keys = {group_by: [row["key"] for row in rich.get("admin", "stats/uses", group_by=group_by).json()[
        "rows"]] for group_by in GROUPINGS}
    assert keys["year"] == ["2022", "2023", "2024", "2025"]
    assert keys["area"] == sorted(str(pk) for pk in (n.area.pk, n.other_area.pk, rich.area_c.pk))
    assert keys["municipality"] == ["091", "092", "478", "837", "853"]
    # Åland belongs to no welfare area
    assert keys["welfare_area"] == ["Helsingin kaupunki", "Pirkanmaan hyvinvointialue",
                                    "Vantaan ja Keravan hyvinvointialue", "Varsinais-Suomen hyvinvointialue",
                                    "none"]
    assert keys["sector"] == ["culture", "education", "none", "science", "sport"]
    assert keys["venue_category"] == ["adult_education", "museum", "other", "science_centre", "sport",
                                      "theatre"]
    assert keys["card_type"] == ["community", "personal"]
    assert keys["age_group"] == ["16-17", "18-29", "30-49", "50-64", "65+", "community"]
    # c2's home, Espoo, left area A on 2024-09-01: its visit on 2024-09-05 has no home area
    assert keys["home_area"] == sorted([str(n.area.pk), str(n.other_area.pk), str(rich.area_c.pk),
                                        "community", "none"])
    # f1 has four children; c6, e3 are community cards
    assert keys["children"] == ["0", "1", "2", "3", "4+", "community"]
    assert keys["gender"] == ["community", "female", "male", "none", "other"]
    assert keys["home_municipality"] == ["049", "091", "092", "478", "837", "853", "community"]


def test_holder_breakdowns_suppress_rows_of_one_to_four_cards_but_not_five(network):
    """Four holders of 65+ with two visits each stay hidden; five holders of 18-29 show, whatever the
    number of visits; the venue-side breakdown of the same visits is never suppressed."""
    for _ in range(4):
        card = new_card(network.distributor, issued_on=d(2024, 1, 1), birth_year=1950)
        for day in (d(2024, 2, 1), d(2024, 2, 2)):
            new_visit(card, network.venue, day)
    for _ in range(5):
        card = new_card(network.distributor, issued_on=d(2024, 1, 1), children=1, birth_year=2000)
        new_visit(card, network.venue, d(2024, 3, 1), children=1)
    admin = network.client("admin")

    body = admin.get("stats/uses", group_by="age_group").json()
    assert body["rows"] == [
        {"key": "18-29", "visits": 5, "uses": 10, "child_uses": 5, "suppressed": False},
        {"key": "65+", "visits": None, "uses": None, "child_uses": None, "suppressed": True},
    ]
    assert body["total"] == {"visits": 13, "uses": 18, "child_uses": 5}

    assert admin.get("stats/uses", group_by="home_area").json()["rows"] == [
        {"key": str(network.area.pk), "visits": 13, "uses": 18, "child_uses": 5, "suppressed": False}]
    assert admin.get("stats/uses", group_by="month").json()["rows"] == [
        {"key": "2024-02", "visits": 8, "uses": 8, "child_uses": 0, "suppressed": False},
        {"key": "2024-03", "visits": 5, "uses": 10, "child_uses": 5, "suppressed": False}]

    csv = admin.get("stats/uses", group_by="age_group", format="csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode() == "key,visits,uses,child_uses\n18-29,5,10,5\n65+,,,\n"

    # one more 65+ holder: five distinct cards, the row shows
    card = new_card(network.distributor, issued_on=d(2024, 1, 1), birth_year=1959)   # 65 in 2024
    new_visit(card, network.venue, d(2024, 4, 1))
    assert admin.get("stats/uses", group_by="age_group").json()["rows"][1] == {
        "key": "65+", "visits": 9, "uses": 9, "child_uses": 0, "suppressed": False}


def test_age_is_counted_in_the_year_of_the_visit(network):
    cards = [new_card(network.distributor, issued_on=d(2023, 6, 1), valid_until=d(2024, 5, 31),
                       birth_year=2006) for _ in range(5)]
    for card in cards:
        new_visit(card, network.venue, d(2023, 12, 31))   # 17 that year
        new_visit(card, network.venue, d(2024, 1, 1))     # 18 that year
    rows = network.client("admin").get("stats/uses", group_by="age_group").json()["rows"]
    assert [(row["key"], row["visits"]) for row in rows] == [("16-17", 5), ("18-29", 5)]


def test_csv_has_the_same_rows_without_the_total(rich):
    for group_by in ("month", "venue", "home_area"):
        expected = rich.world.uses(("network", None), group_by)
        response = rich.get("admin", "stats/uses", group_by=group_by, format="csv")
        assert response["Content-Type"].startswith("text/csv")
        lines = response.content.decode().splitlines()
        assert lines[0] == "key,visits,uses,child_uses"
        assert lines[1:] == [",".join([row["key"]] + ["" if row[name] is None else str(row[name])
                                                      for name in ("visits", "uses", "child_uses")])
                             for row in expected["rows"]]


def test_an_empty_period_has_no_rows_and_a_zero_total(rich):
    body = rich.get("admin", "stats/uses", group_by="venue", **{"from": "2030-01-01"}).json()
    assert body == {"rows": [], "total": {"visits": 0, "uses": 0, "child_uses": 0}}
    csv = rich.get("admin", "stats/uses", group_by="venue", format="csv", **{"from": "2030-01-01"})
    assert csv.content.decode() == "key,visits,uses,child_uses\n"


def test_query_count_does_not_grow_with_the_data(rich):
    """Set-based: the same number of queries for 30 visits as for 60 (once the new ones are folded in)."""
    def queries(group_by):
        with CaptureQueriesContext(connection) as captured:
            assert rich.get("admin", "stats/uses", group_by=group_by).status_code == 200
            assert rich.get("admin", "stats/summary").status_code == 200
            assert rich.get("admin", "stats/yearly").status_code == 200
            assert rich.get("admin", "stats/wellbeing").status_code == 200
        return len(captured)

    queries("month")   # the token's first use of the test is recorded once
    before = {group_by: queries(group_by) for group_by in ("home_area", "age_group", "venue")}
    world = rich.world
    for index in range(30):
        card = world.card(world.network.distributor, d(2024, 1, 1), birth_year=1940 + index)
        world.visit(card, rich.v4, d(2024, 2, 1), children=0)
        world.answer_at_issue(card, "mood", 3)
        world.renewal(card, d(2024, 12, 1), {"mood": 4})
    rollups.fold()
    assert {group_by: queries(group_by) for group_by in before} == before

