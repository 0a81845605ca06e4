"""The offline desk's API (API.md, "Devices and the offline desk"): enrolling and revoking desk devices, and
what an enrolled device asks while online (its bundle, revocations, leases, the sync of its queued visits)."""

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool, StrictInt, StrictStr

from kaikukanta.accounts.bearer import BearerAuth
from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.policy import Action
from kaikukanta.core.api_support import StrictSchema, language_of
from kaikukanta.core.errors import MEANINGS, Code

from . import admission, leases, selectors, services, sync
from .auth import DeskSessionAuth, DeviceAuth, device_caller

devices_router = Router(tags=["devices"])
offline_router = Router(tags=["offline"], auth=[DeviceAuth(), BearerAuth()])


class EnrolmentCodeIn(StrictSchema):
    venue_id: StrictInt


class EnrolmentCodeOut(Schema):
    code: str = Field(examples=["K7QM4XWP2HRT"], description="Shown once; one use, 15 minutes.")
    venue_id: int
    expires_at: datetime.datetime


class EnrolIn(StrictSchema):
    code: StrictStr = Field(max_length=40, examples=["K7QM-4XWP-2HRT"])
    name: StrictStr = Field(max_length=200, examples=["Lipunmyynti 2"])


class DeviceOut(Schema):
    id: int
    name: str
    venue_id: int
    enrolled_at: datetime.datetime
    last_seen_at: datetime.datetime | None
    last_synced_at: datetime.datetime | None
    pending: int = Field(description="Visits the device last said it still had queued.")
    open_conflicts: int = 0
    revoked: bool


class EnrolledOut(Schema):
    device: DeviceOut
    credential: str = Field(examples=["kkd_5mB0…"], description="The device's bearer secret, shown once.")


class DeviceList(Schema):
    results: list[DeviceOut]


class DeviceFilters(Schema):
    venue_id: int


def device_body(device) -> dict:
    return {"id": device.pk, "name": device.name, "venue_id": device.venue_id, "enrolled_at": device.enrolled_at,
            "last_seen_at": device.last_seen_at, "last_synced_at": device.last_synced_at,
            "pending": device.pending, "open_conflicts": getattr(device, "open_conflicts", 0),
            "revoked": device.revoked_at is not None}


@devices_router.post("/devices/enrolment-codes", response={201: EnrolmentCodeOut})
def issue_enrolment_code(request: HttpRequest, payload: EnrolmentCodeIn):
    """A one-use code that enrols one desk device for the venue within 15 minutes (venue staff of that venue;
    the device then acts for them). Errors: `404 not_found` (no such venue), `403 forbidden`."""
    enrolment, code = services.issue_enrolment_code(Caller.api(request), payload.venue_id)
    return Status(201, {"code": code, "venue_id": enrolment.venue_id, "expires_at": enrolment.expires_at})


@devices_router.post("/devices/enrol", response={201: EnrolledOut}, auth=[BearerAuth(), DeskSessionAuth()])
def enrol_device(request: HttpRequest, payload: EnrolIn):
    """Enrol the device a venue's staff member is signed in on, with a one-use code of that venue; the device
    then acts for that staff member. The answer carries the device's credential once: send it as
    `Authorization: Bearer kkd_…` to `/offline/...`. Besides a token, the signed-in session of the offline
    desk's page is accepted here (with its CSRF token in `X-CSRFToken`), so that the desk enrols itself.
    Errors: `422 enrolment_code_invalid` (wrong, expired or used), `403 forbidden` (not staff of the code's
    venue, or the session's CSRF token missing), `400 invalid` (name empty or over 60 characters),
    `422 personal_data_not_allowed`."""
    device, secret = services.enrol(Caller.api(request), code=payload.code, name=payload.name)
    return Status(201, {"device": device_body(device), "credential": secret})


@devices_router.get("/devices", response=DeviceList)
def list_devices(request: HttpRequest, filters: Query[DeviceFilters]):
    """A venue's desk devices with last-seen time, pending count and open conflicts (its staff, its area's
    coordinator, the national admin). Errors: `404 not_found`, `403 forbidden`."""
    venue = selectors.venue_in_reach(Caller.api(request), filters.venue_id, Action.MANAGE_DEVICES)
    return {"results": [device_body(device) for device in selectors.devices_of(venue)]}


@devices_router.delete("/devices/{device_id}", response={204: None})
def revoke_device(request: HttpRequest, device_id: int):
    """Revoke a device: it can record nothing more; what it still has queued becomes conflicts at its next
    sync, and its leases return. Errors: `404 not_found`, `403 forbidden`."""
    services.revoke_device(Caller.api(request), device_id)
    return Status(204, None)


class OfferingOut(Schema):
    id: int
    name: str
    kind: str
    ticket_quota: int | None


class DeviceRef(Schema):
    id: int
    name: str
    venue_id: int


class BundleOut(Schema):
    device: DeviceRef
    today: datetime.date
    public_key: str = Field(description="Ed25519 public key (raw 32 bytes, base64url) of signed card codes.")
    rules: dict = Field(description="The programme's rules in force today for the venue's area (GET /rules).",
                        examples=[{"max_clients": 10, "max_assistants": 2, "paper_list_days": 31}])
    offerings: list[OfferingOut]


@offline_router.get("/offline/bundle", response=BundleOut)
def offline_bundle(request: HttpRequest):
    """What the device needs offline: its venue's offerings, the rules' parameters and the card-signing public
    key (device credential only). Errors: `403 device_required` (a user's token), `403 device_revoked`."""
    caller = device_caller(request)
    device = services.require_live_device(caller)
    return selectors.bundle(device)


class RevocationsOut(Schema):
    generated_at: datetime.datetime
    numbers: list[str] = Field(examples=[["1234567897"]],
                               description="Closed (and replaced) cards whose printed validity has not ended.")


@offline_router.get("/offline/revocations", response=RevocationsOut)
def offline_revocations(request: HttpRequest):
    """The numbers an offline desk must refuse although a signed card code looks valid. Errors:
    `403 device_required`, `403 device_revoked`."""
    from django.utils import timezone

    services.require_live_device(device_caller(request))
    return {"generated_at": timezone.now(), "numbers": selectors.revoked_numbers()}


class LeaseIn(StrictSchema):
    offering_id: StrictInt
    tickets: StrictInt = Field(examples=[5], description="Unused tickets the device wants to hold, 1..500; "
                               "0 returns its lease of the offering (its unused tickets are free again).")


class LeaseOut(Schema):
    id: int
    offering_id: int
    day: datetime.date
    tickets: int = Field(description="All the device may promise under this lease today.")
    used: int = Field(description="Tickets of this lease's visits stored so far.")
    expires_at: datetime.datetime
    returned: bool


def lease_body(lease) -> dict:
    return {"id": lease.pk, "offering_id": lease.offering_id, "day": lease.day, "tickets": lease.tickets,
            "used": lease.used, "expires_at": lease.expires_at, "returned": lease.returned_at is not None}


@offline_router.post("/offline/leases", response={200: LeaseOut, 201: LeaseOut})
def take_lease(request: HttpRequest, payload: LeaseIn):
    """Take or top up the device's lease of today's quota of an offering with a quota: up to `tickets` unused,
    as many as are free (a lease never shrinks). Held tickets count as taken for everyone until the lease's
    visits are synced, it is returned (`tickets: 0`, answered `200` with the returned lease, or `404` when the
    device holds none) or the day ends. Errors: `400 invalid` (no such offering at the venue, no quota,
    `tickets` out of range), `409 quota_exhausted`, `403 device_required`, `403 device_revoked`."""
    caller = device_caller(request)
    services.require_live_device(caller)
    if payload.tickets == 0:
        return Status(200, lease_body(leases.return_lease(caller, offering_id=payload.offering_id)))
    return Status(201, lease_body(leases.take_lease(caller, offering_id=payload.offering_id,
                                                    tickets=payload.tickets)))


class QueuedVisitIn(StrictSchema):
    key: StrictStr = Field(min_length=1, max_length=100, description="The visit's idempotency key.",
                           examples=["d3b07384-8c1e-4b5a-9f3e-1d2c3b4a5f60"])
    card_number: StrictStr = Field(max_length=20, examples=["1234567897"])
    used_on: datetime.date = Field(description="The visit's own date on the device (Europe/Helsinki).")
    recorded_at: datetime.datetime = Field(description="The device's clock when the visit was recorded.")
    offering_id: StrictInt | None = None
    children: StrictInt = Field(0, ge=0, le=99)
    clients: StrictInt = Field(0, ge=0, le=99)
    assistants: StrictInt = Field(0, ge=0, le=99)
    lease_id: StrictInt | None = Field(None, description="The lease the device promised the tickets on.")
    verified: StrictBool = Field(False, description="The card's signed code was verified on the device.")


class SyncIn(StrictSchema):
    visits: list[QueuedVisitIn] = Field(max_length=sync.MAX_BATCH)
    pending: StrictInt | None = Field(None, ge=0, le=1_000_000,
                                      description="Visits still queued on the device after this batch.")


class OutcomeOut(Schema):
    key: str
    outcome: str = Field(description="`stored`, `conflict` (in the venue's conflict inbox) or `retry`.",
                         examples=["stored"])
    visit_id: int | None
    conflict_id: int | None
    code: str | None = Field(description="Why a conflict or a retry: an error code of the visit rules.")
    message: str | None = Field(description="The code in the caller's language.")


class SyncOut(Schema):
    results: list[OutcomeOut]


@offline_router.post("/offline/visits", response=SyncOut)
def sync_visits(request: HttpRequest, payload: SyncIn):
    """Send up to 100 visits queued offline, oldest first; each is judged in order through the visit service
    with its own date and gets an outcome: `stored` (now, or by an earlier send of its key), `conflict` (the
    rules refused it: kept in the venue's conflict inbox, e.g. `card_closed` for a card closed before the
    visit's date, `card_not_found`, `quota_exhausted`; every visit of a revoked device is `device_revoked`)
    or `retry` (not judged now, `throttled`: send it again later). Sending a batch again is harmless.
    Only a few syncs are judged at once across the service, so that the online desks keep their workers: the
    others are answered at once `429 throttled` with `Retry-After` (seconds, spread at random); send the batch
    again then. Errors: `403 device_required` (a user's token), `400 invalid`, `429 throttled`."""
    caller = device_caller(request)
    queued = [sync.QueuedVisit(**visit.dict()) for visit in payload.visits]
    with admission.sync_slot():
        outcomes = sync.sync_visits(caller, queued, pending=payload.pending)
    language = language_of(request)
    return {"results": [{"key": o.key, "outcome": o.outcome, "visit_id": o.visit_id, "conflict_id": o.conflict_id,
                         "code": o.code,
                         "message": getattr(MEANINGS[Code(o.code)], language) if o.code else None}
                        for o in outcomes]}
