"""Free texts refuse identity codes, phone numbers and e-mail addresses through every door (API and pages),
naming the field, and nothing of the refused request is stored."""

import pytest
from django.urls import reverse

from kaikukanta.cards.models import WellbeingQuestion
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Area, GuidelineVersion, Offering, Organisation

from .test_network_pages import field_errors, input_value, signed_in, venue_form

HETU = "131052-308T"
PHONE = "040 123 4567"
EMAIL = "liisa.virtanen@example.fi"


def _refused(response, field):
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("personal_data_not_allowed", field)
    return error


@pytest.mark.parametrize("text", [f"Konsertti, varaukset {PHONE}", f"Ilmoittautumiset {EMAIL}",
                                  f"Liisa {HETU}"])
def test_an_offering_name_with_personal_data_is_refused_and_not_stored(network, text):
    client = network.client("venue")
    _refused(client.post("offerings", {"venue_id": network.venue.pk, "name": text, "kind": "event"}), "name")
    assert not Offering.objects.filter(name=text).exists()
    offering = client.post("offerings", {"venue_id": network.venue.pk, "name": "Kevätkonsertti 2026",
                                         "kind": "event"}).json()
    _refused(client.patch(f"offerings/{offering['id']}", {"name": text}), "name")
    assert Offering.objects.get(pk=offering["id"]).name == "Kevätkonsertti 2026"


def test_an_identity_code_with_a_wrong_check_character_is_just_text(network):
    response = network.client("venue").post("offerings", {"venue_id": network.venue.pk,
                                                           "name": "Tuote 131052-308A", "kind": "event"})
    assert response.status_code == 201


def test_area_and_organisation_texts_are_checked(network):
    admin = network.client("admin")
    _refused(admin.post("areas", {"name": f"Alue {EMAIL}", "status": "active", "municipalities": []}), "name")
    assert not Area.objects.filter(name__contains="example").exists()
    _refused(admin.patch(f"areas/{network.area.pk}", {"name": f"Alue {PHONE}"}), "name")
    body = {"name": "Museo", "kind": "venue", "area_id": network.area.pk, "municipality": "091",
            "category": "museum", "sector": "culture", "contact_name": f"Maija {HETU}"}
    _refused(admin.post("organisations", body), "contact_name")
    _refused(admin.patch(f"organisations/{network.venue.pk}", {"name": f"Teatteri {PHONE}"}), "name")
    # The site's own contact e-mail and phone are what those fields are for.
    created = admin.post("organisations", {**body, "contact_name": "Maija", "contact_email": EMAIL,
                                           "contact_phone": PHONE})
    assert created.status_code == 201


def test_wellbeing_question_texts_are_checked_in_every_language(network):
    response = network.client("admin").put("wellbeing/questions", {"results": [
        {"key": "loneliness", "text": {"fi": "Tunnetko itsesi yksinäiseksi?", "sv": "Känner du dig ensam?",
                                       "en": f"Lonely? Call {PHONE}"}}]})
    _refused(response, "results.0.text.en")
    assert not WellbeingQuestion.objects.filter(key="loneliness").exists()


def test_the_message_is_in_the_callers_language(network):
    client = network.client("venue", language="sv")
    error = _refused(client.post("offerings", {"venue_id": network.venue.pk, "name": EMAIL, "kind": "event"}),
                     "name")
    assert error["message"] == "Texten får inte innehålla personbeteckning, telefonnummer eller e-postadress."


def test_a_page_shows_the_refusal_next_to_the_field_and_keeps_what_was_typed(network):
    response = signed_in(network, "coordinator").post(reverse("network:organisation_new"),
                                                      venue_form(name=f"Museo {PHONE}"))
    assert response.status_code == 200
    assert field_errors(response, "id_name") == [
        "Tekstissä ei saa olla henkilötunnusta, puhelinnumeroa eikä sähköpostiosoitetta."]
    assert input_value(response, "name") == f"Museo {PHONE}"
    assert not Organisation.objects.filter(name__startswith="Museo").exists()
    assert not AuditRecord.objects.filter(action="organisation.created").exists()


def test_a_guideline_summary_with_an_email_is_refused_on_its_page(network):
    response = signed_in(network, "admin").post(reverse("network:guideline_new"), {
        "label": "2026", "published_on": "2026-01-01", "summary": f"Kysymykset: {EMAIL}"})
    assert response.status_code == 200
    assert field_errors(response, "id_summary") == [
        "Tekstissä ei saa olla henkilötunnusta, puhelinnumeroa eikä sähköpostiosoitetta."]
    assert not GuidelineVersion.objects.exists()
