"""Admission control of the offline sync: when the sync slots are all taken a device is told at once to come
back later, nothing of its batch is judged, and the same batch is stored once a slot is free again."""

import pytest
from django.core.cache import cache

from kaikukanta.core.errors import Refusal
from kaikukanta.devices import admission
from kaikukanta.testing import make_card
from kaikukanta.visits.models import Visit

from .support import enrol_device, queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_slot(settings):
    settings.KAIKUKANTA_SYNC_CONCURRENCY = 1


def test_a_sync_finding_every_slot_taken_is_told_when_to_come_back_and_nothing_is_judged(network, one_slot):
    cards = [make_card(network.distributor, children=1) for _ in range(2)]
    _, client = enrol_device(network, language="sv")
    batch = [queued(cards[0].number), queued(cards[1].number, children=1)]

    with admission.sync_slot():  # another device's sync is being judged
        refused = client.post("/api/v1/offline/visits", {"visits": batch, "pending": 0})
        assert Visit.objects.count() == 0
    admitted = client.post("/api/v1/offline/visits", {"visits": batch, "pending": 0})

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert refused.json()["error"]["message"].startswith("För många")
    assert admission.RETRY_AFTER_SECONDS[0] <= int(refused["Retry-After"]) <= admission.RETRY_AFTER_SECONDS[1]
    assert admitted.status_code == 200
    assert [r["outcome"] for r in admitted.json()["results"]] == ["stored", "stored"]
    assert Visit.objects.count() == 2


def test_every_slot_is_free_again_after_a_sync_even_one_that_failed(network, settings):
    settings.KAIKUKANTA_SYNC_CONCURRENCY = 3
    with pytest.raises(RuntimeError), admission.sync_slot():
        raise RuntimeError("the worker failed while judging")
    with admission.sync_slot(), admission.sync_slot(), admission.sync_slot():
        with pytest.raises(Refusal) as refused, admission.sync_slot():
            pass
    assert refused.value.code.value == "throttled"
    with admission.sync_slot():
        pass


def test_a_slot_left_by_a_dead_worker_frees_itself(network, one_slot, monkeypatch):
    # A worker killed while judging never deletes its slot: the entry's own expiry frees it.
    cache.add(admission.KEY.format(0), "dead-worker", timeout=admission.SLOT_SECONDS)
    with pytest.raises(Refusal), admission.sync_slot():
        pass
    cache.delete(admission.KEY.format(0))  # what the expiry does after SLOT_SECONDS
    with admission.sync_slot():
        assert cache.get(admission.KEY.format(0)) not in (None, "dead-worker")


def test_a_slot_taken_over_after_its_expiry_is_not_freed_by_its_first_holder(network, one_slot):
    with admission.sync_slot():
        # This request outlived its slot; another request took the slot since.
        cache.set(admission.KEY.format(0), "another request", timeout=admission.SLOT_SECONDS)
    assert cache.get(admission.KEY.format(0)) == "another request"
