"""Reads of visits. Every visit handed out carries `card_number` from the query itself, so serialising
it never loads the card."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kaikukanta.accounts.models import Role
from kaikukanta.accounts.policy import Action, allowed, require, scope_filter
from kaikukanta.core import sql
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Offering, Organisation, OrganisationKind
from kaikukanta.programme.selectors import rules_in_force

from . import rules
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


# The registration's reads in one round trip: the visit an earlier request with the key stored (if any), the
# offering (if any) and the card (if the number is well formed), with its issuer's area. A constant row
# outer-joined to each, so that any may be missing. On PostgreSQL the card row is share-locked until the visit
# commits (services._card_facts says why), which needs the card on the inner side of its join: a LATERAL
# sub-select, which SQLite does not have (nor row locks: its IMMEDIATE transactions serialise every writer).
_FIRST_READS_SQL = """
    SELECT v.id, v.venue_id, v.offering_id, v.used_on, v.children, v.clients, v.assistants, v.uses, c.number,
           o.id, o.venue_id, o.kind, o.ticket_quota, o.adult_price_cents, o.child_price_cents,
           card.id, card.card_type, card.issued_on, card.valid_until, card.closed_on, card.children,
           card.children_birth_years, card.area_id
    FROM (SELECT 1 AS one) AS request
    LEFT JOIN (visits_visit v JOIN cards_card c ON c.id = v.card_id)
        ON v.venue_id = %s AND v.idempotency_key = %s
    LEFT JOIN network_offering o ON o.id = %s
    {card_join}
"""
_CARD_COLUMNS = ("c.id, c.card_type, c.issued_on, c.valid_until, c.closed_on, c.children, c.children_birth_years, "
                 "issuer.area_id FROM cards_card c JOIN network_organisation issuer ON issuer.id = c.issuer_id")
_FIRST_READS = {
    "postgresql": _FIRST_READS_SQL.format(card_join=f"LEFT JOIN LATERAL (SELECT {_CARD_COLUMNS} WHERE c.number = %s "
                                                    "FOR SHARE OF c) card ON true"),
    "sqlite": _FIRST_READS_SQL.format(card_join=f"LEFT JOIN (SELECT {_CARD_COLUMNS} WHERE c.number = %s) card ON true"),
}


@dataclass(frozen=True)
class FirstReads:
    """What `first_reads` found: the earlier visit under the key, the offering's `(id, venue_id, kind,
    ticket_quota, adult_price_cents, child_price_cents)` and the card's `(id, card_type, issued_on, valid_until,
    closed_on, children, children_birth_years, issuer's area_id)`, each None when there is none."""

    earlier: Visit | None
    offering: tuple | None
    card: tuple | None


def visit_by_idempotency_key(venue_id: int, idempotency_key: str) -> Visit | None:
    """The visit an earlier request with this key stored, with its `card_number` (desk hot path: see core.sql)."""
    return _replayed(sql.fetch_one(_REPLAY_SQL, [venue_id, idempotency_key]))


def first_reads(venue_id: int, idempotency_key: str | None, offering_id: int | None,
                card_number: str | None) -> FirstReads:
    """The registration's reads in one statement: `visit_by_idempotency_key` (None without a key), the offering
    (None without an id) and the card, share-locked on PostgreSQL (None without a number). Each is judged in
    its own place by the caller, so refusals keep their order."""
    row = sql.fetch_one(_FIRST_READS.get(connection.vendor, _FIRST_READS["sqlite"]),
                        [venue_id, idempotency_key, offering_id, card_number])
    return FirstReads(earlier=_replayed(row[:9]) if row[0] is not None else None,
                      offering=row[9:15] if row[9] is not None else None,
                      card=row[15:] if row[15] is not None else None)


def _replayed(row: tuple | None) -> Visit | None:
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


# The ticket desk's reads: the venue's offerings in use, its visits of a day with totals, and a card check.


@dataclass(frozen=True)
class CardCheck:
    """What the desk may know about a card: validity and party size, never anything about the holder."""

    number: str
    status: str
    valid_until: datetime.date
    card_type: str
    children: int


def offerings_for_desk(venue_id: int, day: datetime.date, *, since: datetime.date) -> list[Offering]:
    """The venue's offerings in use (not archived; undated, or dated `since` or later): those dated `day`
    first, then the undated ones, then by date. Each carries `uses_on_day` and `tickets_left` (None when
    the offering has no quota), counted in the same query."""
    uses = (Visit.objects.filter(offering=OuterRef("pk"), used_on=day, cancelled_at__isnull=True)
            .values("offering").annotate(total=Sum("uses")).values("total"))
    offerings = list(
        Offering.objects.filter(venue_id=venue_id, archived=False)
        .filter(Q(date__isnull=True) | Q(date__gte=since))
        .annotate(uses_on_day=Coalesce(Subquery(uses), 0),
                  day_first=Case(When(date=day, then=0), When(date__isnull=True, then=1), default=2))
        .order_by("day_first", "date", "name", "id"))
    for offering in offerings:
        offering.tickets_left = (None if offering.ticket_quota is None
                                 else max(offering.ticket_quota - offering.uses_on_day, 0))
    return offerings


def _past_or_archived(day: datetime.date) -> Q:
    """An offering dated before `day` archives itself: it leaves the desk and the lists, and its visits stay
    in history and statistics (and in the paper list for as long as that may go back)."""
    return Q(archived=True) | Q(date__lt=day)


def offerings_of_venue(venue_id: int, day: datetime.date, *, archived: bool = False) -> QuerySet[Offering]:
    """The venue's offerings in use (`archived` False: not archived, undated or dated `day` or later; the
    undated first, then by date) or the archived and past ones (newest date first), each with the uses of
    `day` as `uses_on_day`. A queryset, so that a page can be paged."""
    uses = (Visit.objects.filter(offering=OuterRef("pk"), used_on=day, cancelled_at__isnull=True)
            .values("offering").annotate(total=Sum("uses")).values("total"))
    offerings = Offering.objects.filter(venue_id=venue_id).annotate(uses_on_day=Coalesce(Subquery(uses), 0))
    if archived:
        return (offerings.filter(_past_or_archived(day))
                .annotate(past=ExpressionWrapper(Q(date__lt=day), output_field=BooleanField()))
                .order_by(F("date").desc(nulls_last=True), "name", "id"))
    return offerings.exclude(_past_or_archived(day)).order_by(F("date").asc(nulls_first=True), "name", "id")


def _desk_rows(visits: QuerySet, window: datetime.timedelta = rules.CANCEL_WINDOW) -> QuerySet:
    window_start = timezone.now() - window
    return (visits.filter(cancelled_at__isnull=True)
            .annotate(card_number=F("card__number"), offering_name=F("offering__name"),
                      cancellable=ExpressionWrapper(Q(recorded_at__gte=window_start), output_field=BooleanField()))
            .only("id", "used_on", "children", "clients", "assistants", "uses", "recorded_at")
            .order_by("-recorded_at", "-id"))


def _longest_cancel_window(area_id: int | None, day: datetime.date) -> datetime.timedelta:
    """The longest cancel window of the venue's area's rules on the recording days a visit could still be
    cancelled on `day` (each is judged by its own recording day's rules: visits.services.cancel_visit)."""
    return max(rules_in_force(area_id, day - datetime.timedelta(days=back)).cancel_window
               for back in range(rules.CANCEL_WINDOW.days + 1))


def _judged_cancellable(visits, area_id: int | None) -> list[Visit]:
    """Each visit's `cancellable` as the cancel service will judge it: within the cancel window of the rules in
    force in the venue's area on the day it was recorded."""
    now = timezone.now()
    visits = list(visits)
    for visit in visits:
        if visit.cancellable:
            window = rules_in_force(area_id, timezone.localdate(visit.recorded_at)).cancel_window
            visit.cancellable = now - visit.recorded_at <= window
    return visits


def visits_at_venue_on(venue_id: int, day: datetime.date, *, area_id: int | None = None) -> list[Visit]:
    """The venue's visits dated `day`, not cancelled, newest first, each with its card number, offering name
    and whether it can still be cancelled by the rules of the venue's area (`area_id`)."""
    return _judged_cancellable(_desk_rows(Visit.objects.filter(venue_id=venue_id, used_on=day)), area_id)


def recent_visits_recorded_by(user, *, limit: int = 5) -> list[Visit]:
    """The latest visits the user recorded at its venue that can still be cancelled (by the rules of the
    venue's area on each one's recording day), newest first."""
    area_id = user.organisation.area_id if user.organisation_id is not None else None
    window = _longest_cancel_window(area_id, today())
    # A visit recorded within the cancel window is dated at most PAPER_LIST_DAYS before its recording, so this
    # bound on used_on lets the (venue, used_on) index do the work at a venue with years of visits.
    oldest_day = today() - window - datetime.timedelta(days=rules.PAPER_LIST_DAYS)
    visits = Visit.objects.filter(venue_id=user.organisation_id, recorded_by=user, used_on__gte=oldest_day,
                                  recorded_at__gte=timezone.now() - window)
    return [visit for visit in _judged_cancellable(_desk_rows(visits, window)[:limit], area_id) if visit.cancellable]


@dataclass(frozen=True)
class DayTotals:
    visits: int
    uses: int
    children: int
    clients: int
    assistants: int


def totals_at_venue_on(venue_id: int, day: datetime.date) -> DayTotals:
    """How many visits, uses, child and client uses and assistants the venue had on `day` (not cancelled)."""
    totals = Visit.objects.filter(venue_id=venue_id, used_on=day, cancelled_at__isnull=True).aggregate(
        visits=Count("id"), uses=Sum("uses"), children=Sum("children"), clients=Sum("clients"),
        assistants=Sum("assistants"))
    return DayTotals(**{name: value or 0 for name, value in totals.items()})
