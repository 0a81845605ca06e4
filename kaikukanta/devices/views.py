"""The desk devices' pages: a venue's devices (enrolment code with its QR, revoking), the overview of the
venues in a coordinator's or the national admin's reach, and the conflict inbox with its history. Every
write goes through the services with the page's Caller."""

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.pages import form_errors_from

from . import conflicts, selectors, services
from .forms import CorrectForm, DiscardForm
from .models import ConflictStatus

PAGE_SIZE = 25
STATUS_LABELS = {
    ConflictStatus.OPEN: pgettext_lazy("conflict", "Open"),
    ConflictStatus.RECORDED: _("Recorded after all"),
    ConflictStatus.DISCARDED: _("Discarded"),
}


def _reason(code: str) -> str:
    return Refusal(Code(code)).message(get_language())


def _describe(conflict):
    conflict.reason_text = _reason(conflict.code)
    conflict.status_label = STATUS_LABELS[ConflictStatus(conflict.status)]
    return conflict


def _page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@page(Action.LIST_DEVICES)
def index(request):
    """A venue's staff go to their venue's devices; the coordinator and the national admin get the venues in
    their reach that have devices, with pending visits and open conflicts."""
    if request.user.role == Role.VENUE:
        return redirect("devices:venue", venue_id=request.user.organisation_id)
    venues = _page_of(request, selectors.venues_with_devices(request.user))
    return render(request, "devices/index.html", {"venues": venues})


@page(Action.LIST_DEVICES)
def venue(request, venue_id: int):
    caller = Caller.page(request)
    site = selectors.venue_in_reach(caller, venue_id, Action.MANAGE_DEVICES)
    devices = list(selectors.devices_of(site))
    return render(request, "devices/venue.html", {
        "site": site, "devices": devices,
        "open_conflicts": selectors.conflicts_of(site).count(),
        "may_enrol": allowed(request.user, Action.ENROL_DEVICE, site),
    })


def _qr(code: str) -> str:
    """The enrolment code as a QR code (an SVG data URI, which the CSP admits as an image), grouped by four
    as it is shown; the enrolment ignores the dashes."""
    return segno.make(code, error="m").svg_data_uri(scale=6, border=2)


def _grouped(code: str) -> str:
    return "-".join(code[index:index + 4] for index in range(0, len(code), 4))


@require_POST
@page(Action.LIST_DEVICES)
def enrolment_code(request, venue_id: int):
    """A one-use enrolment code, shown once: the answer of the POST itself, never stored in the clear."""
    enrolment, code = services.issue_enrolment_code(Caller.page(request), venue_id)
    shown = _grouped(code)
    return render(request, "devices/enrolment_code.html", {
        "site": enrolment.venue, "code": shown, "qr": _qr(shown), "expires_at": enrolment.expires_at})


@page(Action.LIST_DEVICES)
def revoke(request, device_id: int):
    """A confirmation step (GET), then the revocation (POST)."""
    caller = Caller.page(request)
    device = selectors.device_in_reach(caller, device_id)
    if request.method == "POST":
        services.revoke_device(caller, device.pk)
        messages.success(request, _("The device %(name)s has been revoked.") % {"name": device.name})
        return redirect("devices:venue", venue_id=device.venue_id)
    return render(request, "devices/revoke.html", {"device": device, "site": device.venue})


@page(Action.LIST_DEVICES)
def inbox(request, venue_id: int):
    """The venue's open conflicts, oldest first; `?show=history` the resolved ones, latest first."""
    site = selectors.venue_in_reach(Caller.page(request), venue_id, Action.VIEW_CONFLICTS)
    history = request.GET.get("show") == "history"
    listed = _page_of(request, selectors.resolved_conflicts_of(site) if history else selectors.conflicts_of(site))
    for conflict in listed:
        _describe(conflict)
    return render(request, "devices/inbox.html", {"site": site, "listed": listed, "history": history})


def _resolve(request, caller, conflict, correct_form, discard_form):
    """Carry out the POSTed resolution. Returns a redirect when done, else the refusal of "record as sent"
    (the others' refusals are put on their forms)."""
    action = request.POST.get("action")
    if action not in ("record", "correct", "discard"):
        raise Refusal(Code.INVALID, field="action")
    form = {"record": None, "correct": correct_form, "discard": discard_form}[action]
    if form is not None and not form.is_valid():
        return None
    try:
        if action == "record":
            conflicts.record(caller, conflict.pk)
            messages.success(request, _("The visit has been recorded."))
        elif action == "correct":
            conflicts.record(caller, conflict.pk, **form.cleaned_data)
            messages.success(request, _("The visit has been recorded with the corrected party."))
        else:
            conflicts.discard(caller, conflict.pk, reason=form.cleaned_data["reason"])
            messages.success(request, _("The conflict has been discarded."))
    except Refusal as refusal:
        if form is None:
            return refusal.message(get_language())
        form_errors_from(form, refusal)
        return None
    return redirect("devices:inbox", venue_id=conflict.venue_id)


@page(Action.LIST_DEVICES)
def conflict(request, conflict_id: int):
    """One conflict: what the device sent and why it was refused, and the ways to resolve it the caller has."""
    caller = Caller.page(request)
    found = _describe(selectors.conflict_in_reach(caller, conflict_id))
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {"children": found.children, "clients": found.clients, "assistants": found.assistants}
    correct_form = CorrectForm(request.POST if action == "correct" else None, initial=initial,
                               prefix="correct")
    discard_form = DiscardForm(request.POST if action == "discard" else None, prefix="discard")
    record_refusal = None
    if request.method == "POST":
        done = _resolve(request, caller, found, correct_form, discard_form)
        if done is not None and not isinstance(done, str):
            return done
        record_refusal = done
    is_open = found.status == ConflictStatus.OPEN
    return render(request, "devices/conflict.html", {
        "conflict": found, "site": found.venue, "is_open": is_open, "record_refusal": record_refusal,
        "may_record": is_open and allowed(request.user, Action.RECORD_CONFLICT, found.venue),
        "may_correct": is_open and allowed(request.user, Action.CORRECT_CONFLICT, found.venue),
        "may_discard": is_open and allowed(request.user, Action.DISCARD_CONFLICT, found.venue),
        "correct_form": correct_form, "discard_form": discard_form,
    })
