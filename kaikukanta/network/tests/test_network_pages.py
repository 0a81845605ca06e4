"""The coordinators' and national admin's pages through Django's test client: what each caller sees, what each
form writes, and each refusal shown next to its field with everything typed kept."""

import datetime
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.models import Role, User
from kaikukanta.cards.models import CardBatch
from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Membership, Organisation
from kaikukanta.testing import (
    ApiClient,
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


def test_site_staff_reach_none_of_these_pages(network):
    client = signed_in(network, "distributor")

    assert client.get(reverse("network:organisations")).status_code == 403
    assert client.post(reverse("network:batch_new"),
                       {"distributor_id": network.distributor.pk, "count": 5}).status_code == 403
    assert not CardBatch.objects.exists()
