"""Open data: public CSV and JSON at stable addresses with their licence, under the strictest disclosure
control: the figures against an oracle written with plain loops, and an attacker who moves a holder in and
out of a small group and finds no answer changed."""

import csv
import datetime
import io
import json
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kaikukanta.core.clock import today
from kaikukanta.stats import rollups
from kaikukanta.stats.disclosure import random_round
from kaikukanta.testing import make_card

from .world import new_visit

pytestmark = pytest.mark.django_db
d = datetime.date
DATASETS = ("yearly", "yearly-by-municipality", "uses-by-sector")


def fetch(dataset, fmt):
    response = Client().get(reverse("open_data:dataset", kwargs={"dataset": dataset, "fmt": fmt}))
    assert response.status_code == 200, response.content
    return response


def as_json(dataset):
    return fetch(dataset, "json").json()


def every_answer():
    cache.clear()
    return {(dataset, fmt): fetch(dataset, fmt).content for dataset in DATASETS for fmt in ("csv", "json")}


def _holders(network, count, issuer=None, **extra):
    return [make_card(issuer or network.distributor, issued_on=d(2024, 1, 2), valid_until=d(2025, 1, 1), **extra)
            for _ in range(count)]


def build(network):
    """In March 2024: seven holders at the Helsinki theatre (one of them twice, with a child), six at the
    Tampere museum; three holders at the museum in May (a small group, left out); all of it settled."""
    theatre = _holders(network, 7, children=1)
    museum = _holders(network, 6, issuer=network.other_distributor)
    few = _holders(network, 3, issuer=network.other_distributor)
    visits = []
    for card in theatre:
        visits.append(new_visit(card, network.venue, d(2024, 3, 5)))
    visits.append(new_visit(theatre[0], network.venue, d(2024, 3, 20), children=1))
    for card in museum:
        visits.append(new_visit(card, network.other_venue, d(2024, 3, 9)))
    for card in few:
        visits.append(new_visit(card, network.other_venue, d(2024, 5, 9)))
    return visits


def oracle_uses(visits):
    """Uses by (year, municipality, sector) from monthly cells, by plain loops: cells of fewer than five
    holders dropped, each released number randomly rounded with the seed the open data uses."""
    cells = defaultdict(list)
    for visit in visits:
        cells[(f"{visit.used_on:%Y-%m}", (visit.used_on.year, visit.venue.municipality_id, visit.venue.sector,
                                         visit.card.card_type))].append(visit)
    released = defaultdict(lambda: defaultdict(int))
    for (month, key), members in cells.items():
        holders = len({visit.card_id for visit in members})
        if holders < 5:
            continue
        exact = {"holders": holders, "adult_uses": len(members), "child_uses": sum(v.children for v in members),
                 "uses": sum(v.uses for v in members)}
        contents = tuple(sorted(exact.items()))
        for name in ("adult_uses", "child_uses", "uses"):
            released[key][name] += random_round(exact[name], ("open-data", "uses", month, key, contents, name))
    return released


def test_the_files_are_public_with_their_licence_and_cacheable(network):
    build(network)
    for dataset in DATASETS:
        body = as_json(dataset)
        assert (body["licence"], body["licence_url"]) == ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
        response = fetch(dataset, "csv")
        assert response["Content-Type"].startswith("text/csv")
        assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
        first_line = response.content.decode().splitlines()[0]
        assert first_line.startswith("# Licence: CC BY 4.0 https://creativecommons.org/licenses/by/4.0/")
    assert Client().get("/open-data/nothing.csv").status_code == 404
    assert Client().get("/open-data/yearly.xml").status_code == 404


@pytest.mark.parametrize(("language", "title", "licence"), [
    ("fi", "Avoin data", "Lisenssi: CC BY 4.0."), ("sv", "Öppna data", "Licens: CC BY 4.0."),
    ("en", "Open data", "Licence: CC BY 4.0.")])
def test_the_page_lists_the_datasets_in_the_readers_language(network, language, title, licence):
    page = Client().get(reverse("open_data:index"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{title}</h1>" in page and licence in page
    for dataset in DATASETS:
        for fmt in ("csv", "json"):
            assert f'href="/open-data/{dataset}.{fmt}"' in page


def test_the_figures_agree_with_the_oracle_and_add_up(network):
    visits = build(network)
    expected = oracle_uses(visits)
    municipal = {(row["year"], row["municipality"]): row for row in as_json("yearly-by-municipality")["rows"]}
    for (year, code, sector, _card_type), figures in expected.items():
        row = municipal[(year, code)]
        assert row[f"adult_uses_{sector}"] == figures["adult_uses"], code
        assert row[f"child_uses_{sector}"] == figures["child_uses"], code
        assert row["uses"] == figures["uses"], code
    assert set(municipal) == {(2024, "091"), (2024, "837")}     # cards of both distributors, issued in January
    national = {row["year"]: row for row in as_json("yearly")["rows"]}
    assert national[2024]["uses"] == sum(row["uses"] for row in municipal.values())
    assert national[2024]["uses"] == sum(figures["uses"] for figures in expected.values())
    # Seven cards of the theatre's distributor and nine of the museum's were issued in January: both shown.
    assert national[2024]["cards_registered"] == sum(row["cards_registered"] for row in municipal.values())
    by_sector = {(row["year"], row["sector"]): row for row in as_json("uses-by-sector")["rows"]}
    assert by_sector[(2024, "culture")]["uses"] == national[2024]["uses"]
    rows = list(csv.DictReader(io.StringIO(fetch("yearly", "csv").content.decode().split("\n", 1)[1])))
    assert [int(row["uses"]) for row in rows] == [national[year]["uses"] for year in sorted(national)]
    assert json.loads(fetch("yearly", "json").content)["fields"][0] == "year"


def test_an_attacker_learns_nothing_of_a_small_group(network):
    """The public's answers are the same whether the May group at the museum has three holders, two or
    four; and a visit recorded today (a month not settled) changes nothing either."""
    visits = build(network)
    before = every_answer()
    visits[-1].delete()                                    # one holder out of the small group
    assert every_answer() == before
    # Another holder in (four, still fewer than five), whose card was issued alone in a month of its own.
    new_visit(make_card(network.other_distributor, issued_on=d(2023, 7, 1), valid_until=d(2025, 1, 1)),
              network.other_venue, d(2024, 5, 10))
    assert every_answer() == before
    desk_card = make_card(network.distributor)
    new_visit(desk_card, network.venue, today())
    assert every_answer() == before
    # The answers do move when a group grows to five holders: the test can see a change.
    for card in _holders(network, 5, issuer=network.other_distributor):
        new_visit(card, network.other_venue, d(2024, 6, 1))
    assert every_answer() != before


def test_the_cached_files_change_with_folded_history_and_a_moved_venue_but_not_with_a_visit_of_today(network):
    """Without clearing the cache: a visit of today leaves the files as they were; history folded into the
    rollups (as an import does) and a venue moved to another sector give new files at once."""
    build(network)
    rollups.fold()
    first = {(dataset, fmt): fetch(dataset, fmt).content for dataset in DATASETS for fmt in ("csv", "json")}
    new_visit(make_card(network.distributor), network.venue, today())
    rollups.fold()
    assert {(dataset, fmt): fetch(dataset, fmt).content for dataset in DATASETS for fmt in ("csv", "json")} == first
    for card in _holders(network, 5, issuer=network.other_distributor):
        new_visit(card, network.other_venue, d(2024, 6, 1))
    rollups.fold()
    grown = as_json("uses-by-sector")
    assert grown != json.loads(first[("uses-by-sector", "json")])
    network.venue.sector = "sport"
    network.venue.save()
    moved = as_json("uses-by-sector")
    assert moved != grown
    assert moved == (cache.clear() or as_json("uses-by-sector"))
