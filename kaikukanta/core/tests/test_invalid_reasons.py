"""The API's `400 invalid` says why in its `message`, in the caller's language (core/reasons.py): for what the
request schemas refuse and for the bounds the services check, with the body's shape unchanged and nothing the
caller sent repeated back."""

import pytest
from django.test import Client

from kaikukanta.testing import make_offering

pytestmark = pytest.mark.django_db

PREFIX = {"fi": "Pyyntö on virheellinen.", "sv": "Begäran är ogiltig.", "en": "The request is invalid."}

# (body of a PATCH of an offering, field named, reason in fi, sv, en)
CASES = [
    ({"ticket_quota": 2_000_000}, "ticket_quota",
     ("arvon on oltava enintään 1000000", "värdet får vara högst 1000000", "must be at most 1000000")),
    ({"ticket_quota": -1}, "ticket_quota",
     ("arvon on oltava vähintään 0", "värdet måste vara minst 0", "must be at least 0")),
    ({"ticket_quota": "viisi"}, "ticket_quota",
     ("arvon on oltava kokonaisluku", "värdet måste vara ett heltal", "must be a whole number")),
    ({"holder_name": "Matti Meikäläinen"}, "holder_name",
     ("pyynnössä ei ole tällaista kenttää", "begäran har inget sådant fält", "this request has no such field")),
    ({"name": "Matti Meikäläinen 010190-123A " * 10}, "name",
     ("arvossa saa olla enintään 200 merkkiä", "värdet får vara högst 200 tecken långt",
      "must be at most 200 characters long")),
    ({"date": "1899-12-31"}, "date",
     ("päivämäärän on oltava väliltä 1900-01-01–9000-12-31", "datumet måste vara mellan 1900-01-01 och 9000-12-31",
      "must be a day from 1900-01-01 to 9000-12-31")),
    ({"date": "2026-02-30"}, "date",
     ("arvon on oltava päivämäärä muodossa VVVV-KK-PP", "värdet måste vara ett datum i formen ÅÅÅÅ-MM-DD",
      "must be a date as YYYY-MM-DD")),
    ({"archived": None}, "archived", ("arvo ei saa olla null", "värdet får inte vara null", "may not be null")),
    ({"kind": "sirkus"}, "kind",
     ("arvon on oltava jokin näistä: 'event', 'course', 'sport', 'exhibition', 'other'",
      "värdet måste vara något av: 'event', 'course', 'sport', 'exhibition', 'other'",
      "must be one of 'event', 'course', 'sport', 'exhibition', 'other'")),
]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("body, field, reasons", CASES, ids=[case[1] + str(n) for n, case in enumerate(CASES)])
def test_an_invalid_value_is_refused_with_its_reason(network, body, field, reasons, language):
    offering = make_offering(network.venue, "Hamlet", ticket_quota=5)

    response = network.client("venue", language).patch(f"offerings/{offering.pk}", body)

    assert response.status_code == 400
    assert response.json() == {"error": {
        "code": "invalid", "field": field,
        "message": f"{PREFIX[language]} ({reasons[('fi', 'sv', 'en').index(language)]})"}}
    offering.refresh_from_db()
    assert (offering.name, offering.ticket_quota) == ("Hamlet", 5)


@pytest.mark.parametrize("language, reason", [
    ("fi", "pakollinen kenttä puuttuu"), ("sv", "ett obligatoriskt fält saknas"), ("en", "a required field is missing"),
])
def test_a_missing_field_is_named_with_its_reason(network, language, reason):
    response = network.client("venue", language).post("offerings", {"venue_id": network.venue.pk, "kind": "event"})

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "field": "name", "message": f"{PREFIX[language]} ({reason})"}


@pytest.mark.parametrize("language, reason", [
    ("fi", "pyynnön sisältö ei ole kelvollista JSONia"), ("sv", "begärans innehåll är inte giltig JSON"),
    ("en", "the body is not valid JSON"),
])
def test_a_body_that_is_not_json_says_so(network, language, reason):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {network.tokens['venue']}", HTTP_ACCEPT_LANGUAGE=language)

    response = client.post("/api/v1/offerings", '{"name": "Hamlet"', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid", "message": f"{PREFIX[language]} ({reason})"}}


@pytest.mark.parametrize("language, reason", [
    ("fi", "arvon on oltava kokonaisluku"), ("sv", "värdet måste vara ett heltal"), ("en", "must be a whole number"),
])
def test_a_query_parameter_of_the_wrong_type_says_why(network, language, reason):
    response = network.client("venue", language).get("offerings?venue_id=kaupunginteatteri")

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "field": "venue_id",
                                        "message": f"{PREFIX[language]} ({reason})"}


def test_a_holders_data_sent_by_mistake_is_not_repeated_in_the_message(network):
    offering = make_offering(network.venue, "Hamlet")
    sent = "Matti Meikäläinen 010190-123A matti@example.fi"

    answers = [network.client("venue", "en").patch(f"offerings/{offering.pk}", body).json()["error"]["message"]
               for body in ({"name": sent * 5}, {"ticket_quota": sent}, {"kind": sent}, {"date": sent},
                            {sent: 1})]

    assert all("Matti" not in message and "010190" not in message and "@" not in message for message in answers)
    assert all(message.startswith("The request is invalid. (") for message in answers)
