"""Reads of the network as of a date. Area statuses and memberships keep their history, so
a question about an earlier date gets the answer it would have had then."""

import datetime

from django.db.models import Q

from kaikukanta.accounts.models import Role
from kaikukanta.accounts.policy import Action, require, scope_filter
from kaikukanta.core.errors import Code, Refusal

from .models import (
    IN_NETWORK_STATUSES,
    Area,
    AreaStatusPeriod,
    Membership,
    NationalSettings,
    Offering,
    Organisation,
    OrganisationKind,
)


def area_statuses_on(day: datetime.date) -> dict[int, str]:
    """The status of every area that had one on `day`."""
    statuses: dict[int, str] = {}
    for area_id, status in (AreaStatusPeriod.objects.filter(effective_from__lte=day)
                            .order_by("area_id", "effective_from").values_list("area_id", "status")):
        statuses[area_id] = status
    return statuses


def status_among(periods, day: datetime.date) -> str | None:
    """The status on `day` among an area's already fetched periods."""
    current = None
    for period in sorted(periods, key=lambda p: p.effective_from):
        if period.effective_from <= day:
            current = period.status
    return current


def area_status_on(area: Area, day: datetime.date) -> str | None:
    period = area.status_periods.filter(effective_from__lte=day).order_by("-effective_from").first()
    return period.status if period else None


def areas_in_network_on(day: datetime.date) -> set[int]:
    return {area_id for area_id, status in area_statuses_on(day).items() if status in IN_NETWORK_STATUSES}


def memberships_on(day: datetime.date):
    return Membership.objects.filter(joined_on__lte=day).exclude(left_on__lte=day)


def network_municipalities_on(day: datetime.date, area_id: int | None = None) -> set[str]:
    """Codes of municipalities belonging on `day` to an area that is pilot or active then."""
    in_network = areas_in_network_on(day)
    if area_id is not None:
        in_network &= {area_id}
    return set(memberships_on(day).filter(area_id__in=in_network).values_list("municipality_id", flat=True))


def municipality_in_network(code: str, day: datetime.date) -> bool:
    area_ids = list(memberships_on(day).filter(municipality_id=code).values_list("area_id", flat=True))
    if not area_ids:
        return False
    statuses = area_statuses_on(day)
    return any(statuses.get(area_id) in IN_NETWORK_STATUSES for area_id in area_ids)


def area_of_municipality_on(code: str, day: datetime.date) -> int | None:
    return memberships_on(day).filter(municipality_id=code).values_list("area_id", flat=True).first()


def open_memberships(area: Area, day: datetime.date):
    """Memberships of `area` that have not ended by `day`, including ones that begin later."""
    return area.memberships.filter(Q(left_on__isnull=True) | Q(left_on__gt=day))


def municipality_in_area_on(code: str, area: Area, day: datetime.date) -> bool:
    return memberships_on(day).filter(area=area, municipality_id=code).exists()


def areas_visible_to(user):
    if user.role == Role.NATIONAL_ADMIN:
        return Area.objects.all()
    if user.role == Role.AREA_COORDINATOR and user.area_id is not None:
        return Area.objects.filter(pk=user.area_id)
    return Area.objects.none()


def area_for(user, area_id: int) -> Area:
    """The area with this id as `user` may read it: 404 if there is none, 403 outside the user's scope."""
    area = Area.objects.prefetch_related("status_periods", "memberships").filter(pk=area_id).first()
    if area is None:
        raise Refusal(Code.NOT_FOUND)
    require(user, Action.VIEW_AREA, area)
    return area


def area_in_scope(user, area: Area) -> bool:
    """Whether `area` is one the user works in: any for the national admin, else its own or its site's."""
    if user.role == Role.NATIONAL_ADMIN:
        return True
    if user.role == Role.AREA_COORDINATOR:
        return user.area_id == area.pk
    return user.organisation is not None and user.organisation.area_id == area.pk


def organisations_visible_to(user):
    return Organisation.objects.filter(scope_filter(user, area="area_id",
                                                    site={Role.DISTRIBUTOR: "pk", Role.VENUE: "pk"}))


def organisation_list(user, *, area_id: int | None = None, kind: str | None = None):
    """The sites `user` may read, narrowed to an area (400 if unknown, 403 outside the caller's scope)
    and a kind."""
    organisations = organisations_visible_to(user)
    if area_id is not None:
        area = Area.objects.filter(pk=area_id).first()
        if area is None:
            raise Refusal(Code.INVALID, field="area_id")
        if not area_in_scope(user, area):
            raise Refusal(Code.FORBIDDEN, field="area_id")
        organisations = organisations.filter(area=area)
    if kind is not None:
        organisations = organisations.filter(kind=kind)
    return organisations


def organisation_for(user, organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise Refusal(Code.NOT_FOUND)
    require(user, Action.VIEW_ORGANISATION, organisation)
    return organisation


def offerings_visible_to(user):
    return Offering.objects.select_related("venue").filter(
        scope_filter(user, area="venue__area_id", site={Role.VENUE: "venue_id"}))


def offering_list(user, *, venue_id: int | None = None, on: datetime.date | None = None):
    """The offerings `user` may read, narrowed to a venue (400 if it is no venue, 403 outside the caller's
    scope) and to a day (offerings dated that day and those without a date)."""
    offerings = offerings_visible_to(user)
    if venue_id is not None:
        venue = Organisation.objects.filter(pk=venue_id, kind=OrganisationKind.VENUE).first()
        if venue is None:
            raise Refusal(Code.INVALID, field="venue_id")
        require(user, Action.VIEW_OFFERING, venue)
        offerings = offerings.filter(venue=venue)
    if on is not None:
        offerings = offerings.filter(Q(date=on) | Q(date__isnull=True))
    return offerings


def offering_for(user, offering_id: int) -> Offering:
    offering = Offering.objects.select_related("venue").filter(pk=offering_id).first()
    if offering is None:
        raise Refusal(Code.NOT_FOUND)
    require(user, Action.VIEW_OFFERING, offering.venue)
    return offering


def national_settings(user) -> NationalSettings:
    require(user, Action.VIEW_SETTINGS)
    return NationalSettings.current()
