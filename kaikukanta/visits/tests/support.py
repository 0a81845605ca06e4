"""What the visit tests share: posting a visit, asserting a refusal, and proving nothing was written."""

import datetime
from contextlib import contextmanager

from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import make_card
from kaikukanta.visits.models import Visit


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def post_visit(client, body: dict, key: str | None = None):
    return client.post("visits", body, headers={"Idempotency-Key": key} if key is not None else None)


def assert_refused(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error.get("field") == field
    return error


@contextmanager
def nothing_written():
    visits, audit_rows = Visit.objects.count(), AuditRecord.objects.count()
    yield
    assert Visit.objects.count() == visits
    assert AuditRecord.objects.count() == audit_rows


def personal_card(network, **extra):
    return make_card(network.distributor, **extra)


def community_card(network, **extra):
    return make_card(network.distributor, card_type="community", **extra)
