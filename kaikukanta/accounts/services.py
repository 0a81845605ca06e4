"""Every change to accounts: users and their API tokens.

Each function takes the `Caller` first (accounts.caller: who acts, through which door), checks it with the
policy, writes and leaves an audit record in one transaction. The `*_from_console` functions serve
`manage.py issue_token` and the demo data, the bootstrap steps run by whoever operates the server: their
caller is the console acting as nobody (`policy.require_operator`).
"""

import datetime
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaikukanta.core import audit
from kaikukanta.core.api_support import new_token_secret, token_digest
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.personal_data import check_free_text
from kaikukanta.core.sites import check_in_network

from . import passwords
from .caller import Caller
from .models import ApiToken, Role, User
from .policy import Action, account_usable, caller_allowed, require_caller, require_operator

LANGUAGES = ("fi", "sv", "en")
TOKEN_PREFIX_LENGTH = 8


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `secret` is shown to the caller once and stored nowhere, only its digest is."""

    token: ApiToken
    secret: str


def _check_absent(value, field: str) -> None:
    if value is not None:
        raise Refusal(Code.INVALID, field=field)


def _scope(role: str, area_id: int | None, organisation_id: int | None) -> tuple:
    """The area or site a role works in: a coordinator needs an area, site staff a site of their kind,
    the national admin neither. (The network's models are read through the user's own fields: accounts
    sits below the network and imports none of it.)"""
    Area = User._meta.get_field("area").related_model  # noqa: N806
    Organisation = User._meta.get_field("organisation").related_model  # noqa: N806
    if role not in Role.values:
        raise Refusal(Code.INVALID, field="role")
    if role == Role.NATIONAL_ADMIN:
        _check_absent(area_id, "area_id")
        _check_absent(organisation_id, "organisation_id")
        return None, None
    if role == Role.AREA_COORDINATOR:
        _check_absent(organisation_id, "organisation_id")
        area = Area.objects.filter(pk=area_id).first() if area_id is not None else None
        if area is None:
            raise Refusal(Code.INVALID, field="area_id")
        return area, None
    _check_absent(area_id, "area_id")
    organisation = (Organisation.objects.filter(pk=organisation_id).first()
                    if organisation_id is not None else None)
    if organisation is None or organisation.kind != role:
        raise Refusal(Code.INVALID, field="organisation_id")
    return None, organisation


def _check_username(username: str) -> None:
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise Refusal(Code.INVALID, field="username") from None
    if not username or len(username) > User._meta.get_field("username").max_length:
        raise Refusal(Code.INVALID, field="username")
    # A username is free text that every colleague and the audit trail show: no e-mail address or phone.
    check_free_text(username, "username")


def _set_password(user: User, password: str | None) -> None:
    if password is None:
        user.set_unusable_password()
        return
    reasons = passwords.problems(password, user)
    if reasons:
        raise Refusal(Code.INVALID, field="password", detail=passwords.reasons_text(reasons))
    user.set_password(password)


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise Refusal(Code.INVALID, field="language")


def _new_user(*, username: str, role: str, password: str | None, area_id: int | None,
              organisation_id: int | None, language: str) -> User:
    _check_username(username)
    _check_language(language)
    area, organisation = _scope(role, area_id, organisation_id)
    # The national admin keeps Django's admin as a fallback interface; nobody else enters it.
    is_national_admin = role == Role.NATIONAL_ADMIN
    user = User(username=username, role=role, area=area, organisation=organisation, language=language,
                is_staff=is_national_admin, is_superuser=is_national_admin)
    _set_password(user, password)
    return user


def _save_new_user(user: User) -> None:
    # Checked once the caller may manage the user, so a site outside the caller's scope stays `forbidden`.
    check_in_network(user.organisation, "organisation_id")
    if User.objects.filter(username__iexact=user.username).exists():
        raise Refusal(Code.USERNAME_TAKEN, field="username")
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another request took the name between the check and the insert.
        raise Refusal(Code.USERNAME_TAKEN, field="username") from None


@transaction.atomic
def create_user(caller: Caller, *, username: str, role: str, password: str | None = None,
                area_id: int | None = None, organisation_id: int | None = None, language: str = "fi") -> User:
    user = _new_user(username=username, role=role, password=password, area_id=area_id,
                     organisation_id=organisation_id, language=language)
    require_caller(caller, Action.MANAGE_USER, user)
    _save_new_user(user)
    audit.record(caller.user, "user.created", user, role=role, area_id=area_id, organisation_id=organisation_id)
    return user


@transaction.atomic
def create_user_from_console(caller: Caller, *, username: str, role: str, area_id: int | None = None,
                             organisation_id: int | None = None, language: str = "fi") -> User:
    require_operator(caller)
    user = _new_user(username=username, role=role, password=None, area_id=area_id,
                     organisation_id=organisation_id, language=language)
    _save_new_user(user)
    audit.record(None, "user.created", user, role=role, area_id=area_id, organisation_id=organisation_id,
                 via="console")
    return user


OWN_ACCOUNT_FIELDS = frozenset({"password", "language"})


def _end_access(actor, user_ids, *, reason: str) -> int:
    """Revoke every live API token of these users and end their open sessions (accounts.models.User
    .session_generation); the number of tokens revoked. Used when a user or a site is deactivated and when
    a manager resets a password: taking the account back into use later brings none of them back."""
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user_id__in=user_ids, revoked_at__isnull=True))
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).update(revoked_at=now)
    User.objects.filter(pk__in=user_ids).update(session_generation=F("session_generation") + 1)
    for token in tokens:
        audit.record(actor, "token.revoked", token, user_id=token.user_id, prefix=token.prefix, reason=reason)
    return len(tokens)


CURRENT_PASSWORD_TRIES = 5          # wrong current passwords per user and window, then `429 throttled`
CURRENT_PASSWORD_WINDOW = 15 * 60   # seconds, as the login lockout's cool-off


def _check_current_password(user: User, current_password: str | None) -> None:
    """A token is not a password: whoever changes their own password proves they know the current one.
    A user without a password (tokens only) cannot give one a password this way; a manager's reset can.
    Wrong tries are counted per user in the shared cache, so a stolen token cannot guess the password."""
    now = time.time()
    key = f"kk:current-password:{user.pk}:{int(now // CURRENT_PASSWORD_WINDOW)}"
    if (cache.get(key) or 0) >= CURRENT_PASSWORD_TRIES:
        wait = max(1, math.ceil(CURRENT_PASSWORD_WINDOW - now % CURRENT_PASSWORD_WINDOW))
        raise Refusal(Code.THROTTLED, field="current_password", detail=str(wait))
    if not current_password or not user.check_password(current_password):
        if not cache.add(key, 1, CURRENT_PASSWORD_WINDOW + 1):
            cache.incr(key)
        raise Refusal(Code.CURRENT_PASSWORD_WRONG, field="current_password")


@transaction.atomic
def update_user(caller: Caller, user_id: int, *, current_password: str | None = None, **changes) -> User:
    """`changes`: any of password, language and active (false locks the user out of every call, revokes
    the user's tokens and ends their sessions). Everyone may change their own language, and their own
    password with `current_password`; the rest takes whoever manages the user. A manager's new password
    for someone else is a reset: it ends that user's sessions and revokes their tokens."""
    user = (User.objects.select_for_update(of=("self",)).select_related("organisation")
            .filter(pk=user_id).first())
    if user is None:
        raise Refusal(Code.NOT_FOUND)
    own = caller_allowed(caller, Action.UPDATE_OWN_ACCOUNT, user)
    require_caller(caller, Action.UPDATE_OWN_ACCOUNT if own and set(changes) <= OWN_ACCOUNT_FIELDS
                   else Action.MANAGE_USER, user)
    if "language" in changes:
        _check_language(changes["language"])
        user.language = changes["language"]
    ended_because = None
    if "password" in changes:
        if own:
            _check_current_password(user, current_password)
        _set_password(user, changes["password"])
        ended_because = None if own else "password_reset"
    if "active" in changes:
        if changes["active"] and not user.is_active:
            # Taking a user back into use whose site has left the network would give an account that
            # cannot sign in (accounts.policy.account_usable) while saying it can.
            check_in_network(user.organisation, "organisation_id")
        user.is_active = changes["active"]
        if not user.is_active:
            ended_because = "user_deactivated"
    user.save()
    audit.record(caller.user, "user.updated", user, fields=sorted(changes))
    if ended_because:
        _end_access(caller.user, [user.pk], reason=ended_because)
        user.refresh_from_db(fields=["session_generation"])
    return user


def end_access_of_site(caller: Caller, organisation) -> int:
    """A site taken out of the network (network.services): every token of its staff is revoked and their
    sessions end."""
    require_caller(caller, Action.UPDATE_ORGANISATION, organisation)
    return _end_access(caller.user, list(organisation.users.values_list("pk", flat=True)), reason="site_deactivated")


def _token_expiry(expires_at: datetime.datetime | None) -> datetime.datetime:
    """A token's end: the one asked for, in the future and within the longest lifetime, or that lifetime."""
    now = timezone.now()
    longest = now + datetime.timedelta(days=settings.KAIKUKANTA_API_TOKEN_MAX_DAYS)
    if expires_at is None:
        return longest
    if timezone.is_naive(expires_at) or expires_at <= now or expires_at > longest:
        raise Refusal(Code.INVALID, field="expires_at")
    return expires_at


def _create_token(user: User, expires_at: datetime.datetime | None) -> IssuedToken:
    expires_at = _token_expiry(expires_at)
    secret = new_token_secret()
    token = ApiToken.objects.create(user=user, digest=token_digest(secret),
                                    prefix=secret[:TOKEN_PREFIX_LENGTH], expires_at=expires_at)
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def issue_token(caller: Caller, user_id: int, *, expires_at: datetime.datetime | None = None) -> IssuedToken:
    user = User.objects.select_related("organisation").filter(pk=user_id).first()
    if user is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.CREATE_TOKEN, user)
    if not account_usable(user):
        # A token made while the account is out of use would come back to life with the account.
        raise Refusal(Code.INVALID, field="user_id")
    issued = _create_token(user, expires_at)
    audit.record(caller.user, "token.issued", issued.token, user_id=user.pk, prefix=issued.token.prefix)
    return issued


@transaction.atomic
def issue_token_from_console(caller: Caller, user: User, *,
                             expires_at: datetime.datetime | None = None) -> IssuedToken:
    require_operator(caller)
    issued = _create_token(user, expires_at)
    audit.record(None, "token.issued", issued.token, user_id=user.pk, prefix=issued.token.prefix,
                 via="console")
    return issued


@transaction.atomic
def revoke_token(caller: Caller, secret: str) -> None:
    """Unknown and already revoked tokens are both `404 not_found`: there is nothing left to revoke."""
    token = (ApiToken.objects.select_for_update(of=("self",)).select_related("user__organisation")
             .filter(digest=token_digest(secret), revoked_at__isnull=True).first())
    if token is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.REVOKE_TOKEN, token.user)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(caller.user, "token.revoked", token, user_id=token.user_id, prefix=token.prefix)


@transaction.atomic
def revoke_token_by_id(caller: Caller, token_id: int, *, user_id: int | None = None) -> ApiToken:
    """Revoke a token chosen by its id (the pages' button, `DELETE /users/{id}/tokens/{token_id}`). Revoking
    a revoked token again changes nothing: a second press of the button is harmless. With `user_id`, a token
    of another user is `404 not_found`, as an unknown one."""
    tokens = ApiToken.objects.select_for_update(of=("self",)).select_related("user__organisation")
    if user_id is not None:
        tokens = tokens.filter(user_id=user_id)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.REVOKE_TOKEN, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(caller.user, "token.revoked", token, user_id=token.user_id, prefix=token.prefix)
    return token


# Two-factor authentication (TOTP) of the roles that need it (selectors.requires_second_factor). The
# caller sets up and proves its own authenticator, between the password and the second factor.

def _own_account(caller: Caller) -> User:
    # getattr: a bare user handed here must reach require_caller's refusal of it, not fail on `.user`.
    require_caller(caller, Action.UPDATE_OWN_ACCOUNT, getattr(caller, "user", None))
    return caller.user


def _device_of(user: User, *, confirmed: bool) -> TOTPDevice | None:
    return (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=confirmed)
            .order_by("pk").first())


@transaction.atomic
def start_enrolment(caller: Caller) -> TOTPDevice:
    """The device a user is setting up: a new secret the first time, the same one on reloading the page
    (so that a scanned code stays right) until it is confirmed."""
    user = _own_account(caller)
    if _device_of(user, confirmed=True) is not None:
        raise Refusal(Code.FORBIDDEN)
    device = _device_of(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def _check_code(user: User, device: TOTPDevice, code: str) -> None:
    allowed_now, _details = device.verify_is_allowed()
    if not allowed_now:
        # django-otp's throttling: after each wrong code the next one waits twice as long.
        audit.record(user, "second_factor.throttled", object_type="user", object_id=user.pk)
        raise Refusal(Code.THROTTLED, field="code")
    if not device.verify_token(code.strip().replace(" ", "")):
        audit.record(user, "second_factor.failed", object_type="user", object_id=user.pk)
        raise Refusal(Code.SECOND_FACTOR_WRONG, field="code")


def confirm_enrolment(caller: Caller, code: str) -> TOTPDevice:
    """The first code from the app confirms the device. Not one transaction: a wrong code must stay
    counted by the throttle, whose counter is written on the device."""
    user = _own_account(caller)
    with transaction.atomic():
        device = _device_of(user, confirmed=False)
        if device is None:
            raise Refusal(Code.NOT_FOUND)
    _check_code(user, device, code)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(user, "second_factor.enrolled", object_type="user", object_id=user.pk)
    return device


def verify_second_factor(caller: Caller, code: str) -> TOTPDevice:
    user = _own_account(caller)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise Refusal(Code.NOT_FOUND)
    _check_code(user, device, code)
    return device


@transaction.atomic
def reset_second_factor(caller: Caller, user_id: int) -> None:
    """Remove a user's authenticator (a lost phone): at the next sign-in the user sets up a new one."""
    user = User.objects.select_related("organisation").filter(pk=user_id).first()
    if user is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.RESET_SECOND_FACTOR, user)
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    audit.record(caller.user, "second_factor.reset", user, devices_removed=removed)
