"""Pages of area coordinators and the national admin: sites, users and their tokens, guidelines, areas and
the low-income figures (card batches, the national settings and the guessing alerts are cards/backoffice.py,
the area export stats/area_export_views.py, served beside these under /network/). Each view parses a form,
calls a service or a selector and renders; the rules and the permissions live in the services, the selectors
and the policy."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaikukanta.accounts import services as accounts
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action, allowed, require
from kaikukanta.accounts.selectors import user_for
from kaikukanta.core.clock import today
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
    STAFF_ROLES,
    STATUS_LABELS,
    AreaForm,
    CommitmentForm,
    GuidelineVersionForm,
    LowIncomeForm,
    MembershipFormSet,
    OrganisationFilterForm,
    OrganisationForm,
    PasswordForm,
    StatementsForm,
    UserFilterForm,
    UserForm,
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
            site = services.create_organisation(request.user, **fields)
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
    site = selectors.organisation_for(request.user, organisation_id)
    require(request.user, Action.UPDATE_ORGANISATION, site)
    initial = {"name": site.name, "municipality": site.municipality_id, "category": site.category,
               "sector": site.sector, "contact_name": site.contact_name, "contact_email": site.contact_email,
               "contact_phone": site.contact_phone,
               **{name: getattr(site, name) for name in venue_info.FIELDS},
               **{name: "1" if getattr(site, name) else "0" for name in venue_info.FLAGS}}
    form = OrganisationForm(request.POST or None, initial=initial, creating=False,
                            venue=site.kind == OrganisationKind.VENUE)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            if changes:
                services.update_organisation(request.user, site.pk, **changes)
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
    services.update_organisation(request.user, site.pk, active=active)
    messages.success(request, _("The site is in the network again.") if active
                     else _("The site was taken out of the network. Its history stays."))
    return redirect("network:organisation_detail", organisation_id=site.pk)


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
            created = accounts.create_user(request.user, **form.service_fields())
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
            accounts.update_user(request.user, target.pk, password=form.cleaned_data["password"])
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
    accounts.update_user(request.user, target.pk, active=active)
    messages.success(request, _("The user can sign in again.") if active
                     else _("The user was deactivated: no sign-in and no API calls any more."))
    return redirect("network:user_detail", user_id=target.pk)


@coordinator_page
@require_POST
def token_new(request, user_id: int):
    target = user_for(request.user, user_id)
    issued = accounts.issue_token(request.user, target.pk)
    response = render(request, "network/token_issued.html", {"target": target, "secret": issued.secret,
                                                              "token": issued.token})
    # The secret is shown once: no cache may keep the page.
    response["Cache-Control"] = "no-store"
    return response


# Guidelines

@coordinator_page
def guidelines(request):
    versions = list(selectors.guideline_versions())
    current = selectors.guideline_status(request.user, versions[0]) if versions else None
    return render(request, "network/guidelines.html", {
        "versions": versions, "current": current,
        "may_publish": allowed(request.user, Action.UPDATE_SETTINGS)})


@page(Action.UPDATE_SETTINGS)
def guideline_new(request):
    form = GuidelineVersionForm(request.POST or None, initial={"published_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.publish_guideline_version(request.user, **form.cleaned_data)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("Version %(label)s was published.") % {"label": version.label})
            return redirect("network:guideline_detail", version_id=version.pk)
    return render(request, "network/guideline_form.html", {"form": form})


@coordinator_page
def guideline_detail(request, version_id: int):
    version = selectors.guideline_version(version_id)
    areas = _areas_to_choose(request.user)
    area_id = _int_or_none(request.GET.get("area_id")) if areas else None
    status = selectors.guideline_status(request.user, version, area_id=area_id)
    form = CommitmentForm(request.POST or None, site_choices=_site_choices(status.not_committed),
                          initial={"organisation_id": _int_or_none(request.GET.get("organisation_id"))})
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.record_guideline_commitment(request.user, version_id=version.pk,
                                                              **form.cleaned_data)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("%(site)s has committed to version %(label)s.") % {
                "site": commitment.organisation.name, "label": version.label})
            fallback = reverse("network:guideline_detail", kwargs={"version_id": version.pk})
            return redirect(_safe_next(request, fallback))
    for site in status.not_committed:
        _describe_site(site)
    for commitment in status.committed:
        _describe_site(commitment.organisation)
    return render(request, "network/guideline_detail.html", {
        "version": version, "status": status, "form": form, "areas": areas, "area_id": area_id})


# Areas (national admin)

def _describe_area(area, day):
    periods = list(area.status_periods.all())
    area.status_today = selectors.status_among(periods, day)
    area.status_label = label_of(STATUS_LABELS, area.status_today) if area.status_today else ""
    area.members_today = sorted(m.municipality_id for m in area.memberships.all()
                                if m.joined_on <= day and (m.left_on is None or m.left_on > day))
    return area


@page(Action.MANAGE_AREAS)
def areas(request):
    day = today()
    found = selectors.areas_visible_to(request.user).prefetch_related("status_periods", "memberships")
    return render(request, "network/areas.html", {"areas": [_describe_area(area, day) for area in found]})


def _joinings(formset):
    """The rows with a municipality code, as the service's joinings, and the row of each (for its errors)."""
    day = today()
    joinings, rows = [], []
    for row in formset.forms:
        code = (row.cleaned_data.get("code") or "").strip()
        if code:
            joinings.append(services.Joining(code=code, joined_on=row.cleaned_data.get("joined_on") or day,
                                             field=f"municipalities.{len(joinings)}.code"))
            rows.append(row)
    return joinings, rows


def _show_refusal(rows, refusal: Refusal, form=None) -> None:
    """A refusal naming a row of a list (`municipalities.2.code`, `results.0.text.sv`) goes next to that
    row's field; any other next to `form`'s field, or, without a form, to the refusal page."""
    parts = (refusal.field or "").split(".")
    if len(parts) >= 3 and parts[1].isascii() and parts[1].isdigit() and int(parts[1]) < len(rows):
        form_errors_from(rows[int(parts[1])], Refusal(refusal.code, field=parts[-1], detail=refusal.detail))
    elif form is not None:
        form_errors_from(form, refusal)
    else:
        raise refusal


def _area_form_page(request, form, formset, area=None):
    return render(request, "network/area_form.html", {
        "form": form, "formset": formset, "area": area,
        "all_municipalities": selectors.current_municipalities()})


@page(Action.MANAGE_AREAS)
def area_new(request):
    form = AreaForm(request.POST or None, initial={"status": "preparing"})
    formset = MembershipFormSet(request.POST or None, prefix="municipalities")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        joinings, rows = _joinings(formset)
        try:
            area = services.create_area(request.user, name=form.cleaned_data["name"],
                                        status=form.cleaned_data["status"], joinings=joinings)
        except Refusal as refusal:
            _show_refusal(rows, refusal, form)
        else:
            messages.success(request, _("The area %(name)s was created.") % {"name": area.name})
            return redirect("network:area_detail", area_id=area.pk)
    return _area_form_page(request, form, formset)


@coordinator_page
def area_detail(request, area_id: int):
    day = today()
    area = _describe_area(selectors.area_for(request.user, area_id), day)
    memberships = sorted(area.memberships.select_related("municipality"),
                         key=lambda m: (m.municipality.name_fi, m.joined_on))
    periods = sorted(area.status_periods.all(), key=lambda period: period.effective_from)
    status_rows = [{"status": label_of(STATUS_LABELS, period.status), "current": period.status,
                    "effective_from": period.effective_from,
                    "until": periods[index + 1].effective_from if index + 1 < len(periods) else None}
                   for index, period in enumerate(periods)]
    events = [{"day": event.day, "kind": event.kind, "status": label_of(STATUS_LABELS, event.status),
               "municipality": event.municipality, "future": event.day > day,
               "place": _municipality_name(event.municipality) if event.municipality else ""}
              for event in selectors.area_timeline(area)]
    return render(request, "network/area_detail.html", {
        "area": area, "memberships": memberships, "status_rows": status_rows, "events": events, "today": day,
        "sites": selectors.organisation_list(request.user, area_id=area.pk).count(),
        "may_manage": allowed(request.user, Action.MANAGE_AREAS, area)})


@page(Action.MANAGE_AREAS)
def area_edit(request, area_id: int):
    day = today()
    area = _describe_area(selectors.area_for(request.user, area_id), day)
    initial_rows = [{"code": m.municipality_id, "joined_on": m.joined_on}
                    for m in selectors.open_memberships(area, day).order_by("municipality_id")]
    form = AreaForm(request.POST or None, initial={"name": area.name, "status": area.status_today})
    formset = MembershipFormSet(request.POST or None, prefix="municipalities", initial=initial_rows)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        joinings, rows = _joinings(formset)
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_area(request.user, area.pk, joinings=joinings, **changes)
        except Refusal as refusal:
            _show_refusal(rows, refusal, form)
        else:
            messages.success(request, _("The changes were saved. They take effect today."))
            return redirect("network:area_detail", area_id=area.pk)
    return _area_form_page(request, form, formset, area)


# National settings

@page(Action.UPDATE_SETTINGS)
def statements(request):
    """The editable parts of the public accessibility statement and privacy notice (shown by public/views.py)."""
    current = selectors.national_settings(request.user)
    form = StatementsForm(request.POST or None,
                          initial={name: getattr(current, name) for name in services.STATEMENT_FIELDS})
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.update_statements(request.user, **changes)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The statements were saved.") if changes else _("Nothing was changed."))
            return redirect("network:statements")
    return render(request, "network/statements.html", {"form": form})


@page(Action.UPDATE_SETTINGS)
def low_income(request):
    form = LowIncomeForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.upload_low_income(request.user, form.cleaned_data["file"].read())
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            if result.ok:
                messages.success(request, _("Figures added: %(created)s, updated: %(updated)s.") % {
                    "created": result.created, "updated": result.updated})
                return redirect("network:low_income")
    errors = [{"line": error.line, "field": error.field, "message": Refusal(error.code).message(
        request.LANGUAGE_CODE)} for error in result.errors] if result else []
    return render(request, "network/low_income.html", {
        "form": form, "errors": errors, "years": selectors.low_income_years()})
