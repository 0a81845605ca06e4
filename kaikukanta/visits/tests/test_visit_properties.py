"""Property test: for generated cards, parties, dates and offerings, the API answers what a plain
reading of API.md's visit rules says it should."""

import datetime

from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kaikukanta.core.clock import today
from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits.models import Visit

from .support import post_visit


def expected_outcome(*, card_type, issued_on, valid_until, closed_on, card_children, used_on, children,
                     clients, assistants, offering, quota, uses_already):
    """API.md's visit section read top to bottom: (status, code, field) of the first broken rule, or 201."""
    for field, value, top in (("children", children, None), ("clients", clients, 10),
                              ("assistants", assistants, 2)):
        if value < 0 or (top is not None and value > top):
            return 400, "invalid", field
    day = today()
    if not day - datetime.timedelta(days=31) <= used_on <= day:
        return 422, "date_out_of_range", "used_on"
    if used_on < issued_on:
        return 422, "card_not_yet_valid", "card_number"
    if used_on > valid_until:
        return 422, "card_expired", "card_number"
    if closed_on is not None and closed_on <= used_on:
        return 422, "card_closed", "card_number"
    if card_type == "personal":
        if children > card_children:
            return 422, "too_many_children", "children"
        if children > 0 and offering == "course":
            return 422, "children_not_allowed_for_course", "children"
        if clients > 0:
            return 422, "clients_need_community_card", "clients"
    elif children > 0:
        return 422, "children_need_personal_card", "children"
    if offering == "elsewhere":
        return 422, "offering_not_at_venue", "offering_id"
    if offering is not None and quota is not None and uses_already + 1 + children + clients > quota:
        return 409, "quota_exhausted", "offering_id"
    return 201, None, None


# A valid card used today by its holder alone; each strategy below varies one side of the rules.
PLAIN_CASE = {"card_type": "personal", "issued_days_ago": 60, "validity_days": 300, "closed_after_days": None,
              "card_children": 2, "used_days_ago": None, "children": 0, "clients": 0, "assistants": 0,
              "out_of_range": None, "offering": None, "quota": None, "uses_already": 0}

out_of_range = st.sampled_from([None] * 20 + [("children", -1), ("clients", -1), ("clients", 11),
                                              ("assistants", -1), ("assistants", 3)])

card_and_date_cases = st.fixed_dictionaries({
    "card_type": st.sampled_from(["personal", "community"]),
    "issued_days_ago": st.integers(-2, 60),
    "validity_days": st.one_of(st.integers(0, 40), st.just(300)),
    "closed_after_days": st.one_of(st.none(), st.integers(0, 60)),
    "used_days_ago": st.one_of(st.none(), st.integers(-2, 34)),
    "assistants": st.integers(0, 2),
    "out_of_range": out_of_range,
}).map(lambda varied: {**PLAIN_CASE, **varied})

party_and_offering_cases = st.fixed_dictionaries({
    "card_type": st.sampled_from(["personal", "community"]),
    "card_children": st.integers(0, 4),
    "used_days_ago": st.one_of(st.none(), st.integers(0, 31)),
    "children": st.integers(0, 5),
    "clients": st.sampled_from([0, 0, 0, 1, 4, 10]),
    "assistants": st.integers(0, 2),
    "out_of_range": out_of_range,
    "offering": st.sampled_from([None, "event", "event", "course", "elsewhere"]),
    "quota": st.none() | st.integers(0, 8),
    "uses_already": st.integers(0, 8),
}).map(lambda varied: {**PLAIN_CASE, **varied})

property_settings = settings(max_examples=100, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])


@property_settings
@given(case=card_and_date_cases)
def test_card_validity_and_dates_are_judged_as_the_rules_read(network, case):
    assert_outcome_matches_rules(network, case)


@property_settings
@given(case=party_and_offering_cases)
def test_party_offering_and_quota_are_judged_as_the_rules_read(network, case):
    assert_outcome_matches_rules(network, case)


def assert_outcome_matches_rules(network, case):
    """Sets the case up, posts it, compares with the oracle, and rolls the example back."""
    if case["out_of_range"] is not None:
        field, value = case["out_of_range"]
        case = {**case, field: value}
    day = today()
    issued_on = day - datetime.timedelta(days=case["issued_days_ago"])
    valid_until = issued_on + datetime.timedelta(days=case["validity_days"])
    closed_on = (None if case["closed_after_days"] is None
                 else issued_on + datetime.timedelta(days=case["closed_after_days"]))
    used_on = day if case["used_days_ago"] is None else day - datetime.timedelta(days=case["used_days_ago"])
    card_children = case["card_children"] if case["card_type"] == "personal" else 0
    quota = case["quota"] if case["offering"] in ("event", "course") else None
    uses_already = case["uses_already"] if quota is not None else 0
    expected = expected_outcome(card_type=case["card_type"], issued_on=issued_on, valid_until=valid_until,
                                closed_on=closed_on, card_children=card_children, used_on=used_on,
                                children=case["children"], clients=case["clients"],
                                assistants=case["assistants"], offering=case["offering"], quota=quota,
                                uses_already=uses_already)

    with transaction.atomic():
        card = make_card(network.distributor, card_type=case["card_type"], issued_on=issued_on,
                         valid_until=valid_until, closed_on=closed_on, children=card_children)
        body = {"card_number": card.number, "children": case["children"], "clients": case["clients"],
                "assistants": case["assistants"]}
        if case["used_days_ago"] is not None:
            body["used_on"] = used_on.isoformat()
        if case["offering"] is not None:
            venue = network.other_venue if case["offering"] == "elsewhere" else network.venue
            kind = "course" if case["offering"] == "course" else "event"
            offering = make_offering(venue, kind=kind, ticket_quota=case["quota"])
            body["offering_id"] = offering.pk
            if uses_already:
                Visit.objects.create(card=make_card(network.distributor), venue=network.venue,
                                     offering=offering, used_on=used_on, uses=uses_already)
        visits_before = Visit.objects.count()

        response = post_visit(network.client("venue"), body)

        status, code, field = expected
        event(code or "recorded")
        assert response.status_code == status, (case, response.content)
        if status == 201:
            uses = 1 + case["children"] + case["clients"]
            assert response.json()["uses"] == uses
            assert Visit.objects.filter(pk=response.json()["id"], uses=uses, used_on=used_on).exists()
        else:
            assert response.json()["error"]["code"] == code
            assert response.json()["error"].get("field") == field
            assert Visit.objects.count() == visits_before
        transaction.set_rollback(True)
