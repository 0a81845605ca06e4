"""The conflict inbox's API (API.md, "Devices and the offline desk"): the visits devices recorded offline that
the register refused at sync, and their resolution (record after all, or discard with a reason)."""

import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StrictInt, StrictStr

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.policy import Action
from kaikukanta.core.api_support import StrictSchema, keyset_page, language_of
from kaikukanta.core.errors import MEANINGS, Code

from . import conflicts, selectors
from .models import Conflict

conflicts_router = Router(tags=["devices"])


class ConflictFilters(Schema):
    venue_id: int
    status: Literal["open", "recorded", "discarded"] = Field(
        "open", description="`open` (the inbox, default), `recorded` or `discarded` (its history).")
    after: int | None = Field(None, description="The id after which the page starts (see `next`).")


class ConflictOut(Schema):
    id: int = Field(examples=[41])
    venue_id: int
    device_id: int
    device_name: str = Field(examples=["Ovi 1"])
    key: str = Field(description="The visit's idempotency key on the device.")
    card_number: str = Field(examples=["1234567897"], description="As the device sent it (typed or scanned).")
    offering_id: int | None
    used_on: datetime.date
    children: int
    clients: int
    assistants: int
    recorded_at: datetime.datetime = Field(description="The device's clock when the visit was recorded.")
    verified: bool = Field(description="The card's signed code was verified on the device.")
    code: str = Field(examples=["card_closed"], description="Why the register refused it at sync.")
    message: str = Field(description="The code in the caller's language.")
    status: str = Field(examples=["open"], description="`open`, `recorded` or `discarded`.")
    created_at: datetime.datetime
    resolved_at: datetime.datetime | None
    reason: str = Field(description="Why it was discarded (empty otherwise).")
    visit_id: int | None = Field(description="The visit stored when it was recorded after all.")


class ConflictPage(Schema):
    results: list[ConflictOut]
    next: str | None


class RecordIn(StrictSchema):
    children: StrictInt | None = Field(None, ge=0, le=99, examples=[1],
                                       description="Corrected children (default: as the device sent it).")
    clients: StrictInt | None = Field(None, ge=0, le=99)
    assistants: StrictInt | None = Field(None, ge=0, le=99)


class DiscardIn(StrictSchema):
    reason: StrictStr = Field(max_length=400, examples=["Kirjattu kahdesti: sama perhe, eri laite"],
                              description="1..200 characters, no personal data.")


def conflict_body(conflict: Conflict, language: str) -> dict:
    return {"id": conflict.pk, "venue_id": conflict.venue_id, "device_id": conflict.device_id,
            "device_name": conflict.device.name, "key": conflict.idempotency_key,
            "card_number": conflict.card_number, "offering_id": conflict.offering_id, "used_on": conflict.used_on,
            "children": conflict.children, "clients": conflict.clients, "assistants": conflict.assistants,
            "recorded_at": conflict.device_recorded_at, "verified": conflict.verified, "code": conflict.code,
            "message": getattr(MEANINGS[Code(conflict.code)], language), "status": conflict.status,
            "created_at": conflict.created_at, "resolved_at": conflict.resolved_at,
            "reason": conflict.resolution_reason, "visit_id": conflict.visit_id}


@conflicts_router.get("/devices/conflicts", response=ConflictPage)
def list_conflicts(request: HttpRequest, filters: Query[ConflictFilters]):
    """A venue's conflict inbox: the visits its devices recorded offline that the register refused at sync,
    with the reason in the caller's language (its staff, its area's coordinator, the national admin), 100 a
    page by id. `status=recorded` or `discarded` lists the resolved ones. Errors: `404 not_found` (no such
    venue), `403 forbidden`, `400 invalid` (a `status` other than those three)."""
    venue = selectors.venue_in_reach(Caller.api(request), filters.venue_id, Action.VIEW_CONFLICTS)
    language = language_of(request)
    return keyset_page(request, selectors.conflicts_of(venue, status=filters.status),
                       lambda conflict: conflict_body(conflict, language))


@conflicts_router.post("/devices/conflicts/{conflict_id}/record", response=ConflictOut)
def record_conflict(request: HttpRequest, conflict_id: int, payload: RecordIn | None = None):
    """Record a conflict's visit after all, judged again now by the visit rules with the visit's own date and
    the device's idempotency key (so never twice). Without a body, or with the party as the device sent it,
    only the venue's area coordinator or the national admin may (`403 conflict_needs_coordinator` for its
    staff); with `children`, `clients` or `assistants` corrected the venue's staff may too. Answers the
    recorded conflict with its `visit_id` and the party recorded (what the device sent stays in the audit
    record). Errors: `404 not_found`, `403 forbidden`, `409 conflict_resolved`,
    and every refusal of `POST /visits` (e.g. `422 card_closed`, `409 quota_exhausted`), which leaves the
    conflict open."""
    caller = Caller.api(request)
    party = payload.dict() if payload is not None else {}
    conflict = conflicts.record(caller, conflict_id, **party)
    return conflict_body(selectors.conflict_in_reach(caller, conflict.pk), language_of(request))


@conflicts_router.post("/devices/conflicts/{conflict_id}/discard", response=ConflictOut)
def discard_conflict(request: HttpRequest, conflict_id: int, payload: DiscardIn):
    """Close a conflict without storing its visit, with a reason (the venue's staff, its area's coordinator,
    the national admin); audited. Errors: `404 not_found`, `403 forbidden`, `409 conflict_resolved`,
    `400 invalid` (field `reason`: empty or over 200 characters), `422 personal_data_not_allowed`."""
    caller = Caller.api(request)
    conflict = conflicts.discard(caller, conflict_id, reason=payload.reason)
    return conflict_body(selectors.conflict_in_reach(caller, conflict.pk), language_of(request))
