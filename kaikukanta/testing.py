"""Builders for tests: a small network with one user of each role, and an API client.

The project's test support, beside conftest.py and above every app: no production module imports it
(core/tests/test_layers.py checks)."""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import ApiToken, Role, User
from kaikukanta.cards.models import Card, CardEvent, StockNumber
from kaikukanta.core import damm
from kaikukanta.core.api_support import new_token_secret, token_digest
from kaikukanta.core.clock import today
from kaikukanta.network.models import Area, AreaStatusPeriod, Membership, Offering, Organisation


class ApiClient:
    """Speaks JSON to /api/v1 with a bearer token, as an integrator would."""

    def __init__(self, token: str | None = None, language: str | None = None):
        self.client = Client()
        self.headers = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if language:
            self.headers["Accept-Language"] = language

    def _call(self, method, path, body=None, headers=None, **params):
        url = path if path.startswith("/") else "/api/v1/" + path
        kwargs = {"headers": {**self.headers, **(headers or {})}}
        if body is not None:
            kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        if params:
            kwargs["query_params"] = params
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, body=None, headers=None):
        return self._call("post", path, body if body is not None else {}, headers)

    def patch(self, path, body, headers=None):
        return self._call("patch", path, body, headers)

    def put(self, path, body, headers=None):
        return self._call("put", path, body, headers)

    def delete(self, path, headers=None):
        return self._call("delete", path, None, headers)


def make_token(user: User) -> str:
    """A token with the longest lifetime an issued token gets (KAIKUKANTA_API_TOKEN_MAX_DAYS), never one
    that lives for ever."""
    from django.conf import settings
    from django.utils import timezone

    secret = new_token_secret()
    expires_at = timezone.now() + datetime.timedelta(days=settings.KAIKUKANTA_API_TOKEN_MAX_DAYS)
    ApiToken.objects.create(user=user, digest=token_digest(secret), prefix=secret[:8], expires_at=expires_at)
    return secret


def make_user(username: str, role: Role, *, area=None, organisation=None, password: str | None = None) -> User:
    user = User(username=username, role=role, area=area, organisation=organisation)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def make_area(name: str, codes: list[str], *, status: str = "active",
              joined_on: datetime.date = datetime.date(2020, 1, 1)) -> Area:
    area = Area.objects.create(name=name)
    AreaStatusPeriod.objects.create(area=area, status=status, effective_from=joined_on)
    for code in codes:
        Membership.objects.create(area=area, municipality_id=code, joined_on=joined_on)
    return area


def make_organisation(name: str, kind: str, area: Area, municipality: str, **extra) -> Organisation:
    defaults = {"category": "social_services", "sector": ""} if kind == "distributor" else {
        "category": "theatre", "sector": "culture"}
    defaults.update(extra)
    defaults.setdefault("active_from", datetime.date(2020, 1, 1))
    return Organisation.objects.create(name=name, kind=kind, area=area, municipality_id=municipality, **defaults)


def stock_numbers(distributor: Organisation, count: int) -> list[str]:
    numbers = []
    while len(numbers) < count:
        number = damm.random_number()
        if not StockNumber.objects.filter(number=number).exists():
            StockNumber.objects.create(number=number, distributor=distributor)
            numbers.append(number)
    return numbers


def make_card(distributor: Organisation, *, card_type: str = "personal", issued_on: datetime.date | None = None,
              valid_until: datetime.date | None = None, children: int = 0, birth_year: int = 1980,
              postal_code: str = "00100", closed_on: datetime.date | None = None, **extra) -> Card:
    """A card written straight to the database (for setting up tests, not a substitute for the service)."""
    from kaikukanta.reference.models import PostalCode

    issued_on = issued_on or today()
    number = stock_numbers(distributor, 1)[0]
    personal = card_type == "personal"
    postal = PostalCode.objects.get(code=postal_code) if personal else None
    card = Card.objects.create(
        number=number, card_type=card_type, issuer=distributor, issued_on=issued_on,
        valid_until=valid_until or issued_on + datetime.timedelta(days=300),
        closed_on=closed_on, close_reason="other" if closed_on else "",
        birth_year=birth_year if personal else None, postal_code=postal,
        home_municipality_id=postal.municipality_id if postal else None,
        children=children if personal else 0, **extra)
    CardEvent.objects.create(card=card, event="issued", date=issued_on, valid_until=card.valid_until)
    return card


@dataclass
class Network:
    """Two areas: Helsinki+Espoo (active) and Tampere (active), each with a distributor and a venue,
    one user of every role and a token for each."""

    area: Area
    other_area: Area
    distributor: Organisation
    venue: Organisation
    other_distributor: Organisation
    other_venue: Organisation
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def client(self, who: str, language: str | None = None) -> ApiClient:
        return ApiClient(self.tokens[who], language)


def build_network() -> Network:
    area = make_area("Pääkaupunkiseutu", ["091", "049"])
    other_area = make_area("Pirkanmaa", ["837"])
    network = Network(
        area=area, other_area=other_area,
        distributor=make_organisation("Sosiaalitoimi Kallio", "distributor", area, "091"),
        venue=make_organisation("Kaupunginteatteri", "venue", area, "091"),
        other_distributor=make_organisation("Tampereen sosiaalipalvelut", "distributor", other_area, "837"),
        other_venue=make_organisation("Tampereen museo", "venue", other_area, "837", category="museum"),
    )
    roles = {
        "admin": (Role.NATIONAL_ADMIN, {}),
        "coordinator": (Role.AREA_COORDINATOR, {"area": area}),
        "other_coordinator": (Role.AREA_COORDINATOR, {"area": other_area}),
        "distributor": (Role.DISTRIBUTOR, {"organisation": network.distributor}),
        "other_distributor": (Role.DISTRIBUTOR, {"organisation": network.other_distributor}),
        "venue": (Role.VENUE, {"organisation": network.venue}),
        "other_venue": (Role.VENUE, {"organisation": network.other_venue}),
    }
    for who, (role, scope) in roles.items():
        user = make_user(who, role, **scope)
        network.users[who] = user
        network.tokens[who] = make_token(user)
        if role in (Role.NATIONAL_ADMIN, Role.AREA_COORDINATOR):
            give_authenticator(user)
    return network


# Two-factor authentication in tests: the admin and coordinators of `build_network` have an authenticator
# with this key (RFC 6238's test key), so that a test can compute their current code.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def give_authenticator(user: User):
    """A confirmed TOTP device with TEST_TOTP_KEY for `user`."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "test", "key": TEST_TOTP_KEY})
    return device


def current_code(device) -> str:
    """The device's code for now; if now's code has been used already (a code is accepted once), the
    next step's, which the device's tolerance of one step accepts too."""
    import time

    from django_otp.oath import hotp

    step = (int(time.time()) - device.t0) // device.step + device.drift
    return f"{hotp(device.bin_key, max(step, device.last_t + 1), digits=device.digits):0{device.digits}d}"


def sign_in(client: Client, user: User) -> None:
    """Sign `client` in as `user` as a finished login would: for the roles that need the second factor,
    with a confirmed authenticator and the session marked as having passed it."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from kaikukanta.accounts.selectors import requires_second_factor

    client.force_login(user)
    if requires_second_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = give_authenticator(user).persistent_id
        session.save()


def make_offering(venue: Organisation, name: str = "Näytös", kind: str = "event", **extra) -> Offering:
    return Offering.objects.create(venue=venue, name=name, kind=kind, **extra)


MATRIX_CALLERS = {"anon": "anonymous", "admin": "admin", "coord": "coordinator", "o_coord": "other_coordinator",
                  "dist": "distributor", "o_dist": "other_distributor", "venue": "venue", "o_venue": "other_venue"}


def parse_status_table(text: str, columns: dict[str, str] = MATRIX_CALLERS) -> dict[str, dict[str, int]]:
    """A hand-written table (`operation` then one status per caller column) as {operation: {caller: status}}."""
    header, *rows = [line.split() for line in text.strip().splitlines()]
    assert header[1:] == list(columns), f"table columns {header[1:]} are not {list(columns)}"
    callers = list(columns.values())
    return {row[0]: dict(zip(callers, map(int, row[1:]), strict=True)) for row in rows}


def status_by_caller(network: Network, callers, method: str, path: str, body=None):
    """Each caller makes the same call against the same state (what one call writes is undone before the
    next); returns their statuses and the (status, error code) pairs of the refusals."""
    from django.db import transaction

    statuses, error_codes = {}, set()
    for caller in callers:
        with transaction.atomic():
            client = ApiClient() if caller == "anonymous" else network.client(caller)
            call = getattr(client, method)
            response = call(path) if body is None else call(path, body)
            statuses[caller] = response.status_code
            if response.status_code >= 400:
                error_codes.add((response.status_code, response.json()["error"]["code"]))
            transaction.set_rollback(True)
    return statuses, error_codes


@dataclass
class PageExample:
    """One page in the page matrix: how to build its path arguments (and query, for pages whose object is
    chosen by a parameter) in a test network, and which callers (keys of `Network.users`, or "anonymous")
    may open it. Every other caller must be refused.

    An app's EXAMPLES are keyed by URL name; a page that needs more than one example (each export format,
    another area's object) adds keys `"<url name>#<variant>"`."""

    allowed: set[str]
    kwargs: Callable[[Network], dict] = lambda network: {}
    method: str = "get"
    query: Callable[[Network], dict] = lambda network: {}


def url_name_of(example_key: str) -> str:
    return example_key.split("#", 1)[0]


def example_path(example_key: str, example: PageExample, network: Network) -> str:
    """The path (with its query) that `example` opens in `network`."""
    from urllib.parse import urlencode

    from django.urls import reverse

    path = reverse(url_name_of(example_key), kwargs=example.kwargs(network))
    query = example.query(network)
    return f"{path}?{urlencode(query)}" if query else path


PAGE_CALLERS = ("anonymous", "admin", "coordinator", "other_coordinator", "distributor", "other_distributor",
                "venue", "other_venue")
SIGNED_IN = set(PAGE_CALLERS) - {"anonymous"}
EVERYONE = set(PAGE_CALLERS)

# Callers whose account is taken out of use after they signed in (or got their token): a deactivated user
# (the national admin, whose scope is widest) and the staff of a site taken out of the network (the first
# area's distributor). Both matrices hold that they are refused everywhere: a page treats them as
# anonymous, the API answers `401` (revoked token) or `403` (a site out of the network, as API.md says).
LOCKED_OUT_CALLERS = ("inactive_user", "inactive_site")


def lock_out(network: Network, caller: str) -> str:
    """Takes `caller`'s account out of use through the services, as the pages and the API do; returns the
    `network.users` key of the user whose open session and tokens are now locked out."""
    from kaikukanta.accounts.services import update_user
    from kaikukanta.network.services import update_organisation

    admin = network.users["admin"]
    if caller == "inactive_user":
        update_user(Caller.for_console(admin), admin.pk, active=False)
        return "admin"
    assert caller == "inactive_site", caller
    update_organisation(Caller.for_console(admin), network.distributor.pk, active=False)
    return "distributor"


def bring_back(network: Network, caller: str) -> None:
    """Takes a locked-out caller's account back into use (by the coordinator: the admin may be the one
    locked out); the tokens and sessions it had stay dead."""
    from kaikukanta.network.services import update_organisation

    admin = network.users["admin"]
    if caller == "inactive_user":
        # Only a national admin manages a national admin: the other area's coordinator cannot, so this is
        # written as the console would, to the row itself.
        User.objects.filter(pk=admin.pk).update(is_active=True)
        return
    update_organisation(Caller.for_console(network.users["coordinator"]), network.distributor.pk, active=True)


def all_page_examples() -> dict[str, PageExample]:
    """Every app's `tests/page_examples.py` EXAMPLES, merged."""
    import importlib

    from django.apps import apps

    examples = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("kaikukanta."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.page_examples")
        except ModuleNotFoundError:
            continue
        examples.update(module.EXAMPLES)
    return examples


@dataclass
class FormRefusal:
    """One refusal a page form can get from the server (its service or its own checks), for the form walk
    (core/tests/test_form_refusals.py): `caller` posts `data(network)` to the form's page, and the refusal
    must land on `field` (the input `id_<field>`) with a reason in the page's language. `kwargs` builds the
    page's path arguments (default: those of its PageExample)."""

    caller: str
    data: Callable[[Network], dict]
    field: str
    kwargs: Callable[[Network], dict] | None = None


def all_app_tests_attribute(module_name: str, attribute: str) -> dict:
    """Every app's `tests/<module_name>.py` `attribute` (a dict), merged."""
    import importlib

    from django.apps import apps

    merged = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("kaikukanta."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.{module_name}")
        except ModuleNotFoundError:
            continue
        merged.update(getattr(module, attribute))
    return merged


# The caller each page is opened as when one allowed caller is enough (the desk first: it is phone-sized).
PREFERRED_CALLERS = ("venue", "distributor", "coordinator", "admin", "anonymous")


def preferred_caller(example: PageExample) -> str:
    return next(caller for caller in PREFERRED_CALLERS if caller in example.allowed)


def document_pages_by_caller(network: Network) -> dict[str, list[str]]:
    """The GET pages of the page matrix that answer with a whole HTML document (not a PDF, download or htmx
    fragment), grouped by the caller to open each as."""
    from django.test import Client

    pages: dict[str, list[str]] = {}
    for key, example in sorted(all_page_examples().items()):
        if example.method != "get":
            continue
        caller = preferred_caller(example)
        path = example_path(key, example, network)
        client = Client()
        if caller != "anonymous":
            sign_in(client, network.users[caller])
        response = client.get(path)
        if (response.status_code == 200 and response["Content-Type"].startswith("text/html")
                and b"<html" in response.content[:400]):
            pages.setdefault(caller, []).append(path)
    return pages
