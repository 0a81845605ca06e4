"""Coordinators' pages of the users of their sites and their API tokens (the national admin's of every role)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaikukanta.accounts import services as accounts
from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.accounts.selectors import user_for
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import form_errors_from

from . import selectors
from .forms import ROLE_LABELS, STAFF_ROLES, PasswordForm, UserFilterForm, UserForm
from .views import (
    _active_sites,
    _describe_user,
    _int_or_none,
    _paged,
    _query_without_page,
    _site_choices,
    _works_nationally,
    coordinator_page,
)

# Users

@coordinator_page
def users(request):
    nationally = _works_nationally(request.user)
    sites = [] if nationally else _active_sites(request.user)
    filters = UserFilterForm(request.GET or None, sites=sites)
    if nationally:
        del filters.fields["organisation_id"]
    page_of_users = _paged(request, selectors.user_search(request.user, **filters.filters()))
    for user in page_of_users:
        _describe_user(user)
    return render(request, "network/users.html", {
        "filters": filters, "users": page_of_users, "query": _query_without_page(request),
        "nationally": nationally,
    })


@coordinator_page
def user_new(request):
    nationally = _works_nationally(request.user)
    sites = list(_active_sites(request.user))
    form = UserForm(request.POST or None, roles=list(ROLE_LABELS) if nationally else STAFF_ROLES,
                    site_choices=_site_choices(sites, with_kind=True),
                    site_kinds={site.pk: site.kind for site in sites},
                    areas=list(selectors.areas_visible_to(request.user)) if nationally else None,
                    initial={"organisation_id": _int_or_none(request.GET.get("organisation_id"))})
    if request.method == "POST" and form.is_valid():
        try:
            created = accounts.create_user(Caller.page(request), **form.service_fields())
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The user %(username)s was created.") % {"username": created.username})
            return redirect("network:user_detail", user_id=created.pk)
    return render(request, "network/user_form.html", {"form": form, "nationally": nationally})


def _user_page(request, target, *, password_form=None, status=200):
    return render(request, "network/user_detail.html", {
        "target": _describe_user(target),
        "may_manage": allowed(request.user, Action.MANAGE_USER, target),
        "may_issue_token": allowed(request.user, Action.CREATE_TOKEN, target),
        "password_form": password_form or PasswordForm(username=target.username),
    }, status=status)


@coordinator_page
def user_detail(request, user_id: int):
    return _user_page(request, user_for(request.user, user_id))


@coordinator_page
@require_POST
def user_password(request, user_id: int):
    target = user_for(request.user, user_id)
    form = PasswordForm(request.POST, username=target.username)
    if form.is_valid():
        try:
            accounts.update_user(Caller.page(request), target.pk, password=form.cleaned_data["password"])
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The new password was set. Give it to the user in a safe way."))
            return redirect("network:user_detail", user_id=target.pk)
    return _user_page(request, target, password_form=form)


@coordinator_page
@require_POST
def user_active(request, user_id: int):
    target = user_for(request.user, user_id)
    active = request.POST.get("active") == "1"
    accounts.update_user(Caller.page(request), target.pk, active=active)
    messages.success(request, _("The user can sign in again.") if active
                     else _("The user was deactivated: no sign-in and no API calls any more."))
    return redirect("network:user_detail", user_id=target.pk)


@coordinator_page
@require_POST
def token_new(request, user_id: int):
    target = user_for(request.user, user_id)
    issued = accounts.issue_token(Caller.page(request), target.pk)
    response = render(request, "network/token_issued.html", {"target": target, "secret": issued.secret,
                                                              "token": issued.token})
    # The secret is shown once: no cache may keep the page.
    response["Cache-Control"] = "no-store"
    return response
