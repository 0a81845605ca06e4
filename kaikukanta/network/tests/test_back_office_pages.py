"""The card batches, national settings, wellbeing questions and low-income figures pages served under
/network/, through Django's test client: what each form writes, and each refusal shown next to its field."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaikukanta.cards.models import CardBatch, StockNumber, WellbeingQuestion
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import NationalSettings
from kaikukanta.reference.models import LowIncomeFigure
from kaikukanta.testing import make_card

from .test_network_pages import field_errors, form_errors, input_value, row_names, signed_in, text_of

pytestmark = pytest.mark.django_db


# Card batches

def test_coordinator_creates_a_card_batch_and_sees_its_numbers(network):
    client = signed_in(network, "coordinator")

    response = client.post(reverse("network:batch_new"), {"distributor_id": network.distributor.pk, "count": 3})

    batch = CardBatch.objects.get()
    numbers = sorted(StockNumber.objects.filter(batch=batch).values_list("number", flat=True))
    assert response["Location"] == reverse("network:batch_detail", kwargs={"batch_id": batch.pk})
    detail = client.get(response["Location"])
    assert row_names(detail) == numbers
    assert (batch.distributor, batch.count, batch.created_by) == (network.distributor, 3, network.users["coordinator"])
    assert reverse("cards:batch_sheet", kwargs={"batch_id": batch.pk}) in detail.content.decode()


def test_the_batch_page_says_which_numbers_are_issued(network):
    client = signed_in(network, "coordinator")
    client.post(reverse("network:batch_new"), {"distributor_id": network.distributor.pk, "count": 2})
    batch = CardBatch.objects.get()
    used = StockNumber.objects.filter(batch=batch).order_by("number").first()
    card = make_card(network.distributor)
    StockNumber.objects.filter(number=card.number).delete()
    card.number = used.number
    card.save()

    detail = text_of(client.get(reverse("network:batch_detail", kwargs={"batch_id": batch.pk})))

    assert "Annettu" in detail and "Varastossa" in detail


@pytest.mark.parametrize("count", [0, 5001])
def test_a_batch_size_outside_1_to_5000_is_refused_next_to_it(network, count):
    response = signed_in(network, "coordinator").post(
        reverse("network:batch_new"), {"distributor_id": network.distributor.pk, "count": count})

    assert field_errors(response, "id_count") == ["Kokonaisluku 1–5 000."]
    assert input_value(response, "count") == str(count)
    assert not CardBatch.objects.exists()


def test_a_batch_for_another_areas_distributor_is_forbidden(network):
    response = signed_in(network, "coordinator").post(
        reverse("network:batch_new"), {"distributor_id": network.other_distributor.pk, "count": 5})

    assert form_errors(response) == ["Sinulla ei ole oikeutta tähän."]
    assert not CardBatch.objects.exists()


def test_a_venue_gets_no_card_batch(network):
    response = signed_in(network, "admin").post(
        reverse("network:batch_new"), {"distributor_id": network.venue.pk, "count": 5})

    assert field_errors(response, "id_distributor_id") == ["Valitse jokin luettelon alueen kortin jakajista."]


def test_batches_are_listed_within_the_callers_area(network):
    own = CardBatch.objects.create(distributor=network.distributor, count=10)
    other = CardBatch.objects.create(distributor=network.other_distributor, count=20)
    client = signed_in(network, "coordinator")

    listing = client.get(reverse("network:batches")).content.decode()

    assert reverse("network:batch_detail", kwargs={"batch_id": own.pk}) in listing
    assert reverse("network:batch_detail", kwargs={"batch_id": other.pk}) not in listing
    assert client.get(reverse("network:batch_detail", kwargs={"batch_id": other.pk})).status_code == 403


# Settings

def test_national_admin_changes_the_maximum_validity(network):
    client = signed_in(network, "admin")

    saved = client.post(reverse("network:settings"), {"max_validity_months": "24"})
    refused = client.post(reverse("network:settings"), {"max_validity_months": "61"})

    assert saved.status_code == 302
    assert NationalSettings.current().max_validity_months == 24
    assert field_errors(refused, "id_max_validity_months") == ["Kuukausien määrä kokonaislukuna 1–60."]
    assert input_value(refused, "max_validity_months") == "61"
    assert reverse("admin:index") in client.get(reverse("network:settings")).content.decode()


def question_rows(*rows, delete=()):
    data = {"questions-TOTAL_FORMS": str(len(rows)), "questions-INITIAL_FORMS": "0"}
    for index, (key, fi, sv, en) in enumerate(rows):
        data.update({f"questions-{index}-key": key, f"questions-{index}-fi": fi, f"questions-{index}-sv": sv,
                     f"questions-{index}-en": en})
        if index in delete:
            data[f"questions-{index}-DELETE"] = "on"
    return data


def current_questions():
    return list(WellbeingQuestion.objects.filter(current=True).order_by("position")
                .values_list("key", "text_fi", "text_sv", "text_en"))


def test_wellbeing_questions_are_replaced_as_a_set(network):
    WellbeingQuestion.objects.create(key="mood", text_fi="Mieliala", text_sv="Humör", text_en="Mood", position=0)
    WellbeingQuestion.objects.create(key="company", text_fi="Seura", text_sv="Sällskap", text_en="Company",
                                     position=1)
    client = signed_in(network, "admin")
    path = reverse("network:wellbeing_questions")
    shown = client.get(path)
    assert (input_value(shown, "questions-0-key"), input_value(shown, "questions-1-sv")) == ("mood", "Sällskap")

    response = client.post(path, question_rows(
        ("company", "Seura", "Sällskap", "Company"), ("mood", "Mieliala", "Humör", "Mood"),
        ("", "", "", ""), ("energy", "Jaksaminen", "Ork", "Energy"), delete={1}))

    assert response.status_code == 302
    assert current_questions() == [("company", "Seura", "Sällskap", "Company"),
                                   ("energy", "Jaksaminen", "Ork", "Energy")]
    assert WellbeingQuestion.objects.get(key="mood").current is False


@pytest.mark.parametrize("row, field, reason", [
    (("Iso Kirjain", "Mieliala", "Humör", "Mood"), "key",
     "Avain pienistä kirjaimista, numeroista ja merkistä _ (enintään 40), jota mikään muu kysymys ei käytä."),
    (("mood", "Mieliala", "", "Mood"), "sv",
     "Kirjoita kysymys myös ruotsiksi: jokainen kysymys esitetään kaikilla kolmella kielellä."),
])
def test_a_refused_question_is_marked_on_its_row(network, row, field, reason):
    WellbeingQuestion.objects.create(key="company", text_fi="Seura", text_sv="Sällskap", text_en="Company")
    response = signed_in(network, "admin").post(reverse("network:wellbeing_questions"), question_rows(
        ("company", "Seura", "Sällskap", "Company"), ("", "", "", ""), row))

    assert field_errors(response, f"id_questions-2-{field}") == [reason]
    assert input_value(response, "questions-2-fi") == "Mieliala"
    assert current_questions() == [("company", "Seura", "Sällskap", "Company")]


def upload(client, text: str | bytes):
    content = text.encode() if isinstance(text, str) else text
    return client.post(reverse("network:low_income"),
                       {"file": SimpleUploadedFile("pienituloiset.csv", content, content_type="text/csv")})


def test_low_income_figures_are_loaded_from_an_upload(network):
    LowIncomeFigure.objects.create(municipality_id="091", year=2023, low_income_persons=1)
    client = signed_in(network, "admin")

    response = upload(client, "municipality_code,year,low_income_persons\n091,2023,85000\n049,2023,30000\n")

    assert response.status_code == 302
    assert sorted(LowIncomeFigure.objects.values_list("municipality_id", "year", "low_income_persons")) == [
        ("049", 2023, 30000), ("091", 2023, 85000)]
    page = client.get(response["Location"])
    assert "Lukuja lisätty: 1, päivitetty: 1." in text_of(page)
    assert row_names(page, "years-heading") == ["2023"]
    assert AuditRecord.objects.filter(action="low_income.uploaded", actor=network.users["admin"]).exists()


def test_every_bad_line_of_an_upload_is_shown_and_nothing_is_loaded(network):
    response = upload(signed_in(network, "admin"), "municipality_code,year,low_income_persons\n"
                                                    "091,2023,85000\n999,2023,10\n049,kaksi,10\n049,2023,-5\n")

    assert response.status_code == 200
    lines = re.findall(r'<th scope="row" class="number">(\d+)</th><td><code>([^<]*)</code></td><td>([^<]*)</td>',
                       response.content.decode())
    assert lines == [("3", "municipality_code", "Kuntakoodia ei tunneta."),
                     ("4", "year", "Pyyntö on virheellinen."),
                     ("5", "low_income_persons", "Pyyntö on virheellinen.")]
    assert "3 virheellistä riviä: mitään ei ladattu." in text_of(response)
    assert not LowIncomeFigure.objects.exists()


def test_an_upload_that_is_not_a_utf8_csv_is_refused_next_to_the_file(network):
    client = signed_in(network, "admin")

    wrong_header = upload(client, "kunta;vuosi\n091;2023\n")
    latin1 = upload(client, b"municipality_code,year,low_income_persons\n091,2023,85000\n" + b"\xe4\n")

    assert [line for line in re.findall(r'<th scope="row" class="number">(\d+)</th>',
                                        wrong_header.content.decode())] == ["1"]
    assert field_errors(latin1, "id_file") == [
        "CSV-tiedosto UTF-8-tekstinä, sarakkeina municipality_code, year ja low_income_persons."]
    assert not LowIncomeFigure.objects.exists()
