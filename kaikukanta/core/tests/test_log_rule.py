"""The log rule, on the real production server (operations/serve.py) with production settings and a private
PostgreSQL: after the journeys (issuing and renewing a card with its postal-code look-up, the card's pages, the
desk, the paper list, API calls, revoking a token by its secret, a wrong secret) and both importers with bad
rows, no log (the server's output with the app's JSON access lines, the app's own lines, the importers' output,
PostgreSQL's log) carries a card number of the journeys, so none next to a holder attribute, or a token secret."""

import datetime
import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

from .private_postgres import PYTHON, ROOT, ProductionServer

pytestmark = pytest.mark.postgres

PASSWORD = "lokiton-salasana-2026"
SETUP = """
import json
from django.core.management import call_command
from kaikukanta.testing import build_network, make_card, make_offering, stock_numbers
call_command("migrate", "--noinput", verbosity=0)
network = build_network()
for who in ("distributor", "venue"):
    network.users[who].set_password("PASSWORD")
    network.users[who].save()
card = make_card(network.distributor, children=1, birth_year=1971, postal_code="02100")
print(json.dumps({"tokens": network.tokens, "card": card.number, "venue_id": network.venue.pk,
                  "distributor_id": network.distributor.pk, "stock": stock_numbers(network.distributor, 6),
                  "offering_id": make_offering(network.venue, "Konsertti").pk}))
""".replace("PASSWORD", PASSWORD)
SECRET = re.compile(r"kk_[A-Za-z0-9_\-]{20,}")




class Browser:
    """A signed-in session over plain HTTP: the production cookies are Secure, so they are sent by hand."""

    def __init__(self, base: str, username: str):
        self.base, self.session = base, requests.Session()
        self.get("/login/")
        self.post("/login/", {"username": username, "password": PASSWORD}, expect=302)

    def _insecure(self):
        for cookie in self.session.cookies:
            cookie.secure = False

    def get(self, path, params=None, expect=200, **kwargs):
        response = self.session.get(self.base + path, params=params, allow_redirects=False, timeout=30, **kwargs)
        self._insecure()
        assert response.status_code == expect, (path, response.status_code, response.text[:500])
        return response

    def post(self, path, data, expect=200, headers=None):
        data = {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken"), **data}
        response = self.session.post(self.base + path, data=data, allow_redirects=False, timeout=30,
                                     headers=headers or {})
        self._insecure()
        assert response.status_code == expect, (path, response.status_code, response.text[:500])
        return response


def _api(server, method, path, token, body=None, expect=200):
    response = requests.request(method, server.base + path, json=body, timeout=30,
                                headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == expect, (method, path, response.status_code, response.text[:300])
    return response


def _journeys(server, world) -> list[str]:
    """Every journey once; the card numbers it used."""
    today = datetime.date.today()
    card, new, other = world["card"], world["stock"][0], world["stock"][1]
    distributor = Browser(server.base, "distributor")
    distributor.get("/cards/issue/")
    distributor.post("/cards/issue/", {
        "number": new, "card_type": "personal", "valid_until": (today + datetime.timedelta(days=200)).isoformat(),
        "birth_year": "1975", "postal_code": "02100", "children": "2", "gender": "female",
        "life_situation": "student"}, expect=302)
    distributor.get(f"/cards/{card}/")
    renew = f"/cards/{card}/renew/"
    distributor.get(renew)
    # The look-up as htmx sends it from the renew page: posted, the page's address as the referer.
    distributor.post("/cards/postal-code/", {"postal_code": "02100"},
                     headers={"Referer": server.base + renew, "HX-Request": "true"})
    distributor.post(renew, {"valid_until": (today + datetime.timedelta(days=300)).isoformat(),
                             "birth_year": "1971", "postal_code": "00100", "children": "1", "gender": "",
                             "life_situation": ""}, expect=302)
    distributor.get("/cards/list/", {"number": card[:6]})
    distributor.get(f"/cards/{card}/insert.pdf")
    distributor.get("/cards/0000000000/", expect=404)

    desk = Browser(server.base, "venue")
    desk.get("/desk/check/", {"card_number": card, "check": ""})
    desk.get("/desk/check/card/", {"card_number": card})
    desk.get("/desk/today/")
    desk.get("/desk/paper/")
    desk.post("/desk/paper/", {"used_on": today.isoformat(), "offering_id": "", "rows": "2",
                               "row-1-key": str(uuid.uuid4()), "row-1-card_number": card, "row-1-children": "1",
                               "row-2-key": str(uuid.uuid4()), "row-2-card_number": other})

    tokens = world["tokens"]
    _api(server, "GET", f"/api/v1/cards/{card}", tokens["distributor"])
    _api(server, "GET", "/api/v1/cards", tokens["distributor"])
    _api(server, "GET", f"/api/v1/cards/{other}", tokens["distributor"], expect=404)
    _api(server, "POST", "/api/v1/visits", tokens["venue"], {"card_number": card}, expect=201)
    _api(server, "DELETE", f"/api/v1/tokens/{tokens['other_venue']}", tokens["other_venue"], expect=204)
    _api(server, "DELETE", f"/api/v1/tokens/kk_{'x' * 43}", tokens["venue"], expect=404)
    return [card, new, other]


def _import(url, tmp_path: Path, world) -> str:
    today = datetime.date.today()
    issued, until = today - datetime.timedelta(days=10), today + datetime.timedelta(days=300)
    d, numbers = world["distributor_id"], world["stock"][2:]
    cards = tmp_path / "cards.csv"
    cards.write_text("number,card_type,issuer_id,issued_on,valid_until,birth_year,postal_code,children,gender,"
                     "status\n" + "\n".join([
                         f"{numbers[0]},personal,{d},{issued},{until},1980,00100,0,,active",
                         f"{numbers[1]},personal,{d},{issued},{until},-1,00100,0,female,active",
                         f"{numbers[2]},personal,{d},{issued},{until},1980,00100,40000,,active",
                         f"{world['card']},personal,{d},{issued},{until},1980,02100,0,,active"]) + "\n")
    visits = tmp_path / "visits.csv"
    visits.write_text("card_number,venue_id,offering_id,used_on,children,clients,assistants\n" + "\n".join([
        f"{world['card']},{world['venue_id']},,{today},0,-1,0",
        f"{world['card']},{world['venue_id']},,{today},40000,0,0",
        f"{numbers[3]},{world['venue_id']},,{today},0,0,0"]) + "\n")
    output = []
    for command, path in (("import_cards", cards), ("import_visits", visits)):
        result = subprocess.run([str(PYTHON), "manage.py", command, str(path)], cwd=ROOT, capture_output=True,
                                text=True, timeout=300, env={**_env(url)})
        assert result.returncode != 0, result.stdout   # bad rows: nothing written
        output.append(result.stdout + result.stderr)
    return "\n".join(output)


def _env(url: str) -> dict:
    import os

    return {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0", "SECRET_KEY": "log-test-only-secret",
            "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "INFO"}


def test_no_log_carries_a_card_number_or_a_secret(cluster, tmp_path):
    setup = subprocess.run([str(PYTHON), "manage.py", "shell", "-c", SETUP], cwd=ROOT, capture_output=True,
                           text=True, env=_env(cluster.url), timeout=300)
    assert setup.returncode == 0, setup.stderr
    world = json.loads(setup.stdout.strip().splitlines()[-1])
    # The server writes no access log of its own (a path can hold a card number); the app's JSON line per
    # request, at INFO here, names the route pattern.
    server = ProductionServer(cluster.url, workers=2, extra=("--log-level", "info"),
                              extra_env={"LOG_LEVEL": "INFO", "ACCESS_LOG_LEVEL": "INFO"})
    try:
        numbers = _journeys(server, world)
    finally:
        server.stop()
    imported = _import(cluster.url, tmp_path, world)
    output = server.output_all()
    access = [json.loads(line) for line in output.splitlines() if line.startswith("{") and '"route"' in line]
    logs = {"access": "\n".join(json.dumps(line) for line in access), "server": output, "importers": imported,
            "postgresql": (cluster.directory / "log").read_text(errors="replace")}

    # The journeys were logged at all: the access lines have the card's pages and the revocation, by pattern.
    routes = {(line["method"], line["route"]) for line in access}
    assert ("GET", "cards/<str:number>/renew/") in routes and ("POST", "cards/postal-code/") in routes
    assert ("DELETE", "api/v1/tokens/<token>") in routes
    assert "invalid (birth_year)" in logs["importers"] and "invalid (clients)" in logs["importers"]
    secrets = set(world["tokens"].values())
    for name, text in logs.items():
        for line in text.splitlines():
            assert not any(number in line for number in numbers + [world["card"]]), f"{name}: {line}"
            assert not SECRET.search(line) and not any(secret in line for secret in secrets), f"{name}: {line}"
    assert "postal_code=" not in logs["access"]
