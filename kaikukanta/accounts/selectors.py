"""Reads of users, scoped to what the caller may see."""


from kaikukanta.core.errors import Code, Refusal

from .models import Role, User
from .policy import Action, require, user_scope


def users_visible_to(user):
    """The users `user` may read (accounts.policy.user_scope)."""
    return User.objects.filter(user_scope(user))


def user_list(user, *, role: str | None = None, organisation_id: int | None = None):
    users = users_visible_to(user)
    if role is not None:
        users = users.filter(role=role)
    if organisation_id is not None:
        users = users.filter(organisation_id=organisation_id)
    return users


def user_for(user, user_id: int) -> User:
    """404 if there is no such user, 403 if the caller may neither manage it nor is it."""
    target = User.objects.select_related("organisation").filter(pk=user_id).first()
    if target is None:
        raise Refusal(Code.NOT_FOUND)
    require(user, Action.VIEW_USER, target)
    return target


def tokens_of(user, target):
    """The API tokens of `target`, newest first (only their prefixes: the secrets are not kept)."""
    require(user, Action.VIEW_USER, target)
    return target.api_tokens.order_by("-created_at", "-pk")


# Two-factor authentication

ROLES_WITH_SECOND_FACTOR = frozenset({Role.NATIONAL_ADMIN, Role.AREA_COORDINATOR})


def requires_second_factor(user) -> bool:
    return getattr(user, "role", None) in ROLES_WITH_SECOND_FACTOR


def second_factor_pending(request) -> bool:
    """A signed-in user of a role that needs the second factor, whose session has not passed it yet
    (django-otp's middleware knows the device that verified the session, if any)."""
    user = request.user
    return (user.is_authenticated and requires_second_factor(user)
            and not (hasattr(user, "is_verified") and user.is_verified()))


def has_authenticator(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
