"""The statistics dashboard as each role sees it, checked against figures counted by hand from the rows
the test writes (see `small_world`)."""

import datetime
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.cards.models import CardEvent, WellbeingAnswer, WellbeingQuestion
from kaikukanta.stats.forms import GROUPINGS
from kaikukanta.testing import make_card, make_organisation, sign_in
from kaikukanta.visits.models import Visit

pytestmark = pytest.mark.django_db

d = datetime.date
PERIOD = {"from": "2024-01-01", "to": "2024-12-31", "on": "2024-12-31"}


def visit(card, venue, used_on, children=0):
    return Visit.objects.create(card=card, venue=venue, used_on=used_on, children=children, uses=1 + children)


def small_world(network) -> SimpleNamespace:
    """Area A (Helsinki and Espoo): the distributor, the theatre and a swimming hall; area B (Tampere): the
    other distributor and the museum. All in 2024:

    - five holders born 1990 (30–49) from Helsinki each visit the theatre once in March; two of them
      also the swimming hall in April;
    - a grandparent born 1950 (65+) from Helsinki visits the theatre three times in May with two
      children: 3 visits, 9 uses, 6 child uses;
    - two holders born 2000 (18–29) from Tampere visit the museum in February; one of them the theatre
      in June.

    By hand: theatre 9 visits / 15 uses / 6 child uses; area A 11 / 17 / 6; area B 2 / 2 / 0; the
    distributor's cards 10 / 16 / 6; the other distributor's 3 / 3 / 0; the network 13 / 19 / 6.
    """
    sport = make_organisation("Uimahalli", "venue", network.area, "091", category="sport", sector="sport")
    issued, until = d(2024, 1, 15), d(2025, 1, 14)
    adults = [make_card(network.distributor, issued_on=issued, valid_until=until, birth_year=1990)
              for _ in range(5)]
    grandparent = make_card(network.distributor, issued_on=issued, valid_until=until, birth_year=1950, children=2)
    tampere = [make_card(network.other_distributor, issued_on=issued, valid_until=until, birth_year=2000,
                         postal_code="33100") for _ in range(2)]
    for card in adults:
        visit(card, network.venue, d(2024, 3, 10))
    for card in adults[:2]:
        visit(card, sport, d(2024, 4, 5))
    for day in (d(2024, 5, 2), d(2024, 5, 9), d(2024, 5, 16)):
        visit(grandparent, network.venue, day, children=2)
    for card in tampere:
        visit(card, network.other_venue, d(2024, 2, 1))
    visit(tampere[0], network.venue, d(2024, 6, 1))
    return SimpleNamespace(network=network, sport=sport, adults=adults, grandparent=grandparent, tampere=tampere)


@pytest.fixture
def world(network):
    return small_world(network)


class PageTables(HTMLParser):
    """The tables of a page as {name: [header row, body rows...]} (name from the caption id
    "caption-<name>"), each cell's text with its spaces tidied, and the headline figures as {label: value}."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.headline = {}, {}
        self._table = self._row = self._cell = self._name = self._span = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = []
        elif tag == "caption" and self._table is not None:
            self._name = attrs["id"].removeprefix("caption-")
        elif tag == "tr" and self._table is not None and attrs.get("class") != "stats-empty":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag == "span" and attrs.get("class", "").startswith("stats-headline__"):
            self._span = attrs["class"]
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append(tidy("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables[self._name] = self._table
            self._table = None
        elif tag == "span" and self._span:
            text = tidy("".join(self._cell))
            if self._span.endswith("value"):
                self._value = text
            else:
                self.headline[text] = self._value
            self._span = self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def open_dashboard(network, who, language="fi", **params):
    client = Client(headers={"accept-language": language})
    sign_in(client, network.users[who])
    response = client.get(reverse("stats:dashboard"), {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response


def dashboard(network, who, language="fi", **params) -> PageTables:
    return PageTables(open_dashboard(network, who, language, **params).content.decode())


def rows_by_label(table: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table[1:]}


@pytest.mark.parametrize(("who", "expected", "absent"), [
    ("venue", {"Käynnit": "9", "Käyttökerrat": "15", "Lasten käyttökerrat": "6"},
     {"Myönnetyt kortit", "Alueet", "Kortinhaltijat (voimassa olevat kortit)"}),
    ("distributor", {"Käynnit": "10", "Käyttökerrat": "16", "Lasten käyttökerrat": "6", "Myönnetyt kortit": "6",
                     "Kortinhaltijat (voimassa olevat kortit)": "6"}, {"Alueet", "Kohteet"}),
    ("coordinator", {"Käynnit": "11", "Käyttökerrat": "17", "Lasten käyttökerrat": "6", "Myönnetyt kortit": "6",
                     "Alueet": "1", "Kunnat": "2", "Kortin jakajat": "1", "Kohteet": "2"}, set()),
    ("other_coordinator", {"Käynnit": "2", "Käyttökerrat": "2", "Lasten käyttökerrat": "0",
                           "Myönnetyt kortit": "2", "Kohteet": "1"}, set()),
    ("admin", {"Käynnit": "13", "Käyttökerrat": "19", "Lasten käyttökerrat": "6", "Myönnetyt kortit": "8",
               "Käyttöön otetut kortit": "8", "Alueet": "2", "Kunnat": "3", "Kortin jakajat": "2", "Kohteet": "3"},
     set()),
])
def test_each_role_sees_the_headline_figures_of_its_own_scope(world, who, expected, absent):
    headline = dashboard(world.network, who).headline
    assert {label: headline.get(label) for label in expected} == expected
    assert not absent & set(headline)


@pytest.mark.parametrize(("who", "venues"), [
    ("venue", ["Kaupunginteatteri"]),
    ("coordinator", ["Kaupunginteatteri", "Uimahalli"]),
    ("other_coordinator", ["Tampereen museo"]),
    ("distributor", ["Kaupunginteatteri", "Uimahalli"]),
    ("other_distributor", ["Kaupunginteatteri", "Tampereen museo"]),
    ("admin", ["Kaupunginteatteri", "Tampereen museo", "Uimahalli"]),
])
def test_the_venue_breakdown_lists_only_the_venues_of_the_scope_by_name(world, who, venues):
    table = dashboard(world.network, who, group_by="venue").tables["breakdown"]
    assert [row[0] for row in table[1:]] == venues


def test_three_visits_with_two_children_are_nine_uses_in_the_venues_month_table(world):
    months = rows_by_label(dashboard(world.network, "venue").tables["month"])
    assert months == {"maaliskuu 2024": ["5", "5", "0"], "toukokuu 2024": ["3", "9", "6"],
                      "kesäkuu 2024": ["1", "1", "0"]}


def test_the_period_narrows_the_breakdowns_but_not_the_headline_date(world):
    tables = dashboard(world.network, "admin", **{"from": "2024-05-01", "to": "2024-05-31"})
    assert rows_by_label(tables.tables["month"]) == {"toukokuu 2024": ["3", "9", "6"]}
    assert tables.headline["Käyttökerrat"] == "19"
    early = dashboard(world.network, "admin", on="2024-03-31").headline
    assert (early["Käynnit"], early["Käyttökerrat"]) == ("7", "7")


def test_sector_and_area_bars_have_their_tables(world):
    tables = dashboard(world.network, "admin").tables
    assert rows_by_label(tables["sector"]) == {"Kulttuuri": ["11", "17", "6"], "Liikunta": ["2", "2", "0"]}
    assert rows_by_label(tables["area"]) == {"Pirkanmaa": ["2", "2", "0"], "Pääkaupunkiseutu": ["11", "17", "6"]}


def test_only_the_whole_network_has_the_area_bars(world):
    coordinator = dashboard(world.network, "coordinator").tables
    assert "area" not in coordinator and "sector" in coordinator
    picked = dashboard(world.network, "admin", area_id=world.network.area.pk)
    assert "area" not in picked.tables
    assert (picked.headline["Käynnit"], picked.headline["Käyttökerrat"]) == ("11", "17")


def test_cells_of_fewer_than_five_holders_say_so_and_never_show_their_number(world):
    ages = rows_by_label(dashboard(world.network, "admin").tables["age_group"])
    # the grandparent alone (3 visits, 9 uses, 6 child uses) and the two Tampere holders
    assert ages == {"18-29": ["alle 5"] * 3, "30-49": ["7", "7", "0"], "65+": ["alle 5"] * 3}
    html = open_dashboard(world.network, "admin", "sv").content.decode()
    assert "färre än 5" in html
    assert "fem kortinnehavare" in html


def test_the_home_and_venue_area_matrix_writes_its_numbers_and_hides_small_cells(world):
    table = dashboard(world.network, "admin").tables["travel"]
    assert table[0] == ["Kortinhaltijan kotialue", "Pirkanmaa", "Pääkaupunkiseutu"]
    matrix = rows_by_label(table)
    # Helsinki's six holders used 16 tickets in area A; Tampere's two holders are too few to show.
    assert matrix["Pääkaupunkiseutu"] == ["0", "16"]
    assert matrix["Pirkanmaa"] == ["alle 5", "alle 5"]


def test_activation_of_the_period(world):
    activation = rows_by_label(dashboard(world.network, "admin").tables["activation"])
    assert activation["Myönnetyt kortit"] == ["8"]
    assert activation["Käyttöön otetut kortit (käytetty ainakin kerran)"] == ["8"]
    assert activation["Käyttöönottoaste (%)"] == ["100,0 %"]
    assert activation["Uusitut kortit"] == ["0"]


def test_uses_per_card_hides_buckets_of_few_cards(world):
    # uses to date: three adults and one Tampere holder 1 each, two adults and the other Tampere holder
    # 2 each, the grandparent 9
    buckets = rows_by_label(dashboard(world.network, "admin").tables["uses_per_card"])
    assert buckets == {"0": ["0"], "1": ["alle 5"], "2-4": ["alle 5"], "5-9": ["alle 5"], "10-19": ["0"],
                       "20+": ["0"]}


def test_wellbeing_of_too_few_respondents_is_suppressed(world):
    WellbeingQuestion.objects.create(key="mood", text_fi="Miten voit?", text_sv="Hur mår du?", text_en="How are you?",
                                     position=1, current=True)
    card = world.grandparent
    WellbeingAnswer.objects.create(card=card, event=card.events.get(event="issued"), question_key="mood", value=2)
    renewal = CardEvent.objects.create(card=card, event="renewed", date=d(2024, 12, 1))
    WellbeingAnswer.objects.create(card=card, event=renewal, question_key="mood", value=4)
    assert rows_by_label(dashboard(world.network, "distributor").tables["wellbeing"]) == {
        "Miten voit?": ["alle 5"] * 4}
    assert "Hur mår du?" in rows_by_label(dashboard(world.network, "distributor", "sv").tables["wellbeing"])


def test_the_yearly_table_by_sector(world):
    yearly = dashboard(world.network, "admin").tables["yearly"]
    header, row_2024 = yearly[0], rows_by_label(yearly)["2024"]
    year = dict(zip(header[1:], row_2024, strict=True))
    assert year["Rekisteröidyt kortit"] == "8"
    assert year["Aikuisten käyttökerrat – Kulttuuri"] == "11"
    assert year["Aikuisten käyttökerrat – Liikunta"] == "2"
    assert year["Lasten käyttökerrat – Kulttuuri"] == "6"
    assert year["Käyttökerrat yhteensä"] == "19"
    assert year["Kunnat vuoden lopussa"] == "3"


def test_a_venue_sees_no_card_columns_in_its_yearly_table(world):
    header = dashboard(world.network, "venue").tables["yearly"][0]
    assert "Rekisteröidyt kortit" not in header and "Kunnat vuoden lopussa" not in header
    assert "Käyttökerrat yhteensä" in header


def test_milestones_are_on_the_national_dashboard_only(world):
    national = dashboard(world.network, "admin").tables
    # the test network's three municipalities all joined on 1 January 2020; too few uses and cards yet
    assert national["milestones"] == [
        ["Virstanpylväs", "Saavutettu määrä", "Saavutuspäivä"],
        ["Liittyneet kunnat", "3", "1.1.2020"], ["Liittyneet kunnat", "2", "1.1.2020"],
        ["Liittyneet kunnat", "1", "1.1.2020"]]
    assert "milestones" not in dashboard(world.network, "coordinator").tables
    assert "milestones" not in dashboard(world.network, "admin", area_id=world.network.area.pk).tables


@pytest.mark.parametrize("path", ["stats:dashboard", "stats:report"])
def test_a_coordinator_cannot_ask_for_another_area(world, path):
    client = Client()
    sign_in(client, world.network.users["coordinator"])
    response = client.get(reverse(path), {"area_id": world.network.other_area.pk})
    assert response.status_code == 403
    assert "Pirkanmaa" not in response.content.decode()


def test_site_staff_cannot_ask_for_an_area(world):
    client = Client()
    sign_in(client, world.network.users["venue"])
    assert client.get(reverse("stats:dashboard"), {"area_id": world.network.area.pk}).status_code == 403


def test_only_the_national_admin_gets_the_area_picker(world):
    assert 'name="area_id"' in open_dashboard(world.network, "admin").content.decode()
    assert '<select name="area_id"' not in open_dashboard(world.network, "coordinator").content.decode()


def test_a_period_ending_before_it_starts_is_shown_as_an_error_and_kept(world):
    response = open_dashboard(world.network, "admin", **{"from": "2024-06-01", "to": "2024-05-01"})
    html = response.content.decode()
    assert "Jakson loppu ei voi olla ennen sen alkua." in html
    assert 'value="2024-06-01"' in html
    assert "caption-month" not in html


def test_the_breakdown_switches_without_reloading_the_page(world):
    client = Client(headers={"HX-Request": "true", "HX-Target": "breakdown"})
    sign_in(client, world.network.users["admin"])
    response = client.get(reverse("stats:dashboard"), {**PERIOD, "group_by": "card_type"})
    html = response.content.decode()
    assert "<h1" not in html
    assert rows_by_label(PageTables(html).tables["breakdown"]) == {"Henkilökohtainen kortti": ["13", "19", "6"]}


def test_the_page_speaks_swedish_and_english(world):
    swedish = dashboard(world.network, "admin", "sv")
    assert swedish.tables["month"][0] == ["Månad", "Besök", "Användningar", "Barnens användningar"]
    assert swedish.headline["Besök"] == "13"
    english = dashboard(world.network, "admin", "en")
    assert english.tables["month"][0] == ["Month", "Visits", "Uses", "Child uses"]
    assert "May 2024" in rows_by_label(english.tables["month"])


def test_every_chart_carries_the_numbers_of_its_table(world):
    html = open_dashboard(world.network, "admin").content.decode()
    import json

    charts = dict(re.findall(r'<script id="chart-([a-z_]+)" type="application/json">(.*?)</script>', html))
    assert {"month", "sector", "area", "age_group", "breakdown", "yearly"} <= set(charts)
    month = json.loads(charts["month"])
    assert month["labels"] == ["helmikuu 2024", "maaliskuu 2024", "huhtikuu 2024", "toukokuu 2024", "kesäkuu 2024"]
    assert month["series"][0]["values"] == [2, 5, 2, 9, 1]
    ages = json.loads(charts["age_group"])
    # suppressed groups are not drawn
    assert dict(zip(ages["labels"], ages["series"][0]["values"], strict=True)) == {
        "18-29": None, "30-49": 7, "65+": None}
    for name in charts:
        assert f'data-chart="chart-{name}" role="img"' in html
    # "Cards and uses by year" draws both
    yearly = json.loads(charts["yearly"])
    assert [series["label"] for series in yearly["series"]] == ["Rekisteröidyt kortit", "Käyttökerrat yhteensä"]
    assert all(value is not None for series in yearly["series"] for value in series["values"])


@pytest.mark.parametrize("group_by", [value for value, _label in GROUPINGS])
def test_every_breakdown_accounts_for_every_visit_of_the_period(world, group_by):
    table = dashboard(world.network, "admin", group_by=group_by).tables["breakdown"]
    assert table[0][0] == str(dict(GROUPINGS)[group_by])
    shown = [int(row[1]) for row in table[1:] if row[1] != "alle 5"]
    hidden = [row for row in table[1:] if row[1] == "alle 5"]
    assert sum(shown) == 13 if not hidden else sum(shown) < 13


@pytest.mark.parametrize(("group_by", "language", "labels"), [
    ("municipality", "fi", ["Helsinki", "Tampere"]),
    ("municipality", "sv", ["Helsingfors", "Tammerfors"]),
    ("welfare_area", "fi", ["Helsingin kaupunki", "Pirkanmaan hyvinvointialue"]),
    ("welfare_area", "sv", ["Birkalands välfärdsområde", "Helsingfors stad"]),
    ("venue_category", "fi", ["Liikunta", "Museo", "Teatteri"]),
    ("venue_category", "sv", ["Idrott", "Museum", "Teater"]),
    ("home_area", "fi", ["Pirkanmaa", "Pääkaupunkiseutu"]),
    ("card_type", "sv", ["Personligt kort"]),
    ("year", "fi", ["2024"]),
])
def test_breakdown_keys_are_shown_by_their_names(world, group_by, language, labels):
    table = dashboard(world.network, "admin", language, group_by=group_by).tables["breakdown"]
    assert [row[0] for row in table[1:]] == labels


def test_a_period_without_uses_says_so_instead_of_drawing_empty_charts(world):
    html = open_dashboard(world.network, "coordinator", **{"from": "2021-01-01", "to": "2021-12-31"}).content.decode()
    assert "Ei käyttökertoja tällä jaksolla." in html
    assert 'data-chart="chart-month"' not in html
    assert 'data-chart="chart-yearly"' in html


def test_excel_comes_first_and_the_csv_says_what_it_is_for(world):
    page = open_dashboard(world.network, "coordinator").content.decode()
    exports = re.findall(r'data-export="(\w+)"', page)

    assert exports and exports[:2] == ["xlsx", "csv"]
    assert exports.count("xlsx") == exports.count("csv")
    assert "CSV (pilkuin eroteltu, muille ohjelmille)" in page
