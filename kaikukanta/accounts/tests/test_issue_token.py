import datetime
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from kaikukanta.accounts.models import ApiToken, User
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import ApiClient

pytestmark = pytest.mark.django_db


def issue_token(*args) -> list[str]:
    out = StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_bootstrap_creates_the_first_national_admin_and_prints_its_token_last(db):
    lines = issue_token("--username", "paakayttaja", "--role", "national_admin", "--create")

    token = lines[-1]
    user = User.objects.get(username="paakayttaja")
    assert user.role == "national_admin"
    assert not user.has_usable_password()
    assert ApiClient(token).get("areas").status_code == 200
    assert ApiClient(token).post("areas", {"name": "Pirkanmaa", "status": "active",
                                           "municipalities": [{"code": "837"}]}).status_code == 201
    assert AuditRecord.objects.filter(action="user.created", object_id=str(user.pk), actor=None).exists()
    assert token not in " ".join(lines[:-1])
    expires = ApiToken.objects.get(user=user).expires_at
    lifetime = datetime.timedelta(days=settings.KAIKUKANTA_API_TOKEN_MAX_DAYS)
    assert timezone.now() + lifetime - datetime.timedelta(minutes=1) < expires <= timezone.now() + lifetime
    assert f"valid until {expires.date().isoformat()}" in lines[-2]


def test_a_coordinator_and_site_staff_can_be_created_with_their_scope(network):
    coordinator_token = issue_token("--username", "k2", "--role", "area_coordinator", "--area-id",
                                    str(network.other_area.pk), "--create")[-1]
    venue_token = issue_token("--username", "v2", "--role", "venue", "--organisation-id",
                              str(network.venue.pk), "--create", "--language", "sv")[-1]

    assert ApiClient(coordinator_token).get(f"areas/{network.other_area.pk}").status_code == 200
    assert ApiClient(venue_token).get(f"organisations/{network.venue.pk}").status_code == 200
    assert User.objects.get(username="v2").language == "sv"


def test_without_create_a_further_token_for_an_existing_user(network):
    token = issue_token("--username", "coordinator")[-1]

    assert ApiClient(token).get(f"areas/{network.area.pk}").status_code == 200
    assert ApiToken.objects.filter(user=network.users["coordinator"]).count() == 2


@pytest.mark.parametrize("args, message", [
    (["--username", "nobody"], "There is no user nobody"),
    (["--username", "venue", "--role", "distributor"], "The user venue has another --role."),
    (["--username", "x", "--create"], "--create needs --role"),
    (["--username", "admin", "--role", "national_admin", "--create"], "username_taken (username)"),
    (["--username", "x", "--role", "area_coordinator", "--create"], "invalid (area_id)"),
    (["--username", "x", "--role", "venue", "--organisation-id", "1", "--create"],
     "invalid (organisation_id)"),
    (["--username", "x y", "--role", "national_admin", "--create"], "invalid (username)"),
])
def test_refusals_exit_with_a_reason_and_write_nothing(network, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        issue_token(*args)

    assert User.objects.count() == 7
    assert ApiToken.objects.count() == 7
