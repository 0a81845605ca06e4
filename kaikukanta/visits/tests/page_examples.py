from kaikukanta.accounts.caller import Caller
from kaikukanta.testing import EVERYONE, SIGNED_IN, PageExample, make_card, make_offering

VENUES = {"venue", "other_venue"}
MANAGERS_OF_VENUE = {"admin", "coordinator", "venue"}


def _offering(network) -> dict:
    return {"offering_id": make_offering(network.venue, "Hamlet").pk}


def _visit(network) -> dict:
    from kaikukanta.visits.services import record_visit

    card = make_card(network.distributor)
    return {"visit_id": record_visit(Caller.for_console(network.users["venue"]), card_number=card.number).visit.pk}


EXAMPLES = {
    "desk:check": PageExample(allowed=VENUES),
    # The API's card check: every staff role may ask whether a card is valid (never holder data).
    "desk:check_card": PageExample(allowed=SIGNED_IN),
    "desk:cancel": PageExample(allowed={"venue"}, kwargs=_visit, method="post"),
    "desk:offline": PageExample(allowed=VENUES),
    # The offline desk's service worker and manifest hold no data: anyone may fetch them.
    "desk:service_worker": PageExample(allowed=EVERYONE),
    "desk:manifest": PageExample(allowed=EVERYONE),
    "desk:today": PageExample(allowed=VENUES),
    "desk:paper": PageExample(allowed=VENUES),
    "desk:offerings": PageExample(allowed=VENUES),
    "desk:offering_new": PageExample(allowed=VENUES),
    "desk:offering_default": PageExample(allowed=VENUES, method="post"),
    "desk:offering_edit": PageExample(allowed=MANAGERS_OF_VENUE, kwargs=_offering),
    # The venue's own public page: its own staff (the coordinators edit it on the site's page).
    "desk:venue_info": PageExample(allowed=VENUES),
    "desk:offering_archive": PageExample(allowed=MANAGERS_OF_VENUE, kwargs=_offering, method="post"),
}
