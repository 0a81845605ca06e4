import datetime

from .world import new_card, new_visit

d = datetime.date
PERIODS = [(None, None), (d(2024, 1, 1), d(2024, 12, 31)), (None, d(2023, 12, 31)), (d(2024, 6, 30), None)]


def _period(start, end) -> dict:
    return {name: day.isoformat() for name, day in (("from", start), ("to", end)) if day}


def test_activation_matches_the_oracle_for_every_scope_and_period(rich):
    for viewer, (_, scope) in rich.viewers.items():
        for start, end in PERIODS:
            response = rich.get(viewer, "stats/activation", **_period(start, end))
            assert response.status_code == 200, response.content
            assert response.json() == rich.world.activation(scope, start, end), (viewer, start, end)


def test_activation_by_hand_for_the_whole_network(rich):
    body = rich.get("admin", "stats/activation").json()
    # 14 personal cards; never used: c4 (its only visit was cancelled) and f3. Renewed: c1, c2, c3, c5, c7, e1.
    assert body["issued"] == 14
    assert body["activated"] == 12
    assert body["activation_share"] == 0.8571
    assert body["renewed"] == 6
    assert body["renewal_share"] == 0.4286
    # uses to date: c4, f3 → 0; f2, g1 → 1; c2 4, c3 4, c5 3, c7 2, c8 2, e2 2, e4 2 → 2-4;
    # c1 6, e1 8, f1 9 → 5-9
    assert body["uses_per_card"] == [
        {"bucket": "0", "cards": None, "suppressed": True},
        {"bucket": "1", "cards": None, "suppressed": True},
        {"bucket": "2-4", "cards": 7, "suppressed": False},
        {"bucket": "5-9", "cards": None, "suppressed": True},
        {"bucket": "10-19", "cards": 0, "suppressed": False},
        {"bucket": "20+", "cards": 0, "suppressed": False},
    ]


def test_a_bucket_of_five_cards_shows_and_of_four_is_suppressed(network):
    cards = [new_card(network.distributor, issued_on=d(2024, 1, 1), children=3) for _ in range(9)]
    for card in cards[:5]:
        for day in range(1, 8):                       # 7 visits with 3 children each: 28 uses
            new_visit(card, network.venue, d(2024, 1, day), children=3)
    for card in cards[5:]:
        new_visit(card, network.venue, d(2024, 2, 1), children=3)    # 4 uses each
    body = network.client("admin").get("stats/activation").json()
    assert body["uses_per_card"][2] == {"bucket": "2-4", "cards": None, "suppressed": True}
    assert body["uses_per_card"][5] == {"bucket": "20+", "cards": 5, "suppressed": False}
    assert (body["issued"], body["activated"], body["activation_share"]) == (9, 9, 1.0)
    assert (body["renewed"], body["renewal_share"]) == (0, 0.0)


def test_nothing_issued_has_no_shares(network):
    body = network.client("coordinator").get("stats/activation").json()
    assert body["issued"] == 0 and body["activation_share"] is None and body["renewal_share"] is None
    assert [row["cards"] for row in body["uses_per_card"]] == [0] * 6


def test_a_venue_has_no_cards_to_count(rich):
    body = rich.get("venue", "stats/activation").json()
    assert body == {"issued": None, "activated": None, "activation_share": None, "renewed": None,
                    "renewal_share": None, "uses_per_card": []}


def test_to_before_from_is_invalid(network):
    response = network.client("admin").get("stats/activation", **{"from": "2024-02-01", "to": "2024-01-31"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "to"
