import datetime

import pytest

from kaikukanta.core.clock import today

from .world import new_card, new_visit

d = datetime.date
SMALL_STEPS = {"uses": 10, "cards": 3}


@pytest.fixture
def small_steps(monkeypatch):
    """The steps are 10,000 uses and 5,000 cards; the same rules with small steps fit in a test world."""
    monkeypatch.setattr("kaikukanta.stats.selectors.reached.MILESTONE_STEPS", SMALL_STEPS)
    return SMALL_STEPS


def test_milestones_match_the_oracle_for_every_scope(rich, small_steps):
    for viewer, (_, scope) in rich.viewers.items():
        response = rich.get(viewer, "stats/milestones")
        assert response.status_code == 200, response.content
        expected = rich.world.milestones(scope, today(), small_steps)
        assert response.json() == {"results": [{**m, "date": m["date"].isoformat()} for m in expected]}, viewer


def test_municipalities_are_numbered_by_their_first_day_in_the_network(rich):
    results = rich.get("admin", "stats/milestones").json()["results"]
    municipalities = [(m["number"], m["date"]) for m in results if m["kind"] == "municipality"]
    # 049, 091 (area A) and 837 (area B) on 2020-01-01; Turku when area C became a pilot; Vantaa joining A;
    # Maarianhamina joining C. Espoo leaving A and Lappi (only preparing) add nothing.
    assert municipalities == [(1, "2020-01-01"), (2, "2020-01-01"), (3, "2020-01-01"), (4, "2023-07-01"),
                              (5, "2024-03-15"), (6, "2024-05-01")]


def test_the_real_steps_are_ten_thousand_uses_and_five_thousand_cards(network):
    card = new_card(network.distributor, card_type="community", issued_on=d(2024, 1, 1),
                     valid_until=d(2024, 12, 31))
    # 909 visits of 11 uses = 9,999 uses; the next visit's 11 uses cross 10,000.
    for _ in range(909):
        new_visit(card, network.venue, d(2024, 2, 1), clients=10)
    new_visit(card, network.venue, d(2024, 2, 2), clients=10)
    results = network.client("admin").get("stats/milestones").json()["results"]
    assert [m for m in results if m["kind"] != "municipality"] == [
        {"kind": "uses", "number": 10_000, "date": "2024-02-02"}]


def _latest_of_each_kind(milestones):
    latest = {milestone["kind"]: milestone for milestone in milestones}
    return sorted(latest.values(), key=lambda milestone: (milestone["date"], milestone["kind"], milestone["number"]))


def test_the_latest_of_each_kind_matches_the_oracle_for_every_scope(rich, small_steps):
    for viewer, (_, scope) in rich.viewers.items():
        expected = [{**m, "date": m["date"].isoformat()}
                    for m in _latest_of_each_kind(rich.world.milestones(scope, today(), small_steps))]
        response = rich.get(viewer, "stats/milestones", latest="true")
        assert response.status_code == 200, response.content
        assert response.json()["results"] == expected, viewer
        full = rich.get(viewer, "stats/milestones").json()["results"]
        assert rich.get(viewer, "stats/milestones", limit=2).json()["results"] == full[-2:], viewer
    assert rich.get("admin", "stats/milestones", limit=0).status_code == 400
    assert rich.get("admin", "stats/milestones", limit=1001).status_code == 400


def test_the_latest_milestones_cost_the_same_statements_whatever_the_history(network, small_steps):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = network.client("admin")
    card = new_card(network.distributor, card_type="community", issued_on=d(2018, 1, 1), valid_until=d(2030, 1, 1))

    def statements():
        admin.get("stats/milestones", latest="true")            # folds what is pending first
        with CaptureQueriesContext(connection) as queries:
            results = admin.get("stats/milestones", latest="true").json()["results"]
        return len(queries), results

    new_visit(card, network.venue, d(2024, 5, 5), clients=10)
    short_history, first = statements()
    for year in range(2018, 2024):
        for month in (2, 7, 11):
            new_visit(card, network.venue, d(year, month, 3), clients=10)
    long_history, later = statements()
    assert short_history == long_history
    uses = [m for m in later if m["kind"] == "uses"]
    assert uses == [{"kind": "uses", "number": 19 * 11 // 10 * 10, "date": "2024-05-05"}]
    assert [m for m in first if m["kind"] == "uses"] == [{"kind": "uses", "number": 10, "date": "2024-05-05"}]
