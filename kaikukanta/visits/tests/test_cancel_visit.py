"""DELETE /api/v1/visits/{id}: the recording venue takes a visit back within 7 days."""

import datetime

import pytest
from django.utils import timezone

from kaikukanta.core.errors import MEANINGS, Code
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import make_offering
from kaikukanta.visits.models import Visit

from .support import assert_refused, days_ago, personal_card, post_visit


@pytest.fixture
def desk(network):
    return network.client("venue")


@pytest.fixture
def visit_id(network, desk):
    return post_visit(desk, {"card_number": personal_card(network).number}).json()["id"]


def recorded_ago(visit_id: int, age: datetime.timedelta) -> None:
    Visit.objects.filter(pk=visit_id).update(recorded_at=timezone.now() - age)


def test_the_recording_venue_cancels_and_the_visit_leaves_the_list(network, desk, visit_id):
    response = desk.delete(f"visits/{visit_id}")
    assert (response.status_code, response.content) == (204, b"")
    assert Visit.objects.get(pk=visit_id).cancelled_at is not None
    assert desk.get("visits").json()["results"] == []
    audit_row = AuditRecord.objects.get(action="visit.cancelled")
    assert (audit_row.actor, audit_row.object_id) == (network.users["venue"], str(visit_id))


def test_cancelling_again_is_not_found(desk, visit_id):
    assert desk.delete(f"visits/{visit_id}").status_code == 204
    assert_refused(desk.delete(f"visits/{visit_id}"), 404, "not_found")


def test_an_unknown_visit_is_not_found(desk):
    assert_refused(desk.delete("visits/987654"), 404, "not_found")


@pytest.mark.parametrize("who", ["other_venue", "admin", "coordinator", "distributor"])
def test_only_the_recording_venue_may_cancel(network, visit_id, who):
    assert_refused(network.client(who).delete(f"visits/{visit_id}"), 403, "forbidden")
    assert Visit.objects.get(pk=visit_id).cancelled_at is None
    assert not AuditRecord.objects.filter(action="visit.cancelled").exists()


def test_anonymous_callers_are_unauthenticated(anonymous, visit_id):
    assert_refused(anonymous.delete(f"visits/{visit_id}"), 401, "unauthenticated")


@pytest.mark.parametrize("age, accepted", [
    (datetime.timedelta(days=6, hours=23), True),
    (datetime.timedelta(days=7) - datetime.timedelta(minutes=1), True),
    (datetime.timedelta(days=7, minutes=1), False),
    (datetime.timedelta(days=30), False),
])
def test_cancelling_is_possible_for_7_days_after_recording(desk, visit_id, age, accepted):
    recorded_ago(visit_id, age)
    response = desk.delete(f"visits/{visit_id}")
    if accepted:
        assert response.status_code == 204
    else:
        assert_refused(response, 409, "cancel_window_passed")
        assert Visit.objects.get(pk=visit_id).cancelled_at is None
        assert not AuditRecord.objects.filter(action="visit.cancelled").exists()


def test_the_window_counts_from_recording_not_from_used_on(network, desk):
    card = personal_card(network, issued_on=days_ago(60))
    paper_list_entry = {"card_number": card.number, "used_on": days_ago(30).isoformat()}
    visit_id = post_visit(desk, paper_list_entry).json()["id"]
    assert desk.delete(f"visits/{visit_id}").status_code == 204


def test_cancel_window_message_is_localised(network, visit_id):
    recorded_ago(visit_id, datetime.timedelta(days=8))
    response = network.client("venue", "sv").delete(f"visits/{visit_id}")
    # The window the venue's area's rules gave on the day of recording follows the message.
    assert response.json()["error"]["message"] == MEANINGS[Code.CANCEL_WINDOW_PASSED].sv + " (7 dagar)"


def test_cancelling_frees_the_quota(network, desk):
    offering = make_offering(network.venue, ticket_quota=1)
    body = {"card_number": personal_card(network).number, "offering_id": offering.pk}
    first = post_visit(desk, body).json()["id"]
    assert_refused(post_visit(desk, body), 409, "quota_exhausted", "offering_id")
    assert desk.delete(f"visits/{first}").status_code == 204
    assert post_visit(desk, body).status_code == 201


def test_a_non_numeric_id_is_invalid(desk):
    assert_refused(desk.delete("visits/abc"), 400, "invalid", "visit_id")
