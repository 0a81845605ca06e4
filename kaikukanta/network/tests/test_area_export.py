"""The area export: everything stored about one area, nothing of another, no secrets, and audited."""

import csv
import datetime
import io
import zipfile

from django.test import Client
from django.urls import reverse

from kaikukanta.accounts import services as accounts
from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role
from kaikukanta.cards.models import WellbeingAnswer
from kaikukanta.core.models import AuditRecord
from kaikukanta.network import services
from kaikukanta.network.models import GuidelineVersion
from kaikukanta.testing import make_card, make_user, sign_in
from kaikukanta.visits.models import Visit

d = datetime.date
URL = reverse("network:area_export")


def _signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def _export(client, **data) -> dict[str, list[dict]]:
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    tables = {name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
              for name in archive.namelist() if name.endswith(".csv")}
    tables["README.txt"] = archive.read("README.txt").decode()
    tables["raw"] = b"".join(archive.read(name) for name in archive.namelist())
    return tables


def _world(network):
    """Rows of the first area, and of the other one that must not show."""
    admin = network.users["admin"]
    as_admin = Caller.for_console(admin)
    offering = services.create_offering(as_admin, venue_id=network.venue.pk, name="Kevätkonsertti 2026",
                                        kind="event")
    services.create_offering(as_admin, venue_id=network.other_venue.pk, name="Pirkanmaan salaisuus", kind="event")
    card = make_card(network.distributor, issued_on=d(2025, 1, 10), birth_year=1971, postal_code="02100",
                     children=2)
    other_card = make_card(network.other_distributor, issued_on=d(2025, 1, 10), birth_year=1990,
                           postal_code="33100")
    event = card.events.get()
    WellbeingAnswer.objects.create(card=card, event=event, question_key="loneliness", value=4)
    at_our_venue = Visit.objects.create(card=other_card, venue=network.venue, used_on=d(2025, 2, 1), uses=1)
    with_our_card = Visit.objects.create(card=card, venue=network.other_venue, used_on=d(2025, 2, 2), uses=1)
    elsewhere = Visit.objects.create(card=other_card, venue=network.other_venue, used_on=d(2025, 2, 3), uses=1)
    staff = make_user("kallio-kassa", Role.DISTRIBUTOR, organisation=network.distributor)
    staff.set_password("a secret that must not leave")
    staff.save()
    issued = accounts.issue_token(as_admin, staff.pk)
    version = GuidelineVersion.objects.create(label="2026", published_on=d(2025, 1, 1))
    services.record_guideline_commitment(as_admin, organisation_id=network.venue.pk, version_id=version.pk,
                                         committed_on=d(2025, 1, 2))
    return {"offering": offering, "card": card, "other_card": other_card, "staff": staff, "issued": issued,
            "visits": (at_our_venue, with_our_card, elsewhere)}


def test_the_coordinator_gets_everything_of_their_area_and_nothing_else(network):
    rows = _world(network)
    card, other_card = rows["card"], rows["other_card"]
    tables = _export(_signed_in(network.users["coordinator"]))

    assert network.area.name in tables["README.txt"]
    assert [row["name"] for row in tables["area.csv"]] == [network.area.name]
    assert {row["municipality_id"] for row in tables["memberships.csv"]} >= {"091", "049"}
    assert {int(row["id"]) for row in tables["organisations.csv"]} == {network.distributor.pk, network.venue.pk}
    assert [row["name"] for row in tables["offerings.csv"]] == ["Kevätkonsertti 2026"]
    exported_card = next(row for row in tables["cards.csv"] if row["number"] == card.number)
    assert (exported_card["birth_year"], exported_card["postal_code_id"], exported_card["children"]) == (
        "1971", "02100", "2")
    assert other_card.number not in {row["number"] for row in tables["cards.csv"]}
    assert [row["event"] for row in tables["card_events.csv"] if row["card__number"] == card.number] == ["issued"]
    assert [(row["question_key"], row["value"]) for row in tables["wellbeing_answers.csv"]] == [("loneliness", "4")]
    at_our_venue, with_our_card, elsewhere = rows["visits"]
    assert {int(row["id"]) for row in tables["visits.csv"]} == {at_our_venue.pk, with_our_card.pk}
    assert {row["number"] for row in tables["stock_numbers.csv"]} >= {card.number}
    assert other_card.number not in {row["number"] for row in tables["stock_numbers.csv"]}
    assert [row["version__label"] for row in tables["guideline_commitments.csv"]] == ["2026"]
    usernames = {row["username"] for row in tables["users.csv"]}
    assert {"coordinator", "distributor", "venue", "kallio-kassa"} <= usernames
    assert not usernames & {"admin", "other_coordinator", "other_distributor", "other_venue"}
    assert "password" not in tables["users.csv"][0]
    assert b"pbkdf2" not in tables["raw"] and b"argon2" not in tables["raw"]
    tokens = [token for token in tables["api_tokens.csv"] if token["user_id"] == str(rows["staff"].pk)]
    assert [token["prefix"] for token in tokens] == [rows["issued"].token.prefix]
    assert set(tokens[0]) == {"id", "user_id", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"}
    assert rows["issued"].token.digest.encode() not in tables["raw"]
    assert rows["issued"].secret.encode() not in tables["raw"]
    audited = {(row["action"], row["object_id"]) for row in tables["audit.csv"]}
    assert ("offering.created", str(rows["offering"].pk)) in audited
    assert not any(row["action"] == "offering.created" and row["object_id"] != str(rows["offering"].pk)
                   for row in tables["audit.csv"])
    assert b"Pirkanmaan salaisuus" not in tables["raw"] and b"33100" not in tables["raw"]


def test_the_export_is_audited_with_its_holder_data(network):
    _world(network)
    _export(_signed_in(network.users["coordinator"]))
    exported = AuditRecord.objects.get(action="area.exported")
    assert (exported.actor_id, exported.object_id) == (network.users["coordinator"].pk, str(network.area.pk))
    read = AuditRecord.objects.get(action="holder_data.read")
    assert read.details == {"via": "area_export", "count": exported.details["cards"]}
    assert exported.details["cards"] >= 1


def test_the_national_admin_chooses_any_area_and_a_coordinator_only_their_own(network):
    _world(network)
    admin_export = _export(_signed_in(network.users["admin"]), area=network.other_area.pk)
    assert [row["name"] for row in admin_export["area.csv"]] == [network.other_area.name]
    # A coordinator's form names no area: asking for another one still exports their own.
    own = _export(_signed_in(network.users["other_coordinator"]), area=network.area.pk)
    assert [row["name"] for row in own["area.csv"]] == [network.other_area.name]
    response = _signed_in(network.users["admin"]).post(URL, {"area": "999999"})
    assert response.status_code == 422
    assert not AuditRecord.objects.filter(action="area.exported", object_id="999999").exists()


def test_the_page_offers_the_download(network):
    page = _signed_in(network.users["admin"]).get(URL)
    assert page.status_code == 200
    assert network.other_area.name in page.content.decode()
