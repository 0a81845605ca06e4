"""The ticket desk's pages through Django's test client: what the desk worker sees and what gets stored, at
the card check, on recording and undoing a visit, and in each language."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits.models import Visit

from ..support import community_card, days_ago, personal_card
from .support import BAD_CHECK_DIGIT, UNKNOWN_NUMBER, field_error, key_of, message, record, signed_in, spaced

pytestmark = pytest.mark.django_db


# The card check ------------------------------------------------------------------------------------------


def check(client, number: str) -> str:
    response = client.get(reverse("desk:check_card"), {"card_number": number})
    assert response.status_code == 200
    return response.content.decode()


def test_a_valid_card_says_valid_until_and_how_many_children_may_come_along(network, desk):
    card = personal_card(network, children=2, valid_until=today() + datetime.timedelta(days=40),
                         birth_year=1961, postal_code="00100")
    panel = check(desk, spaced(card.number))
    assert 'data-card-status="valid"' in panel and ">Valid<" in panel
    assert f"Valid until {card.valid_until:%m/%d/%Y}" in panel
    assert "Up to 2 children may come along." in panel
    # The card's own number is shown; a random number may well contain "091" (the home municipality's code).
    rest = panel.replace(card.number, "").replace(spaced(card.number), "")
    assert "1961" not in rest and "00100" not in rest and "091" not in rest, "no holder data, ever"


def test_a_community_card_admits_the_worker_and_clients(network, desk):
    panel = check(desk, community_card(network).number)
    assert 'data-card-type="community"' in panel
    assert "Community card: the worker and up to 10 clients." in panel


def test_an_expired_card_says_expired_and_when_it_ended(network, desk):
    card = personal_card(network, issued_on=days_ago(400), valid_until=days_ago(3))
    panel = check(desk, card.number)
    assert ">Expired<" in panel and f"Was valid until {card.valid_until:%m/%d/%Y}" in panel
    assert "may come along" not in panel


def test_a_closed_card_says_closed(network, desk):
    panel = check(desk, personal_card(network, closed_on=today()).number)
    assert ">Closed<" in panel and "cannot be used any more" in panel


@pytest.mark.parametrize(("number", "expected"), [
    (UNKNOWN_NUMBER, message(Code.CARD_NOT_FOUND)),
    (BAD_CHECK_DIGIT, message(Code.NUMBER_INVALID)),
    ("12345", "A card number has 10 digits."),
])
def test_a_number_that_is_no_card_says_why(desk, number, expected):
    panel = check(desk, number)
    assert 'data-card-status="problem"' in panel and expected in panel


def test_the_check_speaks_the_page_language(network):
    card = personal_card(network, children=1)
    panel = check(signed_in(network, language="fi"), card.number)
    assert ">Voimassa<" in panel and "Mukaan voi tulla enintään 1 lapsi." in panel
    panel = check(signed_in(network, language="sv"), UNKNOWN_NUMBER)
    assert message(Code.CARD_NOT_FOUND, "sv") in panel


def test_without_javascript_the_check_button_shows_the_status_on_the_desk(network, desk):
    card = personal_card(network, children=1)
    page = desk.get(reverse("desk:check"), {"card_number": card.number, "check": ""}).content.decode()
    assert 'data-card-status="valid"' in page and f'value="{card.number}"' in page


def test_the_card_check_makes_few_queries(network, desk, django_assert_max_num_queries):
    card = personal_card(network)
    rules_in_force(network.area, today())  # the rules are read once per process, not per request
    with django_assert_max_num_queries(3):
        desk.get(reverse("desk:check_card"), {"card_number": card.number})


# Recording -----------------------------------------------------------------------------------------------


def test_the_desk_offers_todays_offerings_first_and_leaves_out_archived_and_past_ones(network, desk):
    make_offering(network.venue, "A undated")
    make_offering(network.venue, "B tomorrow", date=today() + datetime.timedelta(days=1))
    make_offering(network.venue, "C today", date=today(), ticket_quota=5)
    make_offering(network.venue, "D archived", archived=True)
    make_offering(network.venue, "E yesterday", date=days_ago(1))
    make_offering(network.other_venue, "F elsewhere")
    page = desk.get(reverse("desk:check")).content.decode()
    names = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", page)
    assert [name.split(" (")[0].split(" –")[0] for name in names] == ["C today", "A undated", "B tomorrow"]
    assert "C today – 5 of 5 card tickets left" in page
    assert re.search(r'<option value="\d+" selected data-kind="event">C today', page), "today's is preselected"


def test_a_recorded_visit_is_announced_and_the_desk_is_ready_for_the_next_person(network, desk):
    card = personal_card(network, children=2)
    offering = make_offering(network.venue, "Hamlet", date=today())
    response = record(desk, spaced(card.number), offering_id=offering.pk, children=2, clients=0, assistants=1)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('desk:check')}?offering_id={offering.pk}"
    visit = Visit.objects.get()
    assert (visit.card_id, visit.offering_id, visit.children, visit.assistants, visit.uses) == (
        card.pk, offering.pk, 2, 1, 3)

    page = desk.get(response["Location"]).content.decode()
    assert f"Visit recorded: card {card.number}, 3 uses (2 children, 1 assistant free)." in page
    assert 'name="card_number" id="id_card_number" class="card-number"\n               value=""' in page
    assert key_of(page) != "key-1", "a fresh idempotency key for the next visit"
    assert f'action="{reverse("desk:cancel", args=[visit.pk])}"' in page, "undo offered in the latest visits"
    assert f'<option value="{offering.pk}" selected' in page, "the offering stays chosen"


def test_every_rendering_of_the_desk_carries_a_new_idempotency_key(desk):
    assert key_of(desk.get(reverse("desk:check")).content.decode()) != key_of(
        desk.get(reverse("desk:check")).content.decode())


def test_a_double_tap_stores_one_visit(network, desk):
    card = personal_card(network)
    key = key_of(desk.get(reverse("desk:check")).content.decode())
    first = record(desk, card.number, key=key)
    second = record(desk, card.number, key=key)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Visit.objects.count() == 1
    page = desk.get(second["Location"]).content.decode()
    assert f"This visit was already recorded: card {card.number}, 1 use." in page


@pytest.mark.parametrize(("card_kind", "fields", "field", "code"), [
    ("two_children", {"children": 3}, "children", Code.TOO_MANY_CHILDREN),
    ("two_children", {"clients": 2}, "clients", Code.CLIENTS_NEED_COMMUNITY_CARD),
    ("community", {"children": 1}, "children", Code.CHILDREN_NEED_PERSONAL_CARD),
    ("expired", {}, "card_number", Code.CARD_EXPIRED),
    ("closed", {}, "card_number", Code.CARD_CLOSED),
    ("unknown", {}, "card_number", Code.CARD_NOT_FOUND),
    ("bad_check_digit", {}, "card_number", Code.NUMBER_INVALID),
])
def test_a_refusal_is_shown_next_to_its_field_with_everything_kept(network, desk, card_kind, fields, field, code):
    number = {
        "two_children": lambda: personal_card(network, children=2).number,
        "community": lambda: community_card(network).number,
        "expired": lambda: personal_card(network, issued_on=days_ago(400), valid_until=days_ago(1)).number,
        "closed": lambda: personal_card(network, closed_on=today()).number,
        "unknown": lambda: UNKNOWN_NUMBER,
        "bad_check_digit": lambda: BAD_CHECK_DIGIT,
    }[card_kind]()
    response = record(desk, spaced(number), assistants=2, **fields)
    page = response.content.decode()
    assert response.status_code == 200
    assert field_error(page, field) == message(code)
    assert f'value="{spaced(number)}"' in page
    assert 'name="assistants" value="2"' in page
    for name, value in fields.items():
        assert f'name="{name}" value="{value}"' in page
    assert not Visit.objects.exists()


def test_a_refused_card_still_shows_its_status_beside_the_refusal(network, desk):
    card = personal_card(network, issued_on=days_ago(400), valid_until=days_ago(1))
    page = record(desk, card.number).content.decode()
    assert 'data-card-status="expired"' in page


@pytest.mark.parametrize(("offering_kind", "code"), [
    ("course", Code.CHILDREN_NOT_ALLOWED_FOR_COURSE),
    ("other_venue", Code.OFFERING_NOT_AT_VENUE),
    ("quota_used", Code.QUOTA_EXHAUSTED),
])
def test_offering_refusals_name_the_field_they_concern(network, desk, offering_kind, code):
    card = personal_card(network, children=1)
    offering = {
        "course": lambda: make_offering(network.venue, "Kurssi", kind="course"),
        "other_venue": lambda: make_offering(network.other_venue, "Muualla"),
        "quota_used": lambda: make_offering(network.venue, "Loppuunmyyty", ticket_quota=1),
    }[offering_kind]()
    page = record(desk, card.number, offering_id=offering.pk, children=1).content.decode()
    field = "children" if code == Code.CHILDREN_NOT_ALLOWED_FOR_COURSE else "offering_id"
    assert field_error(page, field) == message(code)
    assert not Visit.objects.exists()


def test_numbers_outside_the_form_ranges_are_refused_by_the_form(network, desk):
    page = record(desk, personal_card(network).number, clients=11, assistants=3).content.decode()
    assert "Ensure this value is less than or equal to 10." in field_error(page, "clients")
    assert "Ensure this value is less than or equal to 2." in field_error(page, "assistants")
    assert not Visit.objects.exists()


def test_recording_makes_few_queries(network, desk, django_assert_max_num_queries):
    card = personal_card(network, children=1)
    offering = make_offering(network.venue, ticket_quota=10)
    rules_in_force(network.area, today())
    # A quota offering also reads the tickets the enrolled desk devices hold on lease (devices/leases.py).
    with django_assert_max_num_queries(13):
        assert record(desk, card.number, offering_id=offering.pk, children=1).status_code == 302


def test_the_desk_page_does_not_query_per_offering_or_visit(network, desk, django_assert_max_num_queries):
    for number in range(6):
        offering = make_offering(network.venue, f"Näytös {number}", ticket_quota=20)
        record(desk, personal_card(network).number, key=f"k{number}", offering_id=offering.pk)
    with django_assert_max_num_queries(6):
        page = desk.get(reverse("desk:check")).content.decode()
    assert page.count('class="undo-form"') == 5


# Undo ----------------------------------------------------------------------------------------------------


def test_undo_within_the_cancel_window_cancels_and_returns_to_the_list(network, desk):
    record(desk, personal_card(network).number)
    visit = Visit.objects.get()
    response = desk.post(reverse("desk:cancel", args=[visit.pk]), {"next": reverse("desk:today")})
    assert response["Location"] == reverse("desk:today")
    visit.refresh_from_db()
    assert visit.cancelled_at is not None
    page = desk.get(reverse("desk:today")).content.decode()
    assert "The visit was cancelled. It counts nowhere." in page
    assert 'data-total="visits">0<' in page


def test_undo_after_the_cancel_window_is_refused_and_the_visit_stays(network, desk):
    record(desk, personal_card(network).number)
    visit = Visit.objects.get()
    Visit.objects.filter(pk=visit.pk).update(recorded_at=timezone.now() - datetime.timedelta(days=8))
    response = desk.post(reverse("desk:cancel", args=[visit.pk]), follow=True)
    assert message(Code.CANCEL_WINDOW_PASSED) in response.content.decode()
    visit.refresh_from_db()
    assert visit.cancelled_at is None


def test_a_visit_of_another_venue_cannot_be_undone(network, desk):
    record(desk, personal_card(network).number)
    visit = Visit.objects.get()
    response = signed_in(network, "other_venue").post(reverse("desk:cancel", args=[visit.pk]))
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.cancelled_at is None


def test_an_offsite_next_address_is_ignored_after_undo(network, desk):
    record(desk, personal_card(network).number)
    response = desk.post(reverse("desk:cancel", args=[Visit.objects.get().pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("desk:check")


# Languages -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "words"), [
    ("fi", ["Kortin numero", "Kirjaa käynti", "Tarkista", "Lapset", "Avustajat"]),
    ("sv", ["Kortnummer", "Registrera besöket", "Kontrollera", "Barn", "Assistenter"]),
])
def test_the_desk_is_in_finnish_and_swedish(network, language, words):
    page = signed_in(network, language=language).get(reverse("desk:check")).content.decode()
    for word in words:
        assert word in page


def test_the_paper_list_and_offerings_are_translated(network):
    client = signed_in(network, language="sv")
    assert "Spara raderna" in client.get(reverse("desk:paper")).content.decode()
    assert "Nytt utbud" in client.get(reverse("desk:offerings")).content.decode()


def test_a_card_of_another_area_works_at_the_desk(network, desk):
    card = make_card(network.other_distributor)
    assert record(desk, card.number).status_code == 302
