"""Recording and cancelling visits: the ticket desk's hot path.

Recording is one short transaction: the idempotency look-up and the offering (one statement), the card, the quota row
lock (only when the offering has a quota), the quota sum, the insert (with the statistics' pending-change
row, told to core.changes: see stats/rollups.py for why the rollups are not updated here) and the audit row.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.policy import Action, require_caller
from kaikukanta.cards import guessing
from kaikukanta.cards import services as card_services
from kaikukanta.cards.rules import normalise_card_number, status_on
from kaikukanta.core import audit, changes, sql
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Offering
from kaikukanta.programme.selectors import rules_in_force

from . import rules
from .models import Visit
from .selectors import CardCheck, first_reads, visit_by_idempotency_key

IDEMPOTENCY_KEY_FIELD = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY_LENGTH = 100
_INSERT_SQL = """
    INSERT INTO visits_visit (card_id, venue_id, offering_id, used_on, children, clients, assistants, uses,
                              ticket_value_cents, recorded_by_id, recorded_at, idempotency_key)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id
"""


def check_card(caller: Caller, raw_number: str) -> CardCheck:
    """The desk's card check (GET /cards/{number} as a venue sees it), on today's date, held to the guessing
    limits. Refuses with `invalid` or `number_invalid` for a malformed number, `card_not_found` for an unknown one."""
    require_caller(caller, Action.CHECK_CARD)
    card = card_services.check_card(caller, raw_number, field="card_number")
    day = today()
    facts = rules.CardFacts(card_type=card.card_type, issued_on=card.issued_on, valid_until=card.valid_until,
                            closed_on=card.closed_on, children=card.children,
                            children_birth_years=sql.as_int_tuple(card.children_birth_years))
    return CardCheck(number=card.number, status=status_on(valid_until=card.valid_until, closed_on=card.closed_on,
                                                          day=day),
                     valid_until=card.valid_until, card_type=card.card_type,
                     children=rules.children_admitted(facts, day, rules_in_force(caller.site.area_id, day)))


@dataclass(frozen=True)
class OfferingFacts:
    id: int
    venue_id: int
    kind: str
    ticket_quota: int | None
    adult_price_cents: int | None
    child_price_cents: int | None


@dataclass(frozen=True)
class RecordedVisit:
    """The visit as the desk sees it; `created` is False when an earlier request with the same key made it."""

    visit: Visit
    card_number: str
    created: bool


def _replay(venue_id: int, idempotency_key: str | None) -> RecordedVisit | None:
    if idempotency_key is None:
        return None
    earlier = visit_by_idempotency_key(venue_id, idempotency_key)
    return RecordedVisit(earlier, earlier.card_number, created=False) if earlier is not None else None


def _check_idempotency_key(idempotency_key: str | None) -> None:
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise Refusal(Code.INVALID, field=IDEMPOTENCY_KEY_FIELD)


def _card_facts(row: tuple | None) -> tuple[int, rules.CardFacts]:
    """The card's id and the facts the rules need, from `first_reads`; holder data is never read on this path.

    On PostgreSQL the card row is share-locked until the visit commits. A close, renewal or replacement
    locks the row for update, so it either committed before this read (and the visit sees the card as it
    left it: closed means `card_closed`) or waits for the visit to commit. Without the lock a visit that
    read the card just before a close committed was stored after the close, on a card already closed that
    day. Desks sharing a card do not wait for each other (share locks do not conflict); SQLite's IMMEDIATE
    transactions serialise every writer already."""
    if row is None:
        raise Refusal(Code.CARD_NOT_FOUND, field="card_number")
    card_id, card_type, issued_on, valid_until, closed_on, children, birth_years, area_id = row
    return card_id, rules.CardFacts(card_type=card_type, issued_on=sql.as_date(issued_on),
                                    valid_until=sql.as_date(valid_until), closed_on=sql.as_date(closed_on),
                                    children=children, children_birth_years=sql.as_int_tuple(birth_years),
                                    area_id=area_id)


def _well_formed(card_number) -> str | None:
    """The card number as `normalise_card_number` gives it, or None where that refuses it (judged later)."""
    try:
        return normalise_card_number(card_number, field="card_number")
    except Refusal:
        return None


def _within_bounds(offering_id: int | None) -> bool:
    try:
        rules.check_offering_id(offering_id)
    except Refusal:
        return False
    return offering_id is not None


def _uses_already(offering_id: int, used_on: datetime.date) -> int:
    return (Visit.objects.filter(offering_id=offering_id, used_on=used_on, cancelled_at__isnull=True)
            .aggregate(total=Sum("uses"))["total"] or 0)


# Tickets of a day's quota taken outside the stored visits: the leases enrolled devices hold (devices/leases.py
# registers its count here, as the app above this one). Each is asked (offering_id, used_on, uses=, lease=),
# under the offering's row lock, and answers what is held for others than this visit.
_quota_holds = []


def register_quota_holds(count) -> None:
    if count not in _quota_holds:
        _quota_holds.append(count)


def quota_taken(offering_id: int, used_on: datetime.date, *, uses: int = 0, lease=None) -> int:
    """The tickets of the day's quota already taken: stored visits and what is held besides. Call it under
    the offering's row lock (every quota decision takes it)."""
    return _uses_already(offering_id, used_on) + sum(
        count(offering_id, used_on, uses=uses, lease=lease) for count in _quota_holds)


def _check_quota_under_lock(offering_id: int, used_on: datetime.date, uses: int, lease=None) -> None:
    # The row lock makes every request for this offering wait its turn, so the sum and the insert
    # after it see the same quota state (and the quota as it is now, not as first read).
    locked = Offering.objects.select_for_update().filter(pk=offering_id)
    ticket_quota = locked.values_list("ticket_quota", flat=True).get()
    if ticket_quota is None:
        return
    rules.check_quota(ticket_quota, quota_taken(offering_id, used_on, uses=uses, lease=lease), uses)


def record_visit(caller: Caller, *, idempotency_key: str | None = None, **visit) -> RecordedVisit:
    """Record a card used at the caller's venue, checking API.md's visit rules in its order. A caller typing at
    an address (API, desk, paper list) is held to the card-number guessing limits: one stopped for guessing is
    refused `throttled`, and an unknown number counts (outside the transaction, so the count survives it).
    `lease` (a device's lease of the day's quota, devices/leases.py) is handed to the quota holds as it is."""
    try:
        with guessing.guarding_registration(caller):
            return _record_visit(caller, idempotency_key=idempotency_key, **visit)
    except IntegrityError:
        # A concurrent request with the same key stored its visit between our look-up and our insert.
        # Catching this outside the transaction (instead of a savepoint around the insert) saves the
        # desk two round trips on every registration.
        replayed = _replay(caller.user.organisation_id, idempotency_key)
        if replayed is None:
            raise
        return replayed


@transaction.atomic
def _record_visit(caller: Caller, *, card_number: str, offering_id: int | None = None,
                  used_on: datetime.date | None = None, children: int | None = None,
                  clients: int | None = None, assistants: int | None = None,
                  idempotency_key: str | None = None, lease=None) -> RecordedVisit:
    require_caller(caller, Action.RECORD_VISIT)
    user = caller.user
    venue_id = user.organisation_id
    _check_idempotency_key(idempotency_key)
    # The earlier visit under this key, the offering and the card are read in one round trip; each is judged in
    # its own place below, so the refusals keep their order (an offering id out of bounds and a malformed
    # number are not looked up).
    well_formed_number = _well_formed(card_number)
    reads = first_reads(venue_id, idempotency_key, offering_id if _within_bounds(offering_id) else None,
                        well_formed_number)
    if reads.earlier is not None:
        return RecordedVisit(reads.earlier, reads.earlier.card_number, created=False)

    children, clients, assistants = children or 0, clients or 0, assistants or 0
    day = today()
    venue_area_id = caller.site.area_id
    # The venue's area's rules: of the recording day for the paper list, of the visit's own day for the rest.
    rules_today = rules_in_force(venue_area_id, day)
    rules.check_ranges(children=children, clients=clients, assistants=assistants, rules=rules_today)
    # A malformed number is refused here, in its place among the rules.
    number = well_formed_number or normalise_card_number(card_number, field="card_number")
    rules.check_offering_id(offering_id)
    offering = None
    if offering_id is not None:
        if reads.offering is None:
            raise Refusal(Code.INVALID, field="offering_id")
        offering = OfferingFacts(*reads.offering)
    used_on = used_on or day
    rules.check_used_on(used_on, day, rules_today)
    visit_rules = rules_today if used_on == day else rules_in_force(venue_area_id, used_on)
    card_id, card = _card_facts(reads.card)
    rules.check_card_usable(card, used_on)
    rules.check_card_area(card, venue_area_id, visit_rules)
    rules.check_party(card, offering.kind if offering else None, children=children, clients=clients,
                      used_on=used_on, rules=visit_rules)
    uses = rules.uses_of(children, clients)
    if offering is not None:
        rules.check_offering_at_venue(offering.venue_id, venue_id)
        if offering.ticket_quota is not None:
            try:
                _check_quota_under_lock(offering.id, used_on, uses, lease)
            except Refusal:
                # A duplicate that waited on the lock while its first request took the last tickets
                # gets the first answer, not 409.
                replayed = _replay(venue_id, idempotency_key)
                if replayed is None:
                    raise
                return replayed

    # The value is the offering's price now: a later price change leaves this visit as it was.
    value = (rules.ticket_value_cents(offering.adult_price_cents, offering.child_price_cents, children=children,
                                      clients=clients) if offering is not None else None)
    recorded_at = timezone.now()
    visit = Visit(card_id=card_id, venue_id=venue_id, offering_id=offering_id, used_on=used_on,
                  children=children, clients=clients, assistants=assistants, uses=uses, ticket_value_cents=value,
                  recorded_by=user, recorded_at=recorded_at, idempotency_key=idempotency_key)
    entry = audit.for_new_row(user, "visit.recorded", "visit", venue_id=venue_id, offering_id=offering_id,
                              used_on=used_on.isoformat(), uses=uses, assistants=assistants)
    visit.pk = changes.insert_visit(_INSERT_SQL, [
        card_id, venue_id, offering_id, used_on, children, clients, assistants, uses, value, user.pk,
        recorded_at, idempotency_key], card_id, entry)
    return RecordedVisit(visit, number, created=True)


@transaction.atomic
def cancel_visit(caller: Caller, visit_id: int) -> None:
    """Cancel a visit recorded at the caller's venue within the cancel window; it then counts nowhere."""
    visit = (Visit.objects.select_for_update(of=("self",)).filter(pk=visit_id, cancelled_at__isnull=True)
             .select_related("venue").only("card_id", "venue_id", "venue__area_id", "recorded_at", "cancelled_at")
             .first())
    if visit is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.CANCEL_VISIT, visit)
    user = caller.user
    now = timezone.now()
    recorded_day = timezone.localdate(visit.recorded_at)
    rules.check_cancellable(visit.recorded_at, now, rules_in_force(visit.venue.area_id, recorded_day))
    visit.cancelled_at = now
    visit.save(update_fields=["cancelled_at"])
    changes.visit_cancelled(visit.card_id, visit.pk)
    audit.record(user, "visit.cancelled", visit, venue_id=visit.venue_id)
