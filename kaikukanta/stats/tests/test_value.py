"""The value of tickets given: an offering's regular prices (API and desk page), each visit priced when it is
recorded, and the value figures of every scope and grouping against an oracle computed from the world's own
lists, in the API, the pages' tables, the files and the annual report."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.core.clock import today
from kaikukanta.network.models import Offering
from kaikukanta.stats import rollups
from kaikukanta.stats.models import FoldState, Rollup
from kaikukanta.testing import make_card, make_offering, sign_in
from kaikukanta.visits.models import Visit

from .test_rollups import assert_rebuild_changes_nothing
from .test_stats_pages import small_world
from .test_stats_report import drawn_strings
from .world import new_visit

pytestmark = pytest.mark.django_db
d = datetime.date
GROUPINGS = ("year", "area", "municipality", "venue", "sector")


def _offering(client, venue, **prices):
    response = client.post("offerings", {"venue_id": venue.pk, "name": "Konsertti", "kind": "event", **prices})
    assert response.status_code == 201, response.content
    return response.json()


def test_an_offering_takes_whole_cents_within_bounds_and_nothing_else(network):
    client = network.client("venue")
    for bad in (-1, 100_001, 12.5, "1250", True):
        response = client.post("offerings", {"venue_id": network.venue.pk, "name": "Konsertti", "kind": "event",
                                             "adult_price_cents": bad})
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "invalid"
    assert not Offering.objects.filter(name="Konsertti").exists()
    body = _offering(client, network.venue, adult_price_cents=100_000, child_price_cents=0)
    assert (body["adult_price_cents"], body["child_price_cents"]) == (100_000, 0)
    cleared = client.patch(f"offerings/{body['id']}", {"adult_price_cents": None}).json()
    assert (cleared["adult_price_cents"], cleared["child_price_cents"]) == (None, 0)
    assert client.patch(f"offerings/{body['id']}", {"child_price_cents": -5}).status_code == 400
    assert client.get(f"offerings/{body['id']}").json()["child_price_cents"] == 0


def test_the_desk_page_takes_prices_in_euros(network):
    offering = make_offering(network.venue, "Näyttely", kind="exhibition")
    browser = Client()
    sign_in(browser, network.users["venue"])
    url = reverse("desk:offering_edit", kwargs={"offering_id": offering.pk})
    page = browser.get(url).content.decode()
    assert 'name="adult_price_cents"' in page and 'name="child_price_cents"' in page
    response = browser.post(url, {"name": "Näyttely", "kind": "exhibition", "adult_price_cents": "12.50",
                                  "child_price_cents": "4"})
    assert response.status_code == 302
    offering.refresh_from_db()
    assert (offering.adult_price_cents, offering.child_price_cents) == (1250, 400)
    assert 'value="12.50"' in browser.get(url).content.decode()
    refused = browser.post(url, {"name": "Näyttely", "kind": "exhibition", "adult_price_cents": "1000.01"})
    assert refused.status_code == 200
    offering.refresh_from_db()
    assert offering.adult_price_cents == 1250


def test_a_visit_keeps_the_price_it_was_recorded_at_and_unknown_values_are_counted_apart(network):
    desk = network.client("venue")
    card = make_card(network.distributor, children=2)
    priced = _offering(desk, network.venue, adult_price_cents=1500, child_price_cents=500)
    adult_only = _offering(desk, network.venue, adult_price_cents=1000)

    def record(**body):
        response = desk.post("visits", {"card_number": card.number, **body})
        assert response.status_code == 201, response.content
        return Visit.objects.get(pk=response.json()["id"])

    first = record(offering_id=priced["id"], children=2)                 # 15 € + 2 × 5 € = 25 €
    desk.patch(f"offerings/{priced['id']}", {"adult_price_cents": 2000})
    second = record(offering_id=priced["id"])                           # 20 €, at the new price
    no_offering = record(children=1)                                     # no price: unknown
    child_without_price = record(offering_id=adult_only["id"], children=1)   # a price it needs is missing
    adult_alone = record(offering_id=adult_only["id"])                   # 10 €
    assert [v.ticket_value_cents for v in (first, second, no_offering, child_without_price, adult_alone)] == [
        2500, 2000, None, None, 1000]
    first.refresh_from_db()
    assert first.ticket_value_cents == 2500                              # the new price rewrote nothing

    uses, priced_uses = 3 + 1 + 2 + 2 + 1, 3 + 1 + 1
    expected = {"ticket_value_cents": 5500, "priced_uses": priced_uses, "uses": uses,
                "value_known_share": 0.5556}
    for who in ("venue", "admin", "coordinator", "distributor"):
        body = network.client(who).get("stats/value").json()
        assert body["total"] == expected, who
        assert body["rows"] == [{"key": str(today().year), **expected}], who
        summary = network.client(who).get("stats/summary").json()
        assert (summary["ticket_value_cents"], summary["priced_uses"], summary["value_known_share"]) == (
            5500, priced_uses, 0.5556), who
        year = network.client(who).get("stats/yearly").json()["rows"][-1]
        assert (year["ticket_value_cents"], year["priced_uses"]) == (5500, priced_uses), who
    for who in ("other_venue", "other_coordinator", "other_distributor"):
        assert network.client(who).get("stats/value").json()["total"] == {
            "ticket_value_cents": 0, "priced_uses": 0, "uses": 0, "value_known_share": None}, who
    csv = network.client("admin").get("stats/value", group_by="venue", format="csv").content.decode()
    assert csv.splitlines() == ["key,ticket_value_cents,priced_uses,uses", f"{network.venue.pk},5500,5,9"]


def _priced_world(rich):
    """The rich world with priced visits of its own at four venues of three areas over two years."""
    world, n = rich.world, rich.world.network
    holders = [world.card(n.distributor, d(2024, 1, 2), valid_until=d(2025, 12, 31), children=1)
               for _ in range(3)]
    for position, (venue, day, children, value) in enumerate([
            (n.venue, d(2024, 2, 3), 1, 2350), (n.venue, d(2024, 2, 4), 0, 1200), (n.venue, d(2025, 3, 1), 0, None),
            (rich.v3, d(2024, 5, 6), 1, 700), (rich.v4, d(2024, 8, 9), 0, 999), (n.other_venue, d(2025, 1, 2), 0, 1),
            (rich.v5, d(2024, 6, 2), 1, 123_456), (n.other_venue, d(2024, 2, 2), 0, None)]):
        world.visit(holders[position % 3], venue, day, children=children, value_cents=value)
    world.visit(holders[0], n.venue, d(2024, 2, 5), value_cents=5000, cancelled=True)
    return world


def test_value_figures_of_every_scope_and_grouping_agree_with_the_oracle(rich):
    world = _priced_world(rich)
    for viewer, (_query, scope) in rich.viewers.items():
        for group_by in GROUPINGS:
            for start, end in ((None, None), (d(2024, 2, 4), d(2024, 12, 31))):
                period = {name: day.isoformat() for name, day in (("from", start), ("to", end)) if day}
                response = rich.get(viewer, "stats/value", group_by=group_by, **period)
                assert response.status_code == 200, (viewer, response.content)
                assert response.json() == world.ticket_value(scope, group_by, start, end), (viewer, group_by, start)
        assert rich.get(viewer, "stats/summary", on="2024-12-31").json() == world.summary(scope, d(2024, 12, 31))
        assert rich.get(viewer, "stats/yearly").json() == world.yearly(scope, today()), viewer
    assert world.ticket_value(("network", None), "year")["total"]["ticket_value_cents"] == (
        2350 + 1200 + 700 + 999 + 1 + 123_456)


def test_no_value_by_holder_attributes_is_offered(network):
    response = network.client("admin").get("stats/value", group_by="age_group")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_the_dashboard_files_and_report_carry_the_value_in_the_readers_format(network):
    world = small_world(network)
    big = make_card(network.distributor, issued_on=d(2024, 1, 15), valid_until=d(2025, 1, 14), children=1)
    new_visit(big, network.venue, d(2024, 9, 1), children=1, value_cents=123_456_700)
    browser = Client()
    sign_in(browser, network.users["admin"])
    dashboard = browser.get(reverse("stats:dashboard")).content.decode()
    assert "1\xa0234\xa0567,00" in dashboard                                  # fi: groups of three, a comma
    rows = browser.get(reverse("stats:export", kwargs={"table": "value_sector", "fmt": "csv"}),
                       {"from": "2024-01-01", "to": "2024-12-31"}).content
    assert "1234567.00" in rows.decode("utf-8-sig")
    uses = 19 + 2
    for language, sentence, known in (
            ("fi", "Kohteet antoivat lippuja 1 234 567 € arvosta vuonna 2024.",
             "Arvo tunnetaan 10 %:lle käyttökerroista."),
            ("sv", "Platserna gav biljetter värda 1 234 567 € år 2024.",
             "Värdet är känt för 10 % av användningarna.")):
        pdf = browser.get(reverse("stats:report"), {"year": "2024", "language": language}).content
        # ReportLab draws the grouping no-break space as a space.
        strings = [text.replace("\xa0", " ") for text in drawn_strings(pdf)]
        assert sentence in strings, (language, strings[:8])
        assert known in strings, (language, strings[:8])
    assert round(100 * 2 / uses) == 10 and world.network is network


def test_the_value_is_folded_into_the_rollups_as_a_rebuild_counts_it(rich):
    """Priced visits recorded, cancelled and folded in steps give the rollups a rebuild gives, and the figures
    read from them equal the oracle counted from the visits."""
    world = _priced_world(rich)
    rollups.fold()
    n = rich.world.network
    late = world.card(n.distributor, d(2024, 1, 2), valid_until=d(2025, 12, 31))
    world.visit(late, rich.v3, d(2024, 7, 1), value_cents=4321)
    world.visit(late, rich.v3, d(2024, 7, 2), value_cents=1000, cancelled=True)
    assert_rebuild_changes_nothing()
    for group_by in GROUPINGS:
        assert rich.get("admin", "stats/value", group_by=group_by).json() == world.ticket_value(
            ("network", None), group_by, None, None), group_by


def test_rollups_of_an_older_release_are_rebuilt_with_the_value_by_the_next_fold(rich):
    """A rolling upgrade: the old release's rollups have no value (the new columns' database default); the
    first fold of this release sees their older version and rebuilds them, so no figure misses a value."""
    world = _priced_world(rich)
    rollups.fold()
    Rollup.objects.update(ticket_value_cents=0, priced_uses=0)
    FoldState.objects.update(version=0)
    body = rich.get("admin", "stats/value").json()
    assert body == world.ticket_value(("network", None), "year", None, None)
    assert body["total"]["ticket_value_cents"] == 2350 + 1200 + 700 + 999 + 1 + 123_456
    assert FoldState.objects.get().version == rollups.VERSION
