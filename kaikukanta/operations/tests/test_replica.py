"""Statistics on a real streaming replica: a private primary and hot standby, gunicorn with production
settings and DATABASE_REPLICA_URL. Replay on the standby is paused so that what each read sees tells which
server answered it: statistics come from the standby, card validity (a rule) from the primary; with the
standby stopped every statistics endpoint still answers, from the primary."""

import json
import re
import time
import urllib.error
import urllib.request

import pytest

from kaikukanta.core.tests.private_postgres import ProductionServer, manage

from .replica_pair import ReplicatedPair

pytestmark = pytest.mark.postgres
# A signed-in session of the national admin for the HTML pages, made with the server's secret key.
SESSION = """
import django.test
from kaikukanta.accounts.models import User
from kaikukanta.testing import sign_in
client = django.test.Client()
sign_in(client, User.objects.get(username="admin"))
print(client.cookies["sessionid"].value)
"""
PAGES = ["/stats/dashboard/", "/stats/dashboard/?group_by=age_group", "/stats/export/summary.xlsx",
         "/stats/export/month.csv"]
STATISTICS = ["stats/summary", "stats/uses?group_by=age_group", "stats/yearly", "stats/wellbeing", "stats/activation",
              "stats/travel", "stats/milestones"]


def get(server, path: str, token: str) -> tuple[int, dict | None]:
    request = urllib.request.Request(f"{server.base}/api/v1/{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def page(server, path: str, session: str) -> tuple[int, bytes]:
    request = urllib.request.Request(server.base + path, headers={"Cookie": f"sessionid={session}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def pair():
    pair = ReplicatedPair()
    try:
        pair.init()
        yield pair
    finally:
        pair.remove()


def test_statistics_read_the_standby_rules_read_the_primary_and_a_stopped_standby_costs_nothing(pair, monkeypatch):
    url = pair.primary.url
    manage(url, "migrate", "--noinput")
    demo = manage(url, "generate_demo", "--cards", "300", "--visits", "1500", "--areas", "2")
    tokens = dict(re.findall(r"^\s+(admin|venue)\s+\S+\s+(\S+)\s", demo, re.MULTILINE))
    monkeypatch.setenv("DATABASE_REPLICA_URL", pair.standby.url)
    monkeypatch.setenv("KAIKUKANTA_REPLICA_MAX_LAG_SECONDS", "600")
    monkeypatch.setenv("KAIKUKANTA_REPLICA_CHECK_SECONDS", "0.5")
    server = ProductionServer(url, workers=2)
    try:
        manage(url, "fold_stats")
        wait_for(pair.caught_up)
        status, before = get(server, "stats/summary", tokens["admin"])
        assert status == 200
        number = pair.primary.query(
            "SELECT number FROM cards_card c WHERE card_type = 'personal' AND closed_on IS NULL "
            "AND valid_until > current_date + 2 AND NOT EXISTS (SELECT 1 FROM visits_visit v WHERE v.card_id = c.id "
            "AND v.used_on >= current_date - 1) ORDER BY id LIMIT 1")[0][0]

        pair.standby_sql("SELECT pg_wal_replay_pause()")
        status, stored, _ = server.post("/api/v1/visits", {"card_number": number},
                                        {"Authorization": f"Bearer {tokens['venue']}"})
        assert status == 201, stored
        manage(url, "fold_stats")
        assert get(server, "stats/summary", tokens["admin"])[1]["visits"] == before["visits"], \
            "statistics came from the primary, not the paused standby"
        # Closed on the primary only: the card check (a rule) must see it at once.
        pair.primary.query("UPDATE cards_card SET closed_on = current_date - 1, close_reason = 'other' "
                           "WHERE number = %s RETURNING id", [number])
        assert get(server, f"cards/{number}", tokens["venue"])[1]["status"] == "closed"
        readiness = json.loads(urllib.request.urlopen(f"{server.base}/readyz", timeout=10).read())
        assert readiness["checks"]["replica"]["status"] == "ok"
        assert float(readiness["checks"]["replica"]["detail"]) > 0, "the paused standby's lag is shown"

        pair.standby_sql("SELECT pg_wal_replay_resume()")
        wait_for(pair.caught_up)
        wait_for(lambda: get(server, "stats/summary", tokens["admin"])[1]["visits"] == before["visits"] + 1)

        pair.standby.stop("immediate")
        time.sleep(1)  # beyond KAIKUKANTA_REPLICA_CHECK_SECONDS for some requests, within it for others
        for path in STATISTICS:
            status, body = get(server, path, tokens["admin"])
            assert status == 200, (path, status, server.output())
        # The HTML dashboards and their downloads too, with the figures of the primary.
        session = manage(url, "shell", "-c", SESSION,
                         env={"SECRET_KEY": "fault-test-only-secret"}).strip().splitlines()[-1]
        for path in PAGES:
            status, body = page(server, path, session)
            assert status == 200, (path, status, body[:300], server.output())
        dashboard = page(server, "/stats/dashboard/", session)[1].decode()
        headline = [re.sub(r"\D", "", value) for value in re.findall(r'stats-headline__value">([^<]*)<', dashboard)]
        assert str(before["visits"] + 1) in headline, headline
        assert get(server, "stats/summary", tokens["admin"])[1]["visits"] == before["visits"] + 1
        readiness = urllib.request.urlopen(f"{server.base}/readyz", timeout=10)
        assert readiness.status == 200
        assert json.loads(readiness.read())["checks"]["replica"]["status"] == "down"
    finally:
        server.stop()
