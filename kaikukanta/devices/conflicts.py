"""The conflict inbox: resolving a visit a device recorded offline and the register refused at sync.

Two ways out, both audited: record it after all (judged again now through the visit service with the visit's
own date: as the device sent it by the area's coordinator or the national admin, with its children, clients
and assistants corrected by the venue's staff too), or discard it with a reason (venue staff or the area's
coordinator). A refused attempt leaves the conflict open."""

from django.db import transaction
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.policy import Action, require_caller
from kaikukanta.core import audit
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.personal_data import check_free_text
from kaikukanta.visits import services as visit_services

from .models import Conflict, ConflictStatus

MAX_REASON = 200


def _open_conflict(caller: Caller, conflict_id: int, action: Action) -> Conflict:
    conflict = (Conflict.objects.select_for_update(of=("self",)).select_related("venue", "device__user")
                .filter(pk=conflict_id).first())
    if conflict is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, action, conflict.venue)
    if conflict.status != ConflictStatus.OPEN:
        raise Refusal(Code.CONFLICT_RESOLVED)
    return conflict


@transaction.atomic
def discard(caller: Caller, conflict_id: int, *, reason: str) -> Conflict:
    conflict = _open_conflict(caller, conflict_id, Action.DISCARD_CONFLICT)
    reason = " ".join((reason or "").split())
    if not 1 <= len(reason) <= MAX_REASON:
        raise Refusal(Code.INVALID, field="reason")
    check_free_text(reason, "reason")
    conflict.status, conflict.resolved_at, conflict.resolved_by = ConflictStatus.DISCARDED, timezone.now(), caller.user
    conflict.resolution_reason = reason
    conflict.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_reason"])
    audit.record(caller.user, "conflict.discarded", conflict, venue_id=conflict.venue_id, code=conflict.code,
                 reason=reason)
    return conflict


PARTY = ("children", "clients", "assistants")


def _recording_caller(caller: Caller, conflict: Conflict) -> Caller:
    """Whom the visit is recorded as: the caller when it is the venue's own staff; for the coordinator or the
    national admin, the staff member whose device recorded it (the visit is theirs, at their venue), on the
    caller's channel and address. The audit record names who decided."""
    if caller.user.organisation_id == conflict.venue_id:
        return caller
    staff = conflict.device.user
    return Caller(user=staff, site=conflict.venue, address=caller.address, channel=caller.channel)


@transaction.atomic
def record(caller: Caller, conflict_id: int, *, children: int | None = None, clients: int | None = None,
           assistants: int | None = None) -> Conflict:
    """Record the conflict's visit after all, judged again now by the visit rules with the visit's own date;
    its idempotency key stays the device's, so it can never be stored twice.

    As the device sent it (nothing corrected) only the area's coordinator or the national admin may
    (`record_conflict`: `conflict_needs_coordinator` for the venue's staff); with the party corrected the
    venue's staff may too (`correct_conflict`). A refusal of the rules leaves the conflict open."""
    conflict = _open_conflict(caller, conflict_id, Action.VIEW_CONFLICTS)
    given = dict(zip(PARTY, (children, clients, assistants), strict=True))
    corrected = {name: value for name, value in given.items()
                 if value is not None and value != getattr(conflict, name)}
    if corrected:
        require_caller(caller, Action.CORRECT_CONFLICT, conflict.venue)
    else:
        require_caller(caller, Action.RECORD_CONFLICT, conflict.venue, refusal=Code.CONFLICT_NEEDS_COORDINATOR)
    party = {name: corrected.get(name, getattr(conflict, name)) for name in PARTY}
    recorded = visit_services.record_visit(
        _recording_caller(caller, conflict), idempotency_key=conflict.idempotency_key,
        card_number=conflict.card_number, offering_id=conflict.offering_id, used_on=conflict.used_on, **party)
    as_sent = {name: getattr(conflict, name) for name in PARTY}
    # The conflict then shows the party recorded; what the device sent stays in the audit record.
    for name, value in party.items():
        setattr(conflict, name, value)
    conflict.status, conflict.resolved_at, conflict.resolved_by = ConflictStatus.RECORDED, timezone.now(), caller.user
    conflict.visit_id = recorded.visit.pk
    conflict.save(update_fields=["status", "resolved_at", "resolved_by", "visit", *PARTY])
    audit.record(caller.user, "conflict.recorded", conflict, venue_id=conflict.venue_id, code=conflict.code,
                 visit_id=recorded.visit.pk, corrected=corrected, as_sent=as_sent)
    return conflict
