"""Who may do what: the one place where permissions live.

Every service asks `require_caller(caller, action, target)` with the `Caller` its entry point built (the
console-only ones `require_operator`); selectors ask `require(user, ...)` for what they read, and pages
`allowed(user, ...)` only for what to show (a button) and `accounts.pages.page` for who may open them.
Targets are model instances (or None for actions without an object). Scope rules:
national admin everything; area coordinator its area; distributor and venue their own site.
"""

from enum import StrEnum
from typing import Protocol

from django.db.models import Q

from kaikukanta.core.errors import Code, Refusal

from .caller import Caller, Channel
from .models import Role


class Action(StrEnum):
    VIEW_AREA = "view_area"
    MANAGE_AREAS = "manage_areas"                # create or change areas and memberships
    VIEW_ORGANISATION = "view_organisation"
    CREATE_ORGANISATION = "create_organisation"  # target: the area it goes into
    UPDATE_ORGANISATION = "update_organisation"
    UPDATE_VENUE_INFO = "update_venue_info"      # the venue's public page only; target: the venue
    VIEW_USER = "view_user"                      # target: a User
    UPDATE_OWN_ACCOUNT = "update_own_account"    # own password and language; target: a User
    MANAGE_USER = "manage_user"                  # target: a User, or an unsaved one being created
    CREATE_TOKEN = "create_token"                # target: the user the token is for
    REVOKE_TOKEN = "revoke_token"                # target: the user the token belongs to
    RESET_SECOND_FACTOR = "reset_second_factor"  # remove another user's authenticator; target: that User
    VIEW_SETTINGS = "view_settings"
    UPDATE_SETTINGS = "update_settings"
    VIEW_OFFERING = "view_offering"              # target: the offering's venue (or the offering)
    MANAGE_OFFERINGS = "manage_offerings"        # target: the venue (or one of its offerings)
    CREATE_CARD_BATCH = "create_card_batch"      # target: the distributor
    ISSUE_CARD = "issue_card"                    # target: the issuing distributor
    MANAGE_CARD = "manage_card"                  # renew/close/replace; target: the card
    CHECK_CARD = "check_card"                    # validity only, no holder data; no target
    LIST_CARDS = "list_cards"                    # the cards whose holder data the caller may read; no target
    LIST_CARD_BATCHES = "list_card_batches"      # no target
    VIEW_HOLDER_DATA = "view_holder_data"        # target: the card
    RECORD_VISIT = "record_visit"                # no target: the caller's own venue
    CANCEL_VISIT = "cancel_visit"                # target: the visit
    LIST_VISITS = "list_visits"
    VIEW_STATS = "view_stats"                    # target: an Area, an Organisation, or None (whole network)
    MANAGE_WELLBEING_QUESTIONS = "manage_wellbeing_questions"
    EXPORT_AREA = "export_area"                  # everything stored about an area; target: the Area
    VIEW_GUESSING_ALERTS = "view_guessing_alerts"  # card-number guessing alerts; no target (the list is scoped)
    VIEW_IMPORTS = "view_imports"                # the browser's imports page; no target (the job list is scoped)
    RUN_IMPORT = "run_import"                    # upload, commit, cancel; target: the Area (or its ImportJob),
                                                 # and for each row the area of the row's site
    ENROL_DEVICE = "enrol_device"                # a one-use enrolment code for a desk device; target: the venue
    MANAGE_DEVICES = "manage_devices"            # list and revoke a venue's desk devices; target: the venue
    LIST_DEVICES = "list_devices"                # the desk devices pages; no target (each venue is judged above)
    VIEW_CONFLICTS = "view_conflicts"            # a venue's inbox of refused offline visits; target: the venue
    DISCARD_CONFLICT = "discard_conflict"        # close a conflict with a reason; target: the venue
    RECORD_CONFLICT = "record_conflict"          # record a conflict's visit as the device sent it; target: the venue
    CORRECT_CONFLICT = "correct_conflict"        # correct a conflict's party, then record it; target: the venue
    VIEW_RULES = "view_rules"                    # the programme's rules in force; target: an Area or None
    MANAGE_NATIONAL_RULES = "manage_national_rules"  # national rules and what areas may override; no target
    MANAGE_AREA_RULES = "manage_area_rules"      # an area's overrides; target: the Area


def _is(user, role: Role) -> bool:
    return getattr(user, "role", None) == role.value


class Scoped(Protocol):
    """What the policy asks of a target, so that it imports none of the apps above it: what the target is
    (`policy_subject`: "area", "site", "offering", "card", "visit") and the area it belongs to. The models
    answer it themselves (an area is its own, a site's is its own, an offering's, a visit's is its venue's, a
    card's its issuer's); a user answers by its site or area fields."""

    policy_subject: str

    @property
    def policy_area_id(self) -> int | None: ...


def _subject(target) -> str | None:
    return getattr(target, "policy_subject", None)


def _area_of(target):
    """The area id a target belongs to, whatever it is."""
    if _subject(target) is not None:
        return target.policy_area_id
    if getattr(target, "organisation_id", None):
        return target.organisation.area_id
    return getattr(target, "area_id", None)


def _own_site(user, organisation) -> bool:
    return (organisation is not None and user.organisation_id is not None
            and user.organisation_id == organisation.pk)


def _coordinates(user, target) -> bool:
    return _is(user, Role.AREA_COORDINATOR) and user.area_id is not None and _area_of(target) == user.area_id


def _may_manage_user(user, target) -> bool:
    if _is(user, Role.NATIONAL_ADMIN):
        return True
    # A coordinator manages the staff of its area's sites, not other coordinators or admins.
    return (
        _is(user, Role.AREA_COORDINATOR)
        and getattr(target, "role", None) in (Role.DISTRIBUTOR, Role.VENUE)
        and getattr(target, "organisation_id", None) is not None
        and target.organisation.area_id == user.area_id
    )


def _venue_of(target):
    """An offering stands for its venue, so both may be given as the target of offering actions."""
    return target.venue if _subject(target) == "offering" else target


def _may_view_offerings(user, venue) -> bool:
    return _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, venue) or _own_site(user, venue)


def _may_manage_offerings(user, venue) -> bool:
    return getattr(venue, "kind", None) == "venue" and (
        _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, venue)
        or (_is(user, Role.VENUE) and _own_site(user, venue)))


def _is_self(user, target) -> bool:
    return target is not None and target.pk is not None and target.pk == user.pk


def _may_view_stats(user, target) -> bool:
    if _is(user, Role.NATIONAL_ADMIN):
        return True
    if target is None:
        return False
    if _is(user, Role.AREA_COORDINATOR):
        return _subject(target) in ("area", "site") and _area_of(target) == user.area_id
    return _subject(target) == "site" and _own_site(user, target)


_RULES = {
    Action.VIEW_AREA: lambda user, target: _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target),
    Action.MANAGE_AREAS: lambda user, target: _is(user, Role.NATIONAL_ADMIN),
    Action.VIEW_ORGANISATION: lambda user, target: (
        _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target) or _own_site(user, target)),
    Action.CREATE_ORGANISATION: lambda user, target: (
        _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target)),
    Action.UPDATE_ORGANISATION: lambda user, target: (
        _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target)),
    # A venue's public page (address, opening hours, contacts, accessibility): its own staff keep it up to date.
    Action.UPDATE_VENUE_INFO: lambda user, target: _may_manage_offerings(user, target),
    Action.VIEW_USER: lambda user, target: _may_manage_user(user, target) or _is_self(user, target),
    Action.UPDATE_OWN_ACCOUNT: lambda user, target: _is_self(user, target),
    Action.MANAGE_USER: _may_manage_user,
    Action.CREATE_TOKEN: lambda user, target: _may_manage_user(user, target) or _is_self(user, target),
    Action.REVOKE_TOKEN: lambda user, target: _may_manage_user(user, target) or _is_self(user, target),
    # Only the national admin, and not for itself: a second factor that its owner could remove alone
    # would protect nothing against someone who has the password.
    Action.RESET_SECOND_FACTOR: lambda user, target: _is(user, Role.NATIONAL_ADMIN) and not _is_self(user, target),
    Action.VIEW_SETTINGS: lambda user, target: user.is_authenticated,
    Action.UPDATE_SETTINGS: lambda user, target: _is(user, Role.NATIONAL_ADMIN),
    Action.VIEW_OFFERING: lambda user, target: _may_view_offerings(user, _venue_of(target)),
    Action.MANAGE_OFFERINGS: lambda user, target: _may_manage_offerings(user, _venue_of(target)),
    Action.CREATE_CARD_BATCH: lambda user, target: (
        getattr(target, "kind", None) == "distributor"
        and (_is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target))),
    Action.ISSUE_CARD: lambda user, target: _is(user, Role.DISTRIBUTOR) and _own_site(user, target),
    Action.MANAGE_CARD: lambda user, target: (
        _is(user, Role.DISTRIBUTOR) and target is not None and user.organisation_id == target.issuer_id),
    Action.CHECK_CARD: lambda user, target: user.role in (Role.NATIONAL_ADMIN, Role.AREA_COORDINATOR,
                                                          Role.DISTRIBUTOR, Role.VENUE),
    Action.LIST_CARDS: lambda user, target: user.role in (Role.NATIONAL_ADMIN, Role.AREA_COORDINATOR,
                                                          Role.DISTRIBUTOR),
    Action.LIST_CARD_BATCHES: lambda user, target: user.role in (Role.NATIONAL_ADMIN, Role.AREA_COORDINATOR,
                                                                 Role.DISTRIBUTOR),
    Action.VIEW_HOLDER_DATA: lambda user, target: (
        _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target)
        or (_is(user, Role.DISTRIBUTOR) and target is not None and user.organisation_id == target.issuer_id)),
    Action.RECORD_VISIT: lambda user, target: _is(user, Role.VENUE) and user.organisation_id is not None,
    Action.CANCEL_VISIT: lambda user, target: (
        _is(user, Role.VENUE) and target is not None and user.organisation_id == target.venue_id),
    Action.LIST_VISITS: lambda user, target: user.is_authenticated,
    Action.VIEW_STATS: _may_view_stats,
    Action.MANAGE_WELLBEING_QUESTIONS: lambda user, target: _is(user, Role.NATIONAL_ADMIN),
    Action.EXPORT_AREA: lambda user, target: _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target),
    # The device acts as the staff member who enrolled it, so only venue staff enrol one (for their own venue).
    Action.ENROL_DEVICE: lambda user, target: (
        _is(user, Role.VENUE) and getattr(target, "kind", None) == "venue" and _own_site(user, target)),
    Action.MANAGE_DEVICES: lambda user, target: _may_manage_offerings(user, target),
    Action.LIST_DEVICES: lambda user, target: (
        _is(user, Role.NATIONAL_ADMIN) or (_is(user, Role.AREA_COORDINATOR) and user.area_id is not None)
        or (_is(user, Role.VENUE) and user.organisation_id is not None)),
    Action.VIEW_CONFLICTS: lambda user, target: _may_manage_offerings(user, target),
    Action.DISCARD_CONFLICT: lambda user, target: _may_manage_offerings(user, target),
    # Recording a refused visit as the device sent it overrides the sync's verdict on a device's word (a
    # revoked device's queue, say), so it is the area coordinator's call; the venue's staff may correct the
    # party they typed, which the register then judges again.
    Action.RECORD_CONFLICT: lambda user, target: getattr(target, "kind", None) == "venue" and (
        _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target)),
    Action.CORRECT_CONFLICT: lambda user, target: _may_manage_offerings(user, target),
    Action.VIEW_GUESSING_ALERTS: lambda user, target: (
        _is(user, Role.NATIONAL_ADMIN) or (_is(user, Role.AREA_COORDINATOR) and user.area_id is not None)),
    Action.VIEW_IMPORTS: lambda user, target: (
        _is(user, Role.NATIONAL_ADMIN) or (_is(user, Role.AREA_COORDINATOR) and user.area_id is not None)),
    Action.RUN_IMPORT: lambda user, target: _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target),
    # The rules are no secret: every signed-in role (and the offline desk) reads them for any area.
    Action.VIEW_RULES: lambda user, target: user.is_authenticated,
    Action.MANAGE_NATIONAL_RULES: lambda user, target: _is(user, Role.NATIONAL_ADMIN),
    Action.MANAGE_AREA_RULES: lambda user, target: _is(user, Role.NATIONAL_ADMIN) or _coordinates(user, target),
}


def scope_filter(user, *, area: str, site: dict[str, str]) -> Q:
    """The rows a user's scope covers, as a filter for a list: everything for the national admin, the
    `area` lookup for a coordinator, and for site staff the lookup `site` names for their role."""
    if _is(user, Role.NATIONAL_ADMIN):
        return Q()
    if _is(user, Role.AREA_COORDINATOR) and user.area_id is not None:
        return Q(**{area: user.area_id})
    lookup = site.get(getattr(user, "role", None))
    if lookup is not None and user.organisation_id is not None:
        return Q(**{lookup: user.organisation_id})
    return Q(pk__in=[])


def user_scope(user) -> Q:
    """The users `user` may read: everyone for the national admin; for a coordinator itself and the staff of
    its area's sites; for anyone else only itself."""
    if _is(user, Role.NATIONAL_ADMIN):
        return Q()
    own = Q(pk=user.pk)
    if _is(user, Role.AREA_COORDINATOR) and user.area_id is not None:
        return own | Q(role__in=(Role.DISTRIBUTOR, Role.VENUE), organisation__area_id=user.area_id)
    return own


def area_in_scope(user, area) -> bool:
    """Whether `area` is one the user works in: any for the national admin, else its own or its site's."""
    if _is(user, Role.NATIONAL_ADMIN):
        return True
    if _is(user, Role.AREA_COORDINATOR):
        return user.area_id == area.pk
    return user.organisation_id is not None and user.organisation.area_id == area.pk


# Set on a user loaded with its site's `active` flag (accounts.bearer.BearerAuth), so that the rule below
# needs no second query on the desk's hot path.
SITE_ACTIVE_ATTRIBUTE = "_kk_site_active"


def account_usable(user) -> bool:
    """May this account act at all: an active user, and for site staff an active site.

    Checked at every door: sign-in, each request of an open session (accounts.backends), bearer tokens
    (accounts.bearer) and `allowed` below. An area's status does not count: an area that has ended keeps
    its coordinator, who still answers for its history (statistics, the area export), and its sites are
    taken out of the network one by one, each with its own `active` flag."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.organisation_id is None:
        return True
    site_active = getattr(user, SITE_ACTIVE_ATTRIBUTE, None)
    if site_active is None:
        site_active = user.organisation.active
    return bool(site_active)


def allowed(user, action: Action, target=None) -> bool:
    if not account_usable(user):
        return False
    return bool(_RULES[action](user, target))


def require(user, action: Action, target=None, *, refusal: Code = Code.FORBIDDEN) -> None:
    if not allowed(user, action, target):
        raise Refusal(refusal)


def _check_is_caller(caller) -> None:
    # A bare user handed to a service would carry no channel and no address (so no guessing limits): a
    # programming error, not a refusal to show anyone.
    if not isinstance(caller, Caller):
        raise TypeError(f"a service takes an accounts.caller.Caller, not {type(caller).__name__}")


def require_caller(caller: Caller, action: Action, target=None, *, refusal: Code = Code.FORBIDDEN) -> None:
    """What a service asks first: the caller's account may act, and the policy allows `action` on `target`."""
    _check_is_caller(caller)
    if not account_usable(caller.user):
        raise Refusal(Code.FORBIDDEN)
    # `allowed` would ask account_usable again: the rule table alone is left to ask.
    if not _RULES[action](caller.user, target):
        raise Refusal(refusal)


def caller_allowed(caller: Caller, action: Action, target=None) -> bool:
    """`allowed` for a service that chooses between two rules (one's own account or a manager's)."""
    _check_is_caller(caller)
    return allowed(caller.user, action, target)


def require_operator(caller: Caller) -> None:
    """What the services run only from the server's shell ask (`manage.py issue_token`, the demo data): the
    operator, who can read the database anyway, acting as nobody; never a request's caller nor a user's."""
    _check_is_caller(caller)
    if caller.channel != Channel.CONSOLE or caller.user is not None or caller.address is not None:
        raise Refusal(Code.FORBIDDEN)
