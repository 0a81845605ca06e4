"""Visits: a card used at a venue (API.md, "Visits")."""

import datetime

from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import StrictInt, StrictStr

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.api_support import StrictSchema, keyset_page

from . import selectors, services
from .models import Visit

router = Router(tags=["visits"])


class VisitIn(StrictSchema):
    card_number: StrictStr = Field(description="10 digits; spaces and dashes are ignored.")
    offering_id: StrictInt | None = None
    used_on: datetime.date | None = Field(None, description="Defaults to today (Europe/Helsinki).")
    children: StrictInt | None = Field(None, description="0 up to the children registered on the card.")
    clients: StrictInt | None = Field(None, description="0..10, community cards only.")
    assistants: StrictInt | None = Field(None, description="0..2 free tickets; neither uses nor quota.")


class VisitOut(Schema):
    id: int
    card_number: str
    venue_id: int
    offering_id: int | None
    used_on: datetime.date
    children: int
    clients: int
    assistants: int
    uses: int = Field(description="1 + children + clients.")


class VisitPage(Schema):
    results: list[VisitOut]
    next: str | None


class VisitFilters(Schema):
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")
    venue_id: int | None = None
    offering_id: int | None = None
    after: int | None = Field(None, description="The id after which the page starts (see `next`).")


def visit_body(visit: Visit, card_number: str) -> dict:
    return {"id": visit.pk, "card_number": card_number, "venue_id": visit.venue_id,
            "offering_id": visit.offering_id, "used_on": visit.used_on, "children": visit.children,
            "clients": visit.clients, "assistants": visit.assistants, "uses": visit.uses}


@router.post("/visits", response={200: VisitOut, 201: VisitOut})
def record_visit(request: HttpRequest, payload: VisitIn,
                 idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Record a card used at the caller's venue (venue staff only).

    Rules are checked in this order and the first that fails is returned: `400 invalid` (a field out of
    its range: negative numbers, `clients` over 10, `assistants` over 2; a malformed card number; an
    `offering_id` that does not exist; an `Idempotency-Key` not of 1..100 characters), `400 number_invalid`,
    `422 date_out_of_range`, `404 card_not_found`, `422 card_not_yet_valid`, `422 card_expired`,
    `422 card_closed`, `422 too_many_children`, `422 children_not_allowed_for_course`,
    `422 clients_need_community_card`, `422 children_need_personal_card`, `422 offering_not_at_venue`,
    `409 quota_exhausted`. Also `401 unauthenticated`, `403 forbidden` (not venue staff), and `429 throttled`
    with `Retry-After` (seconds) while the caller or its address is stopped for too many unknown card numbers
    (an unknown number here counts as in the card check).

    The same `Idempotency-Key` from the same venue again returns `200` with the first response's body,
    whatever the new body says, and stores nothing.
    """
    recorded = services.record_visit(Caller.api(request), idempotency_key=idempotency_key,
                                     **payload.dict())
    return Status(201 if recorded.created else 200, visit_body(recorded.visit, recorded.card_number))


@router.delete("/visits/{visit_id}", response={204: None})
def cancel_visit(request: HttpRequest, visit_id: int):
    """Cancel a visit: only the recording venue, within 7 days of recording; it then counts nowhere.

    Errors: `401 unauthenticated`, `403 forbidden` (not the recording venue), `404 not_found` (unknown or
    already cancelled), `409 cancel_window_passed`.
    """
    services.cancel_visit(Caller.api(request), visit_id)
    return Status(204, None)


@router.get("/visits", response=VisitPage)
def list_visits(request: HttpRequest, filters: Query[VisitFilters]):
    """Visits not cancelled, scoped to the caller: a venue its own, a distributor those made with the cards
    it issued, an area coordinator those at its area's venues, the national admin all.

    `from`/`to` bound `used_on` (both included). Errors: `400 invalid` (a bad date, an unknown `venue_id` or
    `offering_id`), `401 unauthenticated`, `403 forbidden` (`venue_id` or `offering_id` outside the scope).
    """
    visits = selectors.visits_visible_to(request.user, date_from=filters.date_from, date_to=filters.date_to,
                                         venue_id=filters.venue_id, offering_id=filters.offering_id)
    return keyset_page(request, visits, lambda visit: visit_body(visit, visit.card_number))
