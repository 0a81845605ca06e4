"""Liveness, readiness, metrics and the structured access log."""

import json
import logging

import pytest
from django.test import Client, override_settings

from kaikukanta.operations.logs import JsonFormatter, RequestIdFilter
from kaikukanta.visits.tests.support import personal_card, post_visit


def test_liveness_answers_without_asking_anything(anonymous):
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readiness_reports_each_part(db):
    response = Client().get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["cache"]["status"] == "ok"
    assert checks["replica"]["status"] == "not_configured"
    assert checks["broker"]["status"] == "not_configured"


@override_settings(REDIS_URL="redis://127.0.0.1:1/0", CACHES={"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}})
def test_a_lost_shared_cache_takes_the_host_out_of_rotation(db):
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "down"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_a_lost_broker_and_worker_are_reported_without_emptying_the_rotation(db):
    response = Client().get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "down" and checks["worker"]["status"] == "down"


def test_metrics_count_requests_by_route_and_registrations_and_the_fold_backlog(network):
    card = personal_card(network)
    assert post_visit(network.client("venue"), {"card_number": card.number}).status_code == 201
    network.client("venue").get(f"cards/{card.number}")
    text = Client().get("/metrics").content.decode()
    assert 'kaikukanta_request_seconds_count{method="POST",route="api/v1/visits"}' in text
    assert card.number not in text, "a route pattern, never a card number"
    assert "kaikukanta_desk_registrations_total" in text
    assert "kaikukanta_fold_backlog" in text and "kaikukanta_task_failures 0.0" in text


def registrations(channel: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("kaikukanta_desk_registrations_total", {"channel": channel}) or 0.0


def test_registrations_are_counted_at_the_api_and_the_desk_page_refusals_not(network):
    from django.urls import reverse

    from kaikukanta.testing import sign_in

    api, desk = registrations("api"), registrations("desk")
    first, second = personal_card(network), personal_card(network)
    assert post_visit(network.client("venue"), {"card_number": first.number}).status_code == 201
    page = Client()
    sign_in(page, network.users["venue"])
    recorded = page.post(reverse("desk:check"), {"card_number": second.number, "idempotency_key": "k1"})
    assert recorded.status_code == 302
    refused = page.post(reverse("desk:check"), {"card_number": "0000000000", "idempotency_key": "k2"})
    assert refused.status_code != 302
    assert (registrations("api"), registrations("desk")) == (api + 1, desk + 1)
    assert 'kaikukanta_desk_registrations_total{channel="desk"}' in Client().get("/metrics").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_paper_lists_stored_rows_are_counted_once_each_refused_and_replayed_rows_not(network):
    """Each row commits on its own, and is counted when it does (a row's insert rolled back is not)."""
    from django.urls import reverse

    from kaikukanta.core.clock import today
    from kaikukanta.testing import sign_in
    from kaikukanta.visits.models import Visit
    from kaikukanta.visits.tests.desk_pages.test_desk_day_pages import paper_body

    page = Client()
    sign_in(page, network.users["venue"])
    cards = [personal_card(network) for _ in range(3)]
    rows = [{"card_number": card.number, "key": f"paper-{position}"} for position, card in enumerate(cards)]
    rows.append({"card_number": "0000000000", "key": "paper-unknown"})      # refused: not counted
    body = paper_body(today(), rows)
    before, api, desk = registrations("paper"), registrations("api"), registrations("desk")
    assert page.post(reverse("desk:paper"), body).status_code == 200
    assert Visit.objects.filter(card__in=cards).count() == 3
    assert registrations("paper") == before + 3
    assert page.post(reverse("desk:paper"), body).status_code == 200        # the same keys: replays
    assert Visit.objects.filter(card__in=cards).count() == 3
    assert (registrations("paper"), registrations("api"), registrations("desk")) == (before + 3, api, desk)
    assert 'kaikukanta_desk_registrations_total{channel="paper"}' in Client().get("/metrics").content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_offline_devices_synced_visits_are_counted_once_each_conflicts_and_resends_not(network):
    """Each synced visit commits on its own, and is counted when it does; a conflict or a resend stores nothing."""
    from kaikukanta.devices.tests.support import enrol_device, queued
    from kaikukanta.visits.models import Visit

    _, device = enrol_device(network)
    cards = [personal_card(network) for _ in range(2)]
    batch = [queued(cards[0].number), queued(cards[1].number), queued("1234567890")]   # the last: a conflict
    before, api, desk, paper = (registrations(channel) for channel in ("offline", "api", "desk", "paper"))
    first = device.post("/api/v1/offline/visits", {"visits": batch, "pending": 0})
    assert first.status_code == 200
    assert [result["outcome"] for result in first.json()["results"]] == ["stored", "stored", "conflict"]
    assert registrations("offline") == before + 2
    again = device.post("/api/v1/offline/visits", {"visits": batch, "pending": 0})   # sent again: nothing new
    assert again.status_code == 200 and again.json() == first.json()
    assert Visit.objects.filter(card__in=cards).count() == 2
    assert [registrations(channel) for channel in ("offline", "api", "desk", "paper")] == [before + 2, api, desk,
                                                                                          paper]
    assert 'kaikukanta_desk_registrations_total{channel="offline"}' in Client().get("/metrics").content.decode()


@override_settings(KAIKUKANTA_METRICS_TOKEN="scrape-secret-for-tests")
def test_metrics_need_the_scrape_token_when_one_is_set(db):
    assert Client().get("/metrics").status_code == 403
    assert Client().get("/metrics", headers={"Authorization": "Bearer scrape-secret-for-tests"}).status_code == 200


def test_metrics_refuse_other_addresses_without_a_token(db):
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics").status_code == 403


def test_every_response_carries_a_request_id_and_keeps_a_sane_given_one(db):
    assert len(Client().get("/healthz")["X-Request-ID"]) == 32
    assert Client().get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"})["X-Request-ID"] == "proxy-1234abcd"
    assert Client().get("/healthz", headers={"X-Request-ID": "bad id\n"})["X-Request-ID"] != "bad id\n"


def test_access_log_is_json_with_the_request_id_and_no_card_number(network, caplog):
    card = personal_card(network)
    with caplog.at_level(logging.INFO, logger="kaikukanta.access"):
        response = network.client("venue").get(f"cards/{card.number}", headers={"X-Request-ID": "req-0001abcd"})
    assert response.status_code == 200
    record = next(r for r in caplog.records if r.name == "kaikukanta.access")
    RequestIdFilter().filter(record)
    line = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s").format(record)
    entry = json.loads(line)
    assert entry["route"] == "api/v1/cards/<number>" or entry["route"].startswith("api/v1/cards/")
    assert entry["status"] == 200 and entry["method"] == "GET" and entry["request_id"] == "req-0001abcd"
    assert card.number not in line
