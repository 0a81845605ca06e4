"""Reads of the network as of a date. Area statuses and memberships keep their history, so
a question about an earlier date gets the answer it would have had then."""

import datetime

from .models import IN_NETWORK_STATUSES, Area, AreaStatusPeriod, Membership


def area_statuses_on(day: datetime.date) -> dict[int, str]:
    """The status of every area that had one on `day`."""
    statuses: dict[int, str] = {}
    for area_id, status in (AreaStatusPeriod.objects.filter(effective_from__lte=day)
                            .order_by("area_id", "effective_from").values_list("area_id", "status")):
        statuses[area_id] = status
    return statuses


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
