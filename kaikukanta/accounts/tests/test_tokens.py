import datetime

import pytest
from django.utils import timezone

from kaikukanta.accounts.models import ApiToken
from kaikukanta.core.api_support import token_digest
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import ApiClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, owner", [
    ("admin", "coordinator"), ("coordinator", "venue"), ("venue", "venue")])
def test_a_manager_or_the_user_gets_a_new_token(network, who, owner):
    response = network.client(who).post(f"users/{network.users[owner].pk}/tokens")

    assert response.status_code == 201
    body = response.json()
    assert body["user_id"] == network.users[owner].pk
    issued_for = datetime.datetime.fromisoformat(body["expires_at"]) - timezone.now()
    assert datetime.timedelta(days=364) < issued_for <= datetime.timedelta(days=365), "the default lifetime"
    assert ApiClient(body["token"]).get(f"users/{network.users[owner].pk}").status_code == 200
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.digest == token_digest(body["token"])
    assert body["token"] not in {stored.digest, stored.prefix}
    record = AuditRecord.objects.get(action="token.issued", object_id=str(stored.pk))
    assert body["token"] not in str(record.details)


def test_a_token_with_an_expiry_stops_working_after_it(network):
    expires = (timezone.now() + datetime.timedelta(days=30)).isoformat()
    response = network.client("admin").post(f"users/{network.users['venue'].pk}/tokens",
                                            {"expires_at": expires})
    token = response.json()["token"]

    assert response.status_code == 201
    assert ApiClient(token).get("settings").status_code == 200
    ApiToken.objects.filter(pk=response.json()["id"]).update(expires_at=timezone.now())
    assert ApiClient(token).get("settings").status_code == 401


@pytest.mark.parametrize("expires_at", ["2020-01-01T00:00:00+02:00", "2099-01-01T00:00:00", "soon", None])
def test_an_expiry_must_be_a_future_time_with_an_offset(network, expires_at):
    response = network.client("admin").post(f"users/{network.users['venue'].pk}/tokens",
                                            {"expires_at": expires_at} if expires_at else {"expiry": "x"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == ("expires_at" if expires_at else "expiry")
    assert ApiToken.objects.count() == 7


@pytest.mark.parametrize("who, owner", [
    ("coordinator", "other_venue"),
    ("coordinator", "admin"),
    ("venue", "distributor"),
    ("distributor", "coordinator"),
])
def test_tokens_for_others_are_forbidden(network, who, owner):
    response = network.client(who).post(f"users/{network.users[owner].pk}/tokens")

    assert response.status_code == 403
    assert ApiToken.objects.count() == 7


def test_a_token_for_an_unknown_user_is_not_found(network):
    assert network.client("admin").post("users/999999/tokens").status_code == 404


@pytest.mark.parametrize("who", ["admin", "coordinator", "venue"])
def test_revoking_a_token_makes_it_unauthenticated(network, who):
    token = network.tokens["venue"]

    response = network.client(who).delete(f"tokens/{token}")

    assert response.status_code == 204
    assert response.content == b""
    refused = ApiClient(token, "en").get("settings")
    assert refused.status_code == 401
    assert refused.json()["error"] == {"code": "unauthenticated",
                                       "message": "Authentication is missing or invalid."}
    assert AuditRecord.objects.filter(action="token.revoked", actor=network.users[who]).exists()


@pytest.mark.parametrize("who, owner", [
    ("other_coordinator", "venue"),
    ("distributor", "venue"),
    ("coordinator", "other_coordinator"),
])
def test_revoking_someone_elses_token_is_forbidden(network, who, owner):
    response = network.client(who).delete(f"tokens/{network.tokens[owner]}")

    assert response.status_code == 403
    assert ApiClient(network.tokens[owner]).get("settings").status_code == 200


def test_an_unknown_or_already_revoked_token_is_not_found(network):
    admin = network.client("admin")
    admin.delete(f"tokens/{network.tokens['venue']}")

    for token in ("kk_unknown", network.tokens["venue"]):
        response = admin.delete(f"tokens/{token}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_no_token_lives_longer_than_the_longest_lifetime(network, settings):
    settings.KAIKUKANTA_API_TOKEN_MAX_DAYS = 30
    venue = network.users["venue"].pk
    too_far = (timezone.now() + datetime.timedelta(days=31)).isoformat()

    refused = network.client("admin").post(f"users/{venue}/tokens", {"expires_at": too_far})
    issued = network.client("admin").post(f"users/{venue}/tokens")

    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "expires_at"
    lifetime = datetime.datetime.fromisoformat(issued.json()["expires_at"]) - timezone.now()
    assert datetime.timedelta(days=29) < lifetime <= datetime.timedelta(days=30)


def test_a_coordinator_revokes_a_staff_token_by_its_button_on_the_user_page(network):
    from django.test import Client
    from django.urls import reverse

    from kaikukanta.testing import sign_in

    venue = network.users["venue"]
    token = venue.api_tokens.get()
    token.last_used_at = timezone.now()
    token.save()
    client = Client()
    sign_in(client, network.users["coordinator"])
    user_page = reverse("network:user_detail", kwargs={"user_id": venue.pk})
    page = client.get(user_page).content.decode()
    assert f"<code>{token.prefix}…</code>" in page
    assert reverse("accounts:token_revoke", kwargs={"token_id": token.pk}) in page

    response = client.post(reverse("accounts:token_revoke", kwargs={"token_id": token.pk}), {"next": user_page})

    assert response["Location"] == user_page
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert network.client("venue").get("settings").status_code == 401
    assert AuditRecord.objects.filter(action="token.revoked", object_id=str(token.pk)).exists()
    again = client.post(reverse("accounts:token_revoke", kwargs={"token_id": token.pk}))
    assert again.status_code == 302, "a second press changes nothing and refuses nothing"


def test_staff_see_and_revoke_their_own_tokens_but_not_anyone_elses(network):
    from django.test import Client
    from django.urls import reverse

    from kaikukanta.testing import sign_in

    client = Client()
    sign_in(client, network.users["distributor"])
    own = network.users["distributor"].api_tokens.get()
    other = network.users["other_distributor"].api_tokens.get()

    assert f"<code>{own.prefix}…</code>" in client.get(reverse("accounts:account")).content.decode()
    assert client.post(reverse("accounts:token_revoke", kwargs={"token_id": other.pk})).status_code == 403
    assert client.post(reverse("accounts:token_revoke", kwargs={"token_id": own.pk})).status_code == 302
    assert ApiToken.objects.get(pk=own.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
