"""Access to pages, declared on each view and checked by the one policy module.

Every page view is wrapped in `page(action, target=...)`, `signed_in_page`, `password_step_page` or
`public_page`; the page matrix test walks every URL pattern and fails for a view that declares none. A
`Refusal` that escapes a page view is rendered as a page with the same localised message the API gives.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login

from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.pages import refused

from .policy import Action, allowed
from .selectors import second_factor_pending


def _to_second_factor(request):
    """A national admin or coordinator who has given the password but not yet the code is sent to the
    second-factor step, and brought back here after it."""
    return redirect_to_login(request.get_full_path(), login_url="accounts:second_factor")


def page(action: Action, *, target: Callable | None = None):
    """A page for signed-in users allowed `action` (on `target(user)`, when given)."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if second_factor_pending(request):
                return _to_second_factor(request)
            subject = target(request.user) if target else None
            if not allowed(request.user, action, subject):
                return refused(request, Refusal(Code.FORBIDDEN))
            try:
                return view(request, *args, **kwargs)
            except Refusal as refusal:
                return refused(request, refusal)

        guarded.page_access = action
        return guarded

    return decorate


def public_page(view):
    """A page anyone may open, signed in or not."""

    @wraps(view)
    def open_view(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refusal as refusal:
            return refused(request, refusal)

    open_view.page_access = "public"
    return open_view


def _signed_in(view, *, second_factor_required: bool):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if second_factor_required and second_factor_pending(request):
            return _to_second_factor(request)
        try:
            return view(request, *args, **kwargs)
        except Refusal as refusal:
            return refused(request, refusal)

    guarded.page_access = "signed_in"
    return guarded


def signed_in_page(view):
    """A page every signed-in user may open (their own home, settings)."""
    return _signed_in(view, second_factor_required=True)


def password_step_page(view):
    """The second-factor step itself: for users who have given their password, whether or not the
    session has passed the second factor yet."""
    return _signed_in(view, second_factor_required=False)
