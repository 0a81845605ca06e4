"""My card counts failed look-ups only (an office or a library behind one address looks up many holders'
cards), and a birth-year search of one number spread over many addresses writes an alert (Trust II, 7)."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.caller import Caller, Channel
from kaikukanta.cards import guessing
from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.public import services
from kaikukanta.testing import make_card, sign_in

pytestmark = pytest.mark.django_db

MY_CARD = reverse("public:my_card")
NOON = 1_700_000_000 // 3600 * 3600 + 1530


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch):
    monkeypatch.setattr(guessing, "clock", lambda: NOON)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def holder(network):
    return make_card(network.distributor, birth_year=1980, issued_on=today() - datetime.timedelta(days=10))


def _look_up(client, number, birth_year, language="en"):
    return client.post(MY_CARD, {"card_number": number, "birth_year": birth_year}, HTTP_ACCEPT_LANGUAGE=language)


def _alerts():
    return [record.details for record in AuditRecord.objects.filter(action=guessing.ALERT).order_by("id")]


def test_successful_look_ups_from_one_address_are_not_counted(holder):
    library = Client(REMOTE_ADDR="10.1.0.1")
    for _ in range(15):
        response = _look_up(library, holder.number, "1980")
        assert response.status_code == 200
        assert response.context["card"].number == holder.number


def test_only_failures_count_towards_the_limit_of_an_address(network, holder):
    office = Client(REMOTE_ADDR="10.1.0.2")
    others = [make_card(network.distributor, birth_year=1975) for _ in range(9)]
    for card in others:
        assert _look_up(office, card.number, "1990").status_code == 200      # a typo: a failure
        assert _look_up(office, holder.number, "1980").status_code == 200    # a holder found: not counted
    assert _look_up(office, others[0].number, "1991").status_code == 200     # the tenth failure
    limited = _look_up(office, holder.number, "1980")
    assert limited.status_code == 429
    assert "Too many requests" in limited.content.decode()


def test_a_birth_year_search_of_one_number_from_many_addresses_writes_one_alert(holder):
    for index, year in enumerate(range(1960, 1967), start=1):
        _look_up(Client(REMOTE_ADDR=f"198.51.100.{index}"), holder.number, str(year))

    [alert] = _alerts()
    assert alert["source"] == "my_card" and alert["scope"] == "number"
    assert alert["addresses"] == 5 and alert["count"] == 5
    assert alert["user"] is None and alert["area"] is None and alert["address"] == ""
    assert alert["number"] == guessing.number_fingerprint(holder.number)
    assert holder.number not in str(alert) and "1980" not in str(alert)


def test_one_address_trying_one_number_again_and_again_is_not_a_distributed_search(holder):
    client = Client(REMOTE_ADDR="198.51.100.50")
    for year in range(1960, 1968):
        _look_up(client, holder.number, str(year))
    assert [alert for alert in _alerts() if alert["scope"] == "number"] == []


def test_the_alerts_page_says_the_search_was_of_one_number_from_many_addresses(network, holder):
    for index in range(1, 6):
        _look_up(Client(REMOTE_ADDR=f"198.51.100.{index}"), holder.number, str(1960 + index))
    admin = Client()
    sign_in(admin, network.users["admin"])

    page = admin.get(reverse("network:alerts"), HTTP_ACCEPT_LANGUAGE="fi").content.decode()

    assert "kortin numeroa kohden, monesta osoitteesta" in page
    assert holder.number not in page


def _visitor(address):
    return Caller(None, None, address, Channel.PAGE)


def test_the_service_counts_failures_whoever_calls_it(holder):
    """The rule is the service's: a caller other than the page (here the service itself) is counted alike."""
    office, elsewhere = _visitor("10.9.0.1"), _visitor("10.9.0.2")
    for _ in range(9):
        assert services.look_up_my_card(office, holder.number, 1990) is None
    assert services.seconds_until_allowed(office, "") is None
    assert services.look_up_my_card(office, holder.number, 1991) is None          # the tenth failure
    assert services.seconds_until_allowed(office, "") > 0                          # the address is out
    assert services.seconds_until_allowed(elsewhere, "") is None                   # another address is not
    assert services.seconds_until_allowed(elsewhere, holder.number) > 0            # but the number is


def test_the_service_does_not_count_a_holder_found(holder):
    library = _visitor("10.9.0.3")
    for _ in range(15):
        assert services.look_up_my_card(library, holder.number, 1980).number == holder.number
    assert services.seconds_until_allowed(library, holder.number) is None
