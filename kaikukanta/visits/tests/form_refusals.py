"""The desk's forms, each with the refusals the server gives them (core/tests/test_form_refusals.py)."""

import datetime

from kaikukanta.core.clock import today
from kaikukanta.testing import FormRefusal, make_card, make_offering


def _card_number(network, **extra) -> str:
    return make_card(network.distributor, **extra).number


def _visit(**changes):
    def data(network):
        form = {"card_number": _card_number(network), "children": "0", "clients": "0", "assistants": "0",
                "offering_id": ""}
        form.update({name: value(network) if callable(value) else value for name, value in changes.items()})
        return form
    return data


def _expired(network) -> str:
    return _card_number(network, issued_on=today() - datetime.timedelta(days=400),
                        valid_until=today() - datetime.timedelta(days=1))


def _course(network) -> str:
    return str(make_offering(network.venue, "Kurssi", kind="course").pk)


def _offering(network) -> dict:
    return {"offering_id": make_offering(network.venue, "Hamlet").pk}


def _paper(**changes):
    def data(network):
        form = {"used_on": today().isoformat(), "offering_id": "", "rows": "1",
                "row-1-card_number": _card_number(network), "row-1-children": "0", "row-1-clients": "0",
                "row-1-assistants": "0", "row-1-key": "paper-1"}
        form.update({name: value(network) if callable(value) else value for name, value in changes.items()})
        return form
    return data


def _offering_form(**changes):
    return lambda network: {"name": "Hamlet", "kind": "event", "date": "", "ticket_quota": "",
                            "adult_price_cents": "", "child_price_cents": "", **changes}


VENUE_PAGE = {"street_address": "", "website": "", "public_phone": "", "public_email": "", "opening_hours": "",
              "booking_info": "", "accessibility_info": "", "children_welcome": "0", "booking_needed": "1"}

REFUSALS = {
    "desk:check": [
        FormRefusal("venue", _visit(card_number=_expired), "card_number"),
        FormRefusal("venue", _visit(card_number="12"), "card_number"),
        FormRefusal("venue", _visit(children="9"), "children"),
        FormRefusal("venue", _visit(clients="2"), "clients"),
        FormRefusal("venue", _visit(offering_id=_course, children="1"), "children"),
    ],
    "desk:paper": [
        FormRefusal("venue", _paper(used_on=(today() - datetime.timedelta(days=400)).isoformat()), "used_on"),
        FormRefusal("venue", _paper(**{"row-1-card_number": _expired}), "row-1-card_number"),
        FormRefusal("venue", _paper(**{"row-1-children": "9"}), "row-1-children"),
    ],
    "desk:offering_new": [
        FormRefusal("venue", _offering_form(name=""), "name"),
        FormRefusal("venue", _offering_form(kind="party"), "kind"),
        FormRefusal("venue", _offering_form(ticket_quota="-1"), "ticket_quota"),
        FormRefusal("venue", _offering_form(adult_price_cents="0.001"), "adult_price_cents"),
        FormRefusal("venue", _offering_form(date="1800-01-01"), "date"),
    ],
    "desk:offering_edit": [
        FormRefusal("venue", _offering_form(name="x" * 201), "name", kwargs=_offering),
        FormRefusal("venue", _offering_form(kind="party"), "kind", kwargs=_offering),
        FormRefusal("venue", _offering_form(date="9001-01-01"), "date", kwargs=_offering),
    ],
    "desk:venue_info": [
        FormRefusal("venue", lambda network: {**VENUE_PAGE, "website": "teatteri"}, "website"),
        FormRefusal("venue", lambda network: {**VENUE_PAGE, "public_phone": "1"}, "public_phone"),
        FormRefusal("venue", lambda network: {**VENUE_PAGE, "public_email": "ei"}, "public_email"),
        FormRefusal("venue", lambda network: {**VENUE_PAGE, "opening_hours": "Soita 040 123 4567"},
                    "opening_hours"),
    ],
}
WITHOUT_REFUSALS = {}
