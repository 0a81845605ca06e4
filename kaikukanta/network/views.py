"""Pages of area coordinators and the national admin: the sites here, with the helpers the other pages under
/network/ share; users and their tokens are user_views.py, guidelines guideline_views.py, areas area_views.py,
the statements and the low-income figures settings_views.py (card batches, the national settings and the
guessing alerts are cards/backoffice.py, the area export stats/area_export_views.py, served beside these under
/network/). Each view parses a form, calls a service or a selector and renders; the rules and the permissions
live in the services, the selectors and the policy."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import form_errors_from, own_area, safe_next

from . import selectors, services, venue_info
from .forms import (
    CATEGORY_LABELS,
    KIND_LABELS,
    LANGUAGE_CHOICES,
    OFFERING_KIND_LABELS,
    ROLE_LABELS,
    SECTOR_LABELS,
    OrganisationFilterForm,
    OrganisationForm,
    label_of,
)
from .models import OrganisationKind

PAGE_SIZE = 50

# Coordinators' pages: a coordinator works in its own area, the national admin everywhere (own_area is None).
coordinator_page = page(Action.VIEW_AREA, target=own_area)


def _works_nationally(user) -> bool:
    """The national admin manages areas, and with them the whole network and every role."""
    return allowed(user, Action.MANAGE_AREAS)


def _areas_to_choose(user):
    return list(selectors.areas_visible_to(user)) if _works_nationally(user) else None


def _paged(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _describe_site(site):
    site.kind_label = label_of(KIND_LABELS, site.kind)
    site.category_label = label_of(CATEGORY_LABELS, site.category)
    site.sector_label = label_of(SECTOR_LABELS, site.sector) if site.sector else ""
    return site


def _describe_user(user):
    user.role_label = label_of(ROLE_LABELS, user.role)
    user.language_label = label_of(dict(LANGUAGE_CHOICES), user.language)
    return user


def _municipality_name(municipality) -> str:
    return municipality.name_sv if get_language() == "sv" else municipality.name_fi


def _grouped_sites(sites):
    """Sites as choices grouped by area, so the national admin's long list reads area by area."""
    groups: dict[str, list] = {}
    for site in sites:
        groups.setdefault(site.area.name, []).append(site)
    return groups


def _site_choices(sites, *, with_kind=False):
    groups = _grouped_sites(sites)

    def label(site):
        return f"{site.name} ({label_of(KIND_LABELS, site.kind)})" if with_kind else site.name

    if len(groups) == 1:
        return [(site.pk, label(site)) for site in next(iter(groups.values()))]
    return [(area_name, [(site.pk, label(site)) for site in members]) for area_name, members in groups.items()]


def _active_sites(user, kind=None):
    sites = selectors.organisation_list(user, kind=kind).filter(active=True).select_related("area")
    return list(sites.order_by("area__name", "name"))


def _safe_next(request, fallback: str) -> str:
    return safe_next(request, fallback)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _show_refusal(rows, refusal: Refusal, form=None) -> None:
    """A refusal naming a row of a list (`municipalities.2.code`, `results.0.text.sv`) goes next to that
    row's field; any other next to `form`'s field, or, without a form, to the refusal page."""
    parts = (refusal.field or "").split(".")
    if len(parts) >= 3 and parts[1].isascii() and parts[1].isdigit() and int(parts[1]) < len(rows):
        form_errors_from(rows[int(parts[1])], Refusal(
            refusal.code, field=parts[-1], detail=refusal.detail, reason=refusal.reason))
    elif form is not None:
        form_errors_from(form, refusal)
    else:
        raise refusal


# Sites

@coordinator_page
def organisations(request):
    areas = _areas_to_choose(request.user)
    filters = OrganisationFilterForm(request.GET or None, areas=areas)
    page_of_sites = _paged(request, selectors.organisation_search(request.user, **filters.filters()))
    for site in page_of_sites:
        _describe_site(site)
    return render(request, "network/organisations.html", {
        "filters": filters, "sites": page_of_sites, "query": _query_without_page(request),
        "municipalities": selectors.municipalities_of_areas(request.user), "nationally": areas is not None,
        "may_create": allowed(request.user, Action.CREATE_ORGANISATION, own_area(request.user)),
        "own_area": own_area(request.user),
    })


@page(Action.CREATE_ORGANISATION, target=own_area)
def organisation_new(request):
    fixed_area = own_area(request.user)
    areas = None if fixed_area else list(selectors.areas_visible_to(request.user))
    form = OrganisationForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        fields.setdefault("area_id", fixed_area.pk if fixed_area else None)
        try:
            site = services.create_organisation(Caller.page(request), **fields)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The site %(name)s was added.") % {"name": site.name})
            return redirect("network:organisation_detail", organisation_id=site.pk)
    return render(request, "network/organisation_form.html", {
        "form": form, "creating": True, "fixed_area": fixed_area,
        "municipalities": selectors.municipalities_of_areas(request.user, fixed_area),
    })


@coordinator_page
def organisation_detail(request, organisation_id: int):
    site = _describe_site(selectors.organisation_for(request.user, organisation_id))
    users = [_describe_user(user) for user in selectors.user_search(request.user, organisation_id=site.pk)]
    # The site's own batches, by the foreign key (this app sits below cards: the batch pages are theirs).
    batches = (list(site.card_batches.select_related("created_by").order_by("-created_at", "-pk"))
               if site.kind == OrganisationKind.DISTRIBUTOR else [])
    offerings = (list(selectors.offering_list(request.user, venue_id=site.pk).order_by("archived", "date", "name"))
                 if site.kind == OrganisationKind.VENUE else [])
    for offering in offerings:
        offering.kind_label = label_of(OFFERING_KIND_LABELS, offering.kind)
    return render(request, "network/organisation_detail.html", {
        "site": site, "users": users, "batches": batches,
        "offerings": offerings,
        "commitments": selectors.guideline_commitments_of(site),
        "may_update": allowed(request.user, Action.UPDATE_ORGANISATION, site),
        "may_create_batch": allowed(request.user, Action.CREATE_CARD_BATCH, site) and site.active,
    })


@coordinator_page
def organisation_edit(request, organisation_id: int):
    site = selectors.organisation_to_update(request.user, organisation_id)
    initial = {"name": site.name, "municipality": site.municipality_id, "category": site.category,
               "sector": site.sector, "contact_name": site.contact_name, "contact_email": site.contact_email,
               "contact_phone": site.contact_phone,
               **venue_info.form_initial(site)}
    form = OrganisationForm(request.POST or None, initial=initial, creating=False,
                            venue=site.kind == OrganisationKind.VENUE)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            if changes:
                services.update_organisation(Caller.page(request), site.pk, **changes)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The changes were saved.") if changes else _("Nothing was changed."))
            return redirect("network:organisation_detail", organisation_id=site.pk)
    return render(request, "network/organisation_form.html", {
        "form": form, "creating": False, "site": _describe_site(site), "fixed_area": site.area,
        "municipalities": selectors.municipalities_of_areas(request.user, site.area),
    })


@coordinator_page
@require_POST
def organisation_active(request, organisation_id: int):
    site = selectors.organisation_for(request.user, organisation_id)
    active = request.POST.get("active") == "1"
    services.update_organisation(Caller.page(request), site.pk, active=active)
    messages.success(request, _("The site is in the network again.") if active
                     else _("The site was taken out of the network. Its history stays."))
    return redirect("network:organisation_detail", organisation_id=site.pk)
