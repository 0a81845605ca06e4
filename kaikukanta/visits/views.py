"""The ticket desk: check a card, record and undo visits, enter paper lists, manage the venue's offerings.

Views parse a form and call the visit and network services, which hold every rule; a refusal is shown next
to the field it concerns, with everything the user typed kept.
"""

import datetime
import math
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.pages import page, signed_in_page
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.core.api_support import is_id
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.pages import form_errors_from, own_site, refused, safe_next
from kaikukanta.network import services as network_services
from kaikukanta.network import venue_info as network_venue_info
from kaikukanta.network.forms import VenueInfoForm
from kaikukanta.network.selectors import offering_to_manage
from kaikukanta.programme.selectors import rules_in_force

from . import selectors, services
from .forms import KIND_LABELS, OfferingForm, PaperListForm, PaperRowForm, VisitForm, new_idempotency_key

PAPER_ROWS = 10
MAX_PAPER_ROWS = 200
OFFERINGS_PER_PAGE = 20


def _refusals_as_pages(view):
    """For pages whose permission depends on the object in the URL: the service's refusal becomes the page."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refusal as refusal:
            return refused(request, refusal)

    return guarded


def _back(request, fallback: str) -> str:
    return safe_next(request, fallback, from_query=False)


# The card check ------------------------------------------------------------------------------------------


def _card_status(request, raw_number: str) -> dict:
    """The status panel's context: the check, or the reason there is none. Counted against the card-check
    limits like the API's check (cards.guessing); `throttled` is set when they refused it."""
    raw_number = (raw_number or "").strip()
    if not raw_number:
        return {}
    try:
        return {"check": services.check_card(Caller.page(request), raw_number)}
    except Refusal as refusal:
        if refusal.code == Code.INVALID:
            return {"problem": _("A card number has 10 digits.")}
        if refusal.code == Code.THROTTLED:
            minutes = math.ceil(int(refusal.detail) / 60)
            wait = ngettext("You can check cards again in %(count)s minute.",
                            "You can check cards again in %(count)s minutes.", minutes) % {"count": minutes}
            return {"problem": f"{Refusal(Code.THROTTLED).message(get_language())} {wait}", "throttled": True}
        return {"problem": refusal.message(get_language())}


def _status_of(panel: dict) -> int:
    return Refusal(Code.THROTTLED).status if panel.get("throttled") else 200


@page(Action.CHECK_CARD)
@never_cache
def check_card(request):
    """The status panel alone, for the desk to fetch as the number is typed or scanned."""
    panel = _card_status(request, request.GET.get("card_number"))
    return render(request, "visits/card_status.html", panel, status=_status_of(panel))


# Recording at the desk -----------------------------------------------------------------------------------


def _recorded_notice(recorded: services.RecordedVisit) -> str:
    visit = recorded.visit
    uses = ngettext("%(count)s use", "%(count)s uses", visit.uses) % {"count": visit.uses}
    party = [ngettext("%(count)s child", "%(count)s children", visit.children) % {"count": visit.children}
             if visit.children else "",
             ngettext("%(count)s client", "%(count)s clients", visit.clients) % {"count": visit.clients}
             if visit.clients else "",
             ngettext("%(count)s assistant free", "%(count)s assistants free", visit.assistants)
             % {"count": visit.assistants} if visit.assistants else ""]
    details = ", ".join(part for part in party if part)
    if details:
        uses = f"{uses} ({details})"
    values = {"number": recorded.card_number, "uses": uses}
    if recorded.created:
        return _("Visit recorded: card %(number)s, %(uses)s.") % values
    return _("This visit was already recorded: card %(number)s, %(uses)s.") % values


def _desk_context(request, form, day: datetime.date, panel: dict) -> dict:
    return {"form": form, "today": day, "idempotency_key": new_idempotency_key(), "venue": request.user.organisation,
            "recent": selectors.recent_visits_recorded_by(request.user), "number_invalid_message":
            Refusal(Code.NUMBER_INVALID).message(get_language()), **panel}


def _initial_offering(raw: str | None, offerings, venue=None) -> int | None:
    """The offering asked for, if the venue has it in use; else the venue's chosen default, if in use; else
    one dated `today` (those come first); else none. A new undated offering never becomes the default by
    the alphabet: the venue picks it on its offerings page."""
    ids = [offering.pk for offering in offerings]
    if raw and is_id(raw) and int(raw) in ids:
        return int(raw)
    default = getattr(venue, "default_offering_id", None)
    if default in ids:
        return default
    dated_today = [offering.pk for offering in offerings if offering.date is not None and offering.day_first == 0]
    return dated_today[0] if dated_today else None


@page(Action.RECORD_VISIT)
@never_cache
def check(request):
    """The desk: check a card and record its visit, on one screen."""
    day = today()
    offerings = selectors.offerings_for_desk(request.user.organisation_id, day, since=day)
    if request.method == "POST":
        form = VisitForm(request.POST, offerings=offerings, day=day, area_id=request.user.organisation.area_id)
        if form.is_valid():
            try:
                recorded = services.record_visit(
                    Caller.page(request), idempotency_key=form.cleaned_data["idempotency_key"] or None, **form.visit())
            except Refusal as refusal:
                form_errors_from(form, refusal)
            else:
                messages.success(request, _recorded_notice(recorded))
                offering_id = form.cleaned_data["offering_id"]
                query = f"?{urlencode({'offering_id': offering_id})}" if offering_id else ""
                return redirect(reverse("desk:check") + query)
        panel = _card_status(request, request.POST.get("card_number"))
        return render(request, "visits/check.html", _desk_context(request, form, day, panel),
                      status=_status_of(panel))
    number = request.GET.get("card_number", "")
    form = VisitForm(initial={"card_number": number, "children": 0, "clients": 0, "assistants": 0,
                              "offering_id": _initial_offering(request.GET.get("offering_id"), offerings,
                                                               request.user.organisation)},
                     offerings=offerings, day=day, area_id=request.user.organisation.area_id)
    panel = _card_status(request, number)
    return render(request, "visits/check.html", _desk_context(request, form, day, panel), status=_status_of(panel))


@page(Action.RECORD_VISIT)
@require_POST
def cancel(request, visit_id: int):
    """Undo a visit (within the cancel window); back to the list it was undone from."""
    back = _back(request, reverse("desk:check"))
    try:
        services.cancel_visit(Caller.page(request), visit_id)
    except Refusal as refusal:
        # Too late to undo is news for the list the user is looking at; any other refusal is the page.
        if refusal.code != Code.CANCEL_WINDOW_PASSED:
            raise
        messages.error(request, refusal.message(get_language()))
    else:
        messages.success(request, _("The visit was cancelled. It counts nowhere."))
    return redirect(back)


# Lists ---------------------------------------------------------------------------------------------------


EARLIEST_DAY = datetime.date(2000, 1, 1)


def _day_asked(raw: str | None, day: datetime.date) -> datetime.date:
    try:
        asked = parse_date(raw or "")
    except ValueError:
        asked = None
    # The first day of the calendar has no day before it to link to: nothing that early is asked for.
    return asked if asked is not None and EARLIEST_DAY <= asked <= day else day


@page(Action.RECORD_VISIT)
@never_cache
def today_visits(request):
    """A day's visits at the venue (today unless another past day is asked for), with totals and undo."""
    day = today()
    shown = _day_asked(request.GET.get("day"), day)
    venue_id = request.user.organisation_id
    return render(request, "visits/today.html", {
        "day": shown, "is_today": shown == day, "visits": selectors.visits_at_venue_on(
            venue_id, shown, area_id=request.user.organisation.area_id),
        "totals": selectors.totals_at_venue_on(venue_id, shown),
        "previous_day": shown - datetime.timedelta(days=1),
        "next_day": shown + datetime.timedelta(days=1) if shown < day else None,
    })


# Paper lists ---------------------------------------------------------------------------------------------


@dataclass
class PaperRow:
    number: int
    form: PaperRowForm
    recorded: services.RecordedVisit | None = None
    tried: bool = False

    @property
    def failed(self) -> bool:
        return self.tried and self.recorded is None


def _blank_row(number: int, area_rules) -> PaperRow:
    return PaperRow(number, PaperRowForm(prefix=f"row-{number}", initial={"key": new_idempotency_key()},
                                         area_rules=area_rules))


def _posted_rows(data, area_rules) -> list[PaperRow]:
    try:
        count = int(data.get("rows", PAPER_ROWS))
    except ValueError:
        count = PAPER_ROWS
    count = min(max(count, 1), MAX_PAPER_ROWS)
    return [PaperRow(number, PaperRowForm(data, prefix=f"row-{number}", area_rules=area_rules))
            for number in range(1, count + 1)]


def _record_row(request, row: PaperRow, used_on: datetime.date, offering_id: int | None) -> None:
    """One row of the paper list; the service holds it to the card-number guessing limits as the API's
    registration: a list of made-up numbers is guessing too."""
    if row.form.is_blank():
        return
    row.tried = True
    if not row.form.is_valid():
        return
    try:
        row.recorded = services.record_visit(Caller.page(request),
                                             idempotency_key=row.form.cleaned_data["key"] or None,
                                             used_on=used_on, offering_id=offering_id, **row.form.visit())
    except Refusal as refusal:
        form_errors_from(row.form, refusal)


def _paper_summary(rows: list[PaperRow]) -> dict:
    recorded = sum(1 for row in rows if row.recorded)
    failed = sum(1 for row in rows if row.failed)
    return {"recorded_count": recorded, "failed_count": failed}


@page(Action.RECORD_VISIT)
@never_cache
def paper(request):
    """Visits written on paper, entered after the event: one date and offering, many rows, each saved on its own."""
    day = today()
    area_id = request.user.organisation.area_id
    # The venue's area's rules on the recording day: how far back the list goes, the steppers' tops.
    area_rules = rules_in_force(area_id, day)
    offerings = selectors.offerings_for_desk(request.user.organisation_id, day,
                                             since=day - datetime.timedelta(days=area_rules.paper_list_days))
    context = {}
    if request.method == "POST":
        header = PaperListForm(request.POST, offerings=offerings, day=day, area_id=area_id)
        rows = _posted_rows(request.POST, area_rules)
        if "add_rows" in request.POST:
            # Nothing is saved: the list only grows, with what was typed kept.
            rows += [_blank_row(len(rows) + number, area_rules)
                     for number in range(1, min(PAPER_ROWS, MAX_PAPER_ROWS - len(rows)) + 1)]
        elif header.is_valid():
            for row in rows:
                _record_row(request, row, header.cleaned_data["used_on"], header.cleaned_data["offering_id"])
            context = {"submitted": True, "used_on": header.cleaned_data["used_on"], **_paper_summary(rows)}
    else:
        header = PaperListForm(area_id=area_id,
                               initial={"used_on": day, "offering_id": _initial_offering(None, offerings,
                                                                                        request.user.organisation)},
                               offerings=offerings, day=day)
        rows = [_blank_row(number, area_rules) for number in range(1, PAPER_ROWS + 1)]
    return render(request, "visits/paper.html", {
        "paper_list_days": area_rules.paper_list_days,
        "header": header, "rows": rows, "row_count": len(rows), "can_add_rows": len(rows) < MAX_PAPER_ROWS,
        "number_invalid_message": Refusal(Code.NUMBER_INVALID).message(get_language()), **context})


# Offerings -----------------------------------------------------------------------------------------------


def _offering_back(user, offering) -> str:
    """Venue staff go back to their list; a coordinator or admin, who has no list of its own here, to the offering."""
    if allowed(user, Action.MANAGE_OFFERINGS, user.organisation):
        return reverse("desk:offerings")
    return reverse("desk:offering_edit", args=[offering.pk])


@page(Action.MANAGE_OFFERINGS, target=own_site)
def offerings(request):
    """The venue's own offerings, in use and archived, with today's card tickets against each quota."""
    day = today()
    showing_archived = request.GET.get("show") == "archived"
    listed = Paginator(selectors.offerings_of_venue(request.user.organisation_id, day, archived=showing_archived),
                       OFFERINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "visits/offerings.html", {
        "listed": listed, "showing_archived": showing_archived, "kind_labels": KIND_LABELS, "day": day,
        "default_offering_id": request.user.organisation.default_offering_id,
    })


@page(Action.MANAGE_OFFERINGS, target=own_site)
@require_POST
def offering_default(request):
    """The venue picks the offering its desk starts with (`offering_id` empty: none)."""
    raw = request.POST.get("offering_id", "")
    if raw and not is_id(raw):
        raise Refusal(Code.INVALID, field="offering_id")
    network_services.set_default_offering(Caller.page(request), venue_id=request.user.organisation_id,
                                          offering_id=int(raw) if raw else None)
    messages.success(request, _("The desk now starts with this offering.") if raw
                     else _("The desk no longer starts with a chosen offering."))
    return redirect(_back(request, reverse("desk:offerings")))


@page(Action.MANAGE_OFFERINGS, target=own_site)
def offering_new(request):
    form = OfferingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offering = network_services.create_offering(Caller.page(request), venue_id=request.user.organisation_id,
                                                        **form.cleaned_data)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("Offering “%(name)s” added.") % {"name": offering.name})
            return redirect("desk:offerings")
    return render(request, "visits/offering_form.html", {"form": form, "offering": None})


@signed_in_page
@_refusals_as_pages
def offering_edit(request, offering_id: int):
    """Venue staff edit their venue's offerings; the area coordinator and the national admin any in their scope."""
    offering = offering_to_manage(request.user, offering_id)
    initial = {"name": offering.name, "kind": offering.kind, "date": offering.date,
               "ticket_quota": offering.ticket_quota,
               "adult_price_cents": OfferingForm.euros(offering.adult_price_cents),
               "child_price_cents": OfferingForm.euros(offering.child_price_cents)}
    form = OfferingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            network_services.update_offering(Caller.page(request), offering.pk, **form.changes())
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("Offering “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
            return redirect(_offering_back(request.user, offering))
    return render(request, "visits/offering_form.html", {
        "form": form, "offering": offering,
        "own_list": allowed(request.user, Action.MANAGE_OFFERINGS, request.user.organisation)})


@signed_in_page
@_refusals_as_pages
@require_POST
def offering_archive(request, offering_id: int):
    """Archive an offering (it leaves the desk; its visits stay), or with `restore` bring it back."""
    restore = "restore" in request.POST
    offering = network_services.update_offering(Caller.page(request), offering_id, archived=not restore)
    if restore:
        messages.success(request, _("Offering “%(name)s” is in use again.") % {"name": offering.name})
    else:
        messages.success(request, _("Offering “%(name)s” archived.") % {"name": offering.name})
    back = _offering_back(request.user, offering)
    if not restore and back == reverse("desk:offerings"):
        back += "?show=archived"  # where it now is, with its button to take it back into use
    return redirect(_back(request, back))


@page(Action.UPDATE_VENUE_INFO, target=own_site)
def venue_info(request):
    """The venue's own public page: address, opening hours, how to book, accessibility and its contacts."""
    venue = request.user.organisation
    form = VenueInfoForm(request.POST or None, initial=network_venue_info.form_initial(venue))
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            if changes:
                network_venue_info.update_venue_info(Caller.page(request), venue.pk, **changes)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The venue's public page was saved.") if changes
                             else _("Nothing was changed."))
            return redirect("desk:venue_info")
    return render(request, "visits/venue_info.html", {"form": form, "venue": venue})
