import pytest

from kaikukanta.core.language import pick_language


@pytest.mark.parametrize("header, expected", [
    (None, "fi"),
    ("", "fi"),
    ("de", "fi"),
    ("sv", "sv"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE, sv-FI;q=0.8, en;q=0.5", "sv"),
    ("en;q=0.4, sv;q=0.9", "sv"),
    ("sv;q=0, en", "en"),
    ("fr, fi-FI", "fi"),
])
def test_language_of_messages_follows_accept_language(header, expected):
    assert pick_language(header) == expected


def test_messages_travel_as_utf8_letters(network):
    response = network.client("venue", "sv").post("visits", {"card_number": "1234567890"})
    assert response.status_code == 400
    assert "Kortnumret är ogiltigt".encode() in response.content
    assert response["Content-Type"].startswith("application/json")
