"""Every operation of the HTTP API, how to call it in a small world, and the status each kind of caller gets.

The table is API.md's "Roles and scope" written out per operation and per caller. The tests built on it
(operation matrix, privacy, audit trail) hold it against the live OpenAPI schema, so an endpoint added
without a row here, or a row left behind by a removed endpoint, breaks the suite.

Every target object lies in the first area of `build_network()`: the coordinator, distributor and venue
columns act on their own area's or their own site's objects, the `other_` columns on objects outside
their scope.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.test import Client
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.cards import services as card_services
from kaikukanta.cards.models import Card, CardBatch
from kaikukanta.core.clock import today
from kaikukanta.network.models import Offering
from kaikukanta.testing import ApiClient, Network, build_network, make_card, make_offering, make_token
from kaikukanta.visits import services as visit_services
from kaikukanta.visits.models import Visit

API_PREFIX = "/api/v1"
CALLERS = ("anonymous", "admin", "coordinator", "other_coordinator", "distributor", "other_distributor",
           "venue", "other_venue")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Holder data chosen so that none of it can pass for anything else in a response or a log.
HOLDER = {"birth_year": 1953, "postal_code": "02100", "children": 2, "gender": "female",
          "life_situation": "retired"}
HOLDER_HOME_MUNICIPALITY = "049"
OTHER_HOLDER = {"birth_year": 1961, "postal_code": "33100", "children": 1, "gender": "male",
                "life_situation": "unemployed"}


def token_id(secret: str) -> int:
    from kaikukanta.accounts.models import ApiToken
    from kaikukanta.core.api_support import token_digest

    return ApiToken.objects.get(digest=token_digest(secret)).pk


def in_days(days: int) -> str:
    return (today() + datetime.timedelta(days=days)).isoformat()


@dataclass
class World:
    """A network with a little of everything in it: cards of both areas, stock, an offering, visits."""

    network: Network
    card: Card                 # personal, issued by the first area's distributor, holding HOLDER
    other_card: Card           # personal, issued by the other area's distributor, holding OTHER_HOLDER
    community_card: Card       # issued by the first area's distributor
    closed_card: Card          # issued by the first area's distributor, closed today
    batch: CardBatch           # the first area's distributor's; its first number is still unissued
    free_number: str
    offering: Offering         # at the first area's venue
    visit: Visit               # at the first area's venue, recorded just now
    old_visit: Visit           # at the first area's venue, recorded 8 days ago
    spare_token: str           # a second token of the first area's distributor user
    admin_spare_token: str     # a second token of the national admin
    enrolment_code: str = ""   # a one-use code of the first area's venue, issued by its staff member
    quota_offering_id: int = 0  # an offering with a ticket quota of 20 at the first area's venue
    device_id: int = 0         # a desk device enrolled at the first area's venue; its credential is the
                               # token of the caller "device" (not a column: the user callers are)
    conflict_id: int = 0       # an open conflict at the first area's venue: a visit of `card` that a
                               # second device, revoked, sent

    def client(self, caller: str, language: str | None = None) -> ApiClient:
        client = ApiClient(self.network.tokens.get(caller), language)
        client.client = _shared_test_client()
        return client

    def user(self, caller: str):
        return self.network.users.get(caller)


@functools.cache
def _shared_test_client() -> Client:
    """Each Django test client loads the middleware chain, static file index included, on its first
    request; sharing one keeps the hundreds of cells fast. Calls carry their own token, so nothing of
    one call (there are no cookies in a bearer API) reaches the next."""
    return Client()


def build_world() -> World:
    network = build_network()
    distributor, venue_user = network.distributor, network.users["venue"]
    card = make_card(distributor, **HOLDER)
    batch, numbers = card_services.create_card_batch(Caller.for_console(network.users["admin"]),
                                                     distributor_id=distributor.pk,
                                                     count=2)
    visit = visit_services.record_visit(Caller.for_console(venue_user), card_number=card.number).visit
    old_visit = visit_services.record_visit(Caller.for_console(venue_user), card_number=card.number).visit
    Visit.objects.filter(pk=old_visit.pk).update(recorded_at=timezone.now() - datetime.timedelta(days=8))
    from kaikukanta.devices import services as device_services

    _, enrolment_code = device_services.issue_enrolment_code(Caller.for_console(venue_user), network.venue.pk)
    _, device_code = device_services.issue_enrolment_code(Caller.for_console(venue_user), network.venue.pk)
    device, network.tokens["device"] = device_services.enrol(Caller.for_console(venue_user), code=device_code,
                                                             name="Ovi 1")
    network.users["device"] = venue_user
    return World(
        enrolment_code=enrolment_code, device_id=device.pk, conflict_id=_revoked_device_conflict(network, card),
        quota_offering_id=make_offering(network.venue, "Konsertti", ticket_quota=20).pk,
        network=network, card=card, other_card=make_card(network.other_distributor, **OTHER_HOLDER),
        community_card=make_card(distributor, card_type="community"),
        closed_card=make_card(distributor, closed_on=today()), batch=batch, free_number=numbers[0],
        offering=make_offering(network.venue), visit=visit, old_visit=old_visit,
        spare_token=make_token(network.users["distributor"]),
        admin_spare_token=make_token(network.users["admin"]))


def _revoked_device_conflict(network: Network, card: Card) -> int:
    from kaikukanta.accounts.caller import Channel
    from kaikukanta.devices import services as device_services
    from kaikukanta.devices import sync

    venue_user = network.users["venue"]
    _, code = device_services.issue_enrolment_code(Caller.for_console(venue_user), network.venue.pk)
    device, _ = device_services.enrol(Caller.for_console(venue_user), code=code, name="Ovi 3")
    device = device_services.revoke_device(Caller.for_console(venue_user), device.pk)
    caller = Caller(user=venue_user, site=network.venue, address=None, channel=Channel.DEVICE, device=device)
    [outcome] = sync.sync_visits(caller, [sync.QueuedVisit(key="ovi-3-1", card_number=card.number, used_on=today(),
                                                            recorded_at=timezone.now())])
    return outcome.conflict_id


@dataclass(frozen=True)
class Call:
    """One request: the path parameters, and the body, query or headers it carries."""

    path: dict = field(default_factory=dict)
    body: object = None
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """One row of the table. `statuses` lists one status per caller, in the order of CALLERS; `codes` names
    the error code of each refusal status that is not 401 unauthenticated or 403 forbidden."""

    name: str
    method: str
    path: str
    statuses: str
    build: Callable[[World], Call]
    codes: dict = field(default_factory=dict)
    codes_by_caller: dict = field(default_factory=dict)  # a caller's own error code, where it differs

    @property
    def key(self) -> tuple[str, str]:
        return self.method, API_PREFIX + self.path

    @property
    def expected(self) -> dict[str, int]:
        return dict(zip(CALLERS, map(int, self.statuses.split()), strict=True))

    @property
    def error_codes(self) -> dict[int, str]:
        return {401: "unauthenticated", 403: "forbidden", **self.codes}

    @property
    def writes(self) -> bool:
        return self.method in WRITE_METHODS


def send(client: ApiClient, method: str, path: str, call: Call):
    url = API_PREFIX + path.format(**call.path)
    if method == "GET":
        return client.get(url, **call.query)
    if method == "DELETE":
        return client.delete(url, headers=call.headers)
    return getattr(client, method.lower())(url, call.body, headers=call.headers)


def call(world: World, caller: str, operation: Operation, language: str | None = None):
    return send(world.client(caller, language), operation.method, operation.path, operation.build(world))


def personal_card_body(number: str, **holder) -> dict:
    return {"number": number, "card_type": "personal", "valid_until": in_days(100),
            "holder": {"birth_year": 1980, "postal_code": "00100", "children": 1, **holder}}


CARD_NOT_FOUND = {404: "card_not_found"}
QUESTIONS = {"results": [{"key": "culture_matters", "text": {
    "fi": "Kulttuuri on tärkeää", "sv": "Kultur är viktigt", "en": "Culture matters"}}]}

# Columns: anonymous, admin, coordinator, other_coordinator, distributor, other_distributor, venue,
# other_venue.
STATS = ("summary", "uses", "yearly", "wellbeing", "activation", "travel", "milestones", "value")

OPERATIONS = [
    # Network: areas
    Operation("create_area", "POST", "/areas", "401 201 403 403 403 403 403 403", lambda w: Call(body={
        "name": "Varsinais-Suomi", "status": "pilot", "municipalities": [{"code": "853"}]})),
    Operation("list_areas", "GET", "/areas", "401 200 200 200 200 200 200 200", lambda w: Call()),
    Operation("get_area", "GET", "/areas/{area_id}", "401 200 200 403 403 403 403 403",
              lambda w: Call(path={"area_id": w.network.area.pk})),
    Operation("update_area", "PATCH", "/areas/{area_id}", "401 200 403 403 403 403 403 403",
              lambda w: Call(path={"area_id": w.network.area.pk}, body={"name": "Uusimaa"})),
    # Network: organisations
    Operation("create_organisation", "POST", "/organisations", "401 201 201 403 403 403 403 403",
              lambda w: Call(body={"name": "Kirjasto", "kind": "venue", "area_id": w.network.area.pk,
                                   "municipality": "091", "category": "library", "sector": "culture"})),
    Operation("list_organisations", "GET", "/organisations", "401 200 200 200 200 200 200 200",
              lambda w: Call()),
    Operation("list_organisations_of_area", "GET", "/organisations", "401 200 200 403 200 403 200 403",
              lambda w: Call(query={"area_id": w.network.area.pk})),
    Operation("get_distributor", "GET", "/organisations/{organisation_id}", "401 200 200 403 200 403 403 403",
              lambda w: Call(path={"organisation_id": w.network.distributor.pk})),
    Operation("get_venue", "GET", "/organisations/{organisation_id}", "401 200 200 403 403 403 200 403",
              lambda w: Call(path={"organisation_id": w.network.venue.pk})),
    Operation("update_organisation", "PATCH", "/organisations/{organisation_id}",
              "401 200 200 403 403 403 403 403",
              lambda w: Call(path={"organisation_id": w.network.venue.pk},
                             body={"contact_name": "Toimisto"})),
    # Network: offerings
    Operation("create_offering", "POST", "/offerings", "401 201 201 403 403 403 201 403",
              lambda w: Call(body={"venue_id": w.network.venue.pk, "name": "Hamlet", "kind": "event"})),
    Operation("list_offerings", "GET", "/offerings", "401 200 200 200 200 200 200 200", lambda w: Call()),
    Operation("list_offerings_of_venue", "GET", "/offerings", "401 200 200 403 403 403 200 403",
              lambda w: Call(query={"venue_id": w.network.venue.pk})),
    Operation("get_offering", "GET", "/offerings/{offering_id}", "401 200 200 403 403 403 200 403",
              lambda w: Call(path={"offering_id": w.offering.pk})),
    Operation("update_offering", "PATCH", "/offerings/{offering_id}", "401 200 200 403 403 403 200 403",
              lambda w: Call(path={"offering_id": w.offering.pk}, body={"ticket_quota": 3})),
    # Network: national settings
    Operation("get_settings", "GET", "/settings", "401 200 200 200 200 200 200 200", lambda w: Call()),
    Operation("update_settings", "PATCH", "/settings", "401 200 403 403 403 403 403 403",
              lambda w: Call(body={"max_validity_months": 6})),
    # Programme rules: no secret, every signed-in caller reads them for any area (the offline desk too)
    Operation("get_rules", "GET", "/rules", "401 200 200 200 200 200 200 200",
              lambda w: Call(query={"area_id": w.network.area.pk, "on": today().isoformat()})),
    # Accounts: the target user is the first area's distributor user
    Operation("create_staff_user", "POST", "/users", "401 201 201 403 403 403 403 403",
              lambda w: Call(body={"username": "jakaja2", "role": "distributor",
                                   "organisation_id": w.network.distributor.pk})),
    Operation("create_coordinator", "POST", "/users", "401 201 403 403 403 403 403 403",
              lambda w: Call(body={"username": "koordinaattori2", "role": "area_coordinator",
                                   "area_id": w.network.area.pk})),
    Operation("create_admin_user", "POST", "/users", "401 201 403 403 403 403 403 403",
              lambda w: Call(body={"username": "paakayttaja2", "role": "national_admin"})),
    Operation("list_users", "GET", "/users", "401 200 200 200 200 200 200 200", lambda w: Call()),
    Operation("get_user", "GET", "/users/{user_id}", "401 200 200 403 200 403 403 403",
              lambda w: Call(path={"user_id": w.user("distributor").pk})),
    Operation("update_user", "PATCH", "/users/{user_id}", "401 200 200 403 200 403 403 403",
              lambda w: Call(path={"user_id": w.user("distributor").pk}, body={"language": "sv"})),
    Operation("deactivate_user", "PATCH", "/users/{user_id}", "401 200 200 403 403 403 403 403",
              lambda w: Call(path={"user_id": w.user("distributor").pk}, body={"active": False})),
    Operation("get_coordinator_user", "GET", "/users/{user_id}", "401 200 200 403 403 403 403 403",
              lambda w: Call(path={"user_id": w.user("coordinator").pk})),
    Operation("update_admin_user", "PATCH", "/users/{user_id}", "401 200 403 403 403 403 403 403",
              lambda w: Call(path={"user_id": w.user("admin").pk}, body={"active": False})),
    Operation("create_token", "POST", "/users/{user_id}/tokens", "401 201 201 403 201 403 403 403",
              lambda w: Call(path={"user_id": w.user("distributor").pk}, body={})),
    Operation("create_token_for_coordinator", "POST", "/users/{user_id}/tokens",
              "401 201 201 403 403 403 403 403",
              lambda w: Call(path={"user_id": w.user("coordinator").pk}, body={})),
    Operation("create_token_for_admin", "POST", "/users/{user_id}/tokens", "401 201 403 403 403 403 403 403",
              lambda w: Call(path={"user_id": w.user("admin").pk}, body={})),
    Operation("revoke_token", "DELETE", "/tokens/{token}", "401 204 204 403 204 403 403 403",
              lambda w: Call(path={"token": w.spare_token})),
    Operation("revoke_admin_token", "DELETE", "/tokens/{token}", "401 204 403 403 403 403 403 403",
              lambda w: Call(path={"token": w.admin_spare_token})),
    Operation("revoke_token_by_id", "DELETE", "/users/{user_id}/tokens/{token_id}",
              "401 204 204 403 204 403 403 403",
              lambda w: Call(path={"user_id": w.user("distributor").pk, "token_id": token_id(w.spare_token)})),
    Operation("revoke_admin_token_by_id", "DELETE", "/users/{user_id}/tokens/{token_id}",
              "401 204 403 403 403 403 403 403",
              lambda w: Call(path={"user_id": w.user("admin").pk, "token_id": token_id(w.admin_spare_token)})),
    # Card stock
    Operation("create_card_batch", "POST", "/card-batches", "401 201 201 403 403 403 403 403",
              lambda w: Call(body={"distributor_id": w.network.distributor.pk, "count": 2})),
    Operation("list_card_batches", "GET", "/card-batches", "401 200 200 200 200 200 403 403",
              lambda w: Call()),
    Operation("get_card_batch", "GET", "/card-batches/{batch_id}", "401 200 200 403 200 403 403 403",
              lambda w: Call(path={"batch_id": w.batch.pk})),
    # Cards: the card is the first area's distributor's; the free number is in that distributor's stock
    Operation("issue_card", "POST", "/cards", "401 403 403 403 201 422 403 403",
              lambda w: Call(body=personal_card_body(w.free_number)), codes={422: "number_not_in_stock"}),
    Operation("list_cards", "GET", "/cards", "401 200 200 200 200 200 403 403", lambda w: Call()),
    Operation("get_card", "GET", "/cards/{number}", "401 200 200 200 200 404 200 200",
              lambda w: Call(path={"number": w.card.number}), codes=CARD_NOT_FOUND),
    Operation("renew_card", "POST", "/cards/{number}/renew", "401 403 403 403 200 404 403 403",
              lambda w: Call(path={"number": w.card.number}, body={"valid_until": in_days(200)}),
              codes=CARD_NOT_FOUND),
    Operation("close_card", "POST", "/cards/{number}/close", "401 403 403 403 200 404 403 403",
              lambda w: Call(path={"number": w.card.number}, body={"reason": "lost"}), codes=CARD_NOT_FOUND),
    Operation("replace_card", "POST", "/cards/{number}/replace", "401 403 403 403 201 404 403 403",
              lambda w: Call(path={"number": w.card.number}, body={"new_number": w.free_number}),
              codes=CARD_NOT_FOUND),
    Operation("list_wellbeing_questions", "GET", "/wellbeing/questions", "401 200 200 200 200 200 200 200",
              lambda w: Call()),
    Operation("replace_wellbeing_questions", "PUT", "/wellbeing/questions", "401 200 403 403 403 403 403 403",
              lambda w: Call(body=QUESTIONS)),
    # Visits: cards work at every venue of the network, whatever area issued them
    Operation("record_visit", "POST", "/visits", "401 403 403 403 403 403 201 201",
              lambda w: Call(body={"card_number": w.card.number})),
    Operation("record_visit_with_card_of_other_area", "POST", "/visits", "401 403 403 403 403 403 201 201",
              lambda w: Call(body={"card_number": w.other_card.number})),
    Operation("record_visit_for_offering", "POST", "/visits", "401 403 403 403 403 403 201 422",
              lambda w: Call(body={"card_number": w.card.number, "offering_id": w.offering.pk}),
              codes={422: "offering_not_at_venue"}),
    Operation("list_visits", "GET", "/visits", "401 200 200 200 200 200 200 200", lambda w: Call()),
    Operation("list_visits_at_venue", "GET", "/visits", "401 200 200 403 200 200 200 403",
              lambda w: Call(query={"venue_id": w.network.venue.pk})),
    Operation("cancel_visit", "DELETE", "/visits/{visit_id}", "401 403 403 403 403 403 204 403",
              lambda w: Call(path={"visit_id": w.visit.pk})),
    # Devices: a venue's own staff enrol; its staff, its coordinator and the national admin see and revoke
    Operation("issue_enrolment_code", "POST", "/devices/enrolment-codes", "401 403 403 403 403 403 201 403",
              lambda w: Call(body={"venue_id": w.network.venue.pk})),
    Operation("enrol_device", "POST", "/devices/enrol", "401 403 403 403 403 403 201 403",
              lambda w: Call(body={"code": w.enrolment_code, "name": "Ovi 2"})),
    Operation("list_devices", "GET", "/devices", "401 200 200 403 403 403 200 403",
              lambda w: Call(query={"venue_id": w.network.venue.pk})),
    Operation("revoke_device", "DELETE", "/devices/{device_id}", "401 204 204 403 403 403 204 403",
              lambda w: Call(path={"device_id": w.device_id})),
    # The conflict inbox: the venue's staff, its coordinator and the national admin; recording a visit as the
    # device sent it is the coordinator's (or the admin's) call, a corrected one the staff's too
    Operation("list_conflicts", "GET", "/devices/conflicts", "401 200 200 403 403 403 200 403",
              lambda w: Call(query={"venue_id": w.network.venue.pk})),
    Operation("record_conflict", "POST", "/devices/conflicts/{conflict_id}/record",
              "401 200 200 403 403 403 403 403", lambda w: Call(path={"conflict_id": w.conflict_id}),
              codes_by_caller={"venue": "conflict_needs_coordinator"}),
    Operation("record_conflict_corrected", "POST", "/devices/conflicts/{conflict_id}/record",
              "401 200 200 403 403 403 200 403",
              lambda w: Call(path={"conflict_id": w.conflict_id}, body={"assistants": 1})),
    Operation("discard_conflict", "POST", "/devices/conflicts/{conflict_id}/discard",
              "401 200 200 403 403 403 200 403",
              lambda w: Call(path={"conflict_id": w.conflict_id}, body={"reason": "Sama käynti kahdesti"})),
    # The offline desk answers an enrolled device's credential only: a user's token is `device_required`
    *[Operation(name, method, path, "401 403 403 403 403 403 403 403", build, codes={403: "device_required"})
      for name, method, path, build in (
          ("offline_bundle", "GET", "/offline/bundle", lambda w: Call()),
          ("offline_revocations", "GET", "/offline/revocations", lambda w: Call()),
          ("take_lease", "POST", "/offline/leases", lambda w: Call(body={"offering_id": w.quota_offering_id,
                                                                        "tickets": 2})),
          ("sync_visits", "POST", "/offline/visits", lambda w: Call(body={"visits": []})))],
    # Statistics: each caller's own scope, then the first area named explicitly
    *[Operation(f"{name}_stats", "GET", f"/stats/{name}", "401 200 200 200 200 200 200 200", lambda w: Call())
      for name in STATS],
    *[Operation(f"{name}_stats_of_area", "GET", f"/stats/{name}", "401 200 200 403 403 403 403 403",
                lambda w: Call(query={"area_id": w.network.area.pk}))
      for name in STATS],
]

OPERATIONS_BY_NAME = {operation.name: operation for operation in OPERATIONS}
assert len(OPERATIONS_BY_NAME) == len(OPERATIONS), "two rows share a name"


def schema_operations(schema: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item
            if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE")}


def row_counts() -> dict[str, int]:
    """The number of rows of every table of the project: a refused request must change none of them."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model.__module__.startswith("kaikukanta.") and not model._meta.label.startswith("reference.")}
