"""Network endpoints: areas, organisations (sites), offerings and the national settings."""

import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.api_support import PatchSchema, StrictSchema, keyset_page
from kaikukanta.core.clock import today

from . import rules, selectors, services, venue_info
from .models import Area, Offering, Organisation

router = Router(tags=["network"])

Name = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MunicipalityCode = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=3)]
AreaStatus = Literal["preparing", "pilot", "active", "ended"]
OrganisationKind = Literal["distributor", "venue"]
OfferingKind = Literal["event", "course", "sport", "exhibition", "other"]
Quota = Annotated[StrictInt, Field(ge=rules.TICKET_QUOTA_MIN, le=rules.TICKET_QUOTA_MAX)]
Cents = Annotated[StrictInt, Field(ge=rules.TICKET_PRICE_MIN_CENTS, le=rules.TICKET_PRICE_MAX_CENTS)]
PRICE_DOC = "The regular price of one ticket in cents (0-100000); empty when not told."


# Areas

class MunicipalityIn(StrictSchema):
    code: MunicipalityCode
    joined_on: datetime.date | None = Field(None, description="Default: today.")


class AreaIn(StrictSchema):
    name: Name
    status: AreaStatus
    municipalities: list[MunicipalityIn]


class AreaPatch(PatchSchema):
    name: Name | None = None
    status: AreaStatus | None = Field(None, description="Takes effect today.")
    municipalities: list[MunicipalityIn] | None = Field(
        None, description="Replaces the memberships: one left out leaves today, one added joins on its "
                          "joined_on.")


class MunicipalityOut(Schema):
    code: str
    joined_on: datetime.date


class MembershipOut(Schema):
    code: str
    joined_on: datetime.date
    left_on: datetime.date | None


class StatusPeriodOut(Schema):
    status: str
    effective_from: datetime.date


class AreaOut(Schema):
    id: int
    name: str
    status: str | None = Field(description="Today's status.")
    municipalities: list[MunicipalityOut] = Field(description="Members today, and those due to join later.")
    status_history: list[StatusPeriodOut]
    membership_history: list[MembershipOut]


class AreaPage(Schema):
    results: list[AreaOut]
    next: str | None


def _joinings(municipalities: list[MunicipalityIn]) -> list[services.Joining]:
    day = today()
    return [services.Joining(code=item.code, joined_on=item.joined_on or day,
                             field=f"municipalities.{index}.code")
            for index, item in enumerate(municipalities)]


def _area_body(area: Area) -> dict:
    day = today()
    periods = sorted(area.status_periods.all(), key=lambda period: period.effective_from)
    memberships = sorted(area.memberships.all(), key=lambda m: (m.municipality_id, m.joined_on))
    return {
        "id": area.pk,
        "name": area.name,
        "status": selectors.status_among(periods, day),
        "municipalities": [{"code": m.municipality_id, "joined_on": m.joined_on}
                           for m in memberships if m.left_on is None or m.left_on > day],
        "status_history": [{"status": p.status, "effective_from": p.effective_from} for p in periods],
        "membership_history": [{"code": m.municipality_id, "joined_on": m.joined_on, "left_on": m.left_on}
                               for m in memberships],
    }


@router.post("/areas", response={201: AreaOut})
def create_area(request: HttpRequest, payload: AreaIn):
    """Create an area (national admin). The status holds from the earliest joined_on.
    Errors: 400 invalid, 403 forbidden, 422 municipality_unknown, 409 municipality_taken."""
    area = services.create_area(Caller.api(request), name=payload.name, status=payload.status,
                                joinings=_joinings(payload.municipalities))
    return Status(201, _area_body(selectors.area_for(request.user, area.pk)))


@router.get("/areas", response=AreaPage)
def list_areas(request: HttpRequest):
    """Areas the caller may read: all for the national admin, its own for a coordinator, none otherwise."""
    areas = selectors.areas_visible_to(request.user).prefetch_related("status_periods", "memberships")
    return keyset_page(request, areas, _area_body)


@router.get("/areas/{area_id}", response=AreaOut)
def get_area(request: HttpRequest, area_id: int):
    """Errors: 403 forbidden (another area), 404 not_found."""
    return _area_body(selectors.area_for(request.user, area_id))


@router.patch("/areas/{area_id}", response=AreaOut)
def update_area(request: HttpRequest, area_id: int, payload: AreaPatch):
    """Change an area (national admin); history stays, so figures as of earlier dates do not change.
    Errors: 400 invalid, 403 forbidden, 404 not_found, 422 municipality_unknown, 409 municipality_taken."""
    changes = payload.changes()
    services.update_area(
        Caller.api(request), area_id, name=changes.get("name"), status=changes.get("status"),
        joinings=_joinings(payload.municipalities) if payload.municipalities is not None else None)
    return _area_body(selectors.area_for(request.user, area_id))


# Organisations

ContactName = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=200)]
ContactEmail = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=254)]
ContactPhone = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=40)]
GuidelineVersion = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=40)]
Website = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=venue_info.WEBSITE_LENGTH),
                    Field(description="The venue's website, http or https.")]
PublicPhone = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=venue_info.PHONE_LENGTH),
                        Field(description="The venue's public phone (a ticket office, not a person): digits, "
                                          "spaces, hyphens, brackets and a leading +; 5-15 digits.")]
PublicEmail = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=venue_info.EMAIL_LENGTH),
                        Field(description="The venue's public e-mail address as an organisation.")]


def _text(field: str):
    return Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=venue_info.TEXT_LENGTHS[field])]


StreetAddress, OpeningHours = _text("street_address"), _text("opening_hours")
BookingInfo, AccessibilityInfo = _text("booking_info"), _text("accessibility_info")
Category = Annotated[StrictStr, Field(description=(
    "Venues: theatre, museum, music, cinema, dance, festival, library, visual_arts, adult_education, "
    "science_centre, sport, other. Distributors: social_services, health_services, wellbeing, "
    "youth_services, ngo, other."))]
Sector = Annotated[StrictStr, Field(description="Venues only, required: culture, education, science, sport.")]


class OrganisationIn(StrictSchema):
    name: Name
    kind: OrganisationKind
    area_id: StrictInt
    municipality: MunicipalityCode
    category: Category
    sector: Sector | None = None
    contact_name: ContactName = ""
    contact_email: ContactEmail = ""
    contact_phone: ContactPhone = ""
    guideline_version: GuidelineVersion = ""
    guideline_committed_on: datetime.date | None = None
    website: Website = ""
    public_phone: PublicPhone = ""
    public_email: PublicEmail = ""
    street_address: StreetAddress = ""
    opening_hours: OpeningHours = ""
    booking_info: BookingInfo = ""
    accessibility_info: AccessibilityInfo = ""
    children_welcome: StrictBool = False
    booking_needed: StrictBool = True
    active_from: datetime.date | None = Field(None, description="Default: today.")


class OrganisationPatch(PatchSchema):
    clearable = frozenset({"sector", "guideline_committed_on"})

    name: Name | None = None
    municipality: MunicipalityCode | None = None
    category: Category | None = None
    sector: Sector | None = None
    active: StrictBool | None = Field(None, description="false takes the site out of the network from today.")
    contact_name: ContactName | None = None
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None
    guideline_version: GuidelineVersion | None = None
    guideline_committed_on: datetime.date | None = None
    website: Website | None = None
    public_phone: PublicPhone | None = None
    public_email: PublicEmail | None = None
    street_address: StreetAddress | None = None
    opening_hours: OpeningHours | None = None
    booking_info: BookingInfo | None = None
    accessibility_info: AccessibilityInfo | None = None
    children_welcome: StrictBool | None = None
    booking_needed: StrictBool | None = None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    area_id: int
    municipality: str
    category: str
    sector: str | None
    active: bool
    active_from: datetime.date
    inactive_from: datetime.date | None
    contact_name: str
    contact_email: str
    contact_phone: str
    guideline_version: str
    guideline_committed_on: datetime.date | None
    website: str
    public_phone: str
    public_email: str
    street_address: str
    opening_hours: str
    booking_info: str
    accessibility_info: str
    children_welcome: bool
    booking_needed: bool


class OrganisationPage(Schema):
    results: list[OrganisationOut]
    next: str | None


class OrganisationFilter(Schema):
    area_id: int | None = None
    kind: OrganisationKind | None = None


def _organisation_body(organisation: Organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "kind": organisation.kind,
        "area_id": organisation.area_id,
        "municipality": organisation.municipality_id,
        "category": organisation.category,
        "sector": organisation.sector or None,
        "active": organisation.active,
        "active_from": organisation.active_from,
        "inactive_from": organisation.inactive_from,
        "contact_name": organisation.contact_name,
        "contact_email": organisation.contact_email,
        "contact_phone": organisation.contact_phone,
        "guideline_version": organisation.guideline_version,
        "guideline_committed_on": organisation.guideline_committed_on,
        **{field: getattr(organisation, field) for field in venue_info.FIELDS},
    }


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn):
    """Create a site in an area (national admin, or the area's coordinator).
    Errors: 400 invalid (area_id unknown, category or sector not for the kind), 403 forbidden,
    422 municipality_unknown, 422 municipality_not_in_area."""
    organisation = services.create_organisation(Caller.api(request), **payload.model_dump())
    return Status(201, _organisation_body(organisation))


@router.get("/organisations", response=OrganisationPage)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]):
    """Sites the caller may read: all (national admin), its area's (coordinator), its own (site staff).
    Errors: 400 invalid (unknown area_id), 403 forbidden (area_id outside the caller's scope)."""
    organisations = selectors.organisation_list(request.user, area_id=filters.area_id, kind=filters.kind)
    return keyset_page(request, organisations, _organisation_body)


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, organisation_id: int):
    """Errors: 403 forbidden (outside the caller's scope), 404 not_found."""
    return _organisation_body(selectors.organisation_for(request.user, organisation_id))


@router.patch("/organisations/{organisation_id}", response=OrganisationOut)
def update_organisation(request: HttpRequest, organisation_id: int, payload: OrganisationPatch):
    """Change a site (national admin, or its area's coordinator).
    Errors: 400 invalid, 403 forbidden, 404 not_found, 422 municipality_unknown,
    422 municipality_not_in_area."""
    organisation = services.update_organisation(Caller.api(request), organisation_id, **payload.changes())
    return _organisation_body(organisation)


# Offerings

class OfferingIn(StrictSchema):
    venue_id: StrictInt
    name: Name
    kind: OfferingKind
    date: datetime.date | None = None
    ticket_quota: Quota | None = Field(None, description="Card tickets per day; 0 means none left.")
    adult_price_cents: Cents | None = Field(None, description=PRICE_DOC)
    child_price_cents: Cents | None = Field(None, description=PRICE_DOC)


class OfferingPatch(PatchSchema):
    clearable = frozenset({"date", "ticket_quota", "adult_price_cents", "child_price_cents"})

    name: Name | None = None
    kind: OfferingKind | None = None
    date: datetime.date | None = None
    ticket_quota: Quota | None = None
    adult_price_cents: Cents | None = None
    child_price_cents: Cents | None = None
    archived: StrictBool | None = None


class OfferingOut(Schema):
    id: int
    venue_id: int
    name: str
    kind: str
    date: datetime.date | None
    ticket_quota: int | None
    adult_price_cents: int | None
    child_price_cents: int | None
    archived: bool


class OfferingPage(Schema):
    results: list[OfferingOut]
    next: str | None


class OfferingFilter(Schema):
    venue_id: int | None = None
    on: datetime.date | None = Field(None, description="Offerings of that day and those without a date.")
    archived: bool = Field(False, description="false (the default): only offerings in use; true: only the "
                                              "archived ones. Ignored with include_archived=true.")
    include_archived: bool = Field(False, description="true: offerings in use and archived ones together.")


def _offering_body(offering: Offering) -> dict:
    return {"id": offering.pk, "venue_id": offering.venue_id, "name": offering.name, "kind": offering.kind,
            "date": offering.date, "ticket_quota": offering.ticket_quota,
            "adult_price_cents": offering.adult_price_cents, "child_price_cents": offering.child_price_cents,
            "archived": offering.archived}


@router.post("/offerings", response={201: OfferingOut})
def create_offering(request: HttpRequest, payload: OfferingIn):
    """Add an offering to a venue (its staff, its area's coordinator, national admin).
    Errors: 400 invalid (venue_id unknown or not a venue), 403 forbidden."""
    offering = services.create_offering(Caller.api(request), **payload.model_dump())
    return Status(201, _offering_body(offering))


@router.get("/offerings", response=OfferingPage)
def list_offerings(request: HttpRequest, filters: Query[OfferingFilter]):
    """Offerings the caller may read; archived ones only when asked for (`archived=true` alone, or
    `include_archived=true` with the rest). Errors: 400 invalid (venue_id unknown or not a venue),
    403 forbidden (venue outside the caller's scope)."""
    archived = None if filters.include_archived else filters.archived
    offerings = selectors.offering_list(request.user, venue_id=filters.venue_id, on=filters.on, archived=archived)
    return keyset_page(request, offerings, _offering_body)


@router.get("/offerings/{offering_id}", response=OfferingOut)
def get_offering(request: HttpRequest, offering_id: int):
    """Errors: 403 forbidden (another venue's), 404 not_found."""
    return _offering_body(selectors.offering_for(request.user, offering_id))


@router.patch("/offerings/{offering_id}", response=OfferingOut)
def update_offering(request: HttpRequest, offering_id: int, payload: OfferingPatch):
    """Errors: 400 invalid, 403 forbidden, 404 not_found."""
    return _offering_body(services.update_offering(Caller.api(request), offering_id, **payload.changes()))


# National settings

class SettingsOut(Schema):
    max_validity_months: int


class SettingsPatch(PatchSchema):
    max_validity_months: Annotated[StrictInt, Field(ge=rules.MAX_VALIDITY_MONTHS_MIN,
                                                   le=rules.MAX_VALIDITY_MONTHS_MAX)] | None = Field(
        None, description="The longest validity of a card, in months (1..60).")


@router.get("/settings", response=SettingsOut)
def get_settings(request: HttpRequest):
    """The national settings, readable by every user."""
    return {"max_validity_months": selectors.national_settings(request.user).max_validity_months}


@router.patch("/settings", response=SettingsOut)
def update_settings(request: HttpRequest, payload: SettingsPatch):
    """National admin only. Errors: 400 invalid (max_validity_months outside 1..60), 403 forbidden."""
    settings_row = services.update_settings(Caller.api(request), **payload.changes())
    return {"max_validity_months": settings_row.max_validity_months}
