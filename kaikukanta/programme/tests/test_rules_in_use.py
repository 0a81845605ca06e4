"""Rule changes as the national admin and coordinators make them, and the API, desk and card issue applying
them: an area's override is what its sites meet, the past stays judged by the rules of its day."""

import datetime

import pytest

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.models import AuditRecord
from kaikukanta.programme import services
from kaikukanta.programme.models import RuleVersion
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits.models import Visit

YESTERDAY = datetime.timedelta(days=1)


def override(network, who="coordinator", day=None, **values):
    return services.set_area_rules(Caller.for_console(network.users[who]), network.area.pk,
                                   effective_from=day or today(), overrides=values)


def test_an_area_override_starts_on_its_day_and_leaves_earlier_days_alone(network):
    tomorrow = today() + YESTERDAY
    override(network, day=tomorrow, children_max_age=17)
    assert rules_in_force(network.area, today()).children_max_age is None
    assert rules_in_force(network.area, tomorrow).children_max_age == 17
    assert rules_in_force(network.other_area, tomorrow).children_max_age is None
    record = AuditRecord.objects.get(action="rules.area_changed")
    assert (record.actor, record.details["children_max_age"]) == (network.users["coordinator"], 17)


def test_a_change_may_not_start_in_the_past(network):
    with pytest.raises(Refusal) as refused:
        override(network, day=today() - YESTERDAY, children_max_age=17)
    assert (refused.value.code, refused.value.field) == (Code.RULES_DATE_IN_PAST, "effective_from")
    assert not RuleVersion.objects.filter(area=network.area).exists()


def test_versions_are_appended_never_changed(network):
    first = override(network, day=today() + YESTERDAY, children_max_age=17)
    second = override(network, day=today() + YESTERDAY, children_max_age=16)
    first.refresh_from_db()
    assert (first.children_max_age, second.children_max_age) == (17, 16)
    assert rules_in_force(network.area, today() + YESTERDAY).children_max_age == 16  # the later-made one


def test_a_coordinator_sets_only_what_the_national_admin_allows_and_only_in_its_area(network):
    with pytest.raises(Refusal) as refused:
        override(network, max_validity_months=24)
    assert refused.value.code == Code.RULE_NOT_OVERRIDABLE
    with pytest.raises(Refusal) as refused:
        override(network, who="other_coordinator", children_max_age=17)
    assert refused.value.code == Code.FORBIDDEN
    with pytest.raises(Refusal) as refused:
        override(network, who="distributor", children_max_age=17)
    assert refused.value.code == Code.FORBIDDEN


def test_the_national_admin_lets_areas_set_a_rule_from_a_day(network):
    current = rules_in_force(None, today())
    services.set_national_rules(Caller.for_console(network.users["admin"]), effective_from=today(),
                                values={**current.values(), "max_validity_months": 24},
                                overridable=["max_clients"])
    assert rules_in_force(network.area, today()).max_validity_months == 24
    override(network, max_clients=3)
    assert rules_in_force(network.area, today()).max_clients == 3
    with pytest.raises(Refusal):
        override(network, children_max_age=17)  # no longer the areas' to set
    with pytest.raises(Refusal) as refused:
        services.set_national_rules(Caller.for_console(network.users["coordinator"]), effective_from=today(),
                                    values=current.values(), overridable=[])
    assert refused.value.code == Code.FORBIDDEN


def test_the_settings_page_value_of_longest_validity_is_the_national_rule_from_today(network):
    response = network.client("admin").patch("/api/v1/settings", {"max_validity_months": 6})
    assert response.status_code == 200
    assert rules_in_force(network.area, today()).max_validity_months == 6
    assert rules_in_force(network.area, today() - YESTERDAY).max_validity_months == 12


def test_get_rules_answers_the_area_override_on_the_day_asked(network):
    override(network, day=today() + YESTERDAY, children_max_age=17, other_area_cards=False)
    client = network.client("other_venue")
    later = client.get("/api/v1/rules", area_id=network.area.pk, on=(today() + YESTERDAY).isoformat()).json()
    assert (later["children_max_age"], later["other_area_cards"], later["area_id"]) == (17, False, network.area.pk)
    assert later["effective_from"] == (today() + YESTERDAY).isoformat()
    now = client.get("/api/v1/rules", area_id=network.area.pk).json()
    assert (now["children_max_age"], now["other_area_cards"], now["holder_min_age"]) == (None, True, 16)
    assert client.get("/api/v1/rules", area_id=999999).status_code == 404


def test_card_issue_through_the_api_applies_the_area_limit_on_children(network):
    from kaikukanta.cards.models import Card, StockNumber

    override(network, children_max_age=16)
    numbers = [n.number for n in StockNumber.objects.filter(distributor=network.distributor)[:2]]
    if len(numbers) < 2:
        from kaikukanta.accounts.caller import Caller, Channel
        from kaikukanta.cards.services import create_card_batch

        _batch, numbers = create_card_batch(Caller.for_console(network.users["admin"], Channel.CONSOLE),
                                            distributor_id=network.distributor.pk, count=2)
    client = network.client("distributor")
    year = today().year
    body = {"number": numbers[0], "card_type": "personal", "valid_until": (today() + YESTERDAY).isoformat(),
            "holder": {"birth_year": 1980, "postal_code": "00100", "children": 2}}
    response = client.post("/api/v1/cards", body)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "child_birth_years_needed")
    body["holder"]["children_birth_years"] = [year - 17, year - 3]
    response = client.post("/api/v1/cards", body)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "child_over_age_limit")
    body["holder"]["children_birth_years"] = [year - 16, year - 3]
    assert client.post("/api/v1/cards", body).status_code == 201
    assert Card.objects.get(number=numbers[0]).children_birth_years == [year - 16, year - 3]
    # The other area's distributor is not held to it.
    assert rules_in_force(network.other_area, today()).children_max_age is None


def test_the_desk_applies_the_venue_area_override_and_a_past_visit_keeps_its_rules(network):
    card = make_card(network.other_distributor)  # a card of the other area
    offering = make_offering(network.venue)
    desk = network.client("venue")
    override(network, other_area_cards=False)
    today_visit = desk.post("/api/v1/visits", {"card_number": card.number, "offering_id": offering.pk})
    assert (today_visit.status_code, today_visit.json()["error"]["code"]) == (422, "card_of_other_area")
    # Yesterday the area's venues still admitted other areas' cards: the paper list may record it.
    card.issued_on = today() - datetime.timedelta(days=10)
    card.save()
    yesterday = desk.post("/api/v1/visits", {"card_number": card.number, "offering_id": offering.pk,
                                             "used_on": (today() - YESTERDAY).isoformat()})
    assert yesterday.status_code == 201
    assert Visit.objects.get().used_on == today() - YESTERDAY


def test_the_desk_counts_only_children_under_the_area_limit(network):
    from django.test import Client
    from django.urls import reverse

    from kaikukanta.accounts.caller import Caller, Channel
    from kaikukanta.testing import sign_in
    from kaikukanta.visits import services as visit_services

    year = today().year
    card = make_card(network.distributor, children=2, children_birth_years=[year - 17, year - 5])
    venue = Caller.for_console(network.users["venue"], Channel.CONSOLE)
    assert visit_services.check_card(venue, card.number).children == 2
    override(network, children_max_age=16)
    assert visit_services.check_card(venue, card.number).children == 1
    browser = Client()
    sign_in(browser, network.users["venue"])
    assert browser.get(reverse("desk:check_card"), {"card_number": card.number}).status_code == 200
    offering = make_offering(network.venue)
    refused = network.client("venue").post("/api/v1/visits", {"card_number": card.number, "children": 2,
                                                              "offering_id": offering.pk})
    assert refused.json()["error"]["code"] == "too_many_children"
    assert network.client("venue").post("/api/v1/visits", {"card_number": card.number, "children": 1,
                                                           "offering_id": offering.pk}).status_code == 201


def test_the_api_card_check_says_how_many_children_come_today_by_the_callers_area(network):
    year = today().year
    card = make_card(network.distributor, children=3, children_birth_years=[year - 17, year - 16, year - 5])
    venue, other_venue = network.client("venue"), network.client("other_venue")
    before = venue.get(f"/api/v1/cards/{card.number}").json()
    assert (before["children"], before["children_today"]) == (3, 3)
    override(network, children_max_age=16)
    after = venue.get(f"/api/v1/cards/{card.number}").json()
    assert (after["children"], after["children_today"]) == (3, 2), "the registered count stays; 17 is over"
    # A venue of an area without the limit admits all three; the issuing distributor sees its own area's rule.
    assert other_venue.get(f"/api/v1/cards/{card.number}").json()["children_today"] == 3
    assert network.client("distributor").get(f"/api/v1/cards/{card.number}").json()["children_today"] == 2
    assert network.client("admin").get(f"/api/v1/cards/{card.number}").json()["children_today"] == 2
    listed = network.client("coordinator").get("/api/v1/cards").json()["results"]
    assert [(c["number"], c["children_today"]) for c in listed if c["number"] == card.number] == [(card.number, 2)]


def test_the_venues_card_check_reads_no_more_for_the_children_of_today(network):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    year = today().year
    card = make_card(network.distributor, children=2, children_birth_years=[year - 17, year - 5])
    venue = network.client("venue")

    def statements() -> int:
        venue.get(f"/api/v1/cards/{card.number}")  # the rules' snapshot is read once per process and change
        with CaptureQueriesContext(connection) as captured:
            assert venue.get(f"/api/v1/cards/{card.number}").status_code == 200
        return len(captured)

    without_limit = statements()
    override(network, children_max_age=16)
    assert statements() == without_limit
    assert venue.get(f"/api/v1/cards/{card.number}").json()["children_today"] == 1


def test_a_card_without_recorded_birth_years_is_still_judged_by_its_count(network):
    card = make_card(network.distributor, children=2)
    override(network, children_max_age=12)
    checked = network.client("venue").get(f"/api/v1/cards/{card.number}").json()
    assert (checked["children"], checked["children_today"]) == (2, 2)
