"""Annual reports and area exports prepared in the background: the page starts the file, shows its progress
until it is ready, and offers it to its owner alone, while the policy still allows it; a file that cannot be
prepared says so and is shown to the national admin; files are bounded per user and removed after a day."""

import csv
import datetime
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaikukanta.core.models import AuditRecord
from kaikukanta.operations import files, tasks
from kaikukanta.operations.models import PreparedFile, TaskFailure
from kaikukanta.stats import area_export
from kaikukanta.testing import make_card, sign_in
from kaikukanta.visits.models import Visit

pytestmark = pytest.mark.django_db
State = PreparedFile.State
LAST_YEAR = timezone.localdate().year - 1


def signed_in(network, who: str) -> Client:
    client = Client()
    sign_in(client, network.users[who])
    return client


def ask_report(client, **data):
    return client.post(reverse("operations:start_report"), {"year": str(LAST_YEAR), "language": "fi", **data})


def ask_export(client, **data):
    return client.post(reverse("operations:start_area_export"), data)


def followed(client, response):
    assert response.status_code == 302, response.content[:300]
    return client.get(response["Location"])


def the_file(response) -> PreparedFile:
    return PreparedFile.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def download(client, prepared: PreparedFile):
    return client.get(reverse("operations:download_prepared_file", kwargs={"file_id": prepared.pk}))


def read_zip(response) -> dict[str, list[dict]]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
            for name in archive.namelist() if name.endswith(".csv")}


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    """Each test its own directory of prepared files, so what it finds there is its own."""
    settings.STORAGES = {**settings.STORAGES, "prepared_files": {
        **settings.STORAGES["prepared_files"], "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def broker_queue(monkeypatch):
    """As with a broker and no worker yet: the task is sent, nothing runs it."""
    sent = []
    monkeypatch.setattr(tasks.prepare_file, "delay", lambda file_id: sent.append(file_id))
    return sent


def test_the_dashboard_offers_the_report_as_a_prepared_file(network):
    page = signed_in(network, "coordinator").get(reverse("stats:dashboard"))
    assert reverse("operations:start_report").encode() in page.content
    assert b'method="post" action="' + reverse("operations:start_report").encode() in page.content


def test_a_coordinator_asks_for_the_annual_report_and_downloads_the_pdf(network):
    client = signed_in(network, "coordinator")
    response = ask_report(client)
    page = followed(client, response)
    prepared = the_file(response)
    assert prepared.state == State.READY and prepared.area == network.area and prepared.year == LAST_YEAR
    assert page.status_code == 200
    text = page.content.decode()
    assert "Valmis" in text and network.area.name in text
    assert reverse("operations:download_prepared_file", kwargs={"file_id": prepared.pk}) in text
    assert "hx-trigger" not in text, "a ready file is not polled any more"
    pdf = download(client, prepared)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF") and len(body) == prepared.size
    assert "no-store" in pdf["Cache-Control"]
    assert f"kaikukanta-{LAST_YEAR}.pdf" in pdf["Content-Disposition"]


def test_the_page_polls_a_file_being_prepared_and_survives_a_reload(network, broker_queue):
    client = signed_in(network, "coordinator")
    response = ask_report(client)
    prepared = the_file(response)
    assert broker_queue == [str(prepared.pk)] and prepared.state == State.QUEUED
    for _reload in range(2):
        page = followed(client, response).content.decode()
        assert "hx-trigger=\"every 2s\"" in page and "0 % valmiina" in page
    assert not download(client, prepared).status_code == 200, "nothing to download before it is ready"
    tasks.prepare_file.apply(args=[str(prepared.pk)])   # the worker's turn
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="prepared-state"')
    assert "hx-trigger" not in fragment and "/download" in fragment
    assert download(client, prepared).status_code == 200


def test_asking_again_while_it_is_prepared_starts_nothing_new(network, broker_queue):
    client = signed_in(network, "coordinator")
    first, second = ask_report(client), ask_report(client)
    assert first["Location"] == second["Location"]
    assert PreparedFile.objects.count() == 1 and len(broker_queue) == 1
    # Another year is another file.
    assert ask_report(client, year=str(LAST_YEAR - 1))["Location"] != first["Location"]


def test_preparing_a_file_again_leaves_one_complete_file(network, broker_queue):
    client = signed_in(network, "coordinator")
    prepared = the_file(ask_export(client))
    files.prepare(str(prepared.pk))
    first = PreparedFile.objects.get(pk=prepared.pk)
    # A worker lost after building (acks late): the task runs again on a file already ready.
    files.prepare(str(prepared.pk))
    assert PreparedFile.objects.get(pk=prepared.pk).stored_name == first.stored_name
    PreparedFile.objects.filter(pk=prepared.pk).update(state=State.RUNNING)   # lost while building
    files.prepare(str(prepared.pk))
    again = PreparedFile.objects.get(pk=prepared.pk)
    assert again.state == State.READY
    assert files.storage().listdir("")[1] == [again.stored_name], "the earlier build is not left behind"


def test_an_area_export_reports_its_progress_and_holds_the_area(network, monkeypatch):
    card = make_card(network.distributor, issued_on=datetime.date(2025, 1, 10))
    for day in range(1, 8):
        Visit.objects.create(card=card, venue=network.venue, used_on=datetime.date(2025, 2, day), uses=1)
    monkeypatch.setattr(area_export, "CHUNK_ROWS", 2)
    seen = []
    real_set = files._set
    monkeypatch.setattr(files, "_set", lambda prepared, **fields: (seen.append(fields.get("progress")),
                                                                   real_set(prepared, **fields)))
    client = signed_in(network, "coordinator")
    response = ask_export(client)
    prepared = the_file(response)
    shares = [share for share in seen if share is not None]
    assert shares[0] == 0 and shares[-1] == 100 and shares == sorted(shares) and len(set(shares)) > 3
    tables = read_zip(download(client, prepared))
    assert [row["number"] for row in tables["cards.csv"]] == [card.number]
    assert len(tables["visits.csv"]) == 7
    assert AuditRecord.objects.filter(action="area.exported", actor=network.users["coordinator"]).exists()
    assert AuditRecord.objects.filter(action="holder_data.read", details__via="area_export_download").exists()


def test_the_national_admin_chooses_the_area_to_export(network):
    client = signed_in(network, "admin")
    assert ask_export(client)["Location"] == reverse("network:area_export")
    prepared = the_file(ask_export(client, area=str(network.other_area.pk)))
    assert prepared.area == network.other_area and prepared.state == State.READY
    assert ask_export(client, area="999999").status_code == 400


def test_a_coordinator_gets_nothing_of_another_area(network):
    client = signed_in(network, "coordinator")
    assert ask_report(client, area_id=str(network.other_area.pk)).status_code == 403
    assert ask_export(client, area=str(network.other_area.pk))["Location"].endswith("/")  # their own area
    assert set(PreparedFile.objects.values_list("area", flat=True)) == {network.area.pk}
    for who in ("distributor", "venue"):
        assert ask_report(signed_in(network, who)).status_code == 403
        assert ask_export(signed_in(network, who)).status_code == 403


def test_only_the_owner_sees_or_downloads_a_file(network):
    prepared = the_file(ask_export(signed_in(network, "coordinator")))
    for who in ("admin", "other_coordinator", "distributor"):
        other = signed_in(network, who)
        assert other.get(reverse("operations:prepared_file", kwargs={"file_id": prepared.pk})).status_code == 404
        assert download(other, prepared).status_code == 404
        assert prepared.pk.hex not in other.get(reverse("operations:prepared_files")).content.decode()
    assert signed_in(network, "coordinator").get("/operations/files/not-a-file/").status_code == 404


def test_the_policy_is_asked_again_at_download(network):
    client = signed_in(network, "coordinator")
    prepared = the_file(ask_export(client))
    coordinator = network.users["coordinator"]
    coordinator.area = network.other_area
    coordinator.save()
    assert download(client, prepared).status_code == 403
    assert client.get(reverse("operations:prepared_file", kwargs={"file_id": prepared.pk})).status_code == 403


def test_a_file_that_cannot_be_prepared_says_so_and_the_national_admin_sees_it(network, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("kaikukanta.stats.report.annual_report", broken)
    client = signed_in(network, "coordinator")
    response = ask_report(client)
    prepared = the_file(response)
    assert prepared.state == State.FAILED
    assert "Tiedostoa ei voitu valmistella" in followed(client, response).content.decode()
    failure = TaskFailure.objects.get()
    assert failure.task.endswith("prepare_file") and "the disk is full" in failure.error
    status = signed_in(network, "admin").get(reverse("operations:status")).content.decode()
    assert "prepare_file" in status


def test_each_user_keeps_a_bounded_number_of_files(network, settings, broker_queue):
    settings.KAIKUKANTA_FILES_PER_USER = 2
    client = signed_in(network, "coordinator")
    queued = [the_file(ask_report(client, year=str(LAST_YEAR - n))) for n in range(2)]
    refused = ask_report(client, year=str(LAST_YEAR - 2))
    assert refused.status_code == 429
    assert PreparedFile.objects.count() == 2
    for prepared in queued:
        files.prepare(str(prepared.pk))
    names = dict(PreparedFile.objects.values_list("pk", "stored_name"))
    newest = the_file(ask_report(client, year=str(LAST_YEAR - 3)))
    assert not PreparedFile.objects.filter(pk=queued[0].pk).exists(), "the oldest finished file made room"
    assert set(PreparedFile.objects.values_list("pk", flat=True)) == {queued[1].pk, newest.pk}
    assert files.storage().listdir("")[1] == [names[queued[1].pk]], "the removed file's PDF went with it"


def test_files_are_removed_after_a_day(network, settings):
    client = signed_in(network, "coordinator")
    old, fresh = the_file(ask_report(client)), the_file(ask_export(client))
    PreparedFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    page = client.get(reverse("operations:prepared_file", kwargs={"file_id": old.pk}))
    assert page.status_code == 404 and download(client, old).status_code == 404
    listed = client.get(reverse("operations:prepared_files")).content.decode()
    assert str(fresh.pk) in listed and str(old.pk) not in listed
    assert tasks.remove_expired_files.delay().get() == 1
    assert list(PreparedFile.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert files.storage().listdir("")[1] == [fresh.stored_name]
