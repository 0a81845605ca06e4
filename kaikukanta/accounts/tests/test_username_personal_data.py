"""A username is free text too: every door that creates a user (the API, the users page, the console)
refuses one that is an e-mail address, a phone number or an identity code, however it is written."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kaikukanta.accounts.models import User
from kaikukanta.network.tests.test_network_pages import field_errors, signed_in, user_form

pytestmark = pytest.mark.django_db

# (A fullwidth "＠" is no username character at all: refused as invalid before it is read.)
PERSONAL_USERNAMES = ["liisa.virtanen@example.fi", "0401234567", "+358401234567", "040.123.4567",
                      "131052-308T", "０４０１２３４５６７"]


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("username", PERSONAL_USERNAMES)
def test_the_api_refuses_a_username_that_is_personal_data(network, username):
    response = network.client("coordinator").post("users", {"username": username, "role": "venue",
                                                            "organisation_id": network.venue.pk})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "personal_data_not_allowed"
    assert response.json()["error"]["field"] == "username"
    assert not User.objects.filter(username=username).exists()


@pytest.mark.parametrize("username", PERSONAL_USERNAMES[:3])
def test_the_users_page_refuses_it_next_to_the_field(network, username):
    response = signed_in(network, "coordinator").post(reverse("network:user_new"),
                                                      user_form(network, username=username))
    assert response.status_code == 200
    assert field_errors(response, "id_username") == [
        "Tekstissä ei saa olla henkilötunnusta, puhelinnumeroa eikä sähköpostiosoitetta."]
    assert not User.objects.filter(username=username).exists()


def test_the_console_refuses_it(network):
    with pytest.raises(CommandError, match="sähköpostiosoitetta|e-mail"):
        call_command("issue_token", "--username", "liisa.virtanen@example.fi", "--create", "--role",
                     "national_admin")
    assert not User.objects.filter(username="liisa.virtanen@example.fi").exists()


def test_an_ordinary_username_with_digits_and_dots_is_created(network):
    response = network.client("coordinator").post("users", {"username": "kallio.kassa2", "role": "venue",
                                                            "organisation_id": network.venue.pk})
    assert response.status_code == 201
