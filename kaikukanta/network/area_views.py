"""The areas: their status over time and their municipalities (managed by the national admin, read by the
area's coordinator)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Refusal

from . import selectors, services
from .forms import STATUS_LABELS, AreaForm, MembershipFormSet, label_of
from .views import _municipality_name, _show_refusal, coordinator_page

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
            area = services.create_area(Caller.page(request), name=form.cleaned_data["name"],
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
            services.update_area(Caller.page(request), area.pk, joinings=joinings, **changes)
        except Refusal as refusal:
            _show_refusal(rows, refusal, form)
        else:
            messages.success(request, _("The changes were saved. They take effect today."))
            return redirect("network:area_detail", area_id=area.pk)
    return _area_form_page(request, form, formset, area)
