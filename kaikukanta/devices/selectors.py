"""Reading devices, conflicts and what an enrolled device downloads."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role
from kaikukanta.accounts.policy import Action, require_caller, scope_filter
from kaikukanta.cards import signing
from kaikukanta.cards.models import Card
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Offering, Organisation
from kaikukanta.programme.selectors import rules_in_force

from .models import Conflict, ConflictStatus, Device


def venue_in_reach(caller: Caller, venue_id: int, action: Action) -> Organisation:
    venue = Organisation.objects.filter(pk=venue_id).first()
    if venue is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, action, venue)
    return venue


def devices_of(venue: Organisation):
    return (Device.objects.filter(venue=venue).order_by("-revoked_at", "name", "pk")
            .annotate(open_conflicts=Count("conflicts", filter=Q(conflicts__status=ConflictStatus.OPEN))))


def conflicts_of(venue: Organisation, *, status: str = ConflictStatus.OPEN):
    return (Conflict.objects.filter(venue=venue, status=status).select_related("device", "offering")
            .order_by("created_at", "pk"))


def resolved_conflicts_of(venue: Organisation):
    """The history of the inbox: recorded and discarded conflicts, the latest resolved first."""
    return (Conflict.objects.filter(venue=venue).exclude(status=ConflictStatus.OPEN)
            .select_related("device", "offering", "resolved_by").order_by("-resolved_at", "-pk"))


def conflict_in_reach(caller: Caller, conflict_id: int) -> Conflict:
    conflict = (Conflict.objects.select_related("device", "offering", "venue", "resolved_by")
                .filter(pk=conflict_id).first())
    if conflict is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.VIEW_CONFLICTS, conflict.venue)
    return conflict


def device_in_reach(caller: Caller, device_id: int) -> Device:
    device = Device.objects.select_related("venue").filter(pk=device_id).first()
    if device is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.MANAGE_DEVICES, device.venue)
    return device


def _count_per_venue(queryset, aggregate):
    return Coalesce(Subquery(queryset.values("venue").annotate(n=aggregate).values("n"),
                             output_field=IntegerField()), 0)


def venues_with_devices(user):
    """The venues in the user's reach (the coordinator's area, the whole network for the national admin) that
    have enrolled a device: each with its devices in use, their pending visits and its open conflicts."""
    in_use = Device.objects.filter(venue=OuterRef("pk"), revoked_at__isnull=True)
    open_conflicts = Conflict.objects.filter(venue=OuterRef("pk"), status=ConflictStatus.OPEN)
    scope = scope_filter(user, area="area_id", site={Role.VENUE: "pk"})
    return (Organisation.objects.filter(scope, kind="venue", pk__in=Device.objects.values("venue"))
            .select_related("area")
            .annotate(device_count=_count_per_venue(in_use, Count("pk")),
                      pending=_count_per_venue(in_use, Sum("pending")),
                      open_conflicts=_count_per_venue(open_conflicts, Count("pk")))
            .order_by("area__name", "name", "pk"))


def venues_with_devices_in_area(area_id: int):
    """A coordinator's overview: each venue of the area with devices, its devices' pending visits and open
    conflicts."""
    return (Organisation.objects.filter(area_id=area_id, kind="venue", devices__isnull=False).distinct()
            .annotate(device_count=Count("devices", distinct=True),
                      open_conflicts=Count("devices__conflicts", filter=Q(
                          devices__conflicts__status=ConflictStatus.OPEN), distinct=True))
            .order_by("name"))


def revoked_numbers() -> list[str]:
    """Numbers an offline desk must refuse although their signed code still looks valid: cards closed (a
    replaced card is closed too) whose printed validity has not run out. Closed numbers only: never a list of
    valid ones."""
    return list(Card.objects.filter(closed_on__isnull=False, valid_until__gte=today())
                .order_by("number").values_list("number", flat=True))


def _rules(device: Device) -> dict:
    """The programme's rule set in force today for the venue's area (programme.selectors), as the device
    applies it at the desk; the register judges every synced visit again with the rules of its own date."""
    rule_set = rules_in_force(device.venue.area_id, today())
    return {**rule_set.values(), "area_id": rule_set.area_id, "effective_from": rule_set.effective_from}


def bundle(device: Device) -> dict:
    """What an enrolled device downloads while online to work offline: its venue's offerings, the visit
    rules' parameters and the card-signing public key. No card list, no holder data."""
    offerings = Offering.objects.filter(venue_id=device.venue_id, archived=False).order_by("name", "pk")
    return {
        "device": {"id": device.pk, "name": device.name, "venue_id": device.venue_id},
        "today": today(),
        "public_key": signing.public_key(),
        "rules": _rules(device),
        "offerings": [{"id": offering.pk, "name": offering.name, "kind": offering.kind,
                       "ticket_quota": offering.ticket_quota} for offering in offerings],
    }
