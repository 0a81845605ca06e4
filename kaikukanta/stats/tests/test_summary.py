import datetime

import pytest

from kaikukanta.core.clock import today

d = datetime.date

# Days on which something changes: areas and sites joining or leaving, cards issued, closed or expiring.
DAYS = [d(2022, 12, 31), d(2023, 7, 1), d(2024, 3, 15), d(2024, 6, 30), d(2024, 9, 1), d(2025, 1, 1),
        d(2025, 3, 1)]


def test_summary_matches_the_oracle_for_every_scope_and_date(rich):
    for viewer, (_, scope) in rich.viewers.items():
        for day in DAYS:
            response = rich.get(viewer, "stats/summary", on=day.isoformat())
            assert response.status_code == 200, (viewer, day, response.content)
            assert response.json() == rich.world.summary(scope, day), (viewer, day)


def test_summary_defaults_to_today(rich):
    for viewer in ("admin", "coordinator", "distributor", "venue"):
        response = rich.get(viewer, "stats/summary")
        assert response.json() == rich.world.summary(rich.viewers[viewer][1], today())


def test_summary_by_hand_for_the_whole_network_in_mid_2024(rich):
    """The oracle's answer for one date, worked out by hand from the fixture, so a shared misreading of the
    definitions by the oracle and the queries would still show."""
    body = rich.get("admin", "stats/summary", on="2024-06-30").json()
    assert body == {
        "areas": 3,                 # A, B, C (E is preparing)
        "municipalities": 6,        # 091, 049, 092, 837, 853, 478
        "distributors": 3,
        "venues": 6,                # v1..v6 (v3 opened in March, closes in November)
        # c2, c3, c5 (issued that day), f1 (until 31 July), f2, g1 (its last day); c4 closed that day
        "cardholders": 6,
        "cards_issued": 10,         # c1-c5, e1, e2, f1, f2, g1: c4 and its replacement c5 both count
        "cards_activated": 8,       # c1, c2, c3, e1, e2, f1, f2, g1 (c4's only visit was cancelled)
        "visits": 19,
        "uses": 52,                 # c1 6, c2 2, c3 2, c6 15 (clients), e1 8, e2 2, e3 7, f1 8, f2 1, g1 1
        "child_uses": 15,           # c1 3, c3 1, e1 5, f1 6
        "low_income_coverage": None,  # 837 (Tampere) has no figure
        # No visit of the fixture has an offering with a price: no value, known for none of the uses.
        "ticket_value_cents": 0, "priced_uses": 0, "value_known_share": 0.0,
    }


def test_summary_by_hand_for_an_area_and_its_coverage(rich):
    area_a = rich.world.network.area.pk
    body = rich.client("admin").get("stats/summary", area_id=area_a, on="2024-06-30").json()
    # 091 (2024: 52), 049 (2023: 20), 092 (only 2025: 30) → 102 low-income persons;
    # cardholders issued by A's distributor and valid that day: c2, c3, c5. 3 / 102 = 0.02941…
    assert body["municipalities"] == 3
    assert body["cardholders"] == 3
    assert body["low_income_coverage"] == 0.0294
    body = rich.client("admin").get("stats/summary", area_id=rich.area_c.pk, on="2024-06-30").json()
    # 853 (2023: 15) + 478 (2024: 10); cardholders f1, f2, g1 → 3 / 25
    assert (body["areas"], body["municipalities"], body["cardholders"]) == (1, 2, 3)
    assert body["low_income_coverage"] == 0.12


def test_coverage_rounds_half_up_to_four_decimals_and_uses_the_newest_year_up_to_the_date(rich):
    world = rich.world
    area_c = rich.area_c.pk
    world.low_income_figure("853", 2023, 1)
    world.low_income_figure("478", 2024, 15)
    body = rich.client("admin").get("stats/summary", area_id=area_c, on="2024-06-30").json()
    assert body["low_income_coverage"] == 0.1875       # 3 / 16
    world.low_income_figure("478", 2025, 7)           # later than the date asked about: not used
    assert rich.client("admin").get("stats/summary", area_id=area_c, on="2024-06-30").json() == \
        world.summary(("area", area_c), d(2024, 6, 30))
    body = rich.client("admin").get("stats/summary", area_id=area_c, on="2025-01-01").json()
    # f2 and f3 valid; 2 / (1 + 7) = 0.25
    assert body["low_income_coverage"] == 0.25
    world.low_income_figure("853", 2024, 2)
    # 2 / (2 + 7) = 0.2222…
    assert rich.client("admin").get("stats/summary", area_id=area_c, on="2025-01-01").json()[
        "low_income_coverage"] == 0.2222
    world.low_income_figure("853", 2024, 1593)
    # 2 / (1593 + 7) = 0.00125 exactly: half up
    assert rich.client("admin").get("stats/summary", area_id=area_c, on="2025-01-01").json()[
        "low_income_coverage"] == 0.0013


def test_coverage_is_null_without_covered_municipalities_or_without_their_figures(rich):
    admin = rich.client("admin")
    for area in (rich.area_e, rich.world.network.other_area):
        body = admin.get("stats/summary", area_id=area.pk, on="2024-06-30").json()
        assert body["low_income_coverage"] is None
    body = admin.get("stats/summary", on="2025-06-01").json()     # area B has ended: 837 no longer counts
    assert body["low_income_coverage"] is not None
    assert body == rich.world.summary(("network", None), d(2025, 6, 1))


@pytest.mark.parametrize("viewer", ["distributor", "venue"])
def test_a_site_gets_null_for_what_does_not_concern_it(rich, viewer):
    body = rich.get(viewer, "stats/summary", on="2024-06-30").json()
    for name in ("areas", "municipalities", "distributors", "venues", "low_income_coverage"):
        assert body[name] is None
    cards = ("cardholders", "cards_issued", "cards_activated")
    assert all((body[name] is None) == (viewer == "venue") for name in cards)
