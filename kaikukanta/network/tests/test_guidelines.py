"""Guideline versions and the sites' commitments to them: publishing, recording, and who has and has not
committed in each caller's scope."""

import datetime
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.models import AuditRecord
from kaikukanta.network import selectors, services
from kaikukanta.network.models import GuidelineCommitment, GuidelineVersion
from kaikukanta.testing import make_organisation, sign_in

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.date(2025, 1, 15)


def publish(network, label="2025", published_on=PUBLISHED, **extra) -> GuidelineVersion:
    return services.publish_guideline_version(Caller.for_console(network.users["admin"]), label=label,
                                              published_on=published_on, **extra)


def commit(network, who, site, version, committed_on=None):
    return services.record_guideline_commitment(Caller.for_console(network.users[who]), organisation_id=site.pk,
                                                version_id=version.pk, committed_on=committed_on)


def refusal_of(call) -> tuple[Code, str | None]:
    with pytest.raises(Refusal) as caught:
        call()
    return caught.value.code, caught.value.field


def names(sites) -> set[str]:
    return {site.name for site in sites}


# Services

def test_the_national_admin_publishes_a_version(network):
    version = publish(network, summary=" Uusi lapsiperheiden ohje. ", document_url="https://kaikukortti.example/2025")

    assert (version.label, version.published_on, version.summary, version.document_url) == (
        "2025", PUBLISHED, "Uusi lapsiperheiden ohje.", "https://kaikukortti.example/2025")
    record = AuditRecord.objects.get(action="guideline_version.published")
    assert (record.actor, record.object_id, record.details) == (
        network.users["admin"], str(version.pk), {"label": "2025", "published_on": "2025-01-15"})


@pytest.mark.parametrize("who", ["coordinator", "distributor", "venue"])
def test_only_the_national_admin_publishes(network, who):
    refused = refusal_of(lambda: services.publish_guideline_version(
        Caller.for_console(network.users[who]), label="2025", published_on=PUBLISHED))

    assert refused == (Code.FORBIDDEN, None)
    assert not GuidelineVersion.objects.exists()


@pytest.mark.parametrize("label, document_url, field", [
    ("2024", "", "label"),
    (" 2024 ", "", "label"),
    ("", "", "label"),
    ("x" * 41, "", "label"),
    ("2025", "ftp://kaikukortti.example/ohje", "document_url"),
    ("2025", "ohje.pdf", "document_url"),
])
def test_a_version_needs_a_new_label_and_a_web_address(network, label, document_url, field):
    publish(network, label="2024", published_on=datetime.date(2024, 1, 1))

    assert refusal_of(lambda: publish(network, label=label, document_url=document_url)) == (Code.INVALID, field)
    assert GuidelineVersion.objects.count() == 1


def test_a_coordinator_records_the_commitment_of_a_site_of_its_area(network):
    version = publish(network)

    commitment = commit(network, "coordinator", network.venue, version, datetime.date(2025, 2, 1))

    assert (commitment.organisation, commitment.version, commitment.committed_on, commitment.recorded_by) == (
        network.venue, version, datetime.date(2025, 2, 1), network.users["coordinator"])
    record = AuditRecord.objects.get(action="guideline.committed")
    assert (record.actor, record.object_id, record.details) == (
        network.users["coordinator"], str(commitment.pk),
        {"organisation_id": network.venue.pk, "version": "2025", "committed_on": "2025-02-01"})


def test_the_commitment_date_defaults_to_today(network):
    assert commit(network, "admin", network.venue, publish(network)).committed_on == today()


@pytest.mark.parametrize("who, site", [
    ("other_coordinator", "venue"), ("distributor", "distributor"), ("venue", "venue"),
])
def test_commitments_are_recorded_only_within_the_callers_area(network, who, site):
    version = publish(network)

    assert refusal_of(lambda: commit(network, who, getattr(network, site), version)) == (Code.FORBIDDEN, None)
    assert not GuidelineCommitment.objects.exists()


def test_commitment_refusals_name_their_field(network):
    version = publish(network)
    retired = make_organisation("Lakkautettu", "venue", network.area, "091", active=False)
    commit(network, "coordinator", network.distributor, version)
    tomorrow = today() + datetime.timedelta(days=1)

    assert refusal_of(lambda: services.record_guideline_commitment(
        Caller.for_console(network.users["coordinator"]), organisation_id=999999, version_id=version.pk)) == (
        Code.INVALID, "organisation_id")
    assert refusal_of(lambda: services.record_guideline_commitment(
        Caller.for_console(network.users["coordinator"]), organisation_id=network.venue.pk, version_id=999999)) == (
        Code.INVALID, "version_id")
    assert refusal_of(lambda: commit(network, "coordinator", retired, version)) == (Code.INVALID, "organisation_id")
    assert refusal_of(lambda: commit(network, "coordinator", network.venue, version, tomorrow)) == (
        Code.INVALID, "committed_on")
    assert refusal_of(lambda: commit(network, "coordinator", network.venue, version, datetime.date(2025, 1, 14))) == (
        Code.INVALID, "committed_on")
    assert refusal_of(lambda: commit(network, "coordinator", network.distributor, version)) == (
        Code.INVALID, "organisation_id")
    assert GuidelineCommitment.objects.count() == 1
    assert AuditRecord.objects.filter(action="guideline.committed").count() == 1


def test_the_site_shows_the_newest_version_it_has_committed_to(network):
    older = publish(network, label="2023", published_on=datetime.date(2023, 1, 1))
    newer = publish(network)

    commit(network, "coordinator", network.venue, newer, datetime.date(2025, 3, 1))
    commit(network, "coordinator", network.venue, older, datetime.date(2023, 5, 1))

    network.venue.refresh_from_db()
    assert (network.venue.guideline_version, network.venue.guideline_committed_on) == (
        "2025", datetime.date(2025, 3, 1))
    response = network.client("coordinator").get(f"organisations/{network.venue.pk}")
    assert (response.json()["guideline_version"], response.json()["guideline_committed_on"]) == ("2025", "2025-03-01")


# Selectors: who has committed and who has not

def test_a_coordinator_sees_exactly_its_areas_active_sites_split_by_commitment(network):
    version = publish(network)
    make_organisation("Lakkautettu", "venue", network.area, "091", active=False)
    library = make_organisation("Espoon kirjasto", "venue", network.area, "049", category="library")
    commit(network, "coordinator", network.venue, version)
    commit(network, "other_coordinator", network.other_venue, version)

    status = selectors.guideline_status(network.users["coordinator"], version)

    assert names(commitment.organisation for commitment in status.committed) == {"Kaupunginteatteri"}
    assert names(status.not_committed) == {"Sosiaalitoimi Kallio", library.name}
    assert status.total == 3


def test_the_national_admin_sees_every_area_or_one(network):
    version = publish(network)
    commit(network, "coordinator", network.venue, version)
    commit(network, "other_coordinator", network.other_distributor, version)
    admin = network.users["admin"]

    everywhere = selectors.guideline_status(admin, version)
    one_area = selectors.guideline_status(admin, version, area_id=network.other_area.pk)

    assert names(c.organisation for c in everywhere.committed) == {"Kaupunginteatteri", "Tampereen sosiaalipalvelut"}
    assert names(everywhere.not_committed) == {"Sosiaalitoimi Kallio", "Tampereen museo"}
    assert names(c.organisation for c in one_area.committed) == {"Tampereen sosiaalipalvelut"}
    assert names(one_area.not_committed) == {"Tampereen museo"}


def test_a_commitment_to_one_version_says_nothing_of_another(network):
    older = publish(network, label="2023", published_on=datetime.date(2023, 1, 1))
    newer = publish(network)
    commit(network, "coordinator", network.venue, older, datetime.date(2023, 2, 1))

    status = selectors.guideline_status(network.users["coordinator"], newer)

    assert status.committed == []
    assert names(status.not_committed) == {"Kaupunginteatteri", "Sosiaalitoimi Kallio"}
    assert [(v.label, c is not None) for v, c in selectors.guideline_commitments_of(network.venue)] == [
        ("2025", False), ("2023", True)]


# Pages

def signed_in(network, who) -> Client:
    client = Client()
    sign_in(client, network.users[who])
    return client


def table_rows(response, heading_id: str) -> list[str]:
    content = response.content.decode()
    table = re.search(rf'aria-labelledby="{heading_id}">(.*?)</table>', content, re.S)
    if table is None:
        return []
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<th scope="row">(.*?)</th>', table.group(1),
                                                                        re.S)]


def test_the_version_page_lists_who_has_and_has_not_committed(network):
    version = publish(network)
    commit(network, "coordinator", network.venue, version)
    commit(network, "other_coordinator", network.other_venue, version)
    path = reverse("network:guideline_detail", kwargs={"version_id": version.pk})

    coordinator = signed_in(network, "coordinator").get(path)
    admin = signed_in(network, "admin").get(path)

    assert table_rows(coordinator, "committed-heading") == ["Kaupunginteatteri"]
    assert table_rows(coordinator, "not-committed-heading") == ["Sosiaalitoimi Kallio"]
    assert table_rows(admin, "committed-heading") == ["Kaupunginteatteri", "Tampereen museo"]
    assert table_rows(admin, "not-committed-heading") == ["Sosiaalitoimi Kallio", "Tampereen sosiaalipalvelut"]


def test_recording_a_commitment_on_the_page_moves_the_site(network):
    version = publish(network)
    client = signed_in(network, "coordinator")
    path = reverse("network:guideline_detail", kwargs={"version_id": version.pk})

    response = client.post(path, {"organisation_id": network.distributor.pk, "committed_on": "2025-02-03"})

    assert response["Location"] == path
    page = client.get(path)
    assert table_rows(page, "committed-heading") == ["Sosiaalitoimi Kallio"]
    assert table_rows(page, "not-committed-heading") == ["Kaupunginteatteri"]
    assert "3.2.2025" in page.content.decode()


def test_a_refused_commitment_is_shown_next_to_its_field(network):
    version = publish(network)
    path = reverse("network:guideline_detail", kwargs={"version_id": version.pk})

    too_early = signed_in(network, "coordinator").post(
        path, {"organisation_id": network.venue.pk, "committed_on": "2024-12-31"})
    other_area = signed_in(network, "coordinator").post(path, {"organisation_id": network.other_venue.pk})

    assert re.findall(r'id="id_committed_on_error">(.*?)</p>', too_early.content.decode()) == [
        "Päivä version julkaisupäivän ja tämän päivän väliltä."]
    assert 'value="2024-12-31"' in too_early.content.decode()
    assert "Sinulla ei ole oikeutta tähän." in other_area.content.decode()
    assert not GuidelineCommitment.objects.exists()


def test_the_site_page_links_to_recording_its_commitment(network):
    version = publish(network)
    response = signed_in(network, "coordinator").get(
        reverse("network:organisation_detail", kwargs={"organisation_id": network.venue.pk}))

    site_page = reverse("network:organisation_detail", kwargs={"organisation_id": network.venue.pk})
    link = (f"{reverse('network:guideline_detail', kwargs={'version_id': version.pk})}"
            f"?organisation_id={network.venue.pk}&amp;next={site_page}#commitment-form")
    assert link in response.content.decode()
    assert "Ei sitoutunut" in response.content.decode()

    form = signed_in(network, "coordinator").get(html.unescape(link))
    recorded = signed_in(network, "coordinator").post(html.unescape(link), {
        "organisation_id": network.venue.pk, "next": site_page})
    evil = signed_in(network, "coordinator").post(html.unescape(link), {
        "organisation_id": network.distributor.pk, "next": "https://evil.example/"})

    assert f'<option value="{network.venue.pk}" selected>' in form.content.decode()
    assert f'name="next" value="{site_page}"' in form.content.decode()
    assert recorded["Location"] == site_page
    assert evil["Location"] == reverse("network:guideline_detail", kwargs={"version_id": version.pk})


def test_the_national_admin_publishes_on_the_page_and_a_taken_label_is_refused(network):
    publish(network, label="2024", published_on=datetime.date(2024, 1, 1))
    client = signed_in(network, "admin")

    taken = client.post(reverse("network:guideline_new"), {"label": "2024", "published_on": "2025-01-01"})
    published = client.post(reverse("network:guideline_new"), {
        "label": "2025", "published_on": "2025-01-15", "summary": "Lapsiperheet", "document_url": ""})

    assert re.findall(r'id="id_label_error">(.*?)</p>', taken.content.decode()) == [
        "Enintään 40 merkin versionimi, jota millään aiemmalla versiolla ei ole."]
    version = GuidelineVersion.objects.get(label="2025")
    assert published["Location"] == reverse("network:guideline_detail", kwargs={"version_id": version.pk})
    overview = client.get(reverse("network:guidelines"))
    assert "Uusin versio: 2025" in overview.content.decode()
    assert "0/4 mukana olevasta toimipaikasta on sitoutunut." in overview.content.decode()
