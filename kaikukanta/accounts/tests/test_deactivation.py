"""Deactivation takes effect at once at every door (sign-in, open sessions, tokens, Django's admin), and
taking a user or a site back into use brings back none of the tokens or sessions it had (Trust II, 5).
A token is not a password: changing one's own password takes the current one (Trust II, 6)."""

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.models import ApiToken, User
from kaikukanta.accounts.policy import account_usable
from kaikukanta.core.browser import TEST_PASSWORD
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Organisation
from kaikukanta.testing import make_token, sign_in

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
NEW_PASSWORD = "Kulttuuri-Kaikille-2026"


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _with_password(user, password=TEST_PASSWORD):
    user.set_password(password)
    user.save()
    return user


def _log_in(username, password=TEST_PASSWORD, language="fi"):
    return Client().post(LOGIN, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE=language)


def _signed_in_client(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def _take_site_out(site):
    Organisation.objects.filter(pk=site.pk).update(active=False)


# The rule itself

def test_an_account_is_usable_only_with_an_active_user_and_an_active_site(network):
    venue = network.users["venue"]
    assert account_usable(venue)
    _take_site_out(network.venue)
    assert not account_usable(User.objects.get(pk=venue.pk))
    assert account_usable(User.objects.get(pk=network.users["coordinator"].pk))
    User.objects.filter(pk=network.users["coordinator"].pk).update(is_active=False)
    assert not account_usable(User.objects.get(pk=network.users["coordinator"].pk))
    assert not account_usable(None)


# Sign-in

@pytest.mark.parametrize("language, words", [("fi", "ei ole käytössä"), ("sv", "används inte"),
                                             ("en", "This account is not in use")])
def test_the_staff_of_a_site_taken_out_cannot_sign_in_and_are_told_why(network, language, words):
    _with_password(network.users["venue"])
    _take_site_out(network.venue)

    response = _log_in("venue", language=language)

    assert response.status_code == 200
    assert words in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_a_deactivated_user_cannot_sign_in_and_is_told_why(network):
    _with_password(network.users["distributor"])
    User.objects.filter(pk=network.users["distributor"].pk).update(is_active=False)

    response = _log_in("distributor", language="en")

    assert response.status_code == 200
    assert "This account is not in use" in response.content.decode()


def test_a_wrong_password_of_a_deactivated_account_says_nothing_of_deactivation(network):
    _with_password(network.users["distributor"])
    User.objects.filter(pk=network.users["distributor"].pk).update(is_active=False)

    response = _log_in("distributor", "not-the-password", language="en")

    assert "not in use" not in response.content.decode()
    assert "correct username and password" in response.content.decode()


# Open sessions

def test_an_open_session_ends_at_the_next_request_when_the_site_is_taken_out_by_its_coordinator(network):
    desk = _signed_in_client(network.users["venue"])
    assert desk.get(reverse("desk:check")).status_code == 200
    coordinator = _signed_in_client(network.users["coordinator"])

    coordinator.post(reverse("network:organisation_active", kwargs={"organisation_id": network.venue.pk}),
                     {"active": "0"})

    assert _sent_to_login(desk.get(reverse("desk:check")))
    # Taking the site back in does not bring the old session back.
    coordinator.post(reverse("network:organisation_active", kwargs={"organisation_id": network.venue.pk}),
                     {"active": "1"})
    assert _sent_to_login(desk.get(reverse("desk:check")))


def test_an_open_session_ends_even_when_the_flag_is_set_without_the_service(network):
    issuer = _signed_in_client(network.users["distributor"])
    _take_site_out(network.distributor)
    assert _sent_to_login(issuer.get(reverse("cards:issue")))


def test_a_session_of_a_user_deactivated_through_the_pages_ends_and_does_not_come_back(network):
    issuer = _signed_in_client(network.users["distributor"])
    coordinator = _signed_in_client(network.users["coordinator"])
    toggle = reverse("network:user_active", kwargs={"user_id": network.users["distributor"].pk})

    coordinator.post(toggle, {"active": "0"})
    assert _sent_to_login(issuer.get(reverse("cards:issue")))
    coordinator.post(toggle, {"active": "1"})

    assert _sent_to_login(issuer.get(reverse("cards:issue")))
    assert _signed_in_client(User.objects.get(pk=network.users["distributor"].pk)).get(
        reverse("cards:issue")).status_code == 200


def test_a_deactivated_national_admin_is_out_of_djangos_admin_at_once(network):
    User.objects.filter(pk=network.users["admin"].pk).update(is_staff=True, is_superuser=True)
    admin = _signed_in_client(User.objects.get(pk=network.users["admin"].pk))
    assert admin.get("/admin/").status_code == 200
    User.objects.filter(pk=network.users["admin"].pk).update(is_active=False)
    assert admin.get("/admin/").status_code == 302


# Tokens

def test_deactivating_a_user_revokes_their_tokens_and_reactivating_brings_none_back(network):
    coordinator = network.client("coordinator")
    target = network.users["distributor"]
    spare = make_token(target)

    assert coordinator.patch(f"users/{target.pk}", {"active": False}).status_code == 200
    assert not ApiToken.objects.filter(user=target, revoked_at__isnull=True).exists()
    assert coordinator.patch(f"users/{target.pk}", {"active": True}).status_code == 200

    for token in (network.tokens["distributor"], spare):
        response = Client().get("/api/v1/cards", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
    revoked = AuditRecord.objects.filter(action="token.revoked", details__reason="user_deactivated")
    assert revoked.count() == 2


def test_taking_a_site_out_revokes_its_staffs_tokens_and_taking_it_back_brings_none_back(network):
    admin = network.client("admin")
    site = f"organisations/{network.venue.pk}"

    assert admin.patch(site, {"active": False}).status_code == 200
    out = Client().get("/api/v1/visits", headers={"Authorization": f"Bearer {network.tokens['venue']}"})
    assert out.status_code == 403 and out.json()["error"]["code"] == "forbidden"
    assert admin.patch(site, {"active": True}).status_code == 200

    back = Client().get("/api/v1/visits", headers={"Authorization": f"Bearer {network.tokens['venue']}"})
    assert back.status_code == 401
    assert AuditRecord.objects.filter(action="token.revoked", details__reason="site_deactivated").count() == 1
    # The other sites' staff keep theirs.
    assert network.client("other_venue").get("visits").status_code == 200


# A token is not a password

def test_a_token_alone_cannot_set_its_owners_password(network):
    own = f"users/{network.users['venue'].pk}"

    response = network.client("venue", "en").patch(own, {"password": NEW_PASSWORD})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "current_password_wrong"
    assert response.json()["error"]["field"] == "current_password"
    assert "current password" in response.json()["error"]["message"]
    assert not User.objects.get(pk=network.users["venue"].pk).check_password(NEW_PASSWORD)


def test_a_wrong_current_password_is_refused_in_the_callers_language(network):
    _with_password(network.users["venue"])
    own = f"users/{network.users['venue'].pk}"

    response = network.client("venue", "sv").patch(own, {"password": NEW_PASSWORD,
                                                         "current_password": "fel-losenord"})

    assert response.status_code == 400
    assert "nuvarande lösenordet" in response.json()["error"]["message"]
    assert User.objects.get(pk=network.users["venue"].pk).check_password(TEST_PASSWORD)


def test_with_the_current_password_one_changes_ones_own(network):
    _with_password(network.users["venue"])
    own = f"users/{network.users['venue'].pk}"

    response = network.client("venue").patch(own, {"password": NEW_PASSWORD, "current_password": TEST_PASSWORD})

    assert response.status_code == 200
    assert User.objects.get(pk=network.users["venue"].pk).check_password(NEW_PASSWORD)
    assert AuditRecord.objects.filter(action="user.updated", details__fields=["password"]).exists()


def test_a_managers_password_reset_ends_the_users_sessions_and_revokes_their_tokens(network):
    target = _with_password(network.users["distributor"])
    issuer = _signed_in_client(target)
    coordinator = _signed_in_client(network.users["coordinator"])

    response = coordinator.post(reverse("network:user_password", kwargs={"user_id": target.pk}),
                                {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=target.pk).check_password(NEW_PASSWORD)
    assert _sent_to_login(issuer.get(reverse("cards:issue")))
    assert network.client("distributor").get("cards").status_code == 401
    assert AuditRecord.objects.filter(action="token.revoked", details__reason="password_reset").exists()


def test_a_managers_reset_through_the_api_needs_no_current_password(network):
    target = network.users["distributor"]
    response = network.client("admin").patch(f"users/{target.pk}", {"password": NEW_PASSWORD})
    assert response.status_code == 200
    assert network.client("distributor").get("cards").status_code == 401


def test_a_stolen_token_cannot_guess_the_current_password(network):
    from django.core.cache import cache

    cache.clear()
    _with_password(network.users["venue"])
    own = f"users/{network.users['venue'].pk}"
    venue = network.client("venue", "en")
    for attempt in range(5):
        wrong = venue.patch(own, {"password": NEW_PASSWORD, "current_password": f"guess-{attempt}"})
        assert wrong.status_code == 400
    stopped = venue.patch(own, {"password": NEW_PASSWORD, "current_password": TEST_PASSWORD})

    assert stopped.status_code == 429
    assert int(stopped["Retry-After"]) > 0
    assert User.objects.get(pk=network.users["venue"].pk).check_password(TEST_PASSWORD)
    cache.clear()


def test_no_token_is_issued_for_an_account_out_of_use(network):
    target = network.users["distributor"]
    coordinator = network.client("coordinator")
    assert coordinator.patch(f"users/{target.pk}", {"active": False}).status_code == 200

    response = coordinator.post(f"users/{target.pk}/tokens", {})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "user_id"
    assert not ApiToken.objects.filter(user=target, revoked_at__isnull=True).exists()
