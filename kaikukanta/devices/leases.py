"""Leases: a device's share of one day's ticket quota of an offering, taken while online.

The quota arithmetic stays one sum (visits.services.quota_taken): stored visits plus, for every lease that is
neither returned nor expired, the tickets it has not used yet. A visit recorded under its own lease takes from
that lease first, so a device can always store what its lease let it promise, however many other devices
share the quota; what goes beyond its lease needs free tickets like any other visit. Every change to a lease
happens under the offering's row lock, the same lock every quota decision takes.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from kaikukanta.core import audit
from kaikukanta.core.bounds import check_integer
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Offering
from kaikukanta.visits import services as visit_services

from .models import Lease

MAX_LEASE_TICKETS = 500


def _active(queryset, now=None):
    return queryset.filter(returned_at__isnull=True, expires_at__gt=now or timezone.now())


def _unused(lease: Lease) -> int:
    return max(0, lease.tickets - lease.used)


def tickets_held(offering_id: int, used_on: datetime.date, *, uses: int, lease=None) -> int:
    """The quota hold visits.services asks for: unused tickets of active leases, less what this visit takes
    from its own lease."""
    held = 0
    for other in _active(Lease.objects.filter(offering_id=offering_id, day=used_on)):
        if lease is not None and other.pk == lease.pk:
            held += max(0, _unused(other) - uses)
        else:
            held += _unused(other)
    return held


def end_of(day: datetime.date) -> datetime.datetime:
    """A lease returns by itself at the end of its day in Finland."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


@transaction.atomic
def take_lease(device_caller, *, offering_id: int, tickets: int) -> Lease:
    """Take (or top up) the device's lease of today's quota of an offering at its venue, up to `tickets`
    unused. A lease never shrinks: the device may have promised it already. Grants what is free, which may be
    less than asked; none free is `409 quota_exhausted`."""
    device = device_caller.device
    check_integer(tickets, "tickets", 1, MAX_LEASE_TICKETS)
    offering = Offering.objects.select_for_update().filter(pk=offering_id, venue_id=device.venue_id).first()
    if offering is None:
        raise Refusal(Code.INVALID, field="offering_id")
    day = today()
    lease = _active(Lease.objects.select_for_update().filter(device=device, offering=offering, day=day)).first()
    if offering.ticket_quota is None:
        raise Refusal(Code.INVALID, field="offering_id")
    free = offering.ticket_quota - visit_services.quota_taken(offering.pk, day)
    unused = _unused(lease) if lease is not None else 0
    grant = min(max(0, tickets - unused), max(0, free))
    if grant == 0 and unused == 0:
        raise Refusal(Code.QUOTA_EXHAUSTED, field="offering_id")
    if lease is None:
        lease = Lease.objects.create(device=device, offering=offering, day=day, tickets=grant, expires_at=end_of(day))
    elif grant:
        lease.tickets += grant
        lease.save(update_fields=["tickets"])
    audit.record(device_caller.user, "lease.taken", lease, device_id=device.pk, offering_id=offering.pk,
                 granted=grant, tickets=lease.tickets, used=lease.used)
    return lease


@transaction.atomic
def return_lease(device_caller, *, offering_id: int) -> Lease:
    """Give back the device's lease of today's quota of an offering: its unused tickets are free again."""
    Offering.objects.select_for_update().filter(pk=offering_id).first()
    lease = _active(Lease.objects.filter(device=device_caller.device, offering_id=offering_id, day=today())).first()
    if lease is None:
        raise Refusal(Code.NOT_FOUND)
    if lease.returned_at is None:
        lease.returned_at = timezone.now()
        lease.save(update_fields=["returned_at"])
        audit.record(device_caller.user, "lease.returned", lease, device_id=lease.device_id, used=lease.used)
    return lease


def lease_for_visit(device, lease_id: int | None, *, offering_id: int | None, used_on: datetime.date):
    """The device's lease a synced visit names; `lease_not_valid` for another device's, another
    offering's or another day's lease. An expired or returned lease still names the visit's lease but holds
    nothing any more, so the visit then needs free tickets. Called under the offering's row lock."""
    if lease_id is None:
        return None
    lease = Lease.objects.filter(pk=lease_id, device=device).first()
    if lease is None or lease.offering_id != offering_id or lease.day != used_on:
        raise Refusal(Code.LEASE_NOT_VALID, field="lease_id")
    return lease


def use_lease(lease: Lease | None, uses: int) -> None:
    if lease is not None:
        Lease.objects.filter(pk=lease.pk).update(used=lease.used + uses)
        lease.used += uses
