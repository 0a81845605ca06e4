"""Every write of the API leaves exactly its audit records, written by the same request, naming the caller;
a refused write leaves none, even when it is refused after part of the work was done.

Write operations are enumerated from the OpenAPI schema: one without a row in AUDITED (what a success
records) or in REFUSED (a rule's refusal that must leave nothing) breaks the suite. Refusals by permission
(401, 403, 404 card_not_found) leave nothing either: the operation matrix checks that in every cell.
"""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.utils import timezone

from kaikukanta.accounts.models import ApiToken, User
from kaikukanta.cards.models import Card
from kaikukanta.core.api_support import token_digest
from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord

from .operations import (
    OPERATIONS,
    OPERATIONS_BY_NAME,
    WRITE_METHODS,
    Call,
    World,
    build_world,
    call,
    in_days,
    personal_card_body,
    row_counts,
    schema_operations,
    send,
    token_id,
)

pytestmark = pytest.mark.django_db


def _created(action: str, object_type: str) -> Callable[[World, dict], list[tuple[str, str, str]]]:
    """One record about the object the response describes."""
    return lambda world, body: [(action, object_type, str(body["id"]))]


def _about(action: str, object_type: str, target: Callable[[World], object]):
    return lambda world, body: [(action, object_type, str(target(world).pk))]


def _card_by_number(action: str):
    return lambda world, body: [(action, "card", str(Card.objects.get(number=body["number"]).pk))]


def _token(secret: Callable[[World], str]) -> Callable[[World], ApiToken]:
    return lambda world: ApiToken.objects.get(digest=token_digest(secret(world)))


def _deactivated(target: Callable[[World], object]):
    """Deactivating a user records the change and the revocation of each of the user's tokens."""
    def expected(world, body):
        user = target(world)
        return [("user.updated", "user", str(user.pk)),
                *[("token.revoked", "apitoken", str(pk)) for pk in
                  ApiToken.objects.filter(user=user).values_list("pk", flat=True)]]
    return expected


# What each successful write records: (action, object type, object id), in any order.
AUDITED = {
    "create_area": lambda world, body: [("area.created", "area", str(body["id"])),
                                        ("area.municipality_joined", "area", str(body["id"]))],
    "update_area": _about("area.renamed", "area", lambda w: w.network.area),
    "create_organisation": _created("organisation.created", "organisation"),
    "update_organisation": _about("organisation.updated", "organisation", lambda w: w.network.venue),
    "create_offering": _created("offering.created", "offering"),
    "update_offering": _about("offering.updated", "offering", lambda w: w.offering),
    "update_settings": lambda world, body: [("settings.updated", "nationalsettings", "1")],
    "create_staff_user": _created("user.created", "user"),
    "create_coordinator": _created("user.created", "user"),
    "create_admin_user": _created("user.created", "user"),
    "update_user": _about("user.updated", "user", lambda w: w.user("distributor")),
    "deactivate_user": _deactivated(lambda w: w.user("distributor")),
    "update_admin_user": _deactivated(lambda w: w.user("admin")),
    "create_token": _created("token.issued", "apitoken"),
    "create_token_for_coordinator": _created("token.issued", "apitoken"),
    "create_token_for_admin": _created("token.issued", "apitoken"),
    "revoke_token": _about("token.revoked", "apitoken", _token(lambda w: w.spare_token)),
    "revoke_token_by_id": _about("token.revoked", "apitoken", _token(lambda w: w.spare_token)),
    "revoke_admin_token": _about("token.revoked", "apitoken", _token(lambda w: w.admin_spare_token)),
    "revoke_admin_token_by_id": _about("token.revoked", "apitoken", _token(lambda w: w.admin_spare_token)),
    "create_card_batch": _created("card_batch.create", "cardbatch"),
    "issue_card": _card_by_number("card.issue"),
    "renew_card": _about("card.renew", "card", lambda w: w.card),
    "close_card": _about("card.close", "card", lambda w: w.card),
    "replace_card": lambda world, body: [("card.replaced", "card", str(world.card.pk)),
                                         *_card_by_number("card.replace")(world, body)],
    "replace_wellbeing_questions": lambda world, body: [
        ("wellbeing_questions.replace", "wellbeingquestion", "current")],
    "record_visit": _created("visit.recorded", "visit"),
    "record_visit_with_card_of_other_area": _created("visit.recorded", "visit"),
    "record_visit_for_offering": _created("visit.recorded", "visit"),
    "cancel_visit": _about("visit.cancelled", "visit", lambda w: w.visit),
    "issue_enrolment_code": lambda world, body: [("device.enrolment_code_issued", "enrolmentcode", str(
        _latest("devices", "EnrolmentCode").pk))],
    "enrol_device": lambda world, body: [("device.enrolled", "device", str(body["device"]["id"]))],
    "revoke_device": lambda world, body: [("device.revoked", "device", str(world.device_id))],
    "record_conflict": lambda world, body: [("visit.recorded", "visit", str(body["visit_id"])),
                                            ("conflict.recorded", "conflict", str(world.conflict_id))],
    "record_conflict_corrected": lambda world, body: [("visit.recorded", "visit", str(body["visit_id"])),
                                                      ("conflict.recorded", "conflict", str(world.conflict_id))],
    "discard_conflict": lambda world, body: [("conflict.discarded", "conflict", str(world.conflict_id))],
    # Device operations: no user's token succeeds (the operation matrix); devices/tests cover their records.
    "take_lease": lambda world, body: [("lease.taken", "lease", str(body["id"]))],
    "sync_visits": lambda world, body: [],
}


def _latest(app_label: str, model: str):
    from django.apps import apps

    return apps.get_model(app_label, model).objects.order_by("-pk").first()

SUCCESSES = [(operation.name, caller) for operation in OPERATIONS if operation.writes
             for caller, status in operation.expected.items() if status < 300]


@dataclass(frozen=True)
class Refused:
    """A write by a caller allowed to make it, refused by a rule; `field` is the error's field, if any."""

    operation: str
    caller: str
    build: Callable[[World], Call]
    status: int
    code: str
    field: str | None = None


# Where possible the refusal comes after the service has already written something (an area row, a
# renamed area, a membership ended), so the test proves the rollback, not merely an early exit.
REFUSED = [
    Refused("create_area", "admin", lambda w: Call(body={
        "name": "Varsinais-Suomi", "status": "pilot", "municipalities": [{"code": "853"}, {"code": "091"}]}),
        409, "municipality_taken", "municipalities.1.code"),
    Refused("update_area", "admin", lambda w: Call(path={"area_id": w.network.area.pk}, body={
        "name": "Uusimaa", "municipalities": [{"code": "091"}, {"code": "837"}]}),
        409, "municipality_taken", "municipalities.1.code"),
    Refused("create_organisation", "coordinator", lambda w: Call(body={
        "name": "Kirjasto", "kind": "venue", "area_id": w.network.area.pk, "municipality": "837",
        "category": "library", "sector": "culture"}), 422, "municipality_not_in_area", "municipality"),
    Refused("update_organisation", "coordinator", lambda w: Call(
        path={"organisation_id": w.network.venue.pk},
        body={"contact_name": "Toimisto", "municipality": "837"}),
        422, "municipality_not_in_area", "municipality"),
    Refused("create_offering", "venue", lambda w: Call(body={
        "venue_id": w.network.distributor.pk, "name": "Hamlet", "kind": "event"}),
        400, "invalid", "venue_id"),
    Refused("update_offering", "venue", lambda w: Call(
        path={"offering_id": w.offering.pk}, body={"name": "Hamlet", "ticket_quota": -1}),
        400, "invalid", "ticket_quota"),
    Refused("update_settings", "admin", lambda w: Call(body={"max_validity_months": 61}),
            400, "invalid", "max_validity_months"),
    Refused("create_staff_user", "coordinator", lambda w: Call(body={
        "username": "venue", "role": "venue", "organisation_id": w.network.venue.pk}),
        409, "username_taken", "username"),
    Refused("update_user", "coordinator", lambda w: Call(
        path={"user_id": w.user("distributor").pk}, body={"language": "sv", "password": "1"}),
        400, "invalid", "password"),
    Refused("create_token", "distributor", lambda w: Call(
        path={"user_id": w.user("distributor").pk}, body={"expires_at": "2020-01-01T00:00:00+02:00"}),
        400, "invalid", "expires_at"),
    Refused("revoke_token", "distributor", lambda w: Call(path={"token": "kk_no-such-token"}),
            404, "not_found"),
    Refused("revoke_token_by_id", "distributor", lambda w: Call(
        path={"user_id": w.user("distributor").pk, "token_id": token_id(w.admin_spare_token)}),
        404, "not_found"),
    Refused("create_card_batch", "coordinator", lambda w: Call(body={
        "distributor_id": w.network.distributor.pk, "count": 5001}), 400, "invalid", "count"),
    Refused("issue_card", "distributor", lambda w: Call(body=personal_card_body(
        w.free_number, birth_year=today().year - 10)), 422, "holder_too_young",
        "holder.birth_year"),
    Refused("renew_card", "distributor", lambda w: Call(
        path={"number": w.card.number}, body={"valid_until": in_days(400)}), 422, "validity_too_long",
        "valid_until"),
    Refused("close_card", "distributor", lambda w: Call(
        path={"number": w.closed_card.number}, body={"reason": "lost"}), 422, "card_closed"),
    Refused("replace_card", "distributor", lambda w: Call(
        path={"number": w.card.number}, body={"new_number": w.other_card.number}), 409, "number_taken",
        "new_number"),
    Refused("replace_wellbeing_questions", "admin", lambda w: Call(body={"results": [
        {"key": "same", "text": {"fi": "a", "sv": "b", "en": "c"}},
        {"key": "same", "text": {"fi": "a", "sv": "b", "en": "c"}}]}), 400, "invalid", "results.1.key"),
    Refused("record_visit", "venue", lambda w: Call(body={"card_number": w.card.number, "children": 3}),
            422, "too_many_children", "children"),
    Refused("cancel_visit", "venue", lambda w: Call(path={"visit_id": w.old_visit.pk}), 409,
            "cancel_window_passed"),
    Refused("issue_enrolment_code", "venue", lambda w: Call(body={"venue_id": 999_999_999}), 404, "not_found"),
    Refused("enrol_device", "venue", lambda w: Call(body={"code": "WRONGCODE234", "name": "Ovi 2"}), 422,
            "enrolment_code_invalid", "code"),
    Refused("revoke_device", "venue", lambda w: Call(path={"device_id": 999_999_999}), 404, "not_found"),
    Refused("record_conflict", "coordinator", lambda w: Call(path={"conflict_id": w.conflict_id},
                                                             body={"children": 5}), 422, "too_many_children",
            "children"),
    Refused("discard_conflict", "venue", lambda w: Call(path={"conflict_id": w.conflict_id}, body={"reason": " "}),
            400, "invalid", "reason"),
    Refused("take_lease", "device", lambda w: Call(body={"offering_id": w.quota_offering_id, "tickets": 501}), 400,
            "invalid", "tickets"),
    Refused("sync_visits", "device", lambda w: Call(body={"visits": [
        {"key": str(n), "card_number": w.card.number, "used_on": today().isoformat(),
         "recorded_at": timezone.now().isoformat()} for n in range(101)]}), 400, "invalid", "visits"),
]


@pytest.fixture
def world(db):
    return build_world()


def _schema_writes(anonymous) -> set[tuple[str, str]]:
    schema = anonymous.get("/api/v1/openapi.json").json()
    return {key for key in schema_operations(schema) if key[0] in WRITE_METHODS}


def test_every_write_operation_of_the_schema_has_its_audit_row(anonymous):
    covered = {OPERATIONS_BY_NAME[name].key for name in AUDITED}
    assert _schema_writes(anonymous) - covered == set()
    assert {operation.name for operation in OPERATIONS if operation.writes} == set(AUDITED)


def test_every_write_operation_of_the_schema_has_a_refusal_row(anonymous):
    covered = {OPERATIONS_BY_NAME[refused.operation].key for refused in REFUSED}
    assert _schema_writes(anonymous) - covered == set()


def _records_of(action):
    """The audit rows written while `action` ran, and the response it returned."""
    last = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = timezone.now()
    response = action()
    finished = timezone.now()
    records = list(AuditRecord.objects.filter(pk__gt=last))
    assert all(started <= record.at <= finished for record in records)
    return response, records


@pytest.mark.parametrize("operation_name, caller", SUCCESSES,
                         ids=[f"{name}-{caller}" for name, caller in SUCCESSES])
def test_a_write_records_who_did_what_to_which_object(world, operation_name, caller):
    operation = OPERATIONS_BY_NAME[operation_name]

    response, records = _records_of(lambda: call(world, caller, operation))

    assert response.status_code < 300, response.content
    body = response.json() if response.content else {}
    assert sorted((r.action, r.object_type, r.object_id) for r in records) == sorted(
        AUDITED[operation_name](world, body))
    assert {(record.action, record.actor_id) for record in records} == {
        (record.action, _actor(world, operation_name, record.action, caller)) for record in records}


# A conflict recorded after all by the coordinator or the national admin: the visit is the staff member's
# whose device recorded it (as at any sync), the decision (`conflict.recorded`) the caller's.
RECORDED_AS = {"visit.recorded": {"record_conflict", "record_conflict_corrected"}}


def _actor(world, operation_name: str, action: str, caller: str) -> int:
    if operation_name in RECORDED_AS.get(action, set()):
        return world.user("venue").pk
    return world.user(caller).pk


@pytest.mark.parametrize("refused", REFUSED, ids=[refused.operation for refused in REFUSED])
def test_a_refused_write_leaves_no_audit_record_and_nothing_else(world, refused):
    operation = OPERATIONS_BY_NAME[refused.operation]
    client, request = world.client(refused.caller), refused.build(world)
    before = row_counts()

    response, records = _records_of(lambda: send(client, operation.method, operation.path, request))

    assert response.status_code == refused.status, response.content
    assert response.json()["error"]["code"] == refused.code
    assert response.json()["error"].get("field") == refused.field
    assert records == []
    assert row_counts() == before


def test_a_refused_area_change_leaves_the_area_as_it_was(world):
    area = world.network.area
    refused = next(refused for refused in REFUSED if refused.operation == "update_area")

    response = send(world.client("admin"), "PATCH", "/areas/{area_id}", refused.build(world))

    assert response.status_code == 409
    body = world.client("admin").get(f"/api/v1/areas/{area.pk}").json()
    assert body["name"] == area.name
    assert sorted(m["code"] for m in body["municipalities"]) == ["049", "091"]


def test_a_change_of_an_area_records_each_of_its_parts(world):
    area = world.network.area
    change = Call(path={"area_id": area.pk}, body={
        "name": "Uusimaa", "status": "ended", "municipalities": [{"code": "091"}, {"code": "853"}]})

    response, records = _records_of(lambda: send(world.client("admin"), "PATCH", "/areas/{area_id}", change))

    assert response.status_code == 200, response.content
    assert sorted((r.action, r.object_id, r.details.get("municipality")) for r in records) == [
        ("area.municipality_joined", str(area.pk), "853"), ("area.municipality_left", str(area.pk), "049"),
        ("area.renamed", str(area.pk), None), ("area.status_changed", str(area.pk), None)]
    assert {record.actor_id for record in records} == {world.user("admin").pk}


def test_a_replayed_visit_records_nothing_more(world):
    venue = world.client("venue")
    visit = {"card_number": world.card.number}
    first = venue.post("/api/v1/visits", visit, headers={"Idempotency-Key": "desk-1"})
    assert first.status_code == 201

    response, records = _records_of(
        lambda: venue.post("/api/v1/visits", visit, headers={"Idempotency-Key": "desk-1"}))

    assert response.status_code == 200
    assert records == []


def test_a_replacement_is_recorded_on_both_cards(world):
    operation = OPERATIONS_BY_NAME["replace_card"]

    response, records = _records_of(lambda: call(world, "distributor", operation))

    assert response.status_code == 201
    replacement = Card.objects.get(number=response.json()["number"])
    assert {(record.object_id, record.action): (record.details.get("replaces"), record.details.get("replaced_by"))
            for record in records} == {
        (str(world.card.pk), "card.replaced"): (None, replacement.number),
        (str(replacement.pk), "card.replace"): (world.card.number, None),
    }


def test_audit_details_never_carry_a_password_or_a_token(world):
    password = "Kulttuuri-On-Kaikille-2024"
    coordinator = world.client("coordinator")
    created = coordinator.post("/api/v1/users", {
        "username": "lipunmyyja", "role": "venue", "password": password,
        "organisation_id": world.network.venue.pk})
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    changed = coordinator.patch(f"/api/v1/users/{user_id}", {"password": password + "!"})
    assert changed.status_code == 200, changed.content
    token = coordinator.post(f"/api/v1/users/{user_id}/tokens", {}).json()["token"]
    assert coordinator.delete(f"/api/v1/tokens/{token}").status_code == 204

    details = [json.dumps(record.details) for record in AuditRecord.objects.all()]
    assert len(details) >= 4
    secrets = (password, token, token_digest(token))
    assert [text for text in details if any(secret in text for secret in secrets)] == []


def test_console_bootstrap_is_recorded_without_an_actor(db):
    call_command("issue_token", "--username", "root", "--role", "national_admin", "--create",
                 stdout=io.StringIO())

    user = User.objects.get(username="root")
    token = ApiToken.objects.get(user=user)
    records = {(r.action, r.object_type, r.object_id, r.actor_id) for r in AuditRecord.objects.all()}
    assert records == {("user.created", "user", str(user.pk), None),
                       ("token.issued", "apitoken", str(token.pk), None)}

