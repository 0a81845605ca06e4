"""The conflict inbox: resolving a visit a device recorded offline and the register refused at sync.

Two ways out, both audited: record it after all (venue staff, judged again now through the visit service with
the visit's own date, its children, clients and assistants corrected if need be), or discard it with a reason
(venue staff or the area's coordinator). A refused attempt leaves the conflict open."""

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
    conflict = Conflict.objects.select_for_update().select_related("venue").filter(pk=conflict_id).first()
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


@transaction.atomic
def record(caller: Caller, conflict_id: int, *, children: int | None = None, clients: int | None = None,
           assistants: int | None = None) -> Conflict:
    """Record the conflict's visit after all, as the caller (venue staff of its venue), under the visit rules
    as they stand now; its idempotency key stays the device's, so it can never be stored twice."""
    conflict = _open_conflict(caller, conflict_id, Action.VIEW_CONFLICTS)
    if caller.user is None or caller.user.organisation_id != conflict.venue_id:
        raise Refusal(Code.FORBIDDEN)
    recorded = visit_services.record_visit(
        caller, idempotency_key=conflict.idempotency_key, card_number=conflict.card_number,
        offering_id=conflict.offering_id, used_on=conflict.used_on,
        children=conflict.children if children is None else children,
        clients=conflict.clients if clients is None else clients,
        assistants=conflict.assistants if assistants is None else assistants)
    conflict.status, conflict.resolved_at, conflict.resolved_by = ConflictStatus.RECORDED, timezone.now(), caller.user
    conflict.visit_id = recorded.visit.pk
    conflict.save(update_fields=["status", "resolved_at", "resolved_by", "visit"])
    audit.record(caller.user, "conflict.recorded", conflict, venue_id=conflict.venue_id, code=conflict.code,
                 visit_id=recorded.visit.pk, children=recorded.visit.children)
    return conflict
