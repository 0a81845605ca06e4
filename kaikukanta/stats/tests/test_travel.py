import datetime

from .test_activation import PERIODS, _period
from .world import new_card, new_visit

d = datetime.date


def test_travel_matches_the_oracle_for_every_scope_and_period(rich):
    for viewer, (_, scope) in rich.viewers.items():
        for start, end in PERIODS:
            response = rich.get(viewer, "stats/travel", **_period(start, end))
            assert response.status_code == 200, response.content
            assert response.json() == rich.world.travel(scope, start, end), (viewer, start, end)


def test_five_holders_travelling_show_and_four_are_suppressed(network):
    """Five Helsinki holders visit Tampere twice each, four Tampere holders visit Helsinki once: the
    first pair shows, the second counts only four people and is hidden."""
    helsinki = [new_card(network.distributor, issued_on=d(2024, 1, 1), postal_code="00100") for _ in range(5)]
    tampere = [new_card(network.other_distributor, issued_on=d(2024, 1, 1), postal_code="33100")
               for _ in range(4)]
    for card in helsinki:
        new_visit(card, network.other_venue, d(2024, 2, 1))
        new_visit(card, network.other_venue, d(2024, 2, 2))
    for card in tampere:
        new_visit(card, network.venue, d(2024, 2, 1))
    a, b = str(network.area.pk), str(network.other_area.pk)
    rows = network.client("admin").get("stats/travel").json()["rows"]
    expected = sorted([
        {"home": a, "venue": b, "visits": 10, "uses": 10, "holders": 5, "suppressed": False},
        {"home": b, "venue": a, "visits": None, "uses": None, "holders": None, "suppressed": True},
    ], key=lambda row: (row["home"], row["venue"]))
    assert rows == expected
    # The coordinator of area A sees the visits at its own venues only, and those holders are of area B,
    # whose data it may not read: released as a venue's travel table is, the pair of four is left out.
    assert network.client("coordinator").get("stats/travel").json()["rows"] == []


def test_community_cards_travel_as_community(network):
    cards = [new_card(network.distributor, card_type="community", issued_on=d(2024, 1, 1)) for _ in range(5)]
    for card in cards:
        new_visit(card, network.venue, d(2024, 3, 1), clients=4)
    assert network.client("admin").get("stats/travel").json()["rows"] == [
        {"home": "community", "venue": str(network.area.pk), "visits": 5, "uses": 25, "holders": 5,
         "suppressed": False}]
