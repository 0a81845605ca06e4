"""The card pages of distributor staff: issue, find, renew, close and replace cards; print inserts and
batch sheets. Thin: a form is parsed, a service or selector called, a page rendered."""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import form_errors_from, own_site

from . import forms, pdf, rules, selectors, services
from .models import Card, CardType
from .pdf import grouped

PDF_LANGUAGES = ("fi", "sv")


def _municipality_name(municipality) -> str:
    if municipality is None:
        return ""
    return municipality.name_sv if get_language() == "sv" else municipality.name_fi


@dataclass(frozen=True)
class CardRow:
    """What the list and the card page show of a card, in words."""

    card: Card
    number: str
    grouped: str
    status: str
    status_label: str
    card_type_label: str
    personal: bool

    @classmethod
    def of(cls, card: Card, day: datetime.date) -> "CardRow":
        status = rules.status_on(valid_until=card.valid_until, closed_on=card.closed_on, day=day)
        return cls(card=card, number=card.number, grouped=grouped(card.number), status=status,
                   status_label=forms.STATUS_LABELS[status], card_type_label=forms.CARD_TYPE_LABELS[card.card_type],
                   personal=card.card_type == CardType.PERSONAL)


def _issue_page(request, form, status=200):
    distributor = request.user.organisation
    return render(request, "cards/issue.html", {
        "form": form, "distributor": distributor,
        "stock_left": selectors.unissued_stock_count(distributor.pk),
    }, status=status)


@page(Action.ISSUE_CARD, target=own_site)
def issue(request):
    questions = selectors.current_wellbeing_questions()
    if request.method != "POST":
        return _issue_page(request, forms.IssueForm(
            questions=questions,
            initial={"valid_until": selectors.default_valid_until(today(), request.user.organisation.area_id)}))
    form = forms.IssueForm(request.POST, questions=questions)
    if form.is_valid():
        try:
            card = services.issue_card(Caller.page(request), **form.service_arguments())
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("Card %(number)s issued.") % {"number": grouped(card.number)})
            return redirect("cards:detail", number=card.number)
    return _issue_page(request, form)


@page(Action.ISSUE_CARD, target=own_site)
def next_number(request):
    """The number field again, filled with the site's next unissued stock number (an htmx fragment)."""
    name = request.GET.get("field")
    if name not in forms.NUMBER_FORMS:
        name = "number"
    number = selectors.next_stock_number(request.user.organisation_id)
    form = forms.NUMBER_FORMS[name](initial={name: grouped(number) if number else ""})
    return render(request, "cards/_number_field.html", {"field": form[name], "from_stock": number is not None,
                                                        "stock_empty": number is None})


@page(Action.ISSUE_CARD, target=own_site)
@require_POST
def postal_code(request):
    """The home municipality of the postal code being typed (an htmx fragment). Posted, never a query: the
    renew page's address names the card, and its access-log line would put the code right after it."""
    code = request.POST.get("postal_code", "").strip()
    wellformed = len(code) == 5 and code.isascii() and code.isdigit()
    lookup = selectors.postal_code_lookup(code, today()) if wellformed else None
    return render(request, "cards/_postal_code.html", {
        "code": code, "complete": len(code) == 5, "lookup": lookup,
        "municipality": lookup and (lookup.municipality_sv if get_language() == "sv" else lookup.municipality_fi),
    })


@page(Action.LIST_CARDS)
def card_list(request):
    form = forms.CardListForm(request.GET)
    day = today()
    filters = form.cleaned_data if form.is_valid() else {}
    result = selectors.card_list(
        request.user, day=day, number=filters.get("number", ""), status=filters.get("status") or None,
        expiring_soon=filters.get("expiring", False), card_type=filters.get("card_type") or None,
        after=filters.get("after"))
    next_query = None
    if result.next_after is not None:
        query = request.GET.copy()
        query["after"] = result.next_after
        next_query = query.urlencode()
    first_query = request.GET.copy()
    first_query.pop("after", None)
    return render(request, "cards/list.html", {
        "form": form, "rows": [CardRow.of(card, day) for card in result.cards],
        "next_query": next_query, "first_query": first_query.urlencode(),
        "paged": filters.get("after") is not None, "searched": bool(request.GET),
        "show_issuer": request.user.role != Role.DISTRIBUTOR,
        "days": selectors.EXPIRING_SOON_DAYS,
    })


def _event_rows(card: Card) -> list[dict]:
    return [{"event": event, "label": forms.EVENT_LABELS[event.event],
             "number": grouped(event.card.number), "other_number": grouped(event.other_number)
             if event.other_number else "", "reason": forms.CLOSE_REASON_LABELS.get(event.reason, event.reason)}
            for event in selectors.card_history(card)]


@page(Action.LIST_CARDS)
def detail(request, number):
    card = selectors.card_with_holder_data(request.user, number, via="card_page")
    row = CardRow.of(card, today())
    replaced_by = getattr(card, "replaced_by", None)
    return render(request, "cards/detail.html", {
        "row": row, "card": card, "history": _event_rows(card),
        "municipality": _municipality_name(card.home_municipality),
        "gender": forms.GENDER_LABELS.get(card.gender, forms.NOT_GIVEN),
        "life_situation": forms.LIFE_SITUATION_LABELS.get(card.life_situation, forms.NOT_GIVEN),
        "close_reason": forms.CLOSE_REASON_LABELS.get(card.close_reason, card.close_reason),
        "replaces": grouped(card.replaces.number) if card.replaces_id else "",
        "replaced_by": replaced_by and replaced_by.number,
        "replaced_by_grouped": replaced_by and grouped(replaced_by.number),
        "may_manage": card.closed_on is None and allowed(request.user, Action.MANAGE_CARD, card),
        "close_form": forms.CloseForm(),
    })


@page(Action.ISSUE_CARD, target=own_site)
def renew(request, number):
    card = selectors.card_to_manage(request.user, number, via="renew_page")
    personal = card.card_type == CardType.PERSONAL
    questions = selectors.current_wellbeing_questions() if personal else []
    if request.method != "POST":
        form = forms.RenewForm(personal=personal, questions=questions,
                               initial=forms.renewal_initial(
                                   card, selectors.default_valid_until(today(), card.issuer.area_id)))
    else:
        form = forms.RenewForm(request.POST, personal=personal, questions=questions)
        if form.is_valid():
            try:
                services.renew_card(Caller.page(request), card.number, **form.service_arguments())
            except Refusal as refusal:
                form_errors_from(form, refusal)
            else:
                messages.success(request, _("The card's validity is extended."))
                return redirect("cards:detail", number=card.number)
    return render(request, "cards/renew.html", {"form": form, "row": CardRow.of(card, today())})


@page(Action.ISSUE_CARD, target=own_site)
def close(request, number):
    card = selectors.card_to_manage(request.user, number, via="close_page")
    form = forms.CloseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.close_card(Caller.page(request), card.number, reason=form.cleaned_data["reason"])
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The card is closed."))
            return redirect("cards:detail", number=card.number)
    return render(request, "cards/close.html", {"form": form, "row": CardRow.of(card, today())})


@page(Action.ISSUE_CARD, target=own_site)
def replace(request, number):
    card = selectors.card_to_manage(request.user, number, via="replace_page")
    form = forms.ReplaceForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            new = services.replace_card(Caller.page(request), card.number, new_number=form.cleaned_data["new_number"])
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("Card %(new)s replaces card %(old)s, which is now closed.") % {
                "new": grouped(new.number), "old": grouped(card.number)})
            return redirect("cards:detail", number=new.number)
    return render(request, "cards/replace.html", {"form": form, "row": CardRow.of(card, today())})


def _pdf_language(request) -> str:
    asked = request.GET.get("language")
    if asked in PDF_LANGUAGES:
        return asked
    return get_language() if get_language() in PDF_LANGUAGES else "fi"


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@page(Action.LIST_CARDS)
def insert_pdf(request, number):
    card = selectors.card_with_holder_data(request.user, number, via="insert_pdf")
    language = _pdf_language(request)
    return _pdf_response(pdf.card_insert(card, language), f"kaikukortti-{card.number}-{language}.pdf")


@page(Action.LIST_CARD_BATCHES)
def batch_sheet(request, batch_id):
    batch = selectors.batch_for(request.user, batch_id)
    numbers = [number for number, _issued in selectors.batch_numbers(batch)]
    language = _pdf_language(request)
    return _pdf_response(pdf.batch_sheet(batch, numbers, language), f"kaikukortti-batch-{batch.pk}.pdf")
