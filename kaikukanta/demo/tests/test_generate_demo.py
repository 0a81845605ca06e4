import datetime
import io
import re
from collections import Counter, defaultdict

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from kaikukanta.accounts.models import ApiToken
from kaikukanta.cards import rules as card_rules
from kaikukanta.cards.models import Card, CardBatch, CardEvent, StockNumber
from kaikukanta.core.clock import add_months, today
from kaikukanta.core.errors import Refusal
from kaikukanta.demo.services import generate_demo
from kaikukanta.network import selectors as network
from kaikukanta.network.models import (
    DISTRIBUTOR_CATEGORIES,
    SECTORS,
    VENUE_CATEGORIES,
    AreaStatusPeriod,
    Offering,
    Organisation,
)
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.reference.models import PostalCode
from kaikukanta.testing import ApiClient
from kaikukanta.visits import rules as visit_rules
from kaikukanta.visits.models import Visit

LOGIN_LINE = re.compile(r"^  (\w+) +(kaikukanta-demo-\w+) +(kk_\S+)  (\w+): ", re.MULTILINE)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("generate_demo", "--cards", "200", "--visits", "2000", "--seed", "7", stdout=out,
                 stderr=io.StringIO())
    return out.getvalue()


def visit_violations() -> list[str]:
    """Every visit judged again by the visit rules (all of them but the 31-days-back limit)."""
    problems = []
    quota_uses = defaultdict(int)
    day = today()
    for visit in Visit.objects.select_related("card", "offering", "venue"):
        card = visit.card
        facts = visit_rules.CardFacts(card.card_type, card.issued_on, card.valid_until, card.closed_on,
                                      card.children)
        # Judged by the rules in force in the venue's area on the visit's own day.
        rules = rules_in_force(visit.venue.area_id, visit.used_on)
        try:
            visit_rules.check_ranges(children=visit.children, clients=visit.clients,
                                     assistants=visit.assistants, rules=rules)
            if visit.used_on > day:
                raise Refusal(visit_rules.Code.DATE_OUT_OF_RANGE)
            visit_rules.check_card_usable(facts, visit.used_on)
            visit_rules.check_party(facts, visit.offering.kind if visit.offering else None,
                                    children=visit.children, clients=visit.clients, used_on=visit.used_on,
                                    rules=rules)
            visit_rules.check_offering_at_venue(visit.offering.venue_id if visit.offering else None,
                                                visit.venue_id)
        except Refusal as refusal:
            problems.append(f"visit {visit.pk}: {refusal.code}")
        if visit.uses != visit_rules.uses_of(visit.children, visit.clients):
            problems.append(f"visit {visit.pk}: uses {visit.uses}")
        offering = visit.offering
        value = (visit_rules.ticket_value_cents(offering.adult_price_cents, offering.child_price_cents,
                                                children=visit.children, clients=visit.clients) if offering else None)
        if visit.ticket_value_cents != value:
            problems.append(f"visit {visit.pk}: ticket value {visit.ticket_value_cents}, not {value}")
        if visit.venue.kind != "venue" or visit.venue.active_from > visit.used_on:
            problems.append(f"visit {visit.pk}: venue {visit.venue_id} not open then")
        if visit.offering and visit.offering.ticket_quota is not None:
            quota_uses[(visit.offering, visit.used_on)] += visit.uses
    problems += [f"offering {offering.pk} over its quota on {used_on}"
                 for (offering, used_on), uses in quota_uses.items() if uses > offering.ticket_quota]
    return problems


def card_violations() -> list[str]:
    """Every card judged again by the card rules on the day it was issued, and its history checked."""
    problems = []
    municipality_of = dict(PostalCode.objects.values_list("code", "municipality_id"))
    stock = dict(StockNumber.objects.values_list("number", "distributor_id"))
    for card in Card.objects.select_related("issuer").prefetch_related("events"):
        events = list(card.events.all())
        kinds = [event.event for event in events]
        if kinds.count("issued") != 1 or kinds[0] != "issued":
            problems.append(f"card {card.number}: events {kinds}")
        if stock.get(card.number) != card.issuer_id:
            problems.append(f"card {card.number}: not in its issuer's stock")
        holder = None if card.card_type == "community" else card_rules.Holder(
            card.birth_year, card.postal_code_id, card.children, card.gender, card.life_situation)
        first_until = events[0].valid_until
        if card.replaces_id is None:
            try:
                home = card_rules.check_new_card(
                    card_type=card.card_type, holder=holder, valid_until=first_until, day=card.issued_on,
                    rules=rules_in_force(card.issuer.area_id, card.issued_on),
                    municipality_of_postal_code=municipality_of.get,
                    municipality_in_network=network.municipality_in_network)
            except Refusal as refusal:
                problems.append(f"card {card.number}: {refusal.code}")
            else:
                if home != card.home_municipality_id:
                    problems.append(f"card {card.number}: home {card.home_municipality_id}, not {home}")
        elif (card.replaces.closed_on, card.replaces.close_reason) != (card.issued_on, "replaced"):
            problems.append(f"card {card.number}: replaced card not closed on the replacement day")
        for event in events[1:]:
            if event.event == "renewed" and not event.date <= event.valid_until <= add_months(event.date, 12):
                problems.append(f"card {card.number}: renewal {event.date} to {event.valid_until}")
        renewals = [event.valid_until for event in events if event.valid_until]
        if card.valid_until != renewals[-1]:
            problems.append(f"card {card.number}: valid_until is not the last event's")
        endings = [event for event in events if event.event in ("closed", "replaced")]
        expected = [(card.closed_on, card.close_reason)] if card.closed_on else []
        if [(e.date, e.reason) for e in endings] != expected:
            problems.append(f"card {card.number}: closing {card.closed_on} does not match its events")
    return problems


def test_small_demo_has_the_counts_asked_for_and_every_row_obeys_the_rules(demo):
    assert Card.objects.count() == 200
    assert Visit.objects.count() == 2000
    assert visit_violations() == []
    assert card_violations() == []
    # Priced offerings give the value of tickets given; courses, libraries and visits without one have none.
    valued = Visit.objects.filter(ticket_value_cents__isnull=False)
    assert 0 < valued.count() < Visit.objects.count()
    assert valued.filter(ticket_value_cents__gt=0).exists()
    assert sum(CardBatch.objects.values_list("count", flat=True)) == StockNumber.objects.count()
    assert StockNumber.objects.count() > Card.objects.count()


def test_small_demo_is_a_varied_network(demo):
    assert set(Organisation.objects.filter(kind="distributor").values_list("category", flat=True)) == set(
        DISTRIBUTOR_CATEGORIES)
    venues = Organisation.objects.filter(kind="venue")
    assert set(venues.values_list("category", flat=True)) == set(VENUE_CATEGORIES)
    assert set(Organisation.objects.filter(kind="venue").values_list("sector", flat=True)) == set(SECTORS)
    assert {"pilot", "active"} <= set(AreaStatusPeriod.objects.values_list("status", flat=True))
    assert Offering.objects.filter(ticket_quota__isnull=False).exists()
    assert Offering.objects.filter(kind="course").exists()
    cards = Counter(Card.objects.values_list("card_type", flat=True))
    assert 0 < cards["community"] < cards["personal"] / 10
    events = Counter(CardEvent.objects.values_list("event", flat=True))
    assert events["issued"] == 200 and events["renewed"] > 0 and events["closed"] > 0
    assert Card.objects.filter(replaces__isnull=False).exists()
    assert Visit.objects.filter(children__gt=0).exists() and Visit.objects.filter(clients__gt=0).exists()
    assert Visit.objects.filter(cancelled_at__isnull=False).count() < 100
    months = Counter(Visit.objects.values_list("used_on__month", flat=True))
    assert months[7] < months[10]
    weekdays = Counter(visit.isoweekday() for visit in Visit.objects.values_list("used_on", flat=True))
    assert weekdays[6] > weekdays[2]


def test_demo_logins_work_with_their_passwords_and_tokens(demo):
    logins = LOGIN_LINE.findall(demo)
    assert [(username, role) for username, _, _, role in logins] == [
        ("admin", "national_admin"), ("coordinator", "area_coordinator"), ("distributor", "distributor"),
        ("venue", "venue")]
    for username, password, token, _ in logins:
        # The login throttle (django-axes) counts per address, so it needs the request.
        assert authenticate(RequestFactory().post("/login/"), username=username, password=password) is not None
        assert ApiClient(token).get("settings").status_code == 200
    lifetime = datetime.timedelta(days=settings.KAIKUKANTA_API_TOKEN_MAX_DAYS)
    for token in ApiToken.objects.all():
        assert token.expires_at is not None and token.expires_at <= timezone.now() + lifetime
    assert f"valid for {settings.KAIKUKANTA_API_TOKEN_MAX_DAYS} days" in demo
    assert "admin and coordinator confirm every sign-in with an authenticator app" in demo
    assert "QR code and the same secret as grouped text" in demo


def test_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    def snapshot():
        return (list(Card.objects.order_by("id").values_list("number", "issuer__name", "issued_on",
                                                                "valid_until", "birth_year", "postal_code",
                                                                "children")),
                list(Visit.objects.order_by("id").values_list("card__number", "venue__name", "offering__name",
                                                                 "used_on", "children", "clients")))

    class Undo(Exception):
        pass

    def generated(seed):
        try:
            with transaction.atomic():
                generate_demo(cards=60, visits=300, seed=seed, areas=2)
                data = snapshot()
                raise Undo
        except Undo:
            return data

    first = generated(3)
    assert generated(3) == first
    assert generated(4) != first


def test_demo_goes_only_into_an_empty_database(demo):
    with pytest.raises(CommandError, match="already has a network"):
        call_command("generate_demo", "--cards", "10", "--visits", "10", stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert Card.objects.count() == 200


def test_interrupted_demo_writes_nothing(db, monkeypatch):
    from kaikukanta.demo import services

    def interrupt(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(services._Builder, "write_visits", interrupt)
    with pytest.raises(CommandError, match="interrupted, nothing written"):
        call_command("generate_demo", "--cards", "10", "--visits", "10", stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert not Organisation.objects.exists() and not Card.objects.exists()


def test_load_demo_if_empty_loads_once_and_then_names_the_logins(db, settings, monkeypatch):
    from kaikukanta.demo.management.commands import load_demo_if_empty

    monkeypatch.setattr(load_demo_if_empty, "SMALL_DEMO", {"cards": 50, "visits": 200, "seed": 1, "areas": 2})
    settings.KAIKUKANTA_DEMO = False
    out = io.StringIO()
    call_command("load_demo_if_empty", stdout=out)
    assert "no demo data loaded" in out.getvalue() and not Organisation.objects.exists()

    settings.KAIKUKANTA_DEMO = True
    out = io.StringIO()
    call_command("load_demo_if_empty", stdout=out, stderr=io.StringIO())
    assert (Card.objects.count(), Visit.objects.count()) == (50, 200)
    assert len(LOGIN_LINE.findall(out.getvalue())) == 4

    out = io.StringIO()
    call_command("load_demo_if_empty", stdout=out)
    assert "already has data" in out.getvalue()
    assert "  venue        kaikukanta-demo-venue" in out.getvalue()
    assert Card.objects.count() == 50
