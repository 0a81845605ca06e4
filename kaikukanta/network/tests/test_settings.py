import pytest

from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import NationalSettings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["admin", "coordinator", "distributor", "venue"])
def test_every_user_reads_the_settings(network, who):
    response = network.client(who).get("settings")

    assert response.status_code == 200
    assert response.json() == {"max_validity_months": 12}


def test_settings_need_a_token(anonymous):
    response = anonymous.get("/api/v1/settings")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_the_national_admin_changes_the_maximum_validity(network):
    response = network.client("admin").patch("settings", {"max_validity_months": 24})

    assert response.status_code == 200
    assert response.json() == {"max_validity_months": 24}
    assert NationalSettings.current().max_validity_months == 24
    assert network.client("venue").get("settings").json() == {"max_validity_months": 24}
    assert AuditRecord.objects.filter(action="settings.updated", actor=network.users["admin"]).exists()


@pytest.mark.parametrize("value, reason", [
    (0, "värdet måste vara minst 1"), (61, "värdet får vara högst 60"), (-1, "värdet måste vara minst 1"),
    ("12", "värdet måste vara ett heltal"), (12.5, "värdet måste vara ett heltal"), (None, "värdet får inte vara null"),
])
def test_out_of_range_or_wrong_type_is_invalid(network, value, reason):
    response = network.client("admin", "sv").patch("settings", {"max_validity_months": value})

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "message": f"Begäran är ogiltig. ({reason})",
                                        "field": "max_validity_months"}
    assert NationalSettings.current().max_validity_months == 12


@pytest.mark.parametrize("value", [1, 60])
def test_the_range_ends_are_allowed(network, value):
    assert network.client("admin").patch("settings", {"max_validity_months": value}).status_code == 200


def test_unknown_settings_are_invalid(network):
    response = network.client("admin").patch("settings", {"max_children": 10})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "max_children"


@pytest.mark.parametrize("who", ["coordinator", "distributor", "venue"])
def test_only_the_national_admin_changes_settings(network, who):
    response = network.client(who).patch("settings", {"max_validity_months": 24})

    assert response.status_code == 403
    assert NationalSettings.current().max_validity_months == 12
