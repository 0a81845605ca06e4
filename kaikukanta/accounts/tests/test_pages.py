import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaikukanta.accounts.models import User
from kaikukanta.core.browser import TEST_PASSWORD, assert_accessible, screenshot
from kaikukanta.testing import current_code, sign_in

pytestmark = pytest.mark.django_db


def _with_password(user):
    user.set_password(TEST_PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize(("who", "home"), [
    ("venue", "desk:check"), ("distributor", "cards:issue"),
    ("coordinator", "stats:dashboard"), ("admin", "stats:dashboard"),
])
def test_login_lands_on_the_home_page_of_the_role(network, who, home):
    user = _with_password(network.users[who])
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD},
                           follow=True)
    if who in ("coordinator", "admin"):
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:second_factor"))
        code = current_code(TOTPDevice.objects.get(user=user))
        response = client.post(response.redirect_chain[-1][0], {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(home)


def test_wrong_password_is_refused_in_the_page_language_and_keeps_the_username(network):
    _with_password(network.users["venue"])
    response = Client().post(reverse("accounts:login"), {"username": "venue", "password": "wrong"},
                             HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    assert 'value="venue"' in response.content.decode()
    assert "lösenord" in response.content.decode()


def test_language_is_remembered_for_the_user_and_used_at_the_next_login(network):
    user = _with_password(network.users["distributor"])
    client = Client()
    sign_in(client, user)
    client.post(reverse("accounts:language"), {"language": "sv", "next": "/home/"})
    assert User.objects.get(pk=user.pk).language == "sv"

    fresh = Client()
    response = fresh.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD},
                          follow=True)
    assert fresh.cookies["django_language"].value == "sv"
    assert '<html lang="sv"' in response.content.decode()


def test_text_size_choice_is_kept_in_a_cookie_and_scales_every_page(network):
    client = Client()
    client.post(reverse("accounts:text_size"), {"size": "larger", "next": "/login/"})
    assert 'class="text-larger"' in client.get(reverse("accounts:login")).content.decode()


def test_next_pointing_to_another_site_is_ignored(network):
    response = Client().post(reverse("accounts:text_size"), {"size": "large", "next": "https://evil.example/"})
    assert response["Location"] == reverse("public:home")


def test_logout_ends_the_session(network):
    client = Client()
    sign_in(client, network.users["venue"])
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:home"))["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db(transaction=True)
def test_browser_login_language_text_size_and_logout(browser_page, site):
    page = browser_page()
    page.goto(f"{site.base_url}/login/")
    assert_accessible(page)
    screenshot(page, "login")
    page.get_by_role("button", name="Svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"
    page.get_by_role("button", name="Större text").click()
    assert page.locator("html").get_attribute("class") == "text-larger"
    page.locator("input[name=username]").fill("venue")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{site.base_url}/desk/**")
    assert page.locator("html").get_attribute("lang") == "fi", "after login the user's own language applies"
    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.goto(f"{site.base_url}/home/")
    assert "/login/" in page.url
