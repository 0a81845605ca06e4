"""Every entry point that records a visit or issues a card, walked against every rule that needs the caller.

The rules live in the services (accounts.caller, visits.services, cards.services, imports.services), so each
door gets them whether or not it thinks of them: the guessing limit, an inactive site, an inactive user, a
refusal by the policy, and the bounds of a field. A new door added to DOORS without a rule applying fails
here. What does not apply to a channel is in NOT_APPLICABLE, with the reason.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.caller import Caller, Channel
from kaikukanta.cards import guessing
from kaikukanta.cards import services as card_services
from kaikukanta.cards.models import Card
from kaikukanta.core import damm
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.testing import make_card, sign_in, stock_numbers
from kaikukanta.visits import services as visit_services
from kaikukanta.visits.models import Visit

pytestmark = pytest.mark.django_db

ADDRESS = "127.0.0.1"  # the test client's own
NOON = 1_700_000_000 // 3600 * 3600 + 1530


@pytest.fixture(autouse=True)
def one_window(monkeypatch, settings):
    monkeypatch.setattr(guessing, "clock", lambda: NOON)
    settings.KAIKUKANTA_CARD_GUESSING = {"unknown_per_user": 3, "unknown_per_address": 5}


DEVICE: list = []  # the venue's desk device of the current test: (device, its API client)


@pytest.fixture(autouse=True)
def enrolled_device(network):
    """The venue's staff enrolled a desk device before anything in the test changed (a site taken out of the
    network, a user's role): what the device then sends is what the door lets through."""
    from kaikukanta.devices.tests.support import enrol_device

    DEVICE[:] = [enrol_device(network, user=network.users["venue"], language="en")]
    yield
    DEVICE.clear()


@dataclass
class Answer:
    """What a door answered: an HTTP response, or an import's error lines."""

    status: int
    text: str
    json: dict | None = None

    def refused(self, code: Code, field: str | None = None) -> bool:
        if self.json is not None:
            error = self.json.get("error", {})
            return (self.status == Refusal(code).status and error.get("code") == code.value
                    and (field is None or error.get("field") == field))
        if self.status == 0:  # an import: `line N: code (column): reason`
            return f": {code.value}" in self.text and (field is None or f"({field})" in self.text)
        return Refusal(code).message("en") in self.text

    @property
    def signed_out(self) -> bool:
        return self.status == 401 or (self.status == 302 and "/login/" in self.text)


@dataclass(frozen=True)
class Door:
    name: str
    kind: str          # "visit" or "card": what it writes
    channel: Channel
    who: str           # the user it acts as
    send: Callable     # send(network, number, bad_bound: bool) -> Answer
    bound_field: str   # the field the out-of-bounds attempt is refused for


def _http(response) -> Answer:
    body = response.content.decode() if response.get("Content-Type", "").startswith(("text", "application")) else ""
    if response.status_code == 302:
        body = response["Location"]
    json_body = response.json() if response.get("Content-Type", "").startswith("application/json") else None
    return Answer(response.status_code, body, json_body)


SIGNED_IN: dict[str, Client] = {}  # a session kept from before a change (set by a test)


def _page(network, who: str) -> Client:
    if who in SIGNED_IN:
        return SIGNED_IN[who]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, network.users[who])
    return client


def _import(command: str, tmp_path, header: str, line: str) -> Answer:
    path = tmp_path / f"{command}.csv"
    path.write_text(f"{header}\n{line}\n", encoding="utf-8")
    err = io.StringIO()
    try:
        call_command(command, str(path), "--language", "en", stdout=io.StringIO(), stderr=err)
    except CommandError:
        pass
    return Answer(0, err.getvalue())


def api_visit(network, number, bad_bound, **_):
    body = {"card_number": number, **({"offering_id": 2**31} if bad_bound else {})}
    return _http(network.client(DOOR_USER["visit"], "en").post("visits", body))


def desk_visit(network, number, bad_bound, **_):
    body = {"card_number": number, "idempotency_key": "k1", "children": "0",
            "clients": "11" if bad_bound else "0", "assistants": "0"}
    return _http(_page(network, DOOR_USER["visit"]).post(reverse("desk:check"), body))


def paper_visit(network, number, bad_bound, **_):
    body = {"used_on": today().isoformat(), "offering_id": "", "rows": "1", "row-1-key": "p1",
            "row-1-card_number": number, "row-1-children": "", "row-1-clients": "",
            "row-1-assistants": "3" if bad_bound else ""}
    return _http(_page(network, DOOR_USER["visit"]).post(reverse("desk:paper"), body))


def import_visit(network, number, bad_bound, tmp_path, **_):
    offering = str(2**31) if bad_bound else ""
    return _import("import_visits", tmp_path, "card_number,venue_id,offering_id,used_on,children,clients,assistants",
                   f"{number},{network.venue.pk},{offering},{today().isoformat()},0,0,0")


def device_visit(network, number, bad_bound, **_):
    """An enrolled desk device sends a visit it queued offline (POST /api/v1/offline/visits). Its outcome reads
    as the refusal the visit service gave: a conflict kept in the venue's inbox, or a retry when throttled."""
    from kaikukanta.devices.models import Device
    from kaikukanta.devices.tests.support import queued

    user = network.users[DOOR_USER["visit"]]
    device, client = DEVICE[0]
    if user != network.users["venue"]:
        # Only a venue's staff can enrol a device; one whose person has since another role acts as that role.
        Device.objects.filter(pk=device.pk).update(user=user)
    visit = queued(number, **({"offering_id": 2**31} if bad_bound else {}))
    response = client.post("/api/v1/offline/visits", {"visits": [visit], "pending": 0})
    answer = _http(response)
    if response.status_code != 200:
        return answer
    result = answer.json["results"][0]
    if result["outcome"] == "stored":
        return answer
    refusal = Refusal(Code(result["code"]))
    return Answer(refusal.status, result["message"] or "",
                  {"error": {"code": result["code"], "field": result.get("field")}})


def _holder_year(bad_bound: bool) -> int:
    return 1899 if bad_bound else 1980


def api_issue(network, number, bad_bound, **_):
    body = {"number": number, "card_type": "personal", "valid_until": (today() + datetime.timedelta(days=100))
            .isoformat(), "holder": {"birth_year": _holder_year(bad_bound), "postal_code": "00100", "children": 0}}
    return _http(network.client(DOOR_USER["card"], "en").post("cards", body))


def page_issue(network, number, bad_bound, **_):
    body = {"number": number, "card_type": "personal", "birth_year": str(_holder_year(bad_bound)),
            "postal_code": "00100", "children": "0",
            "valid_until": (today() + datetime.timedelta(days=100)).isoformat()}
    return _http(_page(network, DOOR_USER["card"]).post(reverse("cards:issue"), body))


def api_replace(network, number, bad_bound, **_):
    old = make_card(network.distributor)
    new_number = number[:9] + str((int(number[9]) + 1) % 10) if bad_bound else number
    return _http(network.client(DOOR_USER["card"], "en").post(f"cards/{old.number}/replace",
                                                              {"new_number": new_number}))


def page_replace(network, number, bad_bound, **_):
    old = make_card(network.distributor)
    new_number = "12345" if bad_bound else number
    return _http(_page(network, DOOR_USER["card"]).post(reverse("cards:replace", args=[old.number]),
                                                        {"new_number": new_number}))


def import_card(network, number, bad_bound, tmp_path, **_):
    day = today() - datetime.timedelta(days=10)
    return _import("import_cards", tmp_path,
                   "number,card_type,issuer_id,issued_on,valid_until,birth_year,postal_code,children,gender,status",
                   f"{number},personal,{network.distributor.pk},{day},{day + datetime.timedelta(days=100)},"
                   f"{-63556 if bad_bound else 1980},00100,0,,active")


DOOR_USER = {"visit": "venue", "card": "distributor"}
DOORS = [
    Door("POST /api/v1/visits", "visit", Channel.API, "venue", api_visit, "offering_id"),
    Door("desk page", "visit", Channel.PAGE, "venue", desk_visit, "clients"),
    Door("paper list", "visit", Channel.PAGE, "venue", paper_visit, "assistants"),
    Door("import_visits", "visit", Channel.IMPORT, "", import_visit, "offering_id"),
    Door("POST /api/v1/offline/visits", "visit", Channel.DEVICE, "venue", device_visit, "visits.0.offering_id"),
    Door("POST /api/v1/cards", "card", Channel.API, "distributor", api_issue, "holder.birth_year"),
    Door("card issue page", "card", Channel.PAGE, "distributor", page_issue, "birth_year"),
    Door("POST /api/v1/cards/{number}/replace", "card", Channel.API, "distributor", api_replace, "new_number"),
    Door("card replace page", "card", Channel.PAGE, "distributor", page_replace, "new_number"),
    Door("import_cards", "card", Channel.IMPORT, "", import_card, "birth_year"),
]
# An import is run by the server's operator from a file: there is no signed-in user or site to deactivate,
# no policy role to refuse and no client address to count guesses by (accounts/caller.py says why).
NOT_APPLICABLE = {Channel.IMPORT: {"guessing", "inactive_user", "policy"}}
WRONG_ROLE = {"visit": "distributor", "card": "venue"}


def _error_beside(page: str, field: str) -> bool:
    """A field error shown with the field's input (`name` or the paper list's `row-1-name`)."""
    if f'id="id_{field}_error"' in page:
        return True
    at = page.find(f'name="row-1-{field}"')
    return at >= 0 and "field__error" in page[at:at + 800].split("</td>")[0]


def door_ids(door: Door) -> str:
    return door.name


def written(number: str) -> int:
    """What a door wrote with `number`: visits made with the card, or the card issued with it."""
    return Visit.objects.filter(card__number=number).count() + Card.objects.filter(number=number).count()


def target_number(network, door: Door) -> str:
    """A number the door's write would succeed with: a card's for a visit, a stock number for a card."""
    if door.kind == "visit":
        return make_card(network.distributor, issued_on=today() - datetime.timedelta(days=30)).number
    if door.channel == Channel.IMPORT:
        digits = "77" + f"{damm.random_number()[:7]}"
        return digits + damm.check_digit(digits)
    return stock_numbers(network.distributor, 1)[0]


def applies(door: Door, rule: str) -> bool:
    return rule not in NOT_APPLICABLE.get(door.channel, set())


@pytest.mark.parametrize("door", DOORS, ids=door_ids)
def test_the_door_writes_when_every_rule_is_met(network, door, tmp_path):
    number = target_number(network, door)
    before = written(number)
    answer = door.send(network, number, False, tmp_path=tmp_path)
    assert answer.status in (0, 200, 201, 302), answer.text[:500]
    assert written(number) != before, f"{door.name} wrote nothing: {answer.text[:300]}"


@pytest.mark.parametrize("door", [door for door in DOORS if applies(door, "guessing")], ids=door_ids)
def test_a_caller_stopped_for_guessing_is_stopped_at_every_door(network, door, tmp_path):
    number = target_number(network, door)
    stopped = Caller(network.users[door.who], network.users[door.who].organisation, ADDRESS, door.channel)
    for _ in range(3):
        guessing.unknown_number(stopped, guessing.CARD_CHECK)
    before = written(number)
    answer = door.send(network, number, False, tmp_path=tmp_path)
    assert answer.refused(Code.THROTTLED), f"{door.name}: {answer.status} {answer.text[:300]}"
    assert written(number) == before


@pytest.mark.parametrize("door", DOORS, ids=door_ids)
def test_an_inactive_site_writes_nothing_at_any_door(network, door, tmp_path):
    number = target_number(network, door)
    site = network.venue if door.kind == "visit" else network.distributor
    site.active, site.inactive_from = False, today() - datetime.timedelta(days=20)
    site.save()
    before = written(number)
    answer = door.send(network, number, False, tmp_path=tmp_path)
    field = {"visit": "venue_id", "card": "issuer_id"}[door.kind] if door.channel == Channel.IMPORT else None
    # A page's open session ends at once (accounts.backends): the door answers "sign in" and writes nothing.
    signed_out = door.channel == Channel.PAGE and answer.signed_out
    assert signed_out or answer.refused(Code.INVALID if field else Code.FORBIDDEN, field), (
        f"{door.name}: {answer.text[:300]}")
    assert written(number) == before


def refusal_of_the_service(caller: Caller, door: Door, number: str) -> Code:
    """What the service behind `door` answers `caller` directly, whatever the door would have let through."""
    with pytest.raises(Refusal) as refused:
        if door.kind == "visit":
            visit_services.record_visit(caller, card_number=number)
        else:
            card_services.issue_card(caller, number=number, card_type="community",
                                     valid_until=today() + datetime.timedelta(days=10), holder=None)
    return refused.value.code


@pytest.mark.parametrize("door", [door for door in DOORS if door.channel != Channel.IMPORT], ids=door_ids)
def test_the_services_refuse_an_inactive_site_whatever_the_door_let_through(network, door):
    site = network.venue if door.kind == "visit" else network.distributor
    user = network.users[door.who]
    site.active, site.inactive_from = False, today() - datetime.timedelta(days=20)
    site.save()
    user.organisation = site
    caller = Caller(user, site, ADDRESS, door.channel)
    number = target_number(network, door)
    before = written(number)
    assert refusal_of_the_service(caller, door, number) == Code.FORBIDDEN
    assert written(number) == before


@pytest.mark.parametrize("door", [door for door in DOORS if applies(door, "inactive_user")], ids=door_ids)
def test_an_inactive_user_writes_nothing_at_any_door(network, door, tmp_path, monkeypatch):
    number = target_number(network, door)
    monkeypatch.setitem(SIGNED_IN, door.who, _page(network, door.who))  # signed in while still active
    user = network.users[door.who]
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    before = written(number)
    answer = door.send(network, number, False, tmp_path=tmp_path)
    assert answer.signed_out or answer.refused(Code.FORBIDDEN), f"{door.name}: {answer.status}"
    assert written(number) == before


@pytest.mark.parametrize("door", [door for door in DOORS if applies(door, "inactive_user")], ids=door_ids)
def test_the_services_refuse_an_inactive_user_whatever_the_door_let_through(network, door):
    user = network.users[door.who]
    user.is_active = False
    caller = Caller(user, user.organisation, ADDRESS, door.channel)
    number = target_number(network, door)
    assert refusal_of_the_service(caller, door, number) == Code.FORBIDDEN
    assert written(number) == (1 if door.kind == "visit" else 0)


@pytest.mark.parametrize("door", [door for door in DOORS if applies(door, "policy")], ids=door_ids)
def test_the_policy_refuses_the_wrong_role_at_every_door(network, door, tmp_path, monkeypatch):
    number = target_number(network, door)
    monkeypatch.setitem(DOOR_USER, door.kind, WRONG_ROLE[door.kind])
    before = written(number)
    answer = door.send(network, number, False, tmp_path=tmp_path)
    assert answer.status == 403 or answer.refused(Code.FORBIDDEN), f"{door.name}: {answer.status}"
    assert written(number) == before


@pytest.mark.parametrize("door", DOORS, ids=door_ids)
def test_every_door_refuses_a_value_out_of_bounds_naming_the_field(network, door, tmp_path):
    number = target_number(network, door)
    before = written(number)
    answer = door.send(network, number, True, tmp_path=tmp_path)
    if answer.json is None and answer.status != 0:
        # A page shows the refusal next to the field, with everything typed kept.
        assert _error_beside(answer.text, door.bound_field), f"{door.name}: {answer.text[:300]}"
    else:
        codes = (Code.INVALID, Code.NUMBER_INVALID)
        assert any(answer.refused(code, door.bound_field) for code in codes), f"{door.name}: {answer.text[:300]}"
    assert written(number) == before


def test_the_admin_site_has_no_door_that_writes_visits_or_cards(network, rf):
    """Django's admin is a read-only fallback: none of its pages adds or changes a visit or a card."""
    request = rf.get("/admin/")
    request.user = network.users["admin"]
    request.user.is_superuser = True
    for model in (Visit, Card):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
