import pytest

from kaikukanta.accounts.models import User
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import ApiClient

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "kirjasto-kortti-2025"


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    """What is tested is which passwords are accepted, not the hasher's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def venue_user(network, **changes):
    return {"username": "lipunmyyja", "role": "venue", "organisation_id": network.venue.pk, **changes}


def test_admin_creates_a_national_admin(network):
    response = network.client("admin").post("users", {"username": "toinen", "role": "national_admin",
                                                      "language": "sv"})

    assert response.status_code == 201
    body = response.json()
    assert body | {"id": 0} == {"id": 0, "username": "toinen", "role": "national_admin", "area_id": None,
                                "organisation_id": None, "language": "sv", "active": True}
    user = User.objects.get(pk=body["id"])
    assert not user.has_usable_password()


def test_admin_creates_a_coordinator(network):
    body = {"username": "koordinaattori2", "role": "area_coordinator", "area_id": network.other_area.pk}

    response = network.client("admin").post("users", body)

    assert response.status_code == 201
    assert response.json()["area_id"] == network.other_area.pk
    assert response.json()["language"] == "fi"


def test_coordinator_creates_staff_of_its_sites_with_a_password(network):
    response = network.client("coordinator").post("users", venue_user(network, password=GOOD_PASSWORD))

    assert response.status_code == 201
    user = User.objects.get(pk=response.json()["id"])
    assert user.check_password(GOOD_PASSWORD)
    assert (user.role, user.organisation_id) == ("venue", network.venue.pk)
    record = AuditRecord.objects.get(action="user.created", object_id=str(user.pk))
    assert record.actor == network.users["coordinator"]
    assert GOOD_PASSWORD not in str(record.details)


@pytest.mark.parametrize("body_changes, field", [
    ({"role": "area_coordinator", "organisation_id": None}, "area_id"),
    ({"role": "area_coordinator", "area_id": 1}, "organisation_id"),
    ({"role": "national_admin"}, "organisation_id"),
    ({"organisation_id": None}, "organisation_id"),
    ({"area_id": 1}, "area_id"),
    ({"role": "distributor"}, "organisation_id"),
    ({"organisation_id": 999999}, "organisation_id"),
    ({"role": "superuser"}, "role"),
    ({"language": "de"}, "language"),
    ({"username": "lipun myyjä"}, "username"),
    ({"username": ""}, "username"),
    ({"email": "a@b.example"}, "email"),
    ({"organisation_id": "2"}, "organisation_id"),
    ({"password": "lipunmyyja1"}, "password"),
    ({"password": "1234567890"}, "password"),
    ({"password": "short"}, "password"),
])
def test_invalid_user_bodies_name_the_field(network, body_changes, field):
    body = {key: value for key, value in venue_user(network, **body_changes).items() if value is not None}

    response = network.client("admin").post("users", body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == field
    assert User.objects.count() == 7


@pytest.mark.parametrize("language, password, message", [
    ("en", "short", "The request is invalid. (The password is too short: it needs at least 12 characters.)"),
    ("fi", "short", "Pyyntö on virheellinen. (Salasana on liian lyhyt: siinä on oltava vähintään 12 merkkiä.)"),
    ("sv", "4829173650182", "Begäran är ogiltig. (Lösenordet får inte bestå av enbart siffror.)"),
    ("fi", "password1234", "Pyyntö on virheellinen. (Salasana on liian yleinen.)"),
    ("en", "lipunmyyja-1", "The request is invalid. (The password is too similar to the username.)"),
])
def test_a_refused_password_says_why_in_the_callers_language(network, language, password, message):
    response = network.client("admin", language).post("users", venue_user(network, password=password))

    assert response.status_code == 400
    assert response.json()["error"]["message"] == message


def test_a_password_of_eleven_characters_is_too_short_and_twelve_will_do(network):
    admin = network.client("admin")
    assert admin.post("users", venue_user(network, password="kortti-2025")).status_code == 400
    assert admin.post("users", venue_user(network, password="kortti-20255")).status_code == 201


@pytest.mark.parametrize("language, message", [
    ("fi", "Käyttäjätunnus on jo käytössä."),
    ("sv", "Användarnamnet är redan upptaget."),
    ("en", "The username is already taken."),
])
def test_a_username_in_use_is_taken_whatever_its_case(network, language, message):
    response = network.client("admin", language).post("users", venue_user(network, username="Venue"))

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "username_taken", "message": message, "field": "username"}
    assert User.objects.count() == 7


@pytest.mark.parametrize("who, body_of", [
    ("coordinator", lambda net: {"username": "k2", "role": "area_coordinator", "area_id": net.area.pk}),
    ("coordinator", lambda net: {"username": "a2", "role": "national_admin"}),
    ("other_coordinator", lambda net: {"username": "v2", "role": "venue", "organisation_id": net.venue.pk}),
    ("venue", lambda net: {"username": "v2", "role": "venue", "organisation_id": net.venue.pk}),
    ("distributor", lambda net: {"username": "d2", "role": "distributor",
                                 "organisation_id": net.distributor.pk}),
])
def test_users_outside_the_callers_reach_are_forbidden(network, who, body_of):
    response = network.client(who).post("users", body_of(network))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert User.objects.count() == 7


def test_forbidden_comes_before_a_taken_username(network):
    response = network.client("other_coordinator").post("users", venue_user(network, username="admin"))

    assert response.status_code == 403


@pytest.mark.parametrize("who, visible", [
    ("admin", {"admin", "coordinator", "other_coordinator", "distributor", "other_distributor", "venue",
               "other_venue"}),
    ("coordinator", {"coordinator", "distributor", "venue"}),
    ("venue", {"venue"}),
])
def test_the_user_list_is_scoped(network, who, visible):
    response = network.client(who).get("users")

    assert response.status_code == 200
    assert {user["username"] for user in response.json()["results"]} == visible


def test_the_user_list_filters_by_role_and_site(network):
    admin = network.client("admin")

    by_role = admin.get("users", role="distributor")
    by_site = admin.get("users", organisation_id=network.other_venue.pk)

    assert {user["username"] for user in by_role.json()["results"]} == {"distributor", "other_distributor"}
    assert [user["username"] for user in by_site.json()["results"]] == ["other_venue"]


@pytest.mark.parametrize("who, target, status", [
    ("admin", "other_coordinator", 200),
    ("coordinator", "venue", 200),
    ("coordinator", "coordinator", 200),
    ("coordinator", "other_venue", 403),
    ("coordinator", "admin", 403),
    ("venue", "venue", 200),
    ("venue", "distributor", 403),
])
def test_reading_one_user(network, who, target, status):
    response = network.client(who).get(f"users/{network.users[target].pk}")

    assert response.status_code == status


def test_an_unknown_user_is_not_found(network):
    assert network.client("admin").get("users/999999").status_code == 404
    assert network.client("admin").patch("users/999999", {"language": "en"}).status_code == 404


def test_coordinator_changes_a_staff_members_language_and_password(network):
    target = network.users["venue"]

    response = network.client("coordinator").patch(f"users/{target.pk}", {"language": "en",
                                                                         "password": GOOD_PASSWORD})

    assert response.status_code == 200
    assert response.json()["language"] == "en"
    target.refresh_from_db()
    assert target.check_password(GOOD_PASSWORD)
    assert AuditRecord.objects.filter(action="user.updated", object_id=str(target.pk)).exists()


def test_a_deactivated_user_can_no_longer_call_the_api(network):
    response = network.client("admin").patch(f"users/{network.users['venue'].pk}", {"active": False})

    assert response.json()["active"] is False
    assert network.client("venue").get("settings").status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"language": None}, "language"),
    ({"password": "short"}, "password"),
    ({"role": "national_admin"}, "role"),
    ({"username": "uusi"}, "username"),
    ({"active": 0}, "active"),
])
def test_invalid_user_changes(network, body, field):
    response = network.client("admin").patch(f"users/{network.users['venue'].pk}", body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    unchanged = User.objects.get(pk=network.users["venue"].pk)
    assert (unchanged.role, unchanged.language, unchanged.is_active) == ("venue", "fi", True)


@pytest.mark.parametrize("who, target", [
    ("coordinator", "other_venue"),
    ("coordinator", "other_coordinator"),
    ("distributor", "venue"),
])
def test_changing_users_outside_the_callers_reach_is_forbidden(network, who, target):
    response = network.client(who).patch(f"users/{network.users[target].pk}", {"language": "sv"})

    assert response.status_code == 403
    assert User.objects.get(pk=network.users[target].pk).language == "fi"


def test_a_user_of_a_site_taken_out_of_the_network_is_forbidden_everywhere(network):
    network.client("admin").patch(f"organisations/{network.distributor.pk}", {"active": False})
    client = network.client("distributor", "sv")

    own_id = network.users["distributor"].pk
    for response in (client.get("settings"), client.get("users"), client.get(f"users/{own_id}"),
                     client.post(f"users/{own_id}/tokens")):
        assert response.status_code == 403
        assert response.json()["error"] == {"code": "forbidden",
                                            "message": "Du har inte behörighet till detta."}


def test_a_new_users_token_works(network):
    created = network.client("coordinator").post("users", venue_user(network))
    token = network.client("coordinator").post(f"users/{created.json()['id']}/tokens").json()["token"]

    assert ApiClient(token).get(f"organisations/{network.venue.pk}").status_code == 200


def test_only_a_national_admin_gets_into_the_django_admin(network):
    admin = network.client("admin")
    created = {}
    for role, scope in (("national_admin", {}), ("area_coordinator", {"area_id": network.area.pk}),
                        ("venue", {"organisation_id": network.venue.pk})):
        response = admin.post("users", {"username": f"new-{role}", "password": "Kulttuuri-Kortti-2026", "role": role,
                                        **scope})
        assert response.status_code == 201
        created[role] = response.json()["id"]
    from kaikukanta.accounts.models import User

    assert User.objects.get(pk=created["national_admin"]).is_staff
    assert not User.objects.get(pk=created["area_coordinator"]).is_staff
    assert not User.objects.get(pk=created["venue"]).is_staff


def test_a_user_changes_their_own_language_and_password_but_not_their_standing(network):
    venue = network.client("venue")
    own = f"users/{network.users['venue'].pk}"
    network.users["venue"].set_password(GOOD_PASSWORD)
    network.users["venue"].save()

    assert venue.patch(own, {"language": "sv", "password": "Kulttuuri-Kaikille-2026",
                             "current_password": GOOD_PASSWORD}).status_code == 200
    refused = venue.patch(own, {"active": False})

    assert refused.status_code == 403
    me = User.objects.get(pk=network.users["venue"].pk)
    assert (me.language, me.is_active) == ("sv", True)
    assert me.check_password("Kulttuuri-Kaikille-2026")
