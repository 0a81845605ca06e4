"""Signing in: password hashing, login throttling, the second factor of admins and coordinators, and the
end of sessions."""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaikukanta.accounts import middleware
from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import User
from kaikukanta.accounts.services import update_user
from kaikukanta.core.browser import TEST_PASSWORD
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import current_code, sign_in

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
STEP = "/login/second-factor/"


def _with_password(user, password=TEST_PASSWORD):
    user.set_password(password)
    user.save()
    return user


def _log_in(client, username, password=TEST_PASSWORD, *, address="192.0.2.10", language="fi"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address,
                       HTTP_ACCEPT_LANGUAGE=language)


@pytest.fixture(autouse=True)
def quick_password_hashing(request, settings):
    """Argon2's cost is the hashing tests' business; the others check what happens after the password."""
    if "argon2" not in request.node.name:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Passwords

def test_a_new_password_is_stored_with_argon2(network):
    update_user(Caller.for_console(network.users["admin"]), network.users["venue"].pk, password="uusi-salasana-2025")

    assert User.objects.get(pk=network.users["venue"].pk).password.startswith("argon2$")


def test_a_pbkdf2_password_is_rehashed_with_argon2_at_a_successful_login(network):
    venue = network.users["venue"]
    User.objects.filter(pk=venue.pk).update(password=make_password(TEST_PASSWORD, hasher="pbkdf2_sha256"))

    assert _log_in(Client(), "venue")["Location"] == reverse("accounts:home")
    stored = User.objects.get(pk=venue.pk).password
    assert stored.startswith("argon2$")
    assert User.objects.get(pk=venue.pk).check_password(TEST_PASSWORD)


def test_the_demo_and_test_passwords_pass_the_policy(network):
    from kaikukanta.accounts import passwords
    from kaikukanta.demo.services import demo_password

    for user in network.users.values():
        assert passwords.problems(demo_password(user.username), user) == []
        assert passwords.problems(TEST_PASSWORD, user) == []


@pytest.mark.parametrize("language, reason", [
    ("fi", "Salasana on liian lyhyt: siinä on oltava vähintään 12 merkkiä."),
    ("sv", "Lösenordet är för kort: det måste ha minst 12 tecken."),
    ("en", "The password is too short: it needs at least 12 characters."),
])
def test_the_set_password_page_says_why_a_password_is_refused_in_the_page_language(network, language, reason):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, network.users["coordinator"])
    person = network.users["venue"]

    response = client.post(reverse("network:user_password", kwargs={"user_id": person.pk}),
                           {"password": "kortti-2025"})

    assert reason in response.content.decode()
    assert not User.objects.get(pk=person.pk).check_password("kortti-2025")


# Throttling and lockout

def test_five_wrong_passwords_lock_that_account_from_that_address_with_429_and_retry_after(network):
    _with_password(network.users["venue"])
    attacker = Client()
    statuses = [_log_in(attacker, "venue", f"wrong-{n}", address="203.0.113.9").status_code for n in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    locked = _log_in(attacker, "venue", address="203.0.113.9", language="sv")
    assert locked.status_code == 429, "even the right password is refused during the lockout"
    assert locked["Retry-After"] == "900"
    assert "För många misslyckade inloggningar" in locked.content.decode()
    assert "_auth_user_id" not in attacker.session


def test_the_owner_still_signs_in_from_their_own_address_while_another_is_locked_out(network):
    _with_password(network.users["venue"])
    for n in range(8):
        _log_in(Client(), "venue", f"wrong-{n}", address="203.0.113.9")

    owner = Client()
    response = _log_in(owner, "venue", address="192.0.2.44")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert owner.session["_auth_user_id"] == str(network.users["venue"].pk)


def test_one_address_trying_many_accounts_is_locked_out_of_every_account(network):
    for user in network.users.values():
        _with_password(user)
    for n in range(30):
        _log_in(Client(), f"guess-{n}", "salasana-123456", address="203.0.113.50")

    assert _log_in(Client(), "distributor", address="203.0.113.50").status_code == 429
    assert _log_in(Client(), "distributor", address="198.51.100.7").status_code == 302


def test_a_successful_login_clears_the_count_for_that_account_and_address(network):
    _with_password(network.users["venue"])
    for n in range(4):
        _log_in(Client(), "venue", f"wrong-{n}")
    assert _log_in(Client(), "venue").status_code == 302

    statuses = [_log_in(Client(), "venue", f"again-{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 200]


def test_failed_logins_and_the_lockout_are_audited_without_the_password(network):
    venue = _with_password(network.users["venue"])
    for n in range(5):
        _log_in(Client(), "venue", f"secret-guess-{n}", address="203.0.113.9")
    _log_in(Client(), "no-such-user", "typed-password-1", address="203.0.113.77")

    failed = AuditRecord.objects.filter(action="login.failed")
    assert failed.filter(object_id=str(venue.pk)).count() == 5
    assert failed.filter(object_id="").get().details == {"address": "203.0.113.77", "username_known": False,
                                                         "locked": False}
    assert AuditRecord.objects.get(action="login.locked_out").details == {"address": "203.0.113.9"}
    written = str(list(AuditRecord.objects.values_list("details", flat=True)))
    assert "secret-guess" not in written and "typed-password" not in written and "no-such-user" not in written


def test_lockout_counts_the_client_address_from_trusted_proxies_only(rf, settings):
    from axes.helpers import get_client_ip_address

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    settings.KAIKUKANTA_TRUSTED_PROXIES = 0
    assert get_client_ip_address(request) == "10.0.0.2"
    settings.KAIKUKANTA_TRUSTED_PROXIES = 1
    assert get_client_ip_address(request) == "203.0.113.5", "what the client itself wrote further left is ignored"


# The second factor

def test_a_coordinator_without_an_authenticator_sets_one_up_before_any_page(network):
    coordinator = _with_password(network.users["coordinator"])
    TOTPDevice.objects.filter(user=coordinator).delete()
    client = Client()

    response = _log_in(client, "coordinator")
    assert response["Location"].startswith(STEP)
    for page in (reverse("stats:dashboard"), reverse("network:users"), reverse("accounts:home")):
        assert client.get(page)["Location"].startswith(STEP), page

    enrolment = client.get(STEP).content.decode()
    assert 'src="data:image/svg+xml' in enrolment
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert TOTPDevice.objects.get(user=coordinator).config_url.split("secret=")[1][:4] in enrolment.replace(" ", "")

    wrong = client.post(STEP, {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert "Koodi on väärä" in wrong.content.decode()
    assert client.get(reverse("stats:dashboard"))["Location"].startswith(STEP)

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    done = client.post(STEP, {"code": current_code(device), "next": reverse("stats:dashboard")})
    assert done["Location"] == reverse("stats:dashboard")
    assert client.get(reverse("stats:dashboard")).status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditRecord.objects.filter(action="second_factor.enrolled", object_id=str(coordinator.pk)).exists()


def test_an_admin_with_an_authenticator_types_its_code_and_reaches_the_admin_site_after_it(network):
    admin = _with_password(network.users["admin"])
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    _log_in(client, "admin")

    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith(STEP)
    assert "data:image/svg+xml" not in client.get(STEP).content.decode(), "no new QR code once set up"
    device = TOTPDevice.objects.get(user=admin, confirmed=True)
    assert client.post(STEP, {"code": current_code(device), "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_are_throttled_by_django_otp(network):
    admin = _with_password(network.users["admin"])
    device = TOTPDevice.objects.get(user=admin)
    client = Client()
    _log_in(client, "admin")

    client.post(STEP, {"code": "12345"})
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 1
    # Five wrong codes in a row: the next try must wait 16 seconds, whatever its code.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=5)
    refused = client.post(STEP, {"code": current_code(device)})

    assert "Liian monta pyyntöä" in refused.content.decode()
    assert client.get(reverse("stats:dashboard"))["Location"].startswith(STEP)


def test_site_staff_need_no_second_factor_and_the_api_never_asks_for_one(network):
    _with_password(network.users["venue"])
    client = Client()
    _log_in(client, "venue")
    assert client.get(reverse("desk:check")).status_code == 200

    TOTPDevice.objects.filter(user=network.users["coordinator"]).delete()
    assert network.client("coordinator").get(f"users/{network.users['coordinator'].pk}").status_code == 200


def test_the_national_admin_removes_a_lost_authenticator_and_the_user_sets_up_a_new_one(network):
    coordinator = _with_password(network.users["coordinator"])
    admin = Client()
    sign_in(admin, network.users["admin"])
    user_page = reverse("network:user_detail", kwargs={"user_id": coordinator.pk})
    assert "Poista todennussovellus" in admin.get(user_page).content.decode()

    response = admin.post(reverse("accounts:second_factor_reset", kwargs={"user_id": coordinator.pk}),
                          {"next": user_page})

    assert response["Location"] == user_page
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert AuditRecord.objects.filter(action="second_factor.reset", object_id=str(coordinator.pk)).exists()
    client = Client()
    _log_in(client, "coordinator")
    assert "data:image/svg+xml" in client.get(STEP).content.decode()


@pytest.mark.parametrize("who, whose", [("coordinator", "coordinator"), ("admin", "admin"),
                                        ("coordinator", "distributor")])
def test_nobody_else_removes_an_authenticator(network, who, whose):
    client = Client()
    sign_in(client, network.users[who])
    target = network.users[whose]
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)

    response = client.post(reverse("accounts:second_factor_reset", kwargs={"user_id": target.pk}))

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=target).exists()


# The end of a session

@pytest.fixture
def clock(monkeypatch):
    """The sessions' clock, moved by the test."""
    moment = {"now": 1_800_000_000.0}
    monkeypatch.setattr(middleware, "now", lambda: moment["now"])

    def advance(minutes):
        moment["now"] += minutes * 60

    return advance


def test_a_session_ends_after_an_hour_without_a_request(network, clock):
    client = Client()
    sign_in(client, network.users["venue"])
    clock(59)
    assert client.get(reverse("desk:check")).status_code == 200

    clock(61)
    response = client.get(reverse("desk:check"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_twelve_hours_after_signing_in(network, clock):
    client = Client()
    sign_in(client, network.users["distributor"])
    for _half_hour in range(23):
        clock(30)
        assert client.get(reverse("cards:issue")).status_code == 200

    clock(31)
    assert client.get(reverse("cards:issue"))["Location"].startswith(reverse("accounts:login"))


def test_idle_and_maximum_are_configurable(network, clock, settings):
    settings.KAIKUKANTA_SESSION_IDLE_MINUTES = 5
    client = Client()
    sign_in(client, network.users["venue"])
    clock(6)
    assert client.get(reverse("desk:check"))["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db(transaction=True)
def test_browser_enrolment_of_an_authenticator(browser_page, site):
    from kaikukanta.core.browser import assert_accessible, screenshot

    TOTPDevice.objects.filter(user=site.users["coordinator"]).delete()
    page = browser_page()
    page.goto(f"{site.base_url}/login/")
    page.locator("input[name=username]").fill("coordinator")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{site.base_url}{STEP}**")
    assert page.locator("main img").evaluate("img => img.naturalWidth > 0"), "the QR code is shown"
    assert_accessible(page)
    screenshot(page, "second-factor-enrolment")

    device = TOTPDevice.objects.get(user=site.users["coordinator"], confirmed=False)
    page.locator("input[name=code]").fill(current_code(device))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{site.base_url}/stats/**")
    page.goto(f"{site.base_url}/account/")
    assert_accessible(page)


def test_the_second_step_of_signing_in_shows_no_menu_of_pages_it_cannot_open_yet(network):
    client = Client()
    _with_password(network.users["coordinator"])
    assert _log_in(client, "coordinator")["Location"].startswith(STEP)
    page = client.get(STEP).content.decode()

    assert 'aria-label="Päävalikko"' not in page
    for name in ("network:users", "network:organisations", "stats:dashboard", "public:venues"):
        assert f'href="{reverse(name)}"' not in page
    assert 'name="code"' in page
