"""`{% account_security target %}`: a user's second factor and API tokens with their actions, shown on the
network app's user page and on one's own account page."""

from django import template
from django.utils import timezone

from kaikukanta.accounts import selectors
from kaikukanta.accounts.policy import Action, allowed

register = template.Library()


@register.inclusion_tag("accounts/_security.html", takes_context=True)
def account_security(context, target):
    request = context["request"]
    actor = request.user
    now = timezone.now()
    tokens = list(selectors.tokens_of(actor, target))
    for token in tokens:
        token.expired = token.expires_at is not None and token.expires_at <= now
    return {
        "target": target,
        "tokens": tokens,
        "may_revoke": allowed(actor, Action.REVOKE_TOKEN, target),
        "second_factor_required": selectors.requires_second_factor(target),
        "has_authenticator": selectors.has_authenticator(target),
        "may_reset": allowed(actor, Action.RESET_SECOND_FACTOR, target),
        "here": request.get_full_path(),
    }
