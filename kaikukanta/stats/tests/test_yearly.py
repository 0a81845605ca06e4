import datetime

import pytest

from kaikukanta.core.clock import today

d = datetime.date
SECTORS = ("culture", "education", "science", "sport")


@pytest.fixture
def mid_2025(monkeypatch):
    monkeypatch.setattr("kaikukanta.stats.api.today", lambda: d(2025, 6, 1))
    return d(2025, 6, 1)


def test_yearly_matches_the_oracle_for_every_scope(rich, mid_2025):
    for viewer, (_, scope) in rich.viewers.items():
        response = rich.get(viewer, "stats/yearly")
        assert response.status_code == 200, response.content
        assert response.json() == rich.world.yearly(scope, mid_2025), viewer


def test_yearly_runs_to_the_real_current_year(rich):
    body = rich.get("admin", "stats/yearly").json()
    assert body == rich.world.yearly(("network", None), today())
    assert body["rows"][-1]["year"] == today().year


def test_yearly_by_hand(rich, mid_2025):
    rows = {row["year"]: row for row in rich.get("admin", "stats/yearly").json()["rows"]}
    assert list(rows) == [2022, 2023, 2024, 2025]
    assert rows[2024] == {
        "year": 2024,
        "cards_registered": 7,        # c3, c4, c5 (c4's replacement), c8, e4, f2, f3
        "cards_activated": 5,         # first uses in 2024: c3, c5, c8, e4, f2
        "adult_uses": {"culture": 6, "education": 2, "science": 3, "sport": 2},
        "child_uses": {"culture": 1, "education": 0, "science": 2, "sport": 1},
        "community_uses": {"culture": 11, "education": 0, "science": 0, "sport": 4},
        "uses": 34,                   # 19 personal (2 of them at a venue without a sector) + 15 community
        "municipalities": 5,          # 091, 092 (Espoo left in September), 837, 853, 478
        "ticket_value_cents": 0, "priced_uses": 0, "value_known_share": 0.0,   # no offering has a price
    }
    assert rows[2025]["municipalities"] == 4   # today: area B ended on 1 January, C ends in September
    assert rows[2022]["municipalities"] == 3


def test_a_venue_sees_its_uses_but_no_cards_or_municipalities(rich, mid_2025):
    rows = rich.get("aland_venue", "stats/yearly").json()["rows"]
    assert [row["year"] for row in rows] == [2024, 2025]
    assert rows[0]["cards_registered"] is None and rows[0]["municipalities"] is None
    assert rows[0]["adult_uses"] == {"culture": 0, "education": 0, "science": 3, "sport": 0}
    assert rows[0]["child_uses"]["science"] == 2


def test_no_data_no_rows(network):
    assert network.client("admin").get("stats/yearly").json() == {"rows": []}
