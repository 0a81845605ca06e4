"""Access to pages, declared on each view and checked by the one policy module.

Every page view is wrapped in `page(action, target=...)` or `public_page`; the page matrix test walks
every URL pattern and fails for a view that declares neither. A `Refusal` that escapes a page view is
rendered as a page with the same localised message the API gives.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.accounts.selectors import second_factor_pending
from kaikukanta.core.errors import Code, Refusal


def own_site(user):
    """The site (organisation) of a distributor or venue user."""
    return user.organisation


def own_area(user):
    """The area of a coordinator; None (the whole network) for the others, whom the policy judges."""
    return user.area


def own_scope(user):
    """What a user's statistics cover: the whole network (None), an area, or a site."""
    return user.organisation or user.area


def refused(request, refusal: Refusal, status: int | None = None):
    response = render(request, "core/refused.html", {"message": refusal.message(get_language())},
                      status=status or refusal.status)
    response.kaikukanta_page = True  # the app's own page: core.middleware.DebugNotFoundMiddleware keeps it
    return response


def safe_next(request, fallback: str, *, from_query: bool = True) -> str:
    """The `next` a form or link asks to go back to, if it is a path of this site; else `fallback`. Only a
    path: a bare word would be read by `redirect` as a view name."""
    target = request.POST.get("next") or (request.GET.get("next") if from_query else None)
    if (target and target.startswith("/") and "\x00" not in target
            and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())):
        return target
    return fallback


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


def form_errors_from(form, refusal: Refusal) -> None:
    """Show a refusal next to the field it concerns (or above the form), in the page's language."""
    names = [refusal.field, refusal.field.rsplit(".", 1)[-1]] if refusal.field else []
    field = next((name for name in names if name in form.fields), None)
    form.add_error(field, refusal.message(get_language()))

