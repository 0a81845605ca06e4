"""What the register keeps about a cardholder stays with those allowed to see it.

(a) A venue sees nothing about any holder, in any response it can get.
(b) Nothing that identifies a person is accepted in a card body, wherever in the body it hides.
(c) The audit trail, and every other table but the card itself, never carries holder data.
"""

import json
import re

import pytest
from django.apps import apps
from django.core import serializers

from kaikukanta.cards.models import Card, WellbeingQuestion
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import stock_numbers

from .operations import (
    HOLDER,
    HOLDER_HOME_MUNICIPALITY,
    OPERATIONS,
    OTHER_HOLDER,
    Call,
    World,
    build_world,
    in_days,
    personal_card_body,
    row_counts,
    send,
)

pytestmark = pytest.mark.django_db

HOLDER_KEYS = {"birth_year", "postal_code", "home_municipality", "gender", "life_situation", "holder",
               "wellbeing", "history"}
# `children_today` is a count, as the desk shows it: no child's birth year leaves the register.
CHECK_VIEW_KEYS = {"number", "status", "valid_until", "card_type", "children", "children_today"}
GROUP_BYS = ("month", "year", "area", "municipality", "welfare_area", "venue", "sector", "venue_category",
             "age_group", "card_type", "home_area")
# A holder issued and renewed through the API in the privacy world, with answers to the wellbeing questions.
API_HOLDER = {"birth_year": 1947, "postal_code": "02600", "children": 3, "gender": "female",
              "life_situation": "student"}
RENEWED_HOLDER = {"birth_year": 1949, "postal_code": "33500", "children": 0, "gender": "male",
                  "life_situation": "disability_or_sick_leave"}
HOLDERS = (HOLDER, OTHER_HOLDER, API_HOLDER, RENEWED_HOLDER)
HOLDER_YEARS = {holder["birth_year"] for holder in HOLDERS}
HOLDER_YEAR_TEXTS = {str(year) for year in HOLDER_YEARS}
# The first area's venue lies in Helsinki (091), so the Espoo home of HOLDER is never its own municipality.
HOLDER_WORDS = ({holder[key] for holder in HOLDERS for key in ("postal_code", "gender", "life_situation")}
                | {HOLDER_HOME_MUNICIPALITY})


@pytest.fixture
def world(db):
    world = build_world()
    WellbeingQuestion.objects.create(key="culture_matters", text_fi="Kulttuuri", text_sv="Kultur",
                                     text_en="Culture", position=0)
    distributor = world.client("distributor")
    issued = distributor.post("/api/v1/cards", {
        **personal_card_body(world.free_number, **API_HOLDER), "wellbeing": {"culture_matters": 2}})
    assert issued.status_code == 201, issued.content
    renewed = distributor.post(f"/api/v1/cards/{world.free_number}/renew", {
        "valid_until": in_days(300), "holder": RENEWED_HOLDER, "wellbeing": {"culture_matters": 4}})
    assert renewed.status_code == 200, renewed.content
    return world


def holder_data_in(document, where="") -> list[str]:
    """Where in a JSON document a holder key or a holder's value shows."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key in HOLDER_KEYS:
                found.append(f"{where}.{key}")
            if key == "id" or key.endswith("_id"):
                continue  # ids are counters; one may equal a birth year by chance
            found += holder_data_in(value, f"{where}.{key}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += holder_data_in(value, f"{where}[{index}]")
    elif isinstance(document, bool):
        pass
    elif isinstance(document, int) and document in HOLDER_YEARS:
        found.append(f"{where} = {document}")
    elif isinstance(document, str) and (document in HOLDER_WORDS or document in HOLDER_YEAR_TEXTS):
        found.append(f"{where} = {document!r}")
    return found


# (a) Every read a venue may make, from the operation table and beyond it.

def _venue_reads(world: World) -> dict[str, tuple[str, str, Call]]:
    reads = {operation.name: (operation.method, operation.path, operation.build(world))
             for operation in OPERATIONS if operation.method == "GET" and operation.expected["venue"] == 200}
    for name in ("card", "other_card", "community_card", "closed_card"):
        reads[f"get_{name}"] = ("GET", "/cards/{number}", Call(path={"number": getattr(world, name).number}))
    reads["get_api_issued_card"] = ("GET", "/cards/{number}", Call(path={"number": world.free_number}))
    reads["get_self"] = ("GET", "/users/{user_id}", Call(path={"user_id": world.user("venue").pk}))
    for group_by in GROUP_BYS:
        reads[f"uses_by_{group_by}"] = ("GET", "/stats/uses", Call(query={"group_by": group_by}))
    reads["summary_long_ago"] = ("GET", "/stats/summary", Call(query={"on": "2021-01-01"}))
    return reads


def _record_visits_with_every_card(world: World) -> list:
    """The venue's visit responses: one with each card, of both areas, and a replay of a keyed one."""
    venue = world.client("venue")
    numbers = [world.card.number, world.other_card.number, world.community_card.number, world.free_number]
    responses = [venue.post("/api/v1/visits", {"card_number": number}) for number in numbers]
    for _ in range(2):
        responses.append(venue.post("/api/v1/visits", {"card_number": world.card.number},
                                    headers={"Idempotency-Key": "desk"}))
    assert [response.status_code for response in responses] == [201, 201, 201, 201, 201, 200]
    return responses


def test_a_venue_reads_every_kind_of_card_without_anything_about_its_holder(world):
    venue = world.client("venue")
    for card in (world.card, world.other_card, world.community_card, world.closed_card):
        body = venue.get(f"/api/v1/cards/{card.number}").json()
        assert set(body) == CHECK_VIEW_KEYS
        assert body["number"] == card.number


def test_nothing_a_venue_can_read_shows_holder_data(world):
    visit_responses = _record_visits_with_every_card(world)
    venue = world.client("venue")
    leaks = {}
    for index, response in enumerate(visit_responses):
        leaks[f"record_visit[{index}]"] = holder_data_in(response.json())
    reads = _venue_reads(world)
    for name, (method, path, request) in reads.items():
        response = send(venue, method, path, request)
        assert response.status_code == 200, (name, response.content)
        leaks[name] = holder_data_in(response.json())
    assert {name: found for name, found in leaks.items() if found} == {}
    assert {"get_card", "list_visits", "summary_stats", "uses_stats", "yearly_stats", "wellbeing_stats",
            "list_offerings", "list_organisations", "get_other_card"} <= set(reads)


def test_outside_the_issuing_area_a_card_shows_no_holder_and_lists_leave_it_out(world):
    number = world.card.number
    for caller in ("other_coordinator", "venue", "other_venue"):
        assert set(world.client(caller).get(f"/api/v1/cards/{number}").json()) == CHECK_VIEW_KEYS, caller
    refused = world.client("other_distributor").get(f"/api/v1/cards/{number}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "card_not_found")
    for caller in ("other_coordinator", "other_distributor"):
        listed = world.client(caller).get("/api/v1/cards").json()["results"]
        assert [card["number"] for card in listed] == [world.other_card.number], caller


def test_the_check_for_leaks_finds_holder_data_where_it_is(world):
    """The detector itself: the issuing distributor's view of the card does carry the holder."""
    body = world.client("distributor").get(f"/api/v1/cards/{world.card.number}").json()
    found = holder_data_in(body)
    assert ".holder" in found and ".history" in found
    assert ".holder.birth_year = 1953" in found and ".holder.postal_code = '02100'" in found


def test_csv_statistics_carry_no_holder_data_for_a_venue(world):
    _record_visits_with_every_card(world)
    venue = world.client("venue")
    for group_by in GROUP_BYS:
        text = venue.get("/api/v1/stats/uses", group_by=group_by, format="csv").content.decode()
        keys = [line.split(",")[0] for line in text.splitlines()[1:]]
        assert [key for key in keys if key in HOLDER_WORDS | HOLDER_YEAR_TEXTS] == []


# (b) Identifying fields are refused, wherever in a card body they come.

IDENTIFYING = {
    "name": "Maija Meikäläinen", "first_name": "Maija", "last_name": "Meikäläinen", "ssn": "010180-123A",
    "personal_identity_code": "010180-123A", "hetu": "010180-123A", "date_of_birth": "1980-01-01",
    "birth_date": "1980-01-01", "address": "Mannerheimintie 1", "street": "Mannerheimintie 1",
    "phone": "+358401234567", "email": "maija@example.fi", "e_mail": "maija@example.fi",
}


def _issue(world: World, where: str, name: str):
    body = personal_card_body(world.free_number)
    if where == "top":
        body[name] = IDENTIFYING[name]
    else:
        body["holder"][name] = IDENTIFYING[name]
    return "POST", "/cards", Call(body=body)


def _renew(world: World, where: str, name: str):
    body = {"valid_until": in_days(200),
            "holder": {"birth_year": 1980, "postal_code": "00100", "children": 1}}
    if where == "top":
        body[name] = IDENTIFYING[name]
    else:
        body["holder"][name] = IDENTIFYING[name]
    return "POST", "/cards/{number}/renew", Call(path={"number": world.card.number}, body=body)


def _replace(world: World, where: str, name: str):
    return "POST", "/cards/{number}/replace", Call(path={"number": world.card.number},
                                                   body={"new_number": world.free_number,
                                                         name: IDENTIFYING[name]})


BODIES = {"issue": _issue, "renew": _renew, "replace": _replace}
PLACES = [("issue", "top"), ("issue", "holder"), ("renew", "top"), ("renew", "holder"), ("replace", "top")]
IDENTIFYING_CASES = [(body, where, name) for body, where in PLACES for name in IDENTIFYING]


@pytest.mark.parametrize("body, where, name", IDENTIFYING_CASES,
                         ids=[f"{body}-{where}-{name}" for body, where, name in IDENTIFYING_CASES])
def test_an_identifying_field_in_a_card_body_is_refused_and_nothing_is_written(db, body, where, name):
    world = build_world()
    method, path, request = BODIES[body](world, where, name)
    before = row_counts()

    response = send(world.client("distributor", "en"), method, path, request)

    assert response.status_code == 400, response.content
    assert response.json()["error"] == {"code": "invalid",
                                        "message": "The request is invalid. (this request has no such field)",
                                        "field": name if where == "top" else f"holder.{name}"}
    assert row_counts() == before
    assert not Card.objects.filter(number=world.free_number).exists()


@pytest.mark.parametrize("name", list(IDENTIFYING))
def test_an_identifying_key_among_the_wellbeing_answers_is_refused(db, name):
    world = build_world()
    WellbeingQuestion.objects.create(key="culture_matters", text_fi="a", text_sv="b", text_en="c", position=0)
    before = row_counts()

    response = world.client("distributor").post(
        "/api/v1/cards",
        {**personal_card_body(world.free_number), "wellbeing": {"culture_matters": 3, name: 1}})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert row_counts() == before


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o.method in ("POST", "PUT", "PATCH")],
                         ids=[o.name for o in OPERATIONS if o.method in ("POST", "PUT", "PATCH")])
def test_every_body_of_the_api_refuses_a_field_it_does_not_name(world, operation):
    """Strict bodies everywhere: a person's name slipped into any request is refused, not ignored."""
    # The offline desk's operations answer no user's token: they are sent with the device's credential.
    caller = next((caller for caller, status in operation.expected.items() if status < 300), "device")
    request = operation.build(world)
    body = {**(request.body or {}), "first_name": "Maija"}
    before = row_counts()

    response = send(world.client(caller), operation.method, operation.path,
                    Call(path=request.path, body=body, query=request.query, headers=request.headers))

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == "first_name"
    assert row_counts() == before


# (c) The audit trail and the rest of the database never carry holder data.

def _holder_pattern(*, with_municipality: bool = True) -> re.Pattern:
    values = {str(year) for year in HOLDER_YEARS} | HOLDER_WORDS
    if not with_municipality:
        values.discard(HOLDER_HOME_MUNICIPALITY)
    values = sorted(values)
    return re.compile(r"(?<![0-9A-Za-z_])(" + "|".join(map(re.escape, values)) + r")(?![0-9A-Za-z_])")


def _work_through_the_card_lifecycle(world: World) -> None:
    distributor, venue = world.client("distributor"), world.client("venue")
    community = world.batch.numbers.exclude(number=world.free_number).values_list("number", flat=True).get()
    replacement = stock_numbers(world.network.distributor, 1)[0]
    responses = [
        distributor.post("/api/v1/cards", {"number": community, "card_type": "community",
                                           "valid_until": in_days(100)}),
        distributor.post(f"/api/v1/cards/{world.card.number}/renew", {"valid_until": in_days(200)}),
        venue.post("/api/v1/visits", {"card_number": world.card.number, "children": 2}),
        distributor.post(f"/api/v1/cards/{world.card.number}/replace", {"new_number": replacement}),
        distributor.post(f"/api/v1/cards/{world.free_number}/close", {"reason": "moved"}),
        venue.post("/api/v1/visits", {"card_number": replacement, "children": 1}),
        venue.post("/api/v1/visits", {"card_number": community, "clients": 4}),
    ]
    assert [response.status_code for response in responses] == [201, 200, 201, 201, 200, 201, 201]


def test_audit_details_never_carry_holder_data(world):
    _work_through_the_card_lifecycle(world)
    records = list(AuditRecord.objects.all())
    actions = {record.action for record in records}
    assert {"card.issue", "card.renew", "card.replace", "card.close", "visit.recorded"} <= actions

    pattern = _holder_pattern()
    leaks = [(record.action, record.details) for record in records
             if pattern.search(json.dumps(record.details, ensure_ascii=False))
             or HOLDER_KEYS & set(record.details)]
    assert leaks == []


def test_no_table_but_the_cards_carries_holder_data(world):
    _work_through_the_card_lifecycle(world)
    # The card holds the holder data by design; reference data lists every postal code; token
    # digests are random hexadecimal; the network lists its municipalities.
    skipped = {"cards.Card", "accounts.ApiToken"}
    models = [model for model in apps.get_models()
              if model.__module__.startswith("kaikukanta.") and model._meta.label not in skipped
              and model._meta.app_label != "reference"]
    pattern = _holder_pattern(with_municipality=False)
    leaks = {}
    for model in models:
        dump = serializers.serialize("json", model.objects.all())
        found = sorted(set(pattern.findall(dump)))
        if found:
            leaks[model._meta.label] = found
    assert leaks == {}


def test_the_search_finds_holder_data_where_it_belongs(world):
    """The search itself: the card table, which holds holder data by design, is full of hits."""
    found = set(_holder_pattern().findall(serializers.serialize("json", Card.objects.all())))
    assert {str(HOLDER["birth_year"]), HOLDER["postal_code"], HOLDER["gender"], HOLDER["life_situation"],
            HOLDER_HOME_MUNICIPALITY, RENEWED_HOLDER["postal_code"]} <= found
