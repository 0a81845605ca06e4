"""POST /api/v1/visits: what the ticket desk sees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaikukanta.core import damm
from kaikukanta.core.clock import today
from kaikukanta.core.errors import MEANINGS, Code
from kaikukanta.core.models import AuditRecord
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.testing import ApiClient, make_card, make_offering
from kaikukanta.visits.models import Visit

from .support import assert_refused, community_card, days_ago, nothing_written, personal_card, post_visit

UNKNOWN_NUMBER = "123456789" + damm.check_digit("123456789")
BAD_CHECK_DIGIT = "123456789" + str((int(damm.check_digit("123456789")) + 1) % 10)


@pytest.fixture
def desk(network):
    return network.client("venue")


def test_holder_with_two_children_is_one_visit_of_three_uses(network, desk):
    card = personal_card(network, children=2)
    offering = make_offering(network.venue)
    response = post_visit(desk, {"card_number": card.number, "offering_id": offering.pk, "children": 2})
    assert response.status_code == 201
    visit = Visit.objects.get()
    assert response.json() == {"id": visit.pk, "card_number": card.number, "venue_id": network.venue.pk,
                               "offering_id": offering.pk, "used_on": today().isoformat(), "children": 2,
                               "clients": 0, "assistants": 0, "uses": 3}
    assert (visit.card_id, visit.uses, visit.recorded_by) == (card.pk, 3, network.users["venue"])


def test_community_worker_with_four_clients_is_five_uses(network, desk):
    card = community_card(network)
    response = post_visit(desk, {"card_number": card.number, "clients": 4})
    assert response.status_code == 201
    assert (response.json()["clients"], response.json()["uses"]) == (4, 5)


def test_assistants_are_recorded_but_are_not_uses(network, desk):
    card = personal_card(network)
    response = post_visit(desk, {"card_number": card.number, "assistants": 2})
    assert response.status_code == 201
    assert (response.json()["assistants"], response.json()["uses"]) == (2, 1)


def test_offering_and_party_are_optional_and_used_on_defaults_to_today(network, desk):
    card = personal_card(network)
    response = post_visit(desk, {"card_number": card.number})
    assert response.status_code == 201
    body = response.json()
    assert (body["offering_id"], body["used_on"]) == (None, today().isoformat())
    assert (body["children"], body["clients"], body["assistants"], body["uses"]) == (0, 0, 0, 1)


def test_explicit_nulls_mean_the_defaults(network, desk):
    card = personal_card(network)
    response = post_visit(desk, {"card_number": card.number, "offering_id": None, "used_on": None,
                                 "children": None, "clients": None, "assistants": None})
    assert response.status_code == 201
    assert response.json()["uses"] == 1


def test_card_number_may_carry_spaces_and_dashes_and_comes_back_bare(network, desk):
    card = personal_card(network)
    spaced = f"{card.number[:5]} {card.number[5:]}"
    assert post_visit(desk, {"card_number": spaced}).json()["card_number"] == card.number
    dashed = f"{card.number[:5]}-{card.number[5:]}"
    assert post_visit(desk, {"card_number": dashed}).json()["card_number"] == card.number


def test_cards_work_at_every_venue_whatever_area_issued_them(network, desk):
    card = make_card(network.other_distributor)
    assert network.other_area != network.venue.area
    assert post_visit(desk, {"card_number": card.number}).status_code == 201


def test_an_archived_offering_is_still_a_valid_id(network, desk):
    offering = make_offering(network.venue, archived=True)
    card = personal_card(network)
    assert post_visit(desk, {"card_number": card.number, "offering_id": offering.pk}).status_code == 201


def test_recording_is_audited_without_holder_data(network, desk):
    card = personal_card(network, children=1, birth_year=1971, postal_code="00100")
    visit_id = post_visit(desk, {"card_number": card.number, "children": 1}).json()["id"]
    audit_row = AuditRecord.objects.get(action="visit.recorded")
    assert (audit_row.actor, audit_row.object_type, audit_row.object_id) == (network.users["venue"], "visit",
                                                                            str(visit_id))
    details = str(audit_row.details)
    for holder_fact in ("1971", "00100", card.number, "birth_year", "postal_code", "gender"):
        assert holder_fact not in details


@pytest.mark.parametrize("who", ["admin", "coordinator", "distributor"])
def test_only_venue_staff_record_visits(network, who):
    card = personal_card(network)
    with nothing_written():
        assert_refused(post_visit(network.client(who), {"card_number": card.number}), 403, "forbidden")


def test_anonymous_callers_are_unauthenticated(network, anonymous):
    card = personal_card(network)
    with nothing_written():
        assert_refused(post_visit(anonymous, {"card_number": card.number}), 401, "unauthenticated")


@pytest.mark.parametrize("body, field", [
    ({"card_number": "CARD", "holder_name": "Maija Meikäläinen"}, "holder_name"),
    ({"card_number": "CARD", "children": "2"}, "children"),
    ({"card_number": "CARD", "clients": 1.5}, "clients"),
    ({"card_number": "CARD", "offering_id": "1"}, "offering_id"),
    ({"card_number": "CARD", "used_on": "24.11.2026"}, "used_on"),
    ({"card_number": 1234567890}, "card_number"),
    ({"children": 1}, "card_number"),
    ({"card_number": "CARD", "children": -1}, "children"),
    ({"card_number": "CARD", "clients": -1}, "clients"),
    ({"card_number": "CARD", "clients": 11}, "clients"),
    ({"card_number": "CARD", "assistants": -1}, "assistants"),
    ({"card_number": "CARD", "assistants": 3}, "assistants"),
    ({"card_number": "123456789"}, "card_number"),
    ({"card_number": "12345678901"}, "card_number"),
    ({"card_number": "12345abcde"}, "card_number"),
    ({"card_number": "CARD", "offering_id": 987654}, "offering_id"),
])
def test_malformed_or_out_of_range_bodies_are_invalid(network, desk, body, field):
    card = community_card(network)
    body = {key: (card.number if value == "CARD" else value) for key, value in body.items()}
    with nothing_written():
        assert_refused(post_visit(desk, body), 400, "invalid", field)


def test_malformed_json_is_invalid(network, desk):
    with nothing_written():
        assert_refused(desk.post("visits", "{not json"), 400, "invalid")


def test_wrong_check_digit_is_number_invalid(network, desk):
    with nothing_written():
        response = post_visit(desk, {"card_number": BAD_CHECK_DIGIT})
    assert_refused(response, 400, "number_invalid", "card_number")


def test_range_tops_are_allowed(network, desk):
    card = community_card(network)
    response = post_visit(desk, {"card_number": card.number, "clients": 10, "assistants": 2})
    assert response.status_code == 201
    assert response.json()["uses"] == 11


def _course_at_venue(network):
    return make_offering(network.venue, name="Keramiikkakurssi", kind="course").pk


# Each rule of API.md refused on its own: (scenario → body, status, code, field).
RULES = {
    "date_in_future": (lambda n: {"card_number": personal_card(n).number,
                                  "used_on": days_ago(-1).isoformat()}, 422, "date_out_of_range", "used_on"),
    "date_too_far_back": (lambda n: {"card_number": personal_card(n, issued_on=days_ago(100)).number,
                                     "used_on": days_ago(32).isoformat()},
                          422, "date_out_of_range", "used_on"),
    "card_not_found": (lambda n: {"card_number": UNKNOWN_NUMBER}, 404, "card_not_found", "card_number"),
    "card_not_yet_valid": (lambda n: {"card_number": personal_card(n, issued_on=today()).number,
                                      "used_on": days_ago(1).isoformat()}, 422, "card_not_yet_valid",
                           "card_number"),
    "card_expired": (lambda n: {"card_number": personal_card(n, issued_on=days_ago(300),
                                                             valid_until=days_ago(1)).number},
                     422, "card_expired", "card_number"),
    "card_closed": (lambda n: {"card_number": personal_card(n, issued_on=days_ago(10),
                                                            closed_on=days_ago(2)).number},
                    422, "card_closed", "card_number"),
    "too_many_children": (lambda n: {"card_number": personal_card(n, children=1).number, "children": 2},
                          422, "too_many_children", "children"),
    "children_not_allowed_for_course": (
        lambda n: {"card_number": personal_card(n, children=2).number, "children": 1,
                   "offering_id": _course_at_venue(n)}, 422, "children_not_allowed_for_course", "children"),
    "clients_need_community_card": (lambda n: {"card_number": personal_card(n).number, "clients": 1},
                                    422, "clients_need_community_card", "clients"),
    "children_need_personal_card": (lambda n: {"card_number": community_card(n).number, "children": 1},
                                    422, "children_need_personal_card", "children"),
    "offering_not_at_venue": (lambda n: {"card_number": personal_card(n).number,
                                         "offering_id": make_offering(n.other_venue).pk},
                              422, "offering_not_at_venue", "offering_id"),
    "quota_exhausted": (lambda n: {"card_number": personal_card(n).number,
                                   "offering_id": make_offering(n.venue, ticket_quota=0).pk},
                        409, "quota_exhausted", "offering_id"),
}


@pytest.mark.parametrize("scenario", RULES.values(), ids=RULES.keys())
def test_each_rule_refuses_with_its_code_and_writes_nothing(network, desk, scenario):
    build_body, status, code, field = scenario
    body = build_body(network)
    with nothing_written():
        assert_refused(post_visit(desk, body), status, code, field)


# Two rules broken at once: the one API.md lists first is returned.
ORDER = {
    "range_before_card_number": (
        lambda n: {"card_number": "123", "clients": -1}, 400, "invalid", "clients"),
    "card_number_before_offering": (
        lambda n: {"card_number": BAD_CHECK_DIGIT, "offering_id": 987654},
        400, "number_invalid", "card_number"),
    "offering_id_before_date": (
        lambda n: {"card_number": UNKNOWN_NUMBER, "offering_id": 987654, "used_on": days_ago(-1).isoformat()},
        400, "invalid", "offering_id"),
    "date_before_card_not_found": (
        lambda n: {"card_number": UNKNOWN_NUMBER, "used_on": days_ago(40).isoformat()},
        422, "date_out_of_range", "used_on"),
    "card_not_found_before_party": (
        lambda n: {"card_number": UNKNOWN_NUMBER, "children": 5}, 404, "card_not_found", "card_number"),
    "not_yet_valid_before_children": (
        lambda n: {"card_number": personal_card(n, issued_on=today()).number, "children": 3,
                   "used_on": days_ago(1).isoformat()}, 422, "card_not_yet_valid", "card_number"),
    "expired_before_too_many_children": (
        lambda n: {"card_number": personal_card(n, issued_on=days_ago(300), valid_until=days_ago(1)).number,
                   "children": 3}, 422, "card_expired", "card_number"),
    "expired_before_closed": (
        lambda n: {"card_number": personal_card(n, issued_on=days_ago(300), valid_until=days_ago(5),
                                                closed_on=days_ago(3)).number},
        422, "card_expired", "card_number"),
    "closed_before_clients": (
        lambda n: {"card_number": personal_card(n, issued_on=days_ago(9), closed_on=days_ago(1)).number,
                   "clients": 1}, 422, "card_closed", "card_number"),
    "too_many_children_before_course": (
        lambda n: {"card_number": personal_card(n, children=1).number, "children": 2,
                   "offering_id": _course_at_venue(n)}, 422, "too_many_children", "children"),
    "course_before_clients": (
        lambda n: {"card_number": personal_card(n, children=1).number, "children": 1, "clients": 1,
                   "offering_id": _course_at_venue(n)}, 422, "children_not_allowed_for_course", "children"),
    "clients_before_offering_venue": (
        lambda n: {"card_number": personal_card(n).number, "clients": 2,
                   "offering_id": make_offering(n.other_venue).pk},
        422, "clients_need_community_card", "clients"),
    "children_before_offering_venue": (
        lambda n: {"card_number": community_card(n).number, "children": 1,
                   "offering_id": make_offering(n.other_venue).pk}, 422, "children_need_personal_card",
        "children"),
    "offering_venue_before_quota": (
        lambda n: {"card_number": personal_card(n).number,
                   "offering_id": make_offering(n.other_venue, ticket_quota=0).pk},
        422, "offering_not_at_venue", "offering_id"),
}


@pytest.mark.parametrize("scenario", ORDER.values(), ids=ORDER.keys())
def test_the_first_broken_rule_in_api_order_is_returned(network, desk, scenario):
    build_body, status, code, field = scenario
    body = build_body(network)
    with nothing_written():
        assert_refused(post_visit(desk, body), status, code, field)


@pytest.mark.parametrize("days_back, accepted", [(-1, False), (0, True), (1, True), (31, True), (32, False)])
def test_used_on_runs_from_31_days_back_to_today(network, desk, days_back, accepted):
    card = personal_card(network, issued_on=days_ago(200))
    response = post_visit(desk, {"card_number": card.number, "used_on": days_ago(days_back).isoformat()})
    if accepted:
        assert response.status_code == 201
        assert response.json()["used_on"] == days_ago(days_back).isoformat()
    else:
        assert_refused(response, 422, "date_out_of_range", "used_on")


# Days back from the day the test runs (not the day it was collected: a run crossing midnight moved them).
@pytest.mark.parametrize("days_back, code", [
    ({"issued_on": 3}, None),
    ({"issued_on": 2}, "card_not_yet_valid"),
    ({"issued_on": 100, "valid_until": 3}, None),
    ({"issued_on": 100, "valid_until": 4}, "card_expired"),
    ({"issued_on": 100, "closed_on": 2}, None),
    ({"issued_on": 100, "closed_on": 3}, "card_closed"),
], ids=["issued_that_day", "issued_the_day_after", "valid_until_that_day", "valid_until_the_day_before",
        "closed_the_day_after", "closed_that_day"])
def test_card_validity_boundaries_on_used_on(network, desk, days_back, code):
    card = personal_card(network, **{name: days_ago(days) for name, days in days_back.items()})
    response = post_visit(desk, {"card_number": card.number, "used_on": days_ago(3).isoformat()})
    if code is None:
        assert response.status_code == 201
    else:
        assert_refused(response, 422, code, "card_number")


def test_children_up_to_those_registered_on_the_card(network, desk):
    card = personal_card(network, children=3)
    assert post_visit(desk, {"card_number": card.number, "children": 3}).json()["uses"] == 4
    assert_refused(post_visit(desk, {"card_number": card.number, "children": 4}), 422, "too_many_children",
                   "children")


def test_a_course_admits_the_holder_alone(network, desk):
    card = personal_card(network, children=2)
    response = post_visit(desk, {"card_number": card.number, "offering_id": _course_at_venue(network)})
    assert response.status_code == 201


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_messages_follow_accept_language(network, language):
    card = personal_card(network, issued_on=days_ago(300), valid_until=days_ago(1))
    response = post_visit(network.client("venue", language), {"card_number": card.number})
    error = assert_refused(response, 422, "card_expired", "card_number")
    assert error["message"] == getattr(MEANINGS[Code.CARD_EXPIRED], language)


def test_messages_default_to_finnish_and_honour_quality_values(network):
    card = personal_card(network, children=0)
    body = {"card_number": card.number, "children": 1}
    plain = post_visit(network.client("venue"), body).json()["error"]["message"]
    weighted_client = network.client("venue", "de, sv;q=0.5, en-GB;q=0.8")
    weighted = post_visit(weighted_client, body).json()["error"]["message"]
    assert plain == MEANINGS[Code.TOO_MANY_CHILDREN].fi
    assert weighted == MEANINGS[Code.TOO_MANY_CHILDREN].en


class TestQuota:
    def test_uses_may_fill_the_quota_but_not_exceed_it(self, network, desk):
        offering = make_offering(network.venue, ticket_quota=3)
        family = personal_card(network, children=2)
        assert post_visit(desk, {"card_number": family.number, "offering_id": offering.pk,
                                 "children": 2}).status_code == 201
        with nothing_written():
            response = post_visit(desk, {"card_number": personal_card(network).number,
                                         "offering_id": offering.pk})
        assert_refused(response, 409, "quota_exhausted", "offering_id")

    def test_a_party_larger_than_what_is_left_is_refused(self, network, desk):
        offering = make_offering(network.venue, ticket_quota=5)
        assert post_visit(desk, {"card_number": community_card(network).number, "offering_id": offering.pk,
                                 "clients": 2}).status_code == 201
        too_many = {"card_number": community_card(network).number, "offering_id": offering.pk, "clients": 2}
        assert_refused(post_visit(desk, too_many), 409, "quota_exhausted", "offering_id")
        just_enough = {**too_many, "clients": 1}
        assert post_visit(desk, just_enough).status_code == 201

    def test_assistants_do_not_count_against_the_quota(self, network, desk):
        offering = make_offering(network.venue, ticket_quota=1)
        response = post_visit(desk, {"card_number": personal_card(network).number, "offering_id": offering.pk,
                                     "assistants": 2})
        assert response.status_code == 201

    def test_the_quota_is_per_day(self, network, desk):
        offering = make_offering(network.venue, ticket_quota=1)
        card = personal_card(network, issued_on=days_ago(10))
        assert post_visit(desk, {"card_number": card.number, "offering_id": offering.pk}).status_code == 201
        yesterday = {"card_number": card.number, "offering_id": offering.pk,
                     "used_on": days_ago(1).isoformat()}
        assert post_visit(desk, yesterday).status_code == 201
        assert_refused(post_visit(desk, {"card_number": card.number, "offering_id": offering.pk}), 409,
                       "quota_exhausted", "offering_id")

    def test_the_quota_is_per_offering_and_visits_without_one_are_unlimited(self, network, desk):
        limited = make_offering(network.venue, ticket_quota=1)
        unlimited = make_offering(network.venue, name="Avoin näyttely", kind="exhibition")
        card = personal_card(network)
        for _ in range(3):
            response = post_visit(desk, {"card_number": card.number, "offering_id": unlimited.pk})
            assert response.status_code == 201
        assert post_visit(desk, {"card_number": card.number, "offering_id": limited.pk}).status_code == 201


class TestIdempotency:
    def test_a_repeated_key_returns_the_first_body_with_200_and_stores_nothing(self, network, desk):
        card = personal_card(network, children=1)
        first = post_visit(desk, {"card_number": card.number, "children": 1}, key="desk-1-0001")
        assert first.status_code == 201
        with nothing_written():
            again = post_visit(desk, {"card_number": card.number, "children": 1}, key="desk-1-0001")
        assert again.status_code == 200
        assert again.json() == first.json()
        assert Visit.objects.count() == 1

    def test_whatever_the_new_body_says(self, network, desk):
        card = personal_card(network, children=1)
        first = post_visit(desk, {"card_number": card.number, "children": 1}, key="k")
        for new_body in ({"card_number": personal_card(network).number},
                         {"card_number": BAD_CHECK_DIGIT, "children": -5},
                         {"card_number": UNKNOWN_NUMBER, "used_on": days_ago(60).isoformat()}):
            with nothing_written():
                again = post_visit(desk, new_body, key="k")
            assert (again.status_code, again.json()) == (200, first.json())

    def test_a_replay_is_not_refused_by_the_quota_its_first_request_used(self, network, desk):
        offering = make_offering(network.venue, ticket_quota=1)
        body = {"card_number": personal_card(network).number, "offering_id": offering.pk}
        first = post_visit(desk, body, key="last-ticket")
        again = post_visit(desk, body, key="last-ticket")
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()

    def test_the_same_key_at_another_venue_is_another_visit(self, network, desk):
        card = personal_card(network)
        here = post_visit(desk, {"card_number": card.number}, key="shared-key")
        there = post_visit(network.client("other_venue"), {"card_number": card.number}, key="shared-key")
        assert (here.status_code, there.status_code) == (201, 201)
        assert here.json()["id"] != there.json()["id"]
        assert there.json()["venue_id"] == network.other_venue.pk
        assert Visit.objects.count() == 2

    def test_a_refused_request_does_not_use_up_its_key(self, network, desk):
        card = personal_card(network, children=1)
        assert_refused(post_visit(desk, {"card_number": card.number, "children": 2}, key="retry"), 422,
                       "too_many_children", "children")
        assert post_visit(desk, {"card_number": card.number, "children": 1}, key="retry").status_code == 201

    def test_requests_without_a_key_are_never_deduplicated(self, network, desk):
        card = personal_card(network)
        assert post_visit(desk, {"card_number": card.number}).status_code == 201
        assert post_visit(desk, {"card_number": card.number}).status_code == 201
        assert Visit.objects.count() == 2

    @pytest.mark.parametrize("key, accepted", [("", False), ("x", True), ("k" * 100, True),
                                               ("k" * 101, False)])
    def test_a_key_is_1_to_100_characters(self, network, desk, key, accepted):
        card = personal_card(network)
        response = post_visit(desk, {"card_number": card.number}, key=key)
        if accepted:
            assert response.status_code == 201
            assert Visit.objects.get().idempotency_key == key
        else:
            assert_refused(response, 400, "invalid", "Idempotency-Key")
            assert not Visit.objects.exists()


def test_the_hot_path_is_a_fixed_handful_of_statements(network, desk):
    """Token, idempotency look-up with the offering and the card (one statement), quota lock, quota sum, the
    devices' held leases (issue 14), insert with its statistics change and audit row (one statement on
    PostgreSQL, three on SQLite)."""
    offering = make_offering(network.venue, ticket_quota=50)
    desk.get("visits")  # the token's last-used stamp is written once, not on every request
    rules_in_force(network.area, today())  # the rules are read once per process, not per request
    statements = []
    for children in (0, 3):
        card = personal_card(network, children=children)
        with CaptureQueriesContext(connection) as captured:
            response = post_visit(desk, {"card_number": card.number, "offering_id": offering.pk,
                                         "children": children}, key=f"key-{children}")
        assert response.status_code == 201
        statements.append([query["sql"] for query in captured.captured_queries
                           if "SAVEPOINT" not in query["sql"].upper()])
    insert_change_and_audit = 1 if connection.vendor == "postgresql" else 3
    assert len(statements[0]) == len(statements[1]) == 5 + insert_change_and_audit, statements[0]
    assert not any('"cards_card"' in sql and "birth_year" in sql for sql in statements[0])


def test_a_visit_without_a_key_or_quota_is_even_shorter(network, desk):
    offering = make_offering(network.venue)
    desk.get("visits")
    rules_in_force(network.area, today())
    card = personal_card(network)
    with CaptureQueriesContext(connection) as captured:
        assert post_visit(desk, {"card_number": card.number, "offering_id": offering.pk}).status_code == 201
    # Token, idempotency look-up with the offering and the card, insert with its statistics change and audit.
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    assert len(statements) == (3 if connection.vendor == "postgresql" else 5), statements


def test_an_inactive_venue_cannot_record(network, desk):
    network.venue.active = False
    network.venue.save(update_fields=["active"])
    with nothing_written():
        assert_refused(post_visit(desk, {"card_number": personal_card(network).number}), 403, "forbidden")


def test_unauthenticated_with_a_bad_token(network):
    with nothing_written():
        assert_refused(post_visit(ApiClient("kk_nonsense"), {"card_number": UNKNOWN_NUMBER}), 401,
                       "unauthenticated")
