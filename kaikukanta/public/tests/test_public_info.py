"""The public service a person can find and trust: the venue finder's filters and a venue's public page (typed
contact fields), the accessibility statement and privacy notice linked from every page, the card's brand on
public pages, the app's own 404 with DEBUG on, and an area's printable list of places."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network import services as network_services
from kaikukanta.testing import make_organisation, sign_in

pytestmark = pytest.mark.django_db


def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def described(network):
    """The test network's venue with a public page filled in through the service, and two more venues."""
    venue = network_services.update_organisation(
        Caller.for_console(network.users["coordinator"]), network.venue.pk,
        street_address="Eläintarhantie 5, 00530 Helsinki",
        website="https://teatteri.example/liput", public_phone="+358 9 394 022", public_email="liput@teatteri.example",
        opening_hours="Ti–la 12–19", booking_info="Varaa lippu lippukassasta tai verkosta.",
        accessibility_info="Esteetön sisäänkäynti Eläintarhantieltä, induktiosilmukka salissa.",
        children_welcome=True, booking_needed=True)
    walk_in = make_organisation("Espoon uimahalli", "venue", network.area, "049", category="sport", sector="sport",
                                booking_needed=False, children_welcome=True)
    museum = make_organisation("Kaupunginmuseo", "venue", network.area, "091", category="museum",
                               booking_needed=False)
    return {"venue": venue, "walk_in": walk_in, "museum": museum}


def _listed(response) -> list[str]:
    return re.findall(r'class="venue-list__name"[^>]*>([^<]+)</a>', response.content.decode())


def test_finder_searches_by_name_and_filters_children_and_no_booking(network, described):
    client = english()
    venues = reverse("public:venues")
    assert _listed(client.get(venues, {"q": "KAUPUNGINM"})) == ["Kaupunginmuseo"]
    assert _listed(client.get(venues, {"children": "on"})) == ["Espoon uimahalli", "Kaupunginteatteri"]
    assert _listed(client.get(venues, {"no_booking": "on"})) == ["Espoon uimahalli", "Kaupunginmuseo"]
    assert _listed(client.get(venues, {"children": "on", "no_booking": "on"})) == ["Espoon uimahalli"]
    assert _listed(client.get(venues, {"q": "teatteri", "municipality": "049"})) == []
    page = client.get(venues, {"q": "uima"}).content.decode()
    assert 'value="uima"' in page, "the name typed stays in the box"


def test_venue_page_shows_address_hours_booking_accessibility_and_contact(network, described):
    page = english().get(reverse("public:venue_detail", args=[network.venue.pk])).content.decode()
    for text in ("Eläintarhantie 5, 00530 Helsinki", "Ti–la 12–19", "Varaa lippu lippukassasta tai verkosta.",
                 "Esteetön sisäänkäynti", "Book your free ticket in advance.", "Children welcome"):
        assert text in page
    assert 'href="https://teatteri.example/liput"' in page
    assert 'href="tel:+3589394022"' in page and "+358 9 394 022" in page
    assert 'href="mailto:liput@teatteri.example"' in page
    walk_in = english().get(reverse("public:venue_detail", args=[described["walk_in"].pk])).content.decode()
    assert "No booking needed: come to the ticket office." in walk_in
    assert "has not described its accessibility yet" in walk_in


@pytest.mark.parametrize(("field", "value", "code"), [
    ("website", "javascript:alert(1)", Code.INVALID),
    ("website", "teatteri.example", Code.INVALID),
    ("website", "https://" + "a" * 200 + ".fi", Code.INVALID),
    ("public_phone", "call us", Code.INVALID),
    ("public_phone", "12", Code.INVALID),
    ("public_email", "not an address", Code.INVALID),
    ("booking_info", "Soita 040 123 4567", Code.PERSONAL_DATA_NOT_ALLOWED),
    ("opening_hours", "Kysy: maija@example.fi", Code.PERSONAL_DATA_NOT_ALLOWED),
    ("accessibility_info", "x" * 1001, Code.INVALID),
    ("children_welcome", "yes", Code.INVALID),
])
def test_venue_information_is_refused_naming_the_field(network, field, value, code):
    with pytest.raises(Refusal) as refused:
        network_services.update_organisation(Caller.for_console(network.users["coordinator"]), network.venue.pk,
                                             **{field: value})
    assert (refused.value.code, refused.value.field) == (code, field)


def test_typed_contact_fields_take_what_free_text_refuses(network):
    """A phone number and an e-mail address are the venue's own here, so they are not holder data."""
    venue = network_services.update_organisation(Caller.for_console(network.users["coordinator"]), network.venue.pk,
                                                 public_phone="040 123 4567", public_email="kassa@teatteri.example")
    venue.refresh_from_db()
    assert (venue.public_phone, venue.public_email) == ("040 123 4567", "kassa@teatteri.example")


def test_api_creates_and_reads_a_venue_with_its_public_page(network):
    body = {"name": "Tanssin talo", "kind": "venue", "area_id": network.area.pk, "municipality": "091",
            "category": "dance", "sector": "culture", "website": "https://tanssi.example",
            "public_phone": "09 123 4567", "booking_needed": False, "children_welcome": True}
    created = network.client("coordinator").post("/api/v1/organisations", body)
    assert created.status_code == 201, created.content
    assert {key: created.json()[key] for key in ("website", "public_phone", "booking_needed", "children_welcome")} == {
        "website": "https://tanssi.example", "public_phone": "09 123 4567", "booking_needed": False,
        "children_welcome": True}
    refused = network.client("coordinator").patch(f"/api/v1/organisations/{created.json()['id']}",
                                                  {"public_email": "ei osoite"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "public_email"


def test_coordinator_edits_the_public_page_of_a_venue(network):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, network.users["coordinator"])
    edit = reverse("network:organisation_edit", args=[network.venue.pk])
    form = client.get(edit).content.decode()
    assert 'name="website"' in form and 'name="booking_needed"' in form
    response = client.post(edit, {"name": network.venue.name, "municipality": "091", "category": "theatre",
                                  "sector": "culture", "website": "https://teatteri.example",
                                  "booking_info": "Soita 040 123 4567", "booking_needed": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    message = Refusal(Code.PERSONAL_DATA_NOT_ALLOWED).message("en")
    assert re.search(r'id="id_booking_info_error">' + re.escape(message), page), "the refusal is at its field"
    response = client.post(edit, {"name": network.venue.name, "municipality": "091", "category": "theatre",
                                  "sector": "culture", "website": "https://teatteri.example",
                                  "booking_info": "Lippukassasta.", "children_welcome": "1",
                                  "booking_needed": "0"})
    assert response.status_code == 302
    network.venue.refresh_from_db()
    assert (network.venue.website, network.venue.booking_needed, network.venue.children_welcome) == (
        "https://teatteri.example", False, True)
    distributor = client.get(reverse("network:organisation_edit", args=[network.distributor.pk])).content.decode()
    assert 'name="website"' not in distributor, "a distributor has no public page"


# Statements, footer, brand


@pytest.mark.parametrize("path", ["/", "/venues/", "/my-card/", "/login/", "/accessibility/", "/privacy/"])
def test_every_page_links_the_statements_from_its_footer(network, path):
    page = english().get(path).content.decode()
    footer = page[page.index('<footer'):]
    assert f'href="{reverse("public:accessibility")}"' in footer and f'href="{reverse("public:privacy")}"' in footer


def test_statements_read_what_the_national_admin_set(network, settings):
    settings.KAIKUKANTA_HOLDER_RETENTION_YEARS = 5
    network_services.update_statements(
        Caller.for_console(network.users["admin"]), controller_name="Kaikukortin tukikeskus",
        privacy_email="tietosuoja@kaikukortti.example",
        accessibility_email="saavutettavuus@kaikukortti.example",
        accessibility_gaps_fi="Kaavioiden värit\nPDF-tiedostot", accessibility_gaps_en="Chart colours\nPDF files")
    accessibility = english().get(reverse("public:accessibility")).content.decode()
    assert "partially meets the level AA criteria" in accessibility
    assert "<li>Chart colours</li>" in accessibility and "<li>PDF files</li>" in accessibility
    assert "mailto:saavutettavuus@kaikukortti.example" in accessibility
    assert "https://www.saavutettavuusvaatimukset.fi/" in accessibility, "the enforcement authority"
    assert "14 days" in accessibility
    finnish = Client(HTTP_ACCEPT_LANGUAGE="fi").get(reverse("public:accessibility")).content.decode()
    assert "<li>Kaavioiden värit</li>" in finnish
    privacy = english().get(reverse("public:privacy")).content.decode()
    assert "Kaikukortin tukikeskus" in privacy and "mailto:tietosuoja@kaikukortti.example" in privacy
    assert "more than 5 years" in privacy, "retention comes from the settings"
    for stored in ("year of birth", "postal code", "number of your children"):
        assert stored in privacy
    assert "personal identity code" in privacy and "never stored" in privacy
    assert "Data Protection Ombudsman" in privacy


def test_without_known_gaps_the_statement_says_it_meets_the_criteria(network):
    page = english().get(reverse("public:accessibility")).content.decode()
    assert "meets the level AA criteria" in page and "partially" not in page


def test_statements_refuse_personal_data_and_bad_addresses(network):
    with pytest.raises(Refusal) as refused:
        network_services.update_statements(Caller.for_console(network.users["admin"]),
                                           accessibility_gaps_fi="Soita Maijalle 040 123 4567")
    assert (refused.value.code, refused.value.field) == (Code.PERSONAL_DATA_NOT_ALLOWED, "accessibility_gaps_fi")
    with pytest.raises(Refusal) as refused:
        network_services.update_statements(Caller.for_console(network.users["admin"]), privacy_email="nobody")
    assert refused.value.field == "privacy_email"
    with pytest.raises(Refusal) as refused:
        network_services.update_statements(Caller.for_console(network.users["coordinator"]), controller_name="X")
    assert refused.value.code == Code.FORBIDDEN


def test_national_admin_edits_the_statements_on_a_page(network):
    client = english()
    sign_in(client, network.users["admin"])
    page = reverse("network:statements")
    assert client.post(page, {"controller_name": "Tukikeskus", "accessibility_gaps_en": "Maps"}).status_code == 302
    assert "<li>Maps</li>" in english().get(reverse("public:accessibility")).content.decode()


def test_public_pages_carry_the_cards_name_and_staff_pages_the_registers(network):
    public = english().get("/").content.decode()
    assert re.search(r'class="site-header__brand"[^>]*>Kaikukortti<', public)
    assert re.search(r"<title>[^<]*– Kaikukortti</title>", public)
    client = english()
    sign_in(client, network.users["venue"])
    desk = client.get(reverse("desk:check")).content.decode()
    assert re.search(r'class="site-header__brand"[^>]*>Kaikukanta<', desk)


def test_an_unknown_address_shows_the_apps_own_page_with_debug_on(network, settings):
    settings.DEBUG = True
    response = english().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert Refusal(Code.NOT_FOUND).message("en") in page and 'class="site-footer"' in page
    assert "URLconf" not in page and "DEBUG = True" not in page
    api = english().get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


# The printable list of places


def _pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(("language", "heading", "sport"), [
    ("fi", "Kaikukortti: missä kortti käy", "Liikunta ja urheilu"),
    ("sv", "Kaikukortet: var kortet gäller", "Motion och idrott")])
def test_area_brochure_lists_its_venues_by_municipality_and_sector(network, described, language, heading, sport):
    response = Client().get(reverse("public:brochure", args=[network.area.pk]), {"language": language})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader, text = _pdf_text(response.content)
    flat = " ".join(text.split())
    assert heading in flat
    for name in ("Kaupunginteatteri", "Kaupunginmuseo", "Espoon uimahalli", "Eläintarhantie 5", "+358 9 394 022"):
        assert name in flat
    assert "Sosiaalitoimi Kallio" not in flat, "no distributor"
    assert "Tampereen museo" not in flat, "another area's venue"
    espoo, helsinki = ("Espoo", "Helsinki") if language == "fi" else ("Esbo", "Helsingfors")
    assert flat.index(espoo) < flat.index("Espoon uimahalli") < flat.index(helsinki) < flat.index("Kaupunginmuseo")
    assert sport in flat
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (round(A4[0]), round(A4[1]))


def test_a5_brochure_is_an_a4_sheet_of_two_columns_to_fold(network, described):
    response = Client().get(reverse("public:brochure", args=[network.area.pk]), {"language": "fi", "layout": "a5"})
    reader, text = _pdf_text(response.content)
    page = reader.pages[0]
    assert (round(page.mediabox.width), round(page.mediabox.height)) == (round(A4[1]), round(A4[0]))
    assert "Kaupunginteatteri" in " ".join(text.split())


def test_brochure_refuses_an_unknown_layout_and_area(network):
    client = english()
    refused = client.get(reverse("public:brochure", args=[network.area.pk]), {"layout": "a3"})
    assert refused.status_code == 400
    assert client.get(reverse("public:brochure", args=[999999])).status_code == 404


def test_coordinator_finds_the_brochure_buttons(network):
    client = english()
    sign_in(client, network.users["coordinator"])
    page = client.get(reverse("network:organisations")).content.decode()
    link = reverse("public:brochure", args=[network.area.pk])
    for query in ("language=fi&amp;layout=a4", "language=fi&amp;layout=a5", "language=sv&amp;layout=a4",
                  "language=sv&amp;layout=a5"):
        assert f"{link}?{query}" in page


def test_a_refused_venue_field_says_which_and_why_in_the_pages_language(network):
    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    sign_in(client, network.users["coordinator"])
    edit = reverse("network:organisation_edit", args=[network.venue.pk])
    site = {"name": network.venue.name, "municipality": "091", "category": "theatre", "sector": "culture"}
    page = client.post(edit, {**site, "website": "teatteri.example"}).content.decode()
    assert re.search(r'id="id_website_error">[^<]*verkko-osoitteen on alettava https:// tai http://', page)
    page = client.post(edit, {**site, "public_phone": "soita meille"}).content.decode()
    assert re.search(r'id="id_public_phone_error">[^<]*puhelinnumerossa on oltava 5–15 numeroa', page)
