"""Sync: the visits a device queued offline, judged one by one, in order, through the visit service.

Each visit carries its own idempotency key, its date and the device's clock. It is judged with its own date
(a card closed after the visit was made still counts, one closed before is `card_closed`), under the lease it
was promised on. Every visit gets an outcome: `stored` (now or by an earlier send of the same key), `conflict`
(refused: kept in the venue's conflict inbox with the code, never dropped) or `retry` (not judged: the
register is busy or the device is throttled; the device keeps it queued and sends it again later).
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.core import audit
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Offering
from kaikukanta.visits import services as visit_services
from kaikukanta.visits.selectors import visit_by_idempotency_key

from . import leases
from .models import Conflict, Device

MAX_BATCH = 100
RETRY_CODES = frozenset({Code.THROTTLED, Code.UNAVAILABLE})


@dataclass(frozen=True)
class QueuedVisit:
    key: str
    card_number: str
    used_on: datetime.date
    recorded_at: datetime.datetime
    offering_id: int | None = None
    children: int = 0
    clients: int = 0
    assistants: int = 0
    lease_id: int | None = None
    verified: bool = False


@dataclass(frozen=True)
class Outcome:
    key: str
    outcome: str                  # stored | conflict | retry
    visit_id: int | None = None
    conflict_id: int | None = None
    code: str | None = None


def sync_visits(caller: Caller, visits: list[QueuedVisit], *, pending: int | None = None) -> list[Outcome]:
    """Judge a device's queued visits in order. A revoked device's visits all become conflicts
    (`device_revoked`), except those an earlier send already stored."""
    device = caller.device
    if device is None:
        raise Refusal(Code.DEVICE_REQUIRED)
    if len(visits) > MAX_BATCH:
        raise Refusal(Code.INVALID, field="visits")
    outcomes = [_sync_one(caller, device, visit) for visit in visits]
    left = pending if pending is not None else 0
    Device.objects.filter(pk=device.pk).update(last_synced_at=timezone.now(), pending=max(0, left))
    return outcomes


def _stored(device: Device, key: str) -> Outcome | None:
    visit = visit_by_idempotency_key(device.venue_id, key)
    return Outcome(key, "stored", visit_id=visit.pk) if visit is not None else None


def _sync_one(caller: Caller, device: Device, visit: QueuedVisit) -> Outcome:
    earlier = Conflict.objects.filter(device=device, idempotency_key=visit.key).first()
    if earlier is not None:
        return Outcome(visit.key, "conflict", conflict_id=earlier.pk, code=earlier.code)
    if device.revoked_at is not None or caller.user is None:
        return _stored(device, visit.key) or _conflict(caller, device, visit, Code.DEVICE_REVOKED)
    try:
        recorded = _record(caller, device, visit)
    except Refusal as refusal:
        if refusal.code in RETRY_CODES:
            return Outcome(visit.key, "retry", code=refusal.code.value)
        return _conflict(caller, device, visit, refusal.code)
    return Outcome(visit.key, "stored", visit_id=recorded.visit.pk)


@transaction.atomic
def _record(caller: Caller, device: Device, visit: QueuedVisit):
    lease = None
    if visit.lease_id is not None:
        # The offering's row lock first, as every quota decision takes it, then the lease under it.
        Offering.objects.select_for_update().filter(pk=visit.offering_id).first()
        lease = leases.lease_for_visit(device, visit.lease_id, offering_id=visit.offering_id, used_on=visit.used_on)
    recorded = visit_services.record_visit(
        caller, idempotency_key=visit.key, card_number=visit.card_number, offering_id=visit.offering_id,
        used_on=visit.used_on, children=visit.children, clients=visit.clients, assistants=visit.assistants,
        lease=lease)
    if recorded.created:
        leases.use_lease(lease, recorded.visit.uses)
        audit.record(caller.user, "visit.synced", recorded.visit, device_id=device.pk, lease_id=visit.lease_id,
                     device_recorded_at=visit.recorded_at.isoformat(), verified=visit.verified)
    return recorded


def _conflict(caller: Caller, device: Device, visit: QueuedVisit, code: Code) -> Outcome:
    try:
        with transaction.atomic():
            conflict = Conflict.objects.create(
                device=device, venue_id=device.venue_id, idempotency_key=visit.key, card_number=visit.card_number,
                offering_id=_known_offering(visit.offering_id), used_on=visit.used_on,
                children=visit.children, clients=visit.clients, assistants=visit.assistants,
                device_recorded_at=visit.recorded_at, verified=visit.verified, code=code.value)
            audit.record(caller.user, "visit.conflict", conflict, device_id=device.pk, venue_id=device.venue_id,
                         code=code.value)
    except IntegrityError:
        # The same key sent twice at once: the other request kept it.
        conflict = Conflict.objects.get(device=device, idempotency_key=visit.key)
    return Outcome(visit.key, "conflict", conflict_id=conflict.pk, code=conflict.code)


def _known_offering(offering_id: int | None) -> int | None:
    if offering_id is None:
        return None
    return Offering.objects.filter(pk=offering_id).values_list("pk", flat=True).first()
