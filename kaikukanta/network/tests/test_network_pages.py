"""The coordinators' and national admin's pages through Django's test client: what each caller sees, what each
form writes, and each refusal shown next to its field with everything typed kept."""

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.models import Role, User
from kaikukanta.cards.models import CardBatch, StockNumber, WellbeingQuestion
from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Area, AreaStatusPeriod, Membership, NationalSettings, Organisation
from kaikukanta.reference.models import LowIncomeFigure
from kaikukanta.testing import (
    ApiClient,
    make_card,
    make_offering,
    make_organisation,
    make_token,
    make_user,
    sign_in,
)

pytestmark = pytest.mark.django_db


def signed_in(network, who: str) -> Client:
    client = Client()
    sign_in(client, network.users[who])
    return client


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def field_errors(response, field_id: str) -> list[str]:
    """The errors shown next to one input (core/field.html ties them to it by id)."""
    return [html.unescape(error) for error in re.findall(
        rf'<p class="field__error" id="{re.escape(field_id)}_error">(.*?)</p>', response.content.decode())]


def form_errors(response) -> list[str]:
    """The errors shown above a form (core/form_errors.html)."""
    blocks = re.findall(r'<div class="notice notice--error" role="alert">(.*?)</div>', response.content.decode(),
                        re.S)
    return [html.unescape(error) for block in blocks for error in re.findall(r"<p>(.*?)</p>", block)]


def input_value(response, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', response.content.decode())
    if match is None:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def row_names(response, table_heading_id: str | None = None) -> list[str]:
    """The names in the first column (row headers) of the page's tables, or of the table labelled so."""
    content = response.content.decode()
    if table_heading_id:
        content = re.search(rf'aria-labelledby="{table_heading_id}">(.*?)</table>', content, re.S).group(1)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r'<th scope="row">(.*?)</th>', content, re.S)]


# Sites

def test_coordinator_sees_only_the_sites_of_its_own_area(network):
    response = signed_in(network, "coordinator").get(reverse("network:organisations"))

    assert response.status_code == 200
    assert row_names(response) == ["Kaupunginteatteri", "Sosiaalitoimi Kallio"]


def test_site_filters_narrow_the_list(network):
    make_organisation("Espoon museo", "venue", network.area, "049", category="museum")
    make_organisation("Suljettu kirjasto", "venue", network.area, "091", category="library", active=False)
    client = signed_in(network, "coordinator")

    assert row_names(client.get(reverse("network:organisations"), {"kind": "venue"})) == [
        "Espoon museo", "Kaupunginteatteri", "Suljettu kirjasto"]
    assert row_names(client.get(reverse("network:organisations"), {"municipality": "049"})) == ["Espoon museo"]
    assert row_names(client.get(reverse("network:organisations"), {"active": "0"})) == ["Suljettu kirjasto"]
    assert row_names(client.get(reverse("network:organisations"), {"category": "museum", "q": "espoo"})) == [
        "Espoon museo"]


def test_national_admin_sees_every_area_and_can_narrow_to_one(network):
    client = signed_in(network, "admin")

    everything = client.get(reverse("network:organisations"))
    one_area = client.get(reverse("network:organisations"), {"area_id": network.other_area.pk})

    assert row_names(everything) == ["Kaupunginteatteri", "Sosiaalitoimi Kallio", "Tampereen museo",
                                     "Tampereen sosiaalipalvelut"]
    assert row_names(one_area) == ["Tampereen museo", "Tampereen sosiaalipalvelut"]


def venue_form(**changes):
    data = {"name": "Espoon kaupunginmuseo", "kind": "venue", "municipality": "049", "category": "museum",
            "sector": "culture", "contact_name": "Maija", "contact_email": "museo@espoo.example",
            "contact_phone": ""}
    data.update(changes)
    return data


def test_coordinator_adds_a_site_to_its_own_area_whatever_area_is_posted(network):
    response = signed_in(network, "coordinator").post(
        reverse("network:organisation_new"), venue_form(area_id=network.other_area.pk))

    site = Organisation.objects.get(name="Espoon kaupunginmuseo")
    assert response.status_code == 302
    assert response["Location"] == reverse("network:organisation_detail", kwargs={"organisation_id": site.pk})
    assert (site.area, site.kind, site.municipality_id, site.category, site.sector, site.contact_email) == (
        network.area, "venue", "049", "museum", "culture", "museo@espoo.example")
    assert AuditRecord.objects.filter(action="organisation.created", object_id=str(site.pk),
                                      actor=network.users["coordinator"]).exists()


def test_national_admin_chooses_the_area_of_a_new_site(network):
    response = signed_in(network, "admin").post(reverse("network:organisation_new"), venue_form(
        name="Tampereen teatteri", municipality="837", area_id=network.other_area.pk, category="theatre"))

    assert response.status_code == 302
    assert Organisation.objects.get(name="Tampereen teatteri").area == network.other_area


@pytest.mark.parametrize("changes, field, message", [
    ({"municipality": "837"}, "municipality", "Kunta ei kuulu alueeseen."),
    ({"municipality": "999"}, "municipality", "Kuntakoodia ei tunneta."),
    ({"category": "social_services"}, "category", "Valitse toimipaikan lajiin sopiva luokka: kohteelle kohteen "
                                                  "luokka, kortin jakajalle kortin jakajan luokka."),
    ({"sector": ""}, "sector", "Kohteella on oltava toimiala; kortin jakajalla sitä ei ole."),
    ({"contact_email": "ei-osoite"}, "contact_email",
     "Kirjoita sähköpostiosoite, esimerkiksi toimisto@example.fi, tai jätä tyhjäksi."),
])
def test_a_refused_site_is_explained_next_to_its_field_and_nothing_typed_is_lost(network, changes, field, message):
    response = signed_in(network, "coordinator").post(reverse("network:organisation_new"), venue_form(**changes))

    assert response.status_code == 200
    assert field_errors(response, f"id_{field}") == [message]
    assert input_value(response, "name") == "Espoon kaupunginmuseo"
    assert input_value(response, "contact_name") == "Maija"
    assert input_value(response, "municipality") == changes.get("municipality", "049")
    assert not Organisation.objects.filter(name="Espoon kaupunginmuseo").exists()


def test_refusals_read_in_swedish_on_a_swedish_page(network):
    response = signed_in(network, "coordinator").post(reverse("network:organisation_new"),
                                                      venue_form(municipality="837"), HTTP_ACCEPT_LANGUAGE="sv")

    assert field_errors(response, "id_municipality") == ["Kommunen hör inte till området."]
    assert "Lägg till ett verksamhetsställe" in text_of(response)


def test_editing_a_site_changes_only_what_was_changed(network):
    # The venue's municipality has left the area since: an unrelated change must still be possible.
    Membership.objects.filter(area=network.area, municipality_id="091").update(left_on=today())
    client = signed_in(network, "coordinator")
    path = reverse("network:organisation_edit", kwargs={"organisation_id": network.venue.pk})
    form = client.get(path)

    response = client.post(path, {"name": "Helsingin Kaupunginteatteri", "municipality": "091",
                                  "category": "theatre", "sector": "culture", "contact_phone": "+358 9 123"})

    assert input_value(form, "name") == "Kaupunginteatteri"
    assert response.status_code == 302
    network.venue.refresh_from_db()
    assert (network.venue.name, network.venue.contact_phone, network.venue.municipality_id) == (
        "Helsingin Kaupunginteatteri", "+358 9 123", "091")
    record = AuditRecord.objects.filter(action="organisation.updated", object_id=str(network.venue.pk)).get()
    assert record.details == {"fields": ["contact_phone", "name"]}


def test_moving_a_site_to_a_municipality_outside_the_area_is_refused(network):
    path = reverse("network:organisation_edit", kwargs={"organisation_id": network.venue.pk})
    response = signed_in(network, "coordinator").post(path, {
        "name": "Kaupunginteatteri", "municipality": "837", "category": "theatre", "sector": "culture"})

    assert field_errors(response, "id_municipality") == ["Kunta ei kuulu alueeseen."]
    network.venue.refresh_from_db()
    assert network.venue.municipality_id == "091"


def test_another_areas_site_cannot_be_opened_edited_or_taken_out(network):
    client = signed_in(network, "coordinator")
    kwargs = {"organisation_id": network.other_venue.pk}

    assert client.get(reverse("network:organisation_detail", kwargs=kwargs)).status_code == 403
    assert client.post(reverse("network:organisation_edit", kwargs=kwargs),
                       {"name": "X", "municipality": "837", "category": "museum"}).status_code == 403
    assert client.post(reverse("network:organisation_active", kwargs=kwargs), {"active": "0"}).status_code == 403
    network.other_venue.refresh_from_db()
    assert (network.other_venue.name, network.other_venue.active) == ("Tampereen museo", True)


def test_taking_a_site_out_of_the_network_and_back(network):
    client = signed_in(network, "coordinator")
    kwargs = {"organisation_id": network.venue.pk}

    client.post(reverse("network:organisation_active", kwargs=kwargs), {"active": "0"})
    network.venue.refresh_from_db()
    detail = client.get(reverse("network:organisation_detail", kwargs=kwargs))
    assert (network.venue.active, network.venue.inactive_from) == (False, today())
    assert "Ei mukana " in text_of(detail)

    client.post(reverse("network:organisation_active", kwargs=kwargs), {"active": "1"})
    network.venue.refresh_from_db()
    assert (network.venue.active, network.venue.inactive_from) == (True, None)


def test_site_page_shows_its_users_offerings_and_guideline_status(network):
    make_offering(network.venue, "Hamlet", date=datetime.date(2026, 3, 1), ticket_quota=10)
    make_offering(network.venue, "Kevätkurssi", kind="course", archived=True)
    response = signed_in(network, "coordinator").get(
        reverse("network:organisation_detail", kwargs={"organisation_id": network.venue.pk}))

    assert row_names(response, "users-heading") == ["venue"]
    assert row_names(response, "offerings-heading") == ["Hamlet", "Kevätkurssi"]
    assert "Arkistoitu" in text_of(response)


def test_distributor_page_lists_its_card_batches(network):
    batch = CardBatch.objects.create(distributor=network.distributor, count=25, created_by=network.users["admin"])
    response = signed_in(network, "coordinator").get(
        reverse("network:organisation_detail", kwargs={"organisation_id": network.distributor.pk}))

    assert reverse("network:batch_detail", kwargs={"batch_id": batch.pk}) in response.content.decode()
    assert f"{reverse('network:batch_new')}?distributor_id={network.distributor.pk}" in response.content.decode()


# Users

def test_coordinator_sees_the_staff_of_its_area_and_itself(network):
    response = signed_in(network, "coordinator").get(reverse("network:users"))

    assert row_names(response) == ["coordinator", "distributor", "venue"]


def test_national_admin_sees_every_user_and_filters_them(network):
    client = signed_in(network, "admin")

    assert row_names(client.get(reverse("network:users"))) == [
        "admin", "coordinator", "distributor", "other_coordinator", "other_distributor", "other_venue", "venue"]
    assert row_names(client.get(reverse("network:users"), {"role": "area_coordinator"})) == [
        "coordinator", "other_coordinator"]


def user_form(network, **changes):
    data = {"username": "kallio-jakaja", "password": "pitkä-salasana-2025", "role": "distributor",
            "organisation_id": network.distributor.pk, "language": "sv"}
    data.update(changes)
    return data


def test_coordinator_creates_a_user_for_a_site_of_its_area(network):
    response = signed_in(network, "coordinator").post(reverse("network:user_new"), user_form(network))

    created = User.objects.get(username="kallio-jakaja")
    assert response["Location"] == reverse("network:user_detail", kwargs={"user_id": created.pk})
    assert (created.role, created.organisation, created.area, created.language) == (
        Role.DISTRIBUTOR, network.distributor, None, "sv")
    assert created.check_password("pitkä-salasana-2025")


def test_national_admin_creates_an_area_coordinator(network):
    response = signed_in(network, "admin").post(reverse("network:user_new"), user_form(
        network, username="pirkanmaa", role="area_coordinator", area_id=network.other_area.pk))

    assert response.status_code == 302
    created = User.objects.get(username="pirkanmaa")
    assert (created.role, created.area, created.organisation) == (Role.AREA_COORDINATOR, network.other_area, None)


def test_a_taken_username_is_refused_next_to_it(network):
    response = signed_in(network, "coordinator").post(reverse("network:user_new"),
                                                      user_form(network, username="Venue"))

    assert response.status_code == 200
    assert field_errors(response, "id_username") == ["Käyttäjätunnus on jo käytössä."]
    assert input_value(response, "username") == "Venue"
    assert input_value(response, "password") == "pitkä-salasana-2025"


def test_a_site_of_another_area_is_forbidden_to_a_coordinator(network):
    response = signed_in(network, "coordinator").post(reverse("network:user_new"), user_form(
        network, organisation_id=network.other_distributor.pk))

    assert response.status_code == 200
    assert form_errors(response) == ["Sinulla ei ole oikeutta tähän."]
    assert not User.objects.filter(username="kallio-jakaja").exists()


def test_a_coordinator_cannot_create_coordinators(network):
    response = signed_in(network, "coordinator").post(reverse("network:user_new"), user_form(
        network, role="area_coordinator", area_id=network.area.pk))

    assert field_errors(response, "id_role")
    assert not User.objects.filter(username="kallio-jakaja").exists()


def test_staff_need_a_site_of_their_own_kind(network):
    response = signed_in(network, "coordinator").post(reverse("network:user_new"), user_form(
        network, organisation_id=network.venue.pk))

    assert field_errors(response, "id_organisation_id") == [
        "Kortin jakajan työntekijä työskentelee kortin jakajalla; tämä toimipaikka on kohde."]
    assert not User.objects.filter(username="kallio-jakaja").exists()


@pytest.mark.parametrize(("who", "changes", "field", "message"), [
    ("coordinator", {"organisation_id": ""}, "id_organisation_id",
     "Valitse kortin jakaja, jossa käyttäjä työskentelee."),
    ("coordinator", {"role": "venue", "organisation_id": ""}, "id_organisation_id",
     "Valitse kohde, jossa käyttäjä työskentelee."),
    ("coordinator", {"role": "venue"}, "id_organisation_id",
     "Kohteen työntekijä työskentelee kohteessa; tämä toimipaikka on kortin jakaja."),
    ("admin", {"role": "area_coordinator", "organisation_id": ""}, "id_area_id",
     "Valitse alue, jolla koordinaattori työskentelee."),
    ("coordinator", {"username": ""}, "id_username", "Tämä kenttä vaaditaan."),
])
def test_every_refusal_of_the_user_form_names_the_field_and_the_reason(network, who, changes, field, message):
    response = signed_in(network, who).post(reverse("network:user_new"), user_form(network, **changes))

    assert response.status_code == 200
    assert field_errors(response, field) == [message]
    assert "Pyyntö on virheellinen." not in text_of(response)


def test_the_user_form_marks_the_site_required_and_tags_each_site_with_its_kind(network):
    page = text_of(signed_in(network, "coordinator").get(reverse("network:user_new")))

    assert re.search(r'<label for="id_organisation_id">Toimipaikka <span aria-hidden="true">\*</span>', page)
    select = re.search(r'<select name="organisation_id"[^>]*>', page).group(0)
    assert 'aria-required="true"' in select and " required" in select
    assert re.search(rf'<option value="{network.venue.pk}" data-kind="venue"', page)
    assert re.search(rf'<option value="{network.distributor.pk}" data-kind="distributor"', page)


def test_a_weak_password_is_explained_in_the_page_language(network):
    response = signed_in(network, "coordinator").post(reverse("network:user_new"),
                                                      user_form(network, password="lyhyt"))

    assert field_errors(response, "id_password") == ["Salasana on liian lyhyt: siinä on oltava vähintään 12 merkkiä."]


def staff_user(network):
    return make_user("kallio-kassa", Role.DISTRIBUTOR, organisation=network.distributor, password="vanha-salasana-1")


def test_another_areas_user_cannot_be_opened_or_changed(network):
    client = signed_in(network, "coordinator")
    kwargs = {"user_id": network.users["other_distributor"].pk}

    assert client.get(reverse("network:user_detail", kwargs=kwargs)).status_code == 403
    assert client.post(reverse("network:user_active", kwargs=kwargs), {"active": "0"}).status_code == 403
    assert client.post(reverse("network:token_new", kwargs=kwargs)).status_code == 403
    assert User.objects.get(username="other_distributor").is_active
    assert not AuditRecord.objects.filter(action="token.issued").exists()


def test_a_coordinator_cannot_manage_the_national_admin(network):
    response = signed_in(network, "coordinator").get(
        reverse("network:user_detail", kwargs={"user_id": network.users["admin"].pk}))

    assert response.status_code == 403


def test_deactivating_a_user_stops_its_api_calls_and_reactivating_brings_no_token_back(network):
    person = staff_user(network)
    token = make_token(person)
    client = signed_in(network, "coordinator")
    kwargs = {"user_id": person.pk}

    client.post(reverse("network:user_active", kwargs=kwargs), {"active": "0"})
    assert ApiClient(token).get("organisations").status_code == 401
    assert "Poistettu käytöstä" in text_of(client.get(reverse("network:user_detail", kwargs=kwargs)))

    client.post(reverse("network:user_active", kwargs=kwargs), {"active": "1"})
    assert ApiClient(token).get("organisations").status_code == 401
    assert ApiClient(make_token(person)).get("organisations").status_code == 200


def test_setting_a_new_password(network):
    person = staff_user(network)
    client = signed_in(network, "coordinator")
    path = reverse("network:user_password", kwargs={"user_id": person.pk})

    weak = client.post(path, {"password": "1234567890"})
    strong = client.post(path, {"password": "uusi-salasana-2025"})

    assert set(field_errors(weak, "id_password")) == {"Salasana ei voi olla pelkkiä numeroita.",
                                                      "Salasana on liian yleinen.",
                                                      "Salasana on liian lyhyt: siinä on oltava vähintään 12 merkkiä."}
    assert strong.status_code == 302
    person.refresh_from_db()
    assert person.check_password("uusi-salasana-2025")


def test_a_new_token_is_shown_once_and_works(network):
    person = staff_user(network)
    client = signed_in(network, "coordinator")

    issued = client.post(reverse("network:token_new", kwargs={"user_id": person.pk}))
    secret = re.search(r'id="new-token"[^>]*value="([^"]+)"', issued.content.decode()).group(1)
    detail = client.get(reverse("network:user_detail", kwargs={"user_id": person.pk}))

    assert issued["Cache-Control"] == "no-store"
    assert ApiClient(secret).get("organisations").status_code == 200
    assert secret not in detail.content.decode()
    assert f"{secret[:8]}…" in text_of(detail)


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


# Areas

def area_form(name="Varsinais-Suomi", status="pilot", rows=(("853", "2015-01-01"), ("", ""), ("", "")), **extra):
    data = {"name": name, "status": status, "municipalities-TOTAL_FORMS": str(len(rows)),
            "municipalities-INITIAL_FORMS": "0"}
    for index, (code, joined_on) in enumerate(rows):
        data[f"municipalities-{index}-code"] = code
        data[f"municipalities-{index}-joined_on"] = joined_on
    data.update(extra)
    return data


def test_national_admin_creates_an_area_with_its_history(network):
    client = signed_in(network, "admin")
    response = client.post(reverse("network:area_new"), area_form(rows=(
        ("853", "2015-01-01"), ("", ""), ("202", "2018-06-01"))))

    area = Area.objects.get(name="Varsinais-Suomi")
    assert response["Location"] == reverse("network:area_detail", kwargs={"area_id": area.pk})
    assert sorted(area.memberships.values_list("municipality_id", "joined_on")) == [
        ("202", datetime.date(2018, 6, 1)), ("853", datetime.date(2015, 1, 1))]
    assert list(area.status_periods.values_list("status", "effective_from")) == [
        ("pilot", datetime.date(2015, 1, 1))]
    timeline = text_of(client.get(response["Location"]))
    assert re.search(r"1\.1\.2015.*Tila: Pilotti.*1\.1\.2015.*Turku \(853\) liittyi.*1\.6\.2018.*"
                     r"Kaarina \(202\) liittyi", timeline, re.S)


@pytest.mark.parametrize("code, message", [
    ("091", "Kunta kuuluu jo toiseen alueeseen."),
    ("999", "Kuntakoodia ei tunneta."),
])
def test_a_refused_municipality_is_marked_on_its_own_row(network, code, message):
    response = signed_in(network, "admin").post(reverse("network:area_new"), area_form(rows=(
        ("853", "2015-01-01"), ("", ""), (code, "2016-01-01"))))

    assert response.status_code == 200
    assert field_errors(response, "id_municipalities-2-code") == [message]
    assert field_errors(response, "id_municipalities-0-code") == []
    assert input_value(response, "municipalities-2-code") == code
    assert input_value(response, "name") == "Varsinais-Suomi"
    assert not Area.objects.filter(name="Varsinais-Suomi").exists()


def test_a_joining_date_without_a_municipality_is_pointed_out(network):
    response = signed_in(network, "admin").post(reverse("network:area_new"), area_form(rows=(("", "2016-01-01"),)))

    assert field_errors(response, "id_municipalities-0-code") == ["Anna kunnan koodi."]


def test_editing_an_area_replaces_its_members_and_keeps_the_history(network):
    client = signed_in(network, "admin")
    path = reverse("network:area_edit", kwargs={"area_id": network.area.pk})
    form = client.get(path)
    assert {input_value(form, "municipalities-0-code"), input_value(form, "municipalities-1-code")} == {"049", "091"}

    response = client.post(path, area_form(name="Pääkaupunkiseutu", status="ended", rows=(
        ("091", "2020-01-01"), ("", ""), ("092", ""))) | {"municipalities-INITIAL_FORMS": "2"})

    day = today()
    assert response.status_code == 302
    assert sorted(Membership.objects.filter(area=network.area).values_list("municipality_id", "left_on")) == [
        ("049", day), ("091", None), ("092", None)]
    assert AreaStatusPeriod.objects.filter(area=network.area).order_by("effective_from").last().status == "ended"
    detail = text_of(client.get(reverse("network:area_detail", kwargs={"area_id": network.area.pk})))
    assert "Espoo (049) erosi" in detail and "Vantaa (092) liittyi" in detail and "Päättynyt" in detail


def test_a_municipality_added_on_edit_may_not_belong_to_another_area(network):
    path = reverse("network:area_edit", kwargs={"area_id": network.area.pk})
    response = signed_in(network, "admin").post(path, area_form(name="Pääkaupunkiseutu", status="active", rows=(
        ("091", "2020-01-01"), ("049", "2020-01-01"), ("837", "2024-01-01"))))

    assert field_errors(response, "id_municipalities-2-code") == ["Kunta kuuluu jo toiseen alueeseen."]
    assert not Membership.objects.filter(area=network.area, municipality_id="837").exists()


def test_coordinator_sees_the_timeline_of_its_own_area_only(network):
    client = signed_in(network, "coordinator")

    own = client.get(reverse("network:area_detail", kwargs={"area_id": network.area.pk}))
    other = client.get(reverse("network:area_detail", kwargs={"area_id": network.other_area.pk}))

    assert own.status_code == 200 and "Helsinki (091) liittyi" in text_of(own)
    assert reverse("network:area_edit", kwargs={"area_id": network.area.pk}) not in own.content.decode()
    assert other.status_code == 403


def test_areas_list_says_each_status_in_words(network):
    coming = Area.objects.create(name="Tuleva alue")
    AreaStatusPeriod.objects.create(area=coming, status="preparing", effective_from=today())

    response = signed_in(network, "admin").get(reverse("network:areas"))

    assert row_names(response) == ["Pirkanmaa", "Pääkaupunkiseutu", "Tuleva alue"]
    assert "Valmistelussa" in text_of(response) and "Toiminnassa" in text_of(response)


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


def test_site_staff_reach_none_of_these_pages(network):
    client = signed_in(network, "distributor")

    assert client.get(reverse("network:organisations")).status_code == 403
    assert client.post(reverse("network:batch_new"),
                       {"distributor_id": network.distributor.pk, "count": 5}).status_code == 403
    assert not CardBatch.objects.exists()
