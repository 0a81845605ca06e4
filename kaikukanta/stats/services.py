"""Who may read which statistics: the caller's scope, decided by the policy before any figure is read.

Statistics only read, so there is nothing to write or audit here; every entry point goes through
`scope_for`, which is where Action.VIEW_STATS is required.
"""

from kaikukanta.accounts.models import Role
from kaikukanta.accounts.policy import Action, require
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Area, OrganisationKind

from .selectors import Scope


def scope_for(user, area_id: int | None) -> Scope:
    """The national admin sees the whole network, or one area when `area_id` names it; an area
    coordinator its own area (another area's id: 403); a distributor or a venue its own site
    (any `area_id`: 403). An `area_id` that names no area: 400 invalid."""
    if area_id is not None:
        area = Area.objects.filter(pk=area_id).first()
        if area is None:
            raise Refusal(Code.INVALID, field="area_id")
        require(user, Action.VIEW_STATS, area)
        return Scope(area_id=area.pk)
    if user.role == Role.NATIONAL_ADMIN:
        require(user, Action.VIEW_STATS, None)
        return Scope()
    if user.role == Role.AREA_COORDINATOR and user.area_id is not None:
        require(user, Action.VIEW_STATS, user.area)
        return Scope(area_id=user.area_id)
    organisation = user.organisation
    require(user, Action.VIEW_STATS, organisation)
    if organisation.kind == OrganisationKind.DISTRIBUTOR:
        return Scope(distributor_id=organisation.pk)
    return Scope(venue_id=organisation.pk)
