"""The pages for cardholders and the public: no login, nothing about distributors, nothing about holders but
what a holder types in themselves."""

import math

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.pages import public_page
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal

from . import selectors, services
from .brochure import venue_brochure
from .forms import (
    CATEGORY_LABELS,
    OFFERING_KIND_LABELS,
    SECTOR_LABELS,
    BrochureForm,
    MyCardForm,
    VenueFinderForm,
)

VENUES_PER_PAGE = 20
FINDER_FILTERS = ("q", "municipality", "sector", "children", "no_booking", "page")


def _language() -> str:
    return (get_language() or "fi").split("-")[0]


@public_page
def home(request):
    return render(request, "public/home.html", {"areas": selectors.network_areas(today(), _language())})


@public_page
def venues(request):
    day = today()
    form = VenueFinderForm(request.GET, municipalities=selectors.finder_municipalities(day, _language()))
    form.is_valid()
    chosen = form.cleaned_data
    found = selectors.venue_finder(day, municipality=chosen.get("municipality"), sector=chosen.get("sector"),
                                   text=(chosen.get("q") or "").strip() or None,
                                   children_welcome=bool(chosen.get("children")),
                                   no_booking=bool(chosen.get("no_booking")))
    page = Paginator(found, VENUES_PER_PAGE).get_page(request.GET.get("page"))
    filters = {name: ("1" if chosen[name] is True else chosen[name])
               for name in FINDER_FILTERS[:-1] if chosen.get(name)}
    return render(request, "public/venues.html", {
        "form": form, "page": page, "filters_query": urlencode(filters), "filtered": bool(filters),
        "venues": [_venue_row(venue) for venue in page],
        "back_query": request.GET.urlencode(),
    })


@public_page
def venue_detail(request, venue_id: int):
    day = today()
    venue = selectors.public_venue(venue_id, day)
    if venue is None:
        raise Refusal(Code.NOT_FOUND)
    offerings = [{"name": offering.name, "kind": OFFERING_KIND_LABELS.get(offering.kind, offering.kind),
                  "date": offering.date} for offering in selectors.venue_offerings(venue, day)]
    back = {name: request.GET[name] for name in FINDER_FILTERS if request.GET.get(name)}
    return render(request, "public/venue.html", {
        "venue": _venue_row(venue), "offerings": offerings, "back_query": urlencode(back)})


@public_page
def brochure(request, area_id: int):
    """An area's printable list of places (PDF): public, like the venue finder it is made from; the
    coordinators' pages link to it."""
    form = BrochureForm(request.GET)
    if not form.is_valid():
        raise Refusal(Code.INVALID, field=next(iter(form.errors)))
    day = today()
    area = selectors.area_in_network(area_id, day)
    if area is None:
        raise Refusal(Code.NOT_FOUND)
    language, layout = form.cleaned_data["language"] or "fi", form.cleaned_data["layout"] or "a4"
    content = venue_brochure(area, day, language, layout)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kaikukortti-{area.pk}-{language}-{layout}.pdf"'
    return response


@public_page
def accessibility(request):
    return render(request, "public/accessibility.html", {"statements": selectors.statements(_language())})


@public_page
def privacy(request):
    return render(request, "public/privacy.html", {"statements": selectors.statements(_language())})


def _venue_row(venue) -> dict:
    return {"pk": venue.pk, "name": venue.name,
            "category": CATEGORY_LABELS.get(venue.category, venue.category),
            "sector": SECTOR_LABELS.get(venue.sector, venue.sector),
            "municipality": selectors.municipality_name(venue.municipality, _language()),
            "street_address": venue.street_address, "website": venue.website, "phone": venue.public_phone,
            "email": venue.public_email, "opening_hours": venue.opening_hours, "booking_info": venue.booking_info,
            "accessibility_info": venue.accessibility_info, "children_welcome": venue.children_welcome,
            "booking_needed": venue.booking_needed}


@public_page
@never_cache
@require_http_methods(["GET", "POST"])
def my_card(request):
    if request.method != "POST":
        return render(request, "public/my_card.html", {"form": MyCardForm()})
    caller = Caller.public(request)
    wait = services.seconds_until_allowed(caller, request.POST.get("card_number", ""))
    if wait is not None:
        form = MyCardForm(initial={"card_number": request.POST.get("card_number", "")})
        response = render(request, "public/my_card.html", {
            "form": form, "throttled": Refusal(Code.THROTTLED).message(_language()),
            "wait_minutes": math.ceil(wait / 60)}, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = MyCardForm(request.POST)
    if not form.is_valid():
        return render(request, "public/my_card.html", {"form": form})
    card = services.look_up_my_card(caller, form.cleaned_data["card_number"], form.cleaned_data["birth_year"])
    if card is None:
        # A wrong guess gets a fresh form: the year typed is never shown back.
        form = MyCardForm(initial={"card_number": form.cleaned_data["card_number"]})
        return render(request, "public/my_card.html", {"form": form, "no_match": True})
    # Grouped as printed on the card, so the holder can compare the two at a glance.
    return render(request, "public/my_card.html", {"card": card, "number": f"{card.number[:5]} {card.number[5:]}"})
