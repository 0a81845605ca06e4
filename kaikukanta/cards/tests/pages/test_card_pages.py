"""A card's pages for distributor staff through Django's test client: reading, renewing, closing and
replacing a card."""

import datetime

import pytest
from django.urls import reverse

from kaikukanta.cards.models import Card, WellbeingAnswer
from kaikukanta.core.clock import add_months, today
from kaikukanta.core.errors import MEANINGS, Code
from kaikukanta.testing import make_card, stock_numbers

from .support import (
    field_error,
    grouped,
    in_days,
    input_value,
    selected,
    signed_in,
    text,
)

pytestmark = pytest.mark.django_db


# A card's page -------------------------------------------------------------------------------------------


def test_the_card_page_shows_status_holder_data_and_history(network):
    card = make_card(network.distributor, children=2, postal_code="02100", gender="male",
                     life_situation="retired")
    page = text(signed_in(network).get(reverse("cards:detail", kwargs={"number": card.number})))

    assert f"Kortti {grouped(card.number)}" in page
    assert 'class="status status--valid">Voimassa<' in page
    for shown in ("1980", "02100", "Espoo", "Mies", "Eläkkeellä", "Annettu", "Sosiaalitoimi Kallio"):
        assert shown in page, shown
    for action in ("renew", "replace", "close"):
        assert reverse(f"cards:{action}", kwargs={"number": card.number}) in page
    assert 'data-confirm="Suljetaanko kortti' in page


def test_the_area_coordinator_reads_the_card_but_cannot_manage_it(network):
    card = make_card(network.distributor)
    response = signed_in(network, "coordinator").get(reverse("cards:detail", kwargs={"number": card.number}))

    assert response.status_code == 200
    assert "1980" in text(response)
    assert reverse("cards:renew", kwargs={"number": card.number}) not in text(response)
    assert reverse("cards:close", kwargs={"number": card.number}) not in text(response)


@pytest.mark.parametrize(("who", "status"), [("other_distributor", 404), ("other_coordinator", 404),
                                             ("venue", 403)])
def test_a_card_outside_the_callers_scope_is_not_shown(network, who, status):
    card = make_card(network.distributor)
    response = signed_in(network, who).get(reverse("cards:detail", kwargs={"number": card.number}))

    assert response.status_code == status
    assert "1980" not in text(response)


@pytest.mark.parametrize("number", ["1234567890", "12345", "kortti"])
def test_an_unknown_or_malformed_number_is_not_found(network, number):
    response = signed_in(network).get(reverse("cards:detail", kwargs={"number": number}))
    assert response.status_code == 404
    assert MEANINGS[Code.CARD_NOT_FOUND].fi in text(response)


def test_another_distributor_cannot_open_the_forms_of_a_card(network):
    card = make_card(network.distributor)
    client = signed_in(network, "other_distributor")
    for action in ("renew", "close", "replace"):
        path = reverse(f"cards:{action}", kwargs={"number": card.number})
        assert client.get(path).status_code == 404, action
        assert client.post(path, {"reason": "lost", "new_number": "x", "valid_until": in_days(10)}
                           ).status_code == 404, action
    assert Card.objects.get(pk=card.pk).closed_on is None


# Renewing ------------------------------------------------------------------------------------------------


def test_the_renew_form_is_prefilled_with_the_holder_data_and_a_year_of_validity(network, questions):
    card = make_card(network.distributor, children=4, postal_code="02100", gender="female")
    response = signed_in(network).get(reverse("cards:renew", kwargs={"number": card.number}))

    assert input_value(response, "valid_until") == add_months(today(), 12).isoformat()
    assert (input_value(response, "birth_year"), input_value(response, "postal_code"),
            input_value(response, "children")) == ("1980", "02100", "4")
    assert selected(response, "gender") == "female"
    assert "Kulttuuri on minulle tärkeää" in text(response)


def test_a_renewal_updates_validity_and_holder_and_records_the_answers(network, questions):
    card = make_card(network.distributor, valid_until=today() - datetime.timedelta(days=3))
    client = signed_in(network)
    response = client.post(reverse("cards:renew", kwargs={"number": card.number}), {
        "valid_until": in_days(300), "birth_year": "1980", "postal_code": "00100", "children": "1",
        "gender": "", "life_situation": "", "wellbeing.feel_included": "3"})

    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.valid_until.isoformat(), card.postal_code_id, card.home_municipality_id, card.children) == (
        in_days(300), "00100", "091", 1)
    answer = WellbeingAnswer.objects.get(card=card)
    assert (answer.question_key, answer.value, answer.event.event) == ("feel_included", 3, "renewed")
    assert "Kortin voimassaoloa on jatkettu." in text(client.get(response["Location"]))


def test_a_renewal_judges_the_holder_again(network):
    card = make_card(network.distributor)
    path = reverse("cards:renew", kwargs={"number": card.number})
    response = signed_in(network).post(path, {"valid_until": in_days(300), "birth_year": "1980",
                                              "postal_code": "20100", "children": "1"})

    assert response.status_code == 200
    assert field_error(response, "postal_code") == MEANINGS[Code.MUNICIPALITY_NOT_IN_NETWORK].fi
    assert input_value(response, "postal_code") == "20100"
    assert input_value(response, "valid_until") == in_days(300)
    assert Card.objects.get(pk=card.pk).postal_code_id == "00100"


def test_a_community_card_is_renewed_with_a_date_only(network):
    card = make_card(network.distributor, card_type="community")
    client = signed_in(network)
    path = reverse("cards:renew", kwargs={"number": card.number})

    assert input_value(client.get(path), "birth_year") is None
    too_long = add_months(today(), 12) + datetime.timedelta(days=1)
    response = client.post(path, {"valid_until": too_long.isoformat()})
    assert field_error(response, "valid_until") == MEANINGS[Code.VALIDITY_TOO_LONG].fi
    assert client.post(path, {"valid_until": in_days(100)}).status_code == 302
    assert Card.objects.get(pk=card.pk).valid_until.isoformat() == in_days(100)


# Closing and replacing -----------------------------------------------------------------------------------


def test_closing_needs_a_reason_and_closes_from_today(network):
    card = make_card(network.distributor)
    client = signed_in(network)
    path = reverse("cards:close", kwargs={"number": card.number})

    assert field_error(client.post(path, {"reason": ""}), "reason") == "Tämä kenttä vaaditaan."
    response = client.post(path, {"reason": "moved"})

    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.closed_on, card.close_reason) == (today(), "moved")
    page = text(client.get(response["Location"]))
    assert 'class="status status--closed">Suljettu<' in page
    assert "Muuttanut pois" in page
    assert reverse("cards:renew", kwargs={"number": card.number}) not in page, "a closed card has no actions"
    assert reverse("cards:insert_pdf", kwargs={"number": card.number}) not in page, "nor an insert to print"


def test_a_closed_card_cannot_be_closed_or_renewed_again(network):
    card = make_card(network.distributor, closed_on=today())
    client = signed_in(network)

    closing = client.post(reverse("cards:close", kwargs={"number": card.number}), {"reason": "lost"})
    renewing = client.post(reverse("cards:renew", kwargs={"number": card.number}), {
        "valid_until": in_days(30), "birth_year": "1980", "postal_code": "00100", "children": "0"})

    for response in (closing, renewing):
        assert response.status_code == 200
        assert MEANINGS[Code.CARD_CLOSED].fi in text(response)


def test_a_lost_card_is_replaced_with_the_next_number_and_keeps_its_holder(network):
    card = make_card(network.distributor, children=3)
    new_number = stock_numbers(network.distributor, 1)[0]
    client = signed_in(network)

    response = client.post(reverse("cards:replace", kwargs={"number": card.number}),
                           {"new_number": grouped(new_number)})

    assert response.status_code == 302
    assert response["Location"] == reverse("cards:detail", kwargs={"number": new_number})
    new = Card.objects.get(number=new_number)
    assert (new.children, new.valid_until, new.replaces_id) == (3, card.valid_until, card.pk)
    card.refresh_from_db()
    assert card.close_reason == "replaced"
    page = text(client.get(response["Location"]))
    assert f"Kortti {grouped(new_number)} korvaa kortin {grouped(card.number)}" in page
    assert f"korvaa kortin {grouped(card.number)}" in page
    old_page = text(client.get(reverse("cards:detail", kwargs={"number": card.number})))
    assert "Korvattu uudella kortilla" in old_page


@pytest.mark.parametrize(("new_number", "code"), [
    (lambda network: make_card(network.distributor).number, Code.NUMBER_TAKEN),
    (lambda network: stock_numbers(network.other_distributor, 1)[0], Code.NUMBER_NOT_IN_STOCK),
])
def test_a_replacement_refusal_is_shown_next_to_the_new_number(network, new_number, code):
    card = make_card(network.distributor)
    typed = new_number(network)
    response = signed_in(network).post(reverse("cards:replace", kwargs={"number": card.number}),
                                       {"new_number": typed})

    assert response.status_code == 200
    assert field_error(response, "new_number") == MEANINGS[code].fi
    assert input_value(response, "new_number") == typed
    assert Card.objects.get(pk=card.pk).closed_on is None
