"""What every page shares: the caller's own site, area and scope, a refusal as a page, a safe `next`, a
refusal shown next to its field. Access to pages is declared with accounts.pages."""

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from kaikukanta.core.errors import Refusal
from kaikukanta.core.forms import add_refusal, page_message


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
    response = render(request, "core/refused.html", {"message": page_message(refusal)},
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


def form_errors_from(form, refusal: Refusal) -> None:
    """Show a refusal next to the field it concerns (or above the form), with its reason, in the page's
    language (core/forms.py)."""
    add_refusal(form, refusal)
