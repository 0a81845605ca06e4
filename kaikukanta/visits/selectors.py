"""Reads of visits. Every visit handed out carries `card_number` from the query itself, so serialising
it never loads the card."""

import datetime

from django.db import connection
from django.db.models import F, QuerySet

from kaikukanta.accounts.models import Role
from kaikukanta.accounts.policy import Action, allowed, require, scope_filter
from kaikukanta.core import sql
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Offering, Organisation, OrganisationKind

from .models import Visit


def _with_card_number(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(card_number=F("card__number"))


# In the model's field order, as Model.from_db expects them.
_REPLAY_FIELDS = ["id", "venue_id", "offering_id", "used_on", "children", "clients", "assistants", "uses"]
_REPLAY_SQL = """
    SELECT v.id, v.venue_id, v.offering_id, v.used_on, v.children, v.clients, v.assistants, v.uses, c.number
    FROM visits_visit v JOIN cards_card c ON c.id = v.card_id
    WHERE v.venue_id = %s AND v.idempotency_key = %s
"""


def visit_by_idempotency_key(venue_id: int, idempotency_key: str) -> Visit | None:
    """The visit an earlier request with this key stored, with its `card_number` (desk hot path: see core.sql)."""
    row = sql.fetch_one(_REPLAY_SQL, [venue_id, idempotency_key])
    if row is None:
        return None
    visit_id, venue_id, offering_id, used_on, children, clients, assistants, uses, card_number = row
    visit = Visit.from_db(connection.alias, _REPLAY_FIELDS, [
        visit_id, venue_id, offering_id, sql.as_date(used_on), children, clients, assistants, uses])
    visit.card_number = card_number
    return visit


def _scope_of(user) -> QuerySet:
    """The visits the caller may list: its venue's, those made with its cards, its area's, or all."""
    return Visit.objects.filter(scope_filter(user, area="venue__area_id",
                                             site={Role.DISTRIBUTOR: "card__issuer_id", Role.VENUE: "venue_id"}),
                                cancelled_at__isnull=True)


def _may_filter_by_venue(user, venue: Organisation) -> bool:
    # A distributor's cards work at every venue of the network, so any venue narrows its own list.
    return user.role == Role.DISTRIBUTOR or allowed(user, Action.VIEW_ORGANISATION, venue)


def visits_visible_to(user, *, date_from: datetime.date | None = None, date_to: datetime.date | None = None,
                      venue_id: int | None = None, offering_id: int | None = None) -> QuerySet:
    """The caller's visits, not cancelled, narrowed by the filters; a filter outside the scope is refused."""
    require(user, Action.LIST_VISITS)
    visits = _scope_of(user)
    if venue_id is not None:
        venue = Organisation.objects.filter(pk=venue_id, kind=OrganisationKind.VENUE).first()
        if venue is None:
            raise Refusal(Code.INVALID, field="venue_id")
        if not _may_filter_by_venue(user, venue):
            raise Refusal(Code.FORBIDDEN, field="venue_id")
        visits = visits.filter(venue_id=venue_id)
    if offering_id is not None:
        offering = Offering.objects.select_related("venue").filter(pk=offering_id).first()
        if offering is None:
            raise Refusal(Code.INVALID, field="offering_id")
        if not _may_filter_by_venue(user, offering.venue):
            raise Refusal(Code.FORBIDDEN, field="offering_id")
        visits = visits.filter(offering_id=offering_id)
    if date_from is not None:
        visits = visits.filter(used_on__gte=date_from)
    if date_to is not None:
        visits = visits.filter(used_on__lte=date_to)
    return _with_card_number(visits)
