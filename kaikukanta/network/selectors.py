"""Reads of the network as of a date. Area statuses and memberships keep their history, so
a question about an earlier date gets the answer it would have had then."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from kaikukanta.accounts.models import Role
from kaikukanta.accounts.policy import Action, require, scope_filter
from kaikukanta.accounts.policy import area_in_scope as policy_area_in_scope
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.reference.models import LowIncomeFigure, Municipality

from .models import (
    IN_NETWORK_STATUSES,
    Area,
    AreaStatusPeriod,
    GuidelineCommitment,
    GuidelineVersion,
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
    return network_municipalities_on_days([day], area_id)[day]


def network_municipalities_on_days(days, area_id: int | None = None) -> dict[datetime.date, set[str]]:
    """`network_municipalities_on` of each of `days`, from one read of the statuses and one of the memberships
    (a yearly table asks it of every year-end)."""
    periods = list(AreaStatusPeriod.objects.order_by("area_id", "effective_from")
                   .values_list("area_id", "status", "effective_from"))
    memberships = Membership.objects.order_by()
    if area_id is not None:
        memberships = memberships.filter(area_id=area_id)
    joined = list(memberships.values_list("area_id", "municipality_id", "joined_on", "left_on"))
    found = {}
    for day in days:
        statuses = {area: status for area, status, since in periods if since <= day}   # the latest wins
        in_network = {area for area, status in statuses.items() if status in IN_NETWORK_STATUSES}
        found[day] = {code for area, code, joined_on, left_on in joined
                      if area in in_network and joined_on <= day and (left_on is None or left_on > day)}
    return found


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
    return Area.objects.filter(scope_filter(user, area="pk", site={}))


def area_for(user, area_id: int) -> Area:
    """The area with this id as `user` may read it: 404 if there is none, 403 outside the user's scope."""
    area = Area.objects.prefetch_related("status_periods", "memberships").filter(pk=area_id).first()
    if area is None:
        raise Refusal(Code.NOT_FOUND)
    require(user, Action.VIEW_AREA, area)
    return area


def area_in_scope(user, area: Area) -> bool:
    return policy_area_in_scope(user, area)


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


def organisation_to_update(user, organisation_id: int) -> Organisation:
    """A site as its edit form shows it: refused as `update_organisation` would refuse the change."""
    organisation = organisation_for(user, organisation_id)
    require(user, Action.UPDATE_ORGANISATION, organisation)
    return organisation


def offerings_visible_to(user):
    return Offering.objects.select_related("venue").filter(
        scope_filter(user, area="venue__area_id", site={Role.VENUE: "venue_id"}))


def offering_list(user, *, venue_id: int | None = None, on: datetime.date | None = None,
                  archived: bool | None = None):
    """The offerings `user` may read, narrowed to a venue (400 if it is no venue, 403 outside the caller's
    scope), to a day (offerings dated that day and those without a date) and, unless `archived` is None,
    to the archived ones (True) or those in use (False)."""
    offerings = offerings_visible_to(user)
    if archived is not None:
        offerings = offerings.filter(archived=archived)
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


def offering_to_manage(user, offering_id: int) -> Offering:
    """An offering as its edit form shows it: refused as `update_offering` would refuse the change."""
    offering = offering_for(user, offering_id)
    require(user, Action.MANAGE_OFFERINGS, offering)
    return offering


def national_settings(user) -> NationalSettings:
    require(user, Action.VIEW_SETTINGS)
    return NationalSettings.current()


# Pages of coordinators and the national admin

def organisation_search(user, *, area_id: int | None = None, kind: str | None = None, category: str | None = None,
                        sector: str | None = None, municipality: str | None = None, active: bool | None = None,
                        text: str | None = None):
    """The sites `user` may read, narrowed by whatever filters are given."""
    organisations = organisation_list(user, area_id=area_id, kind=kind).select_related("area", "municipality")
    if category:
        organisations = organisations.filter(category=category)
    if sector:
        organisations = organisations.filter(sector=sector)
    if municipality:
        organisations = organisations.filter(municipality_id=municipality)
    if active is not None:
        organisations = organisations.filter(active=active)
    if text:
        organisations = organisations.filter(name__icontains=text)
    return organisations.order_by("name", "pk")


def municipalities_of_areas(user, area: Area | None = None):
    """The municipalities a site of `area` (or of any area the user works in) may lie in today."""
    areas = [area.pk] if area is not None else areas_visible_to(user).values_list("pk", flat=True)
    codes = memberships_on(today()).filter(area_id__in=areas).values_list("municipality_id", flat=True)
    return Municipality.objects.filter(code__in=codes).order_by("name_fi")


def current_municipalities():
    """Municipalities of the current reference file, the ones an area can take in."""
    return Municipality.objects.filter(in_current_file=True).order_by("name_fi")


def user_search(user, *, role: str | None = None, organisation_id: int | None = None, active: bool | None = None,
                text: str | None = None):
    """The users `user` may read (see accounts.selectors), narrowed by the filters given."""
    from kaikukanta.accounts.selectors import user_list

    users = user_list(user, role=role, organisation_id=organisation_id).select_related("organisation", "area")
    if active is not None:
        users = users.filter(is_active=active)
    if text:
        users = users.filter(username__icontains=text)
    return users.order_by("username")


@dataclass(frozen=True)
class TimelineEvent:
    day: datetime.date
    kind: str  # "status", "joined" or "left"
    status: str = ""
    municipality: Municipality | None = None


def area_timeline(area: Area) -> list[TimelineEvent]:
    """The area's history as dated events, oldest first: status changes, municipalities joining and leaving."""
    events = [TimelineEvent(period.effective_from, "status", status=period.status)
              for period in area.status_periods.all()]
    for membership in area.memberships.select_related("municipality"):
        events.append(TimelineEvent(membership.joined_on, "joined", municipality=membership.municipality))
        if membership.left_on is not None:
            events.append(TimelineEvent(membership.left_on, "left", municipality=membership.municipality))
    order = {"status": 0, "joined": 1, "left": 2}
    return sorted(events, key=lambda event: (event.day, order[event.kind],
                                             event.municipality.code if event.municipality else ""))


def guideline_versions():
    """Every published version, newest first. The guidelines are national: anyone signed in may read them."""
    return (GuidelineVersion.objects.annotate(commitment_count=Count("commitments"))
            .order_by("-published_on", "-id"))


def guideline_version(version_id: int) -> GuidelineVersion:
    version = GuidelineVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise Refusal(Code.NOT_FOUND)
    return version


@dataclass(frozen=True)
class GuidelineStatus:
    """Who in a scope has committed to a version and who has not: active sites only."""

    version: GuidelineVersion
    committed: list[GuidelineCommitment]
    not_committed: list[Organisation]

    @property
    def total(self) -> int:
        return len(self.committed) + len(self.not_committed)


def guideline_status(user, version: GuidelineVersion, *, area_id: int | None = None) -> GuidelineStatus:
    sites = (organisation_list(user, area_id=area_id).filter(active=True)
             .select_related("area", "municipality").order_by("name", "pk"))
    commitments = {commitment.organisation_id: commitment for commitment in
                   GuidelineCommitment.objects.filter(version=version, organisation__in=sites)
                   .select_related("recorded_by")}
    committed, not_committed = [], []
    for site in sites:
        if site.pk in commitments:
            commitment = commitments[site.pk]
            commitment.organisation = site
            committed.append(commitment)
        else:
            not_committed.append(site)
    return GuidelineStatus(version=version, committed=committed, not_committed=not_committed)


def guideline_commitments_of(organisation: Organisation) -> list[tuple[GuidelineVersion, GuidelineCommitment | None]]:
    """Every version, newest first, with the site's commitment to it if there is one."""
    commitments = {commitment.version_id: commitment
                   for commitment in organisation.guideline_commitments.select_related("recorded_by")}
    return [(version, commitments.get(version.pk))
            for version in GuidelineVersion.objects.order_by("-published_on", "-id")]


@dataclass(frozen=True)
class LowIncomeYear:
    year: int
    municipalities: int
    persons: int


def low_income_years() -> list[LowIncomeYear]:
    """What figures are loaded: per year, how many municipalities have one and their sum, newest first."""
    rows = (LowIncomeFigure.objects.values("year")
            .annotate(municipalities=Count("municipality"), persons=Sum("low_income_persons"))
            .order_by("-year"))
    return [LowIncomeYear(row["year"], row["municipalities"], row["persons"]) for row in rows]
