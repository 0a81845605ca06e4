"""The personal-data detector of free texts: identity codes by their check character, phone numbers and
e-mail addresses found anywhere in a text, ordinary names of offerings left alone."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.personal_data import (
    CENTURY_OF_SIGN,
    HETU_CHECK_CHARACTERS,
    check_free_text,
    find_email,
    find_hetu,
    find_personal_data,
    find_phone,
    hetu_check_character,
)

SIGNS_OF_CENTURY = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}


@st.composite
def hetus(draw) -> str:
    born = draw(st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2099, 12, 31)))
    sign = draw(st.sampled_from(SIGNS_OF_CENTURY[born.year // 100 * 100]))
    individual = f"{draw(st.integers(2, 999)):03d}"
    birth = f"{born:%d%m}{born.year % 100:02d}"
    return birth + sign + individual + hetu_check_character(birth, individual)


# Around a hidden value: any text that does not glue letters or digits onto it.
surroundings = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30).map(
    lambda text: text.strip("0123456789+-@._" + "".join(chr(c) for c in range(0x30, 0x7b) if chr(c).isalnum()))
)


def _embedded(before: str, value: str, after: str) -> str:
    return f"{before} {value} {after}"


@given(hetus(), surroundings, surroundings)
def test_every_valid_identity_code_is_found_inside_any_text(hetu, before, after):
    assert find_hetu(_embedded(before, hetu, after)) == hetu
    assert find_personal_data(_embedded(before, hetu.lower(), after)) is not None


@given(hetus(), st.integers(1, 30))
def test_an_identity_code_with_a_wrong_check_character_is_not_one(hetu, shift):
    wrong = HETU_CHECK_CHARACTERS[(HETU_CHECK_CHARACTERS.index(hetu[-1]) + shift) % 31]
    assert find_hetu(f"Koodi {hetu[:-1]}{wrong} tänään") is None


def test_known_identity_codes():
    # The examples of the Digital and Population Data Services Agency.
    assert find_hetu("131052-308T") == "131052-308T"
    assert find_hetu("131052Y308T") == "131052Y308T"     # the 2023 signs of the 1900s
    assert find_hetu("010594Y9021") == "010594Y9021"
    assert find_hetu("020502E902X") == "020502E902X"     # and of the 2000s
    assert find_hetu("310252-308T") is None              # 31 February does not exist
    assert set(CENTURY_OF_SIGN) == set("+-YXWVUABCDEF")


@st.composite
def finnish_phones(draw) -> str:
    prefix = draw(st.sampled_from(["040", "041", "044", "045", "046", "050", "0400", "0500", "09", "02", "013",
                                   "017", "019"]))
    subscriber = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=5, max_size=7)))
    split = draw(st.integers(2, len(subscriber) - 2))
    style = draw(st.sampled_from(["space", "hyphen", "plain", "paren", "international", "grouped"]))
    national = prefix[1:]
    if style == "space":
        return f"{prefix} {subscriber}"
    if style == "hyphen":
        return f"{prefix}-{subscriber}"
    if style == "plain":
        return prefix + subscriber
    if style == "paren":
        return f"({prefix}) {subscriber[:split]} {subscriber[split:]}"
    if style == "international":
        return f"+358 {national} {subscriber[:split]} {subscriber[split:]}"
    return f"{prefix} {subscriber[:split]} {subscriber[split:]}"


@given(finnish_phones(), surroundings, surroundings)
def test_generated_phone_numbers_are_found(phone, before, after):
    assert find_phone(_embedded(before, phone, after)) is not None


@pytest.mark.parametrize("phone", [
    "+358 40 123 4567", "+358401234567", "040-1234567", "040 123 4567", "09 123 4567", "(09) 1234 5678",
    "+358 (0)9 1234 5678", "00358 40 123 4567", "+46 8 123 456 78", "+1 (212) 555-0123", "0401234567",
])
def test_phone_numbers_in_their_usual_formats(phone):
    assert find_phone(f"Soita {phone}, kiitos") is not None


@st.composite
def emails(draw) -> str:
    local = draw(st.from_regex(r"[a-z][a-z0-9._+\-]{0,15}[a-z0-9]", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z][a-z0-9\-]{0,10}[a-z0-9]", fullmatch=True))
    tld = draw(st.sampled_from(["fi", "com", "org", "se", "net", "info"]))
    return f"{local}@{domain}.{tld}"


@given(emails(), surroundings, surroundings)
def test_generated_email_addresses_are_found(email, before, after):
    assert find_email(_embedded(before, email, after)) is not None


REAL_OFFERING_NAMES = [
    "Kevätkonsertti 2026", "Jooga 18-19", "Museokortti-ilta 12.3.", "Lasten teatteri 4+",
    "Joulukonsertti 24.11.2026", "Näyttely 2026-11-24 – 2027-01-31", "Kuntosali klo 18–20", "Uinti klo 8.00-10.00",
    "Konsertti 19:00", "Liput 12,50 € (norm. 25 €)", "Helsinki 00100", "Espoo 02100, kevät 2026",
    "Sibelius 150 vuotta", "Tanssikurssi 01-02-2026", "Syksy 2025 / Kevät 2026", "Keilailu 3 x 45 min",
    "Elokuvaklubi (K-16)", "Kortti 1234567890", "Matinea 14.30–16.00", "Ooppera: La Bohème 10.–12.4.",
    "Puhelinpalvelu ma–pe", "@kaikukortti Instagramissa", "Vuosi 1917-2017", "Yleisöluento 5/2026",
    "Runoilta 24.11. klo 18", "Ratsastus 6–12-vuotiaille", "Festivaali 2026 (3 päivää)", "Kuoro 2026-2027",
    # dates and times written with dots and slashes, which a dotted phone number must not be mistaken for
    "Uinti klo 08.00-10.00", "Näyttely 01.02.2026–05.03.2026", "Kurssi 01/02/2026", "Hinta 0.50 €",
    "Ovet 09.30", "Konsertti 24.11.2026 klo 19.00", "Kesä 06.06.-08.08.2026", "Kausi 01.09.2026/31.05.2027",
    "Sali 2 m²", "Avoinna\u00a0ma–pe\u00a09–17", "Ｋｅｖäｔ ２０２６", "Lippu\u200b 5 €",
]


@pytest.mark.parametrize("name", REAL_OFFERING_NAMES)
def test_ordinary_offering_names_pass(name):
    assert find_personal_data(name) is None
    check_free_text(name, "name")


def test_check_free_text_refuses_naming_the_field():
    with pytest.raises(Refusal) as refused:
        check_free_text("Ilmoittaudu: liisa.virtanen@example.fi", "results.0.text.fi")
    assert refused.value.code == Code.PERSONAL_DATA_NOT_ALLOWED
    assert refused.value.field == "results.0.text.fi"
    assert refused.value.status == 422
    assert "sähköpostiosoitetta" in refused.value.message("fi")


# The ways a text hides a value from a scanner that reads code points, not what a reader sees.
SPACES = ["\u00a0", "\u202f", "\u2009", "\u3000", "\u2007"]
FORMAT_CHARACTERS = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u200e"]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(character) + 0xFEE0) if "!" <= character <= "~" else character for character in text)


@st.composite
def obfuscated(draw, values) -> str:
    """A value with its characters spread by format characters, its spaces made other spaces, its digits
    or all of it written fullwidth."""
    value = draw(values)
    how = draw(st.sampled_from(["format", "spaces", "fullwidth", "all"]))
    if how in ("spaces", "all"):
        value = value.replace(" ", draw(st.sampled_from(SPACES)))
    if how in ("fullwidth", "all"):
        value = _fullwidth(value)
    if how in ("format", "all"):
        hidden = draw(st.sampled_from(FORMAT_CHARACTERS))
        positions = draw(st.sets(st.integers(1, max(1, len(value) - 1)), min_size=1, max_size=4))
        value = "".join(hidden + character if position in positions else character
                        for position, character in enumerate(value))
    return value


@given(obfuscated(hetus()), surroundings, surroundings)
def test_an_obfuscated_identity_code_is_found(hetu, before, after):
    assert find_personal_data(_embedded(before, hetu, after)) is not None


@given(obfuscated(finnish_phones()), surroundings, surroundings)
def test_an_obfuscated_phone_number_is_found(phone, before, after):
    assert find_personal_data(_embedded(before, phone, after)) is not None


@given(obfuscated(emails()), surroundings, surroundings)
def test_an_obfuscated_email_address_is_found(email, before, after):
    assert find_personal_data(_embedded(before, email, after)) is not None


@st.composite
def punctuated_phones(draw) -> str:
    """A domestic number with dots or slashes between its groups."""
    prefix = draw(st.sampled_from(["040", "044", "050", "045", "09", "013"]))
    groups = draw(st.lists(st.from_regex(r"[0-9]{3,4}", fullmatch=True), min_size=2, max_size=2))
    separators = draw(st.lists(st.sampled_from(["." , "/", " ", "-"]), min_size=2, max_size=2))
    return prefix + separators[0] + groups[0] + separators[1] + groups[1]


@given(punctuated_phones(), surroundings, surroundings)
def test_a_phone_number_with_dots_or_slashes_is_found(phone, before, after):
    assert find_personal_data(_embedded(before, phone, after)) is not None


@pytest.mark.parametrize("text", [
    "Soita 040\u00a0123\u00a04567", "Soita 040.123.4567", "Soita 040/123 4567", "Soita ０４０１２３４５６７",
    "liisa.virtanen＠example.fi", "Koodi 131052\u200b-308T", "Koodi １３１０５２－３０８Ｔ",
    "+358\u202f40\u202f123\u202f4567", "liisa\u00ad.virtanen@example\u200b.fi",
])
def test_known_obfuscations_are_refused(text):
    with pytest.raises(Refusal):
        check_free_text(text, "name")
