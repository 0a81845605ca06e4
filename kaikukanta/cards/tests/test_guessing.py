"""Card-number guessing: limits on card checks per user and per address, and one alert per burst of unknown
numbers, seen by the right coordinator (cards.guessing, core.client_address, network "alerts" page)."""

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory
from django.urls import reverse

from kaikukanta.accounts.caller import Caller, Channel
from kaikukanta.cards import guessing
from kaikukanta.core import damm
from kaikukanta.core.client_address import client_address
from kaikukanta.core.errors import Refusal
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import ApiClient, make_card, sign_in

pytestmark = pytest.mark.django_db

# Well inside a window of every length used here (30 s into a minute, 330 s into ten), so that no
# test's counts straddle two windows.
NOON = 1_700_000_000 // 3600 * 3600 + 1530
REDIS_TEST_URL = os.environ.get("KAIKUKANTA_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    monkeypatch.setattr(guessing, "clock", lambda: NOON)


@pytest.fixture
def strict(settings):
    settings.KAIKUKANTA_CARD_GUESSING = {"unknown_per_user": 3, "unknown_per_address": 5}


def unknown(index: int) -> str:
    """A well-formed number (right check digit) that no card has."""
    digits = f"99{index:07d}"
    return digits + damm.check_digit(digits)


def api(network, who: str, address: str = "127.0.0.1") -> ApiClient:
    client = network.client(who)
    client.client = Client(REMOTE_ADDR=address)
    return client


def alerts() -> list[dict]:
    return [record.details for record in AuditRecord.objects.filter(action=guessing.ALERT).order_by("id")]


def test_unknown_numbers_stop_the_user_with_retry_after_even_for_a_real_card(network, strict):
    card = make_card(network.distributor)
    venue = api(network, "venue")
    assert [venue.get(f"cards/{unknown(i)}").status_code for i in range(3)] == [404, 404, 404]

    refused = venue.get(f"cards/{card.number}")

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    # The strict window is ten minutes and the clock stands in its middle.
    assert 0 < int(refused["Retry-After"]) <= 600


def test_a_wrong_check_digit_counts_as_an_unknown_number(network, strict):
    venue = api(network, "venue")
    wrong = unknown(1)[:-1] + str((int(unknown(1)[-1]) + 1) % 10)
    for _ in range(3):
        assert venue.get(f"cards/{wrong}").status_code == 404

    assert venue.get(f"cards/{unknown(2)}").status_code == 429


def test_a_user_stopped_does_not_stop_another_user_at_another_address(network, strict):
    card = make_card(network.distributor)
    venue = api(network, "venue", "10.0.0.1")
    for i in range(3):
        venue.get(f"cards/{unknown(i)}")
    assert venue.get(f"cards/{card.number}").status_code == 429

    assert api(network, "other_venue", "10.0.0.2").get(f"cards/{card.number}").status_code == 200


def test_unknown_numbers_are_counted_per_address_across_users(network, strict):
    card = make_card(network.distributor)
    venue, other_venue = api(network, "venue", "10.0.0.9"), api(network, "other_venue", "10.0.0.9")
    # Five unknown numbers from one address, no user over its own limit of three.
    for i, client in enumerate([venue, other_venue, venue, other_venue, venue]):
        assert client.get(f"cards/{unknown(i)}").status_code == 404

    assert other_venue.get(f"cards/{card.number}").status_code == 429
    assert api(network, "other_venue", "10.0.0.10").get(f"cards/{card.number}").status_code == 200


def test_valid_checks_up_to_the_generous_limit_are_never_refused(network, settings):
    settings.KAIKUKANTA_CARD_GUESSING = {"checks_per_user": 40}
    cards = [make_card(network.distributor) for _ in range(4)]
    venue = api(network, "venue")
    # A few typos along the way, under the strict limit, change nothing.
    statuses = [venue.get(f"cards/{cards[i % 4].number}").status_code for i in range(38)]
    statuses += [venue.get(f"cards/{unknown(i)}").status_code for i in range(2)]

    assert statuses == [200] * 38 + [404] * 2
    assert venue.get(f"cards/{cards[0].number}").status_code == 429
    assert alerts() == []


def test_a_burst_writes_one_alert_per_window_without_card_numbers(network, strict, monkeypatch):
    venue = api(network, "venue", "10.0.0.1")
    numbers = [unknown(i) for i in range(8)]
    for number in numbers:
        venue.get(f"cards/{number}")

    [alert] = alerts()
    assert alert == {"source": "card_check", "scope": "user", "user": network.users["venue"].pk,
                     "site": network.venue.pk, "area": network.area.pk, "address": "10.0.0.1", "count": 3,
                     "window": 600, "window_start": NOON // 600 * 600}
    assert not any(number in str(alert) for number in numbers)

    monkeypatch.setattr(guessing, "clock", lambda: NOON + 600)
    for number in numbers:
        venue.get(f"cards/{number}")
    assert len(alerts()) == 2


def test_the_desk_page_refuses_in_the_users_language_with_429(network, strict):
    client = Client(REMOTE_ADDR="10.0.0.3")
    sign_in(client, network.users["venue"])
    path = reverse("desk:check_card")
    for i in range(3):
        assert client.get(path, {"card_number": unknown(i)}).status_code == 200

    refused = client.get(path, {"card_number": unknown(9)}, headers={"Accept-Language": "en"})
    whole_desk = client.get(reverse("desk:check"), {"card_number": unknown(9)}, headers={"Accept-Language": "fi"})

    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert "You can check cards again in 5 minutes." in refused.content.decode()
    assert whole_desk.status_code == 429
    assert "Liian monta pyyntöä" in whole_desk.content.decode()
    assert len(alerts()) == 1


def test_visit_registration_with_unknown_numbers_counts_and_is_stopped_too(network, strict):
    card = make_card(network.distributor)
    venue = api(network, "venue")
    for i in range(3):
        assert venue.post("visits", {"card_number": unknown(i)}).json()["error"]["code"] == "card_not_found"
    assert alerts()[0]["source"] == "visit"

    refused = venue.post("visits", {"card_number": card.number})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert venue.get(f"cards/{card.number}").status_code == 429


def test_a_paper_list_of_unknown_numbers_counts_and_stops_the_rest(network, strict):
    card = make_card(network.distributor)
    rows = [unknown(i) for i in range(3)] + [card.number]
    body = {"used_on": card.issued_on.isoformat(), "offering_id": "", "rows": str(len(rows))}
    for number, card_number in enumerate(rows, start=1):
        body.update({f"row-{number}-key": f"paper-{number}", f"row-{number}-card_number": card_number,
                     f"row-{number}-children": "", f"row-{number}-clients": "", f"row-{number}-assistants": ""})
    desk = Client()
    sign_in(desk, network.users["venue"])

    page = desk.post(reverse("desk:paper"), body).content.decode()

    assert [alert["source"] for alert in alerts()] == ["visit"]
    assert "Liian monta pyyntöä" in page, "the real card's row after three unknown numbers is refused"
    assert not card.visits.exists()


def test_my_card_failures_from_one_address_write_one_address_only_alert(network):
    client = Client(REMOTE_ADDR="192.0.2.7")
    for i in range(12):
        client.post(reverse("public:my_card"), {"card_number": unknown(i), "birth_year": "1980"})

    [alert] = alerts()
    assert alert["source"] == "my_card" and alert["user"] is None and alert["area"] is None
    assert alert["address"] == "192.0.2.7" and alert["count"] == 10


def _alerts_page(network, who: str) -> str:
    client = Client()
    sign_in(client, network.users[who])
    response = client.get(reverse("network:alerts"))
    assert response.status_code == 200
    return response.content.decode()


def test_alerts_are_shown_to_their_areas_coordinator_and_the_admin_only(network, strict):
    for i in range(3):
        api(network, "venue", "203.0.113.5").get(f"cards/{unknown(i)}")
    for i in range(10):
        Client(REMOTE_ADDR="198.51.100.8").post(reverse("public:my_card"),
                                               {"card_number": unknown(i), "birth_year": "1980"})

    own, other, admin = (_alerts_page(network, who) for who in ("coordinator", "other_coordinator", "admin"))

    assert "203.0.113.5" in own and network.venue.name in own and "198.51.100.8" not in own
    assert "203.0.113.5" not in other and "198.51.100.8" not in other
    assert "203.0.113.5" in admin and "198.51.100.8" in admin


@pytest.mark.parametrize(("who", "home", "linked"), [
    ("coordinator", "network:organisations", True), ("admin", "network:areas", True),
    ("venue", "desk:today", False)])
def test_the_alerts_page_is_in_the_menu_of_coordinators_and_the_admin(network, who, home, linked):
    client = Client()
    sign_in(client, network.users[who])

    assert (f'href="{reverse("network:alerts")}"' in client.get(reverse(home)).content.decode()) == linked


# The client's address -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("trusted", "forwarded", "expected"), [
    (0, "6.6.6.6", "10.1.1.1"),                        # no proxy trusted: the header is the client's own
    (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),        # the one proxy appended the client's address last
    (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
    (2, "203.0.113.9", "10.1.1.1"),                    # fewer entries than proxies: nothing to believe
    (1, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),  # one IPv6 device holds its whole /64
    (1, "not an address", "unknown"),
])
def test_client_address_honours_the_trusted_proxies(settings, trusted, forwarded, expected):
    settings.KAIKUKANTA_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


# The shared cache ------------------------------------------------------------------------------------------


def _redis_or_skip(location: str) -> RedisCache:
    cache = RedisCache(location, {"KEY_PREFIX": f"kk-test-{uuid.uuid4().hex}"})
    try:
        cache.get("ping")
    except Exception as error:
        if os.environ.get("KAIKUKANTA_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {location} is required: {error}")
        pytest.skip(f"no Redis at {location}")
    return cache


@pytest.fixture
def two_processes():
    """Two separate Redis clients, as two server processes have, with a key prefix of this test's own."""
    first = _redis_or_skip(REDIS_TEST_URL)
    second = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": first.key_prefix})
    yield first, second
    client = first._cache.get_client(write=True)
    for key in client.scan_iter(f"{first.key_prefix}:*"):
        client.delete(key)


def test_two_processes_share_the_counts_through_redis(network, strict, two_processes):
    first, second = two_processes
    caller = Caller(network.users["venue"], network.users["venue"].organisation, "10.0.0.1", Channel.API)
    for counters in (guessing.Counters(first), guessing.Counters(second), guessing.Counters(first)):
        guessing.admit_check(caller, counters=counters)
        guessing.unknown_number(caller, guessing.CARD_CHECK, counters=counters)

    with pytest.raises(Refusal) as refused:
        guessing.admit_check(caller, counters=guessing.Counters(second))
    assert refused.value.code == "throttled"
    # The third unknown number, counted by the first process, wrote the one alert.
    assert len(alerts()) == 1
    # Every count expires with its window.
    client = first._cache.get_client(write=True)
    lifetimes = [client.ttl(key) for key in client.scan_iter(f"{first.key_prefix}:*")]
    assert lifetimes and all(0 < lifetime <= 601 for lifetime in lifetimes)


def test_checks_go_on_when_the_cache_is_unreachable(network, strict):
    unreachable = guessing.Counters(RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}))
    caller = Caller(network.users["venue"], network.users["venue"].organisation, "10.0.0.1", Channel.API)
    for _ in range(5):
        guessing.admit_check(caller, counters=unreachable)
        guessing.unknown_number(caller, guessing.CARD_CHECK, counters=unreachable)

    assert alerts() == []
