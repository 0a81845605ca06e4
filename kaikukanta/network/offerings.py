"""The offerings of venues and the offering a venue's desk starts with (re-exported by network.services).

Each function takes the `Caller` first, checks it with the policy, writes and leaves an audit record, all in
one transaction. A venue taken out of the network (core/sites.py) gets no new offering, no edit of an
existing one, no taking an archived one back into use and no new default offering; archiving an offering
and clearing the default only withdraw something, so they stay allowed.
"""

import datetime

from django.db import transaction
from django.db.models import Q

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.policy import Action, require_caller
from kaikukanta.core import audit
from kaikukanta.core.bounds import check_date
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.personal_data import check_free_text
from kaikukanta.core.sites import check_in_network

from . import rules
from .models import Offering, Organisation, OrganisationKind

# What a venue out of the network may still do to an offering: withdraw it from the desk.
WITHDRAWING = {"archived": True}


def _venue_from_body(venue_id: int) -> Organisation:
    venue = Organisation.objects.filter(pk=venue_id).first()
    if venue is None or venue.kind != OrganisationKind.VENUE:
        raise Refusal(Code.INVALID, field="venue_id")
    return venue


def _check_offering_date(day: datetime.date | None) -> None:
    if day is not None:
        check_date(day, "date")


def _check_quota(ticket_quota: int | None) -> None:
    rules.check_ticket_quota(ticket_quota)


@transaction.atomic
def create_offering(caller: Caller, *, venue_id: int, name: str, kind: str, date: datetime.date | None = None,
                    ticket_quota: int | None = None, adult_price_cents: int | None = None,
                    child_price_cents: int | None = None) -> Offering:
    venue = _venue_from_body(venue_id)
    require_caller(caller, Action.MANAGE_OFFERINGS, venue)
    check_in_network(venue, "venue_id")
    check_free_text(name, "name")
    _check_offering_date(date)
    _check_quota(ticket_quota)
    rules.check_ticket_prices(adult_price_cents=adult_price_cents, child_price_cents=child_price_cents)
    offering = Offering.objects.create(venue=venue, name=name, kind=kind, date=date,
                                       ticket_quota=ticket_quota, adult_price_cents=adult_price_cents,
                                       child_price_cents=child_price_cents)
    audit.record(caller.user, "offering.created", offering, venue_id=venue.pk)
    return offering


@transaction.atomic
def update_offering(caller: Caller, offering_id: int, **changes) -> Offering:
    """`changes`: any of name, kind, date, ticket_quota, adult_price_cents, child_price_cents and archived.
    A new price counts from the next visit on: recorded visits keep the value they were recorded with.
    For a venue out of the network only archiving (`archived=True` alone) passes; anything else, taking
    the offering back into use included, is `invalid` naming `venue_id`."""
    offering = (Offering.objects.select_for_update(of=("self",)).select_related("venue")
                .filter(pk=offering_id).first())
    if offering is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.MANAGE_OFFERINGS, offering.venue)
    if changes != WITHDRAWING:
        check_in_network(offering.venue, "venue_id")
    check_free_text(changes.get("name"), "name")
    _check_offering_date(changes.get("date"))
    _check_quota(changes.get("ticket_quota"))
    rules.check_ticket_prices(**{name: changes[name] for name in ("adult_price_cents", "child_price_cents")
                                 if name in changes})
    for field_name, value in changes.items():
        setattr(offering, field_name, value)
    offering.save()
    audit.record(caller.user, "offering.updated", offering, fields=sorted(changes))
    return offering


@transaction.atomic
def set_default_offering(caller: Caller, *, venue_id: int, offering_id: int | None) -> Organisation:
    """The offering the venue's desk starts with: one of its own, in use and not past; None gives the desk
    back its own order (today's first, then the undated ones). A venue out of the network may only clear it."""
    venue = Organisation.objects.select_for_update().filter(pk=venue_id, kind=OrganisationKind.VENUE).first()
    if venue is None:
        raise Refusal(Code.INVALID, field="venue_id")
    require_caller(caller, Action.MANAGE_OFFERINGS, venue)
    if offering_id is not None:
        check_in_network(venue, "venue_id")
    if offering_id is not None and not (
            Offering.objects.filter(pk=offering_id, venue=venue, archived=False)
            .filter(Q(date__isnull=True) | Q(date__gte=today())).exists()):
        raise Refusal(Code.OFFERING_NOT_AT_VENUE, field="offering_id")
    venue.default_offering_id = offering_id
    venue.save(update_fields=["default_offering"])
    audit.record(caller.user, "offering.default_set", venue, offering_id=offering_id)
    return venue
