import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.cards.models import Card
from kaikukanta.core import damm
from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import AreaStatusPeriod
from kaikukanta.testing import make_area, make_card, make_offering, make_organisation
from kaikukanta.visits.models import Visit

pytestmark = pytest.mark.django_db

NO_MATCH = {"fi": "Tällä numerolla ja syntymävuodella ei löydy korttia.",
            "en": "No card matches this number and year of birth."}
MY_CARD = reverse("public:my_card")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def finder_world(network):
    """Besides the test network's two venues: a sports venue in Espoo, and venues that must never show."""
    future = today() + datetime.timedelta(days=30)
    ended = make_area("Turun seutu", ["853"])
    AreaStatusPeriod.objects.create(area=ended, status="ended", effective_from=today() - datetime.timedelta(days=1))
    preparing = make_area("Lahden seutu", ["398"], status="preparing")
    return {
        "sport": make_organisation("Espoon uimahalli", "venue", network.area, "049", category="sport",
                                   sector="sport"),
        "inactive": make_organisation("Suljettu sali", "venue", network.area, "091", active=False,
                                      inactive_from=today()),
        "not_yet": make_organisation("Tuleva talo", "venue", network.area, "091", active_from=future),
        "ended": make_organisation("Turun konserttitalo", "venue", ended, "853", category="music"),
        "preparing": make_organisation("Lahden teatteri", "venue", preparing, "398"),
    }


def _listed(response) -> list[str]:
    return [venue["name"] for venue in response.context["venues"]]


def _unknown_number() -> str:
    while True:
        number = damm.random_number()
        if not Card.objects.filter(number=number).exists():
            return number


def _look_up(client, number, birth_year, language="fi"):
    return client.post(MY_CARD, {"card_number": number, "birth_year": birth_year}, HTTP_ACCEPT_LANGUAGE=language)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


# Home

def test_home_lists_the_municipalities_of_the_network_today_and_no_distributor(finder_world, network):
    html = Client().get(reverse("public:home")).content.decode()
    for municipality in ("Helsinki", "Espoo", "Tampere"):
        assert municipality in html
    assert "Pääkaupunkiseutu" in html and "Pirkanmaa" in html
    assert "Turku" not in html, "an ended area is not in the network"
    assert "Lahti" not in html, "an area still preparing is not in the network yet"
    assert network.distributor.name not in html and network.other_distributor.name not in html
    assert "sosiaali- tai terveyspalvelujen työntekijältä" in html
    assert reverse("public:venues") in html and MY_CARD in html


def test_home_in_swedish_and_english(network):
    swedish = Client().get(reverse("public:home"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Kaikukortet: kultur och motion gratis" in swedish
    assert "Helsingfors" in swedish and "Esbo" in swedish, "municipality names in Swedish"
    english = Client().get(reverse("public:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Kaikukortti: culture and sport free of charge" in english
    assert "Who can get the card?" in english and "Helsinki" in english


# Venue finder

def test_finder_lists_only_active_venues_of_areas_in_the_network(finder_world, network):
    response = Client().get(reverse("public:venues"))
    assert sorted(_listed(response)) == ["Espoon uimahalli", "Kaupunginteatteri", "Tampereen museo"]
    html = response.content.decode()
    for hidden in ("Suljettu sali", "Tuleva talo", "Turun konserttitalo", "Lahden teatteri",
                   network.distributor.name, network.other_distributor.name):
        assert hidden not in html
    options = re.findall(r'<option value="(\d{3})"', html)
    assert options == ["049", "091", "837"], "municipalities with public venues, alphabetically (Espoo first)"


def test_finder_filters_by_municipality_and_sector_exactly(finder_world, network):
    client = Client()
    venues = reverse("public:venues")
    assert _listed(client.get(venues, {"municipality": "091"})) == ["Kaupunginteatteri"]
    assert _listed(client.get(venues, {"sector": "sport"})) == ["Espoon uimahalli"]
    assert _listed(client.get(venues, {"sector": "culture"})) == ["Kaupunginteatteri", "Tampereen museo"]
    both = client.get(venues, {"municipality": "049", "sector": "culture"})
    assert _listed(both) == []
    assert "Valintaasi sopivia paikkoja ei löytynyt" in both.content.decode()
    ended = client.get(venues, {"municipality": "853"})
    assert "Turun konserttitalo" not in ended.content.decode()
    assert "853" not in dict(ended.context["form"].fields["municipality"].choices)


def test_finder_pages_a_long_list_and_keeps_the_filter_on_the_next_page(network):
    for index in range(25):
        make_organisation(f"Liikuntapaikka {index:02d}", "venue", network.area, "049", category="sport",
                          sector="sport")
    client = Client()
    first = client.get(reverse("public:venues"), {"sector": "sport"})
    assert len(_listed(first)) == 20
    assert "sector=sport&amp;page=2" in first.content.decode()
    second = client.get(reverse("public:venues"), {"sector": "sport", "page": 2})
    assert _listed(second) == [f"Liikuntapaikka {index:02d}" for index in range(20, 25)]


def test_finder_in_swedish_names_sectors_and_municipalities_in_swedish(finder_world):
    html = Client().get(reverse("public:venues"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Var kortet gäller" in html
    assert "Motion och idrott" in html
    assert "Esbo" in html and "Tammerfors" in html


def test_venue_detail_shows_current_and_upcoming_offerings_only(network):
    day = today()
    make_offering(network.venue, "Hamlet", "event", date=day + datetime.timedelta(days=5))
    make_offering(network.venue, "Teatterikurssi", "course")
    make_offering(network.venue, "Eilinen näytös", "event", date=day - datetime.timedelta(days=1))
    make_offering(network.venue, "Vanha ohjelmisto", "event", archived=True)
    make_offering(network.other_venue, "Toisen paikan näyttely", "exhibition")
    response = Client().get(reverse("public:venue_detail", kwargs={"venue_id": network.venue.pk}))
    html = response.content.decode()
    assert "<h1>Kaupunginteatteri</h1>" in html
    assert [offering["name"] for offering in response.context["offerings"]] == ["Teatterikurssi", "Hamlet"]
    assert "Kurssi" in html and "Tapahtuma" in html and "Ei tiettyä päivää" in html
    for hidden in ("Eilinen näytös", "Vanha ohjelmisto", "Toisen paikan näyttely"):
        assert hidden not in html


def test_venue_detail_says_so_when_nothing_is_listed(network):
    html = Client().get(reverse("public:venue_detail", kwargs={"venue_id": network.other_venue.pk}),
                        HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This place has not listed anything yet" in html


def test_venue_detail_of_a_distributor_or_a_hidden_venue_is_not_found(finder_world, network):
    client = Client()
    for organisation in (network.distributor, finder_world["inactive"], finder_world["ended"],
                         finder_world["not_yet"]):
        response = client.get(reverse("public:venue_detail", kwargs={"venue_id": organisation.pk}))
        assert response.status_code == 404
        assert organisation.name not in response.content.decode()


def test_venue_detail_links_back_to_the_filtered_list(network):
    html = Client().get(reverse("public:venue_detail", kwargs={"venue_id": network.venue.pk}),
                        {"municipality": "091", "sector": "culture"}).content.decode()
    assert f'href="{reverse("public:venues")}?municipality=091&amp;sector=culture"' in html


# My card

@pytest.fixture
def holder(network):
    """A personal card with two children and visits: two real ones, one cancelled; another card's visit too."""
    day = today()
    card = make_card(network.distributor, children=2, birth_year=1980, issued_on=day - datetime.timedelta(days=60))
    cancelled_place = make_organisation("Peruttu paikka", "venue", network.area, "091")
    other_place = make_organisation("Toisen kortin paikka", "venue", network.area, "091")
    other_card = make_card(network.distributor, birth_year=1980)
    Visit.objects.create(card=card, venue=network.venue, used_on=day - datetime.timedelta(days=20), uses=3,
                         children=2)
    Visit.objects.create(card=card, venue=network.other_venue, used_on=day - datetime.timedelta(days=3), uses=1)
    Visit.objects.create(card=card, venue=cancelled_place, used_on=day - datetime.timedelta(days=2), uses=1,
                         cancelled_at=timezone.now())
    Visit.objects.create(card=other_card, venue=other_place, used_on=day - datetime.timedelta(days=1), uses=1)
    return card


def test_my_card_shows_status_children_and_own_visits_newest_first(holder, network):
    number = f"{holder.number[:5]} {holder.number[5:]}"
    response = _look_up(Client(), number, "1980")
    assert response.status_code == 200
    html = _main(response)
    assert 'class="status status--valid">Voimassa<' in html
    assert re.search(r"Korttiin merkityt lapset</dt><dd>2<", html)
    day = today()
    assert [(visit.used_on, visit.venue_name) for visit in response.context["card"].visits] == [
        (day - datetime.timedelta(days=3), "Tampereen museo"),
        (day - datetime.timedelta(days=20), "Kaupunginteatteri")]
    assert "Peruttu paikka" not in html, "cancelled visits are not shown"
    assert "Toisen kortin paikka" not in html, "another card's visits are not shown"
    assert network.distributor.name not in html


def test_my_card_says_how_many_children_may_come_today_by_the_card_areas_rules(network):
    from kaikukanta.programme import services as programme_services

    year = today().year
    card = make_card(network.distributor, children=2, birth_year=1980, children_birth_years=[year - 17, year - 4])
    html = _main(_look_up(Client(), card.number, "1980", "en"))
    assert re.search(r"Children who may come along free today</dt><dd>2<", html)
    programme_services.set_area_rules(Caller.for_console(network.users["coordinator"]), network.area.pk,
                                      effective_from=today(), overrides={"children_max_age": 16})
    html = _main(_look_up(Client(), card.number, "1980", "fi"))
    assert re.search(r"Korttiin merkityt lapset</dt><dd>2<", html)
    assert re.search(r"Tänään maksutta mukaan pääsevät lapset</dt><dd>1<", html)
    assert re.search(r"Barn som i dag får följa med gratis</dt><dd>1<",
                     _main(_look_up(Client(), card.number, "1980", "sv")))


def test_my_card_in_english_and_swedish(holder):
    assert "Valid" in _main(_look_up(Client(), holder.number, "1980", "en"))
    assert "Giltigt" in _main(_look_up(Client(), holder.number, "1980", "sv"))


@pytest.mark.parametrize(("closed", "days_valid", "word", "css"), [
    (True, 100, "Suljettu", "status--closed"),
    (False, -1, "Vanhentunut", "status--expired"),
])
def test_my_card_says_in_words_when_a_card_is_closed_or_expired(network, closed, days_valid, word, css):
    day = today()
    card = make_card(network.distributor, birth_year=1990, issued_on=day - datetime.timedelta(days=200),
                     valid_until=day + datetime.timedelta(days=days_valid), closed_on=day if closed else None)
    html = _main(_look_up(Client(), card.number, "1990"))
    assert f'class="status {css}">{word}<' in html


def test_wrong_year_unknown_number_and_bad_check_digit_look_the_same(holder):
    bad_check_digit = holder.number[:9] + str((int(holder.number[9]) + 1) % 10)
    attempts = {
        "wrong_year": (holder.number, "1977"),
        "unknown": (_unknown_number(), "1980"),
        "bad_check_digit": (bad_check_digit, "1980"),
        "too_short": ("12345", "1980"),
    }
    pages = {}
    for name, (number, year) in attempts.items():
        response = _look_up(Client(), number, year)
        assert response.status_code == 200
        html = _main(response)
        assert NO_MATCH["fi"] in html, name
        assert 'value="1977"' not in html and 'value="1980"' not in html, "the year typed is never echoed"
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        pages[name] = html.replace(f'value="{number}"', 'value="…"')
    assert len(set(pages.values())) == 1, "the pages must not tell which numbers exist"


def test_community_card_is_not_shown(network):
    card = make_card(network.distributor, card_type="community")
    response = _look_up(Client(), card.number, "1980", "en")
    assert NO_MATCH["en"] in _main(response)
    assert response.context.get("card") is None


def test_my_card_form_errors_keep_the_number_and_are_localised(holder):
    response = Client().post(MY_CARD, {"card_number": holder.number, "birth_year": "vuosi"})
    assert response.status_code == 200
    html = _main(response)
    assert f'value="{holder.number}"' in html
    assert 'class="field__error"' in html
    assert NO_MATCH["fi"] not in html


def test_lookups_leave_audit_rows_without_holder_data(holder):
    _look_up(Client(), holder.number, "1980")
    _look_up(Client(), holder.number, "1981")
    _look_up(Client(), _unknown_number(), "1980")
    rows = list(AuditRecord.objects.filter(action__startswith="my_card_lookup").order_by("pk"))
    assert [(row.action, row.object_id) for row in rows] == [
        ("my_card_lookup", str(holder.pk)), ("my_card_lookup_failed", str(holder.pk)),
        ("my_card_lookup_failed", "")]
    for row in rows:
        text = str(row.details)
        assert "1980" not in text and "1981" not in text and holder.number not in text
        assert "127.0.0.1" not in text, "the client address is kept only as a keyed fingerprint"
    assert rows[0].details["client"] == rows[1].details["client"]


def test_too_many_attempts_from_one_address_get_429_and_other_addresses_go_on(holder):
    guesser = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(10):
        assert _look_up(guesser, _unknown_number(), "1980").status_code == 200
    limited = _look_up(guesser, _unknown_number(), "1980")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 600
    assert "Liian monta pyyntöä" in _main(limited)
    assert NO_MATCH["fi"] not in _main(limited)
    assert _look_up(guesser, holder.number, "1980").status_code == 429, "even the right pair waits"

    neighbour = Client(REMOTE_ADDR="10.0.0.2")
    response = _look_up(neighbour, holder.number, "1980")
    assert response.status_code == 200
    assert response.context["card"].number == holder.number


def test_too_many_attempts_on_one_number_get_429_from_any_address(holder):
    for year in range(1960, 1970):
        client = Client(REMOTE_ADDR=f"10.0.1.{year - 1959}")
        assert _look_up(client, holder.number, str(year), "en").status_code == 200
    limited = _look_up(Client(REMOTE_ADDR="10.0.2.1"), f"{holder.number[:5]}-{holder.number[5:]}", "1980", "en")
    assert limited.status_code == 429
    assert "Too many requests" in _main(limited)
    assert int(limited["Retry-After"]) > 0


def test_my_card_page_is_never_cached(holder):
    response = _look_up(Client(), holder.number, "1980")
    assert "no-store" in response["Cache-Control"]


def test_visits_made_with_a_replaced_card_stay_with_the_holder(network):
    day = today()
    old = make_card(network.distributor, birth_year=1970, issued_on=day - datetime.timedelta(days=100),
                    closed_on=day - datetime.timedelta(days=10))
    new = make_card(network.distributor, birth_year=1970, issued_on=day - datetime.timedelta(days=10), replaces=old)
    Visit.objects.create(card=old, venue=network.other_venue, used_on=day - datetime.timedelta(days=50), uses=1)
    Visit.objects.create(card=new, venue=network.venue, used_on=day - datetime.timedelta(days=5), uses=1)
    response = _look_up(Client(), new.number, "1970")
    assert [visit.venue_name for visit in response.context["card"].visits] == ["Kaupunginteatteri",
                                                                               "Tampereen museo"]
