"""The imports pages as a coordinator uses them: upload, the dry run's bad rows, the commit, the job list, the
polled progress; CSRF and the size limit refused before anything is read."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kaikukanta.cards.models import Card
from kaikukanta.imports import jobs
from kaikukanta.imports.models import ImportJob, JobState
from kaikukanta.imports.tests.web_files import CARD_HEADER, card_row, csv_bytes, number
from kaikukanta.testing import sign_in

pytestmark = pytest.mark.django_db


def client_of(network, who="coordinator", **options) -> Client:
    client = Client(**options)
    sign_in(client, network.users[who])
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def post_file(client, content, name="kortit.csv", capture=None, **fields):
    with capture(execute=True):
        return client.post("/imports/", {"kind": "cards", "file": SimpleUploadedFile(name, content), **fields})


def test_a_coordinator_uploads_sees_the_bad_rows_then_imports_a_corrected_file(
        network, django_capture_on_commit_callbacks):
    client = client_of(network)
    page = client.get("/imports/")
    assert page.status_code == 200 and "Tarkista tiedosto" in page.content.decode()

    bad = [card_row(network.distributor.pk, 1), card_row(network.distributor.pk, 2, birth_year="18x0")]
    response = post_file(client, csv_bytes(CARD_HEADER, bad), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    shown = text_of(client.get(response["Location"]))
    assert "1 virheellinen rivi: mitään ei tuotu." in shown
    assert re.search(r"3 birth_year Arvo ei kelpaa\.", shown), shown
    assert not Card.objects.filter(number__startswith="66").exists()

    good = [card_row(network.distributor.pk, index) for index in (1, 2)]
    response = post_file(client, csv_bytes(CARD_HEADER, good), name="korjattu.csv",
                         capture=django_capture_on_commit_callbacks)
    job_url = response["Location"]
    shown = text_of(client.get(job_url))
    assert "Kaikki 2 riviä ovat kunnossa." in shown and "Sosiaalitoimi Kallio 2" in shown
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job_url + "commit/")
    shown = text_of(client.get(response["Location"]))
    assert "2 riviä tuotiin" in shown
    assert Card.objects.filter(number__in=[number(1), number(2)]).count() == 2

    listed = text_of(client.get("/imports/"))
    assert "korjattu.csv" in listed and "Tuotu" in listed and "kortit.csv" in listed


def test_the_progress_part_is_polled_while_the_job_runs_and_no_longer_after(network):
    job = ImportJob.objects.create(kind="cards", area=network.area, created_by=network.users["coordinator"],
                                   file_name="kortit.csv", file_format="csv", state=JobState.CHECKING)
    jobs.cache.set(jobs._progress_key(job.pk), {"phase": "check", "rows": 5000, "fraction": 0.25,
                                                "started": __import__("time").time() - 10}, 60)
    client = client_of(network)
    part = client.get(f"/imports/{job.pk}/status/").content.decode()
    assert 'hx-trigger="every 1s"' in part and 'value="25"' in part
    assert "Tarkistettu rivejä: 5000" in text_of_html(part) and "jäljellä noin" in part
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.REFUSED, error_count=1)
    assert "hx-trigger" not in client.get(f"/imports/{job.pk}/status/").content.decode()


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_another_areas_coordinator_cannot_see_or_decide_the_job(network, django_capture_on_commit_callbacks):
    content = csv_bytes(CARD_HEADER, [card_row(network.distributor.pk, 1)])
    post_file(client_of(network), content, capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    other = client_of(network, "other_coordinator")
    assert other.get(f"/imports/{job.pk}/").status_code == 404
    assert other.post(f"/imports/{job.pk}/commit/").status_code == 404
    assert "kortit.csv" not in other.get("/imports/").content.decode()
    job.refresh_from_db()
    assert job.state == JobState.CHECKED


def test_an_upload_without_the_csrf_token_is_refused(network):
    client = client_of(network, enforce_csrf_checks=True)
    response = client.post("/imports/", {"kind": "cards", "file": SimpleUploadedFile("k.csv", b"number\n")})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_dropped_as_it_arrives_and_refused_clearly(network, settings):
    settings.KAIKUKANTA_MAX_UPLOAD_BYTES = 1000
    client = client_of(network, enforce_csrf_checks=True)
    page = client.get("/imports/")
    token = page.cookies["csrftoken"].value
    response = client.post("/imports/", {"csrfmiddlewaretoken": token, "kind": "cards",
                                         "file": SimpleUploadedFile("k.csv", b"x" * 5000)})
    assert response.status_code == 422
    assert "Pyyntö on liian suuri." in text_of(response) and "Mt" in text_of(response)
    assert not ImportJob.objects.exists()


def test_a_file_of_the_wrong_type_is_refused_on_the_page_in_the_users_language(network):
    client = client_of(network)
    response = client.post("/imports/", {"kind": "cards", "file": SimpleUploadedFile("kortit.pdf", b"%PDF")},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert not ImportJob.objects.exists()
    assert "CSV" in text_of(response)
