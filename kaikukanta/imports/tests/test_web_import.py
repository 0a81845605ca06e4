"""The browser's import jobs (jobs.py) through their services: the dry run writes nothing and lists every bad
row in the reader's language, the commit writes all rows or none, the policy judges every row's site, a job
can be cancelled before its commit, and its file is gone when it ends."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaikukanta.accounts.caller import Caller, Channel
from kaikukanta.cards.models import Card
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.models import AuditRecord
from kaikukanta.imports import jobs, selectors
from kaikukanta.imports.models import ImportJob, ImportUpload, JobState
from kaikukanta.imports.tests.web_files import (
    CARD_HEADER,
    VISIT_HEADER,
    card_row,
    csv_bytes,
    number,
    visit_row,
    xlsx_bytes,
)
from kaikukanta.testing import make_card
from kaikukanta.visits.models import Visit

pytestmark = pytest.mark.django_db


def caller(network, who="coordinator") -> Caller:
    return Caller.for_console(user=network.users[who], channel=Channel.IMPORT)


def upload(network, content: bytes, *, name="kortit.csv", kind="cards", who="coordinator", area=None, capture):
    with capture(execute=True):
        job = jobs.start(caller(network, who), kind=kind, area_id=(area or network.area).pk,
                         upload=SimpleUploadedFile(name, content))
    job.refresh_from_db()
    return job


def commit(network, job, capture, who="coordinator"):
    with capture(execute=True):
        jobs.commit(caller(network, who), job.pk)
    job.refresh_from_db()
    return job


def reasons(job, language="en"):
    from django.utils import translation

    with translation.override(language):
        return [(row["line"], row["column"], row["reason"]) for row in selectors.bad_rows(job)]


def test_a_good_file_is_checked_without_writing_then_imported_by_the_one_who_commits(
        network, django_capture_on_commit_callbacks):
    rows = [card_row(network.distributor.pk, index) for index in range(1, 4)]
    rows.append(card_row(network.distributor.pk, 4, status="closed"))
    job = upload(network, csv_bytes(CARD_HEADER, rows), capture=django_capture_on_commit_callbacks)

    assert job.state == JobState.CHECKED and job.rows_checked == 4 and job.error_count == 0
    assert not Card.objects.filter(number__startswith="66").exists()
    assert selectors.summary(job) == [{"site": network.distributor.name, "rows": 4}]
    assert job.summary["closed"] == 1

    job = commit(network, job, django_capture_on_commit_callbacks, who="admin")
    assert job.state == JobState.COMMITTED and job.rows_written == 4
    assert set(Card.objects.filter(number__startswith="66").values_list("number", flat=True)) == {
        number(index) for index in range(1, 5)}
    assert not ImportUpload.objects.filter(job=job).exists()
    record = AuditRecord.objects.get(action="import_cards")
    assert record.actor == network.users["admin"] and record.details["rows"] == 4


def test_every_bad_row_is_listed_with_line_column_and_reason_in_the_readers_language(
        network, django_capture_on_commit_callbacks):
    rows = [card_row(network.distributor.pk, 1), card_row(network.distributor.pk, 2, birth_year="1850"),
            card_row(network.distributor.pk, 3, postal_code="99999"), card_row(network.distributor.pk, 4)[:5]]
    job = upload(network, csv_bytes(CARD_HEADER, rows), capture=django_capture_on_commit_callbacks)

    assert job.state == JobState.REFUSED and job.error_count == 3
    assert reasons(job, "en") == [(3, "birth_year", "Not a valid value."),
                                  (4, "postal_code", "The home municipality is not in the card network."),
                                  (5, "", "The row has 5 values, the header 10 columns.")]
    assert [reason for _, _, reason in reasons(job, "fi")][1] == "Kotikunta ei kuulu Kaikukortti-verkostoon."
    assert [reason for _, _, reason in reasons(job, "sv")][1] == "Hemkommunen hör inte till Kaikukortets nätverk."
    assert not Card.objects.filter(number__startswith="66").exists()
    assert not ImportUpload.objects.filter(job=job).exists()
    with pytest.raises(Refusal):
        jobs.commit(caller(network), job.pk)


def test_a_row_of_a_site_outside_the_jobs_area_is_refused_by_the_policy(network, django_capture_on_commit_callbacks):
    rows = [card_row(network.distributor.pk, 1), card_row(network.other_distributor.pk, 2)]
    for who in ("coordinator", "admin"):
        job = upload(network, csv_bytes(CARD_HEADER, rows), who=who, capture=django_capture_on_commit_callbacks)
        assert job.state == JobState.REFUSED
        assert reasons(job) == [(3, "issuer_id", "The site is not in the area of this import, or not yours to "
                                                 "import for.")]


def test_only_the_areas_coordinator_and_the_national_admin_may_start_a_job(network, django_capture_on_commit_callbacks):
    content = csv_bytes(CARD_HEADER, [card_row(network.distributor.pk, 1)])
    for who in ("other_coordinator", "distributor", "venue"):
        with pytest.raises(Refusal) as refused:
            upload(network, content, who=who, capture=django_capture_on_commit_callbacks)
        assert refused.value.code == Code.FORBIDDEN
    assert not ImportJob.objects.exists()
    assert upload(network, content, who="other_coordinator", area=network.other_area,
                  capture=django_capture_on_commit_callbacks).state == JobState.REFUSED


def test_the_commit_judges_the_rows_again_and_writes_none_if_one_went_bad(network, tmp_path,
                                                                          django_capture_on_commit_callbacks):
    from kaikukanta.imports import services

    rows = [card_row(network.distributor.pk, index) for index in range(1, 4)]
    job = upload(network, csv_bytes(CARD_HEADER, rows), capture=django_capture_on_commit_callbacks)
    assert job.state == JobState.CHECKED
    # Meanwhile another import (from the command line) takes the second number.
    other = tmp_path / "other.csv"
    other.write_bytes(csv_bytes(CARD_HEADER, [rows[1]]))
    assert services.import_cards(other).written

    job = commit(network, job, django_capture_on_commit_callbacks)
    assert job.state == JobState.REFUSED and reasons(job)[0][:2] == (3, "number")
    assert list(Card.objects.filter(number__startswith="66").values_list("number", flat=True)) == [number(2)]


def test_a_commit_run_twice_imports_once(network, django_capture_on_commit_callbacks):
    job = upload(network, csv_bytes(CARD_HEADER, [card_row(network.distributor.pk, 1)]),
                 capture=django_capture_on_commit_callbacks)
    job = commit(network, job, django_capture_on_commit_callbacks)
    jobs.run(job.pk, "commit")
    jobs.run(job.pk, "check")
    assert Card.objects.filter(number=number(1)).count() == 1
    job.refresh_from_db()
    assert job.state == JobState.COMMITTED


def test_visits_from_a_workbook_are_imported(network, django_capture_on_commit_callbacks):
    card = make_card(network.distributor, issued_on=today() - datetime.timedelta(days=40))
    rows = [visit_row(card.number, network.venue.pk) for _ in range(3)]
    job = upload(network, xlsx_bytes(VISIT_HEADER, rows), name="käynnit.xlsx", kind="visits",
                 capture=django_capture_on_commit_callbacks)
    assert job.state == JobState.CHECKED and job.rows_checked == 3
    assert selectors.summary(job) == [{"site": network.venue.name, "rows": 3}]
    commit(network, job, django_capture_on_commit_callbacks)
    assert Visit.objects.filter(card=card).count() == 3


def test_a_formula_in_a_workbook_is_refused_on_its_row_and_column(network, django_capture_on_commit_callbacks):
    rows = [card_row(network.distributor.pk, index) for index in range(1, 4)]
    content = xlsx_bytes(CARD_HEADER, rows, formulas={(3, 5): "=1900+80"})
    job = upload(network, content, name="kortit.xlsx", capture=django_capture_on_commit_callbacks)
    assert reasons(job) == [(3, "birth_year", "The cell holds a formula: type its value instead.")]
    assert reasons(job, "fi")[0][2] == "Solussa on kaava: kirjoita sen arvo."


def test_the_cancel_of_a_checked_job_deletes_its_file_and_is_audited(network, django_capture_on_commit_callbacks):
    job = upload(network, csv_bytes(CARD_HEADER, [card_row(network.distributor.pk, 1)]),
                 capture=django_capture_on_commit_callbacks)
    jobs.cancel(caller(network, "admin"), job.pk)
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and not ImportUpload.objects.filter(job=job).exists()
    assert AuditRecord.objects.get(action="import_cancelled").actor == network.users["admin"]
    with pytest.raises(Refusal):
        jobs.commit(caller(network), job.pk)
    assert not Card.objects.filter(number=number(1)).exists()


def test_a_dry_run_stops_at_the_next_chunk_when_cancelled(network, monkeypatch):
    from kaikukanta.imports import services

    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    rows = [card_row(network.distributor.pk, index) for index in range(1, 8)]
    job = jobs.start(caller(network), kind="cards", area_id=network.area.pk,
                     upload=SimpleUploadedFile("kortit.csv", csv_bytes(CARD_HEADER, rows)))
    seen = []
    real_set = jobs.cache.set

    def set_and_cancel(key, value, timeout=None):
        real_set(key, value, timeout)
        if key.endswith(":progress") and value["rows"]:
            seen.append(value["rows"])
            ImportJob.objects.filter(pk=job.pk).update(state=JobState.CHECKING)
            jobs.cancel(caller(network), job.pk)

    monkeypatch.setattr(jobs.cache, "set", set_and_cancel)
    jobs.run(job.pk, "check")
    job.refresh_from_db()
    assert seen == [2] and job.state == JobState.CANCELLED and job.rows_checked == 0
    assert AuditRecord.objects.get(action="import_cancelled").actor == network.users["coordinator"]


def test_progress_tells_rows_checked_and_the_share_done_while_the_dry_run_goes(network, monkeypatch):
    from kaikukanta.imports import services

    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    rows = [card_row(network.distributor.pk, index) for index in range(1, 6)]
    job = jobs.start(caller(network), kind="cards", area_id=network.area.pk,
                     upload=SimpleUploadedFile("kortit.csv", csv_bytes(CARD_HEADER, rows)))
    shown = []
    real_set = jobs.cache.set

    def set_and_look(key, value, timeout=None):
        real_set(key, value, timeout)
        if key.endswith(":progress") and value["rows"]:
            job.state = JobState.CHECKING
            shown.append(selectors.progress(job, now=value["started"] + 10))

    monkeypatch.setattr(jobs.cache, "set", set_and_look)
    jobs.run(job.pk, "check")
    assert [(entry["checked"], entry["written"]) for entry in shown] == [(2, 0), (4, 0)]
    assert 0 < shown[0]["percent"] < shown[1]["percent"] < 100
    assert shown[0]["seconds_left"] > shown[1]["seconds_left"] > 0


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("kortit.pdf", b"%PDF-1.4", "only CSV (.csv) and XLSX (.xlsx)"),
    ("kortit.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel file"),
    ("kortit.xlsx", b"number,card_type\n", "not an XLSX workbook"),
    ("kortit.csv", b"PK\x03\x04" + b"\0" * 100, "name it .xlsx"),
    ("kortit.csv", b"   \n", "the file is empty"),
])
def test_a_file_of_the_wrong_type_is_refused_at_the_upload(network, name, content, expected,
                                                           django_capture_on_commit_callbacks):
    with pytest.raises(Refusal) as refused:
        upload(network, content, name=name, capture=django_capture_on_commit_callbacks)
    assert expected in refused.value.message("en")
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_or_row_limit_is_refused_at_the_upload(network, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    content = csv_bytes(CARD_HEADER, [card_row(network.distributor.pk, index) for index in range(1, 6)])
    monkeypatch.setattr(jobs, "MAX_BYTES", len(content) - 1)
    with pytest.raises(Refusal) as refused:
        upload(network, content, capture=django_capture_on_commit_callbacks)
    assert refused.value.code == Code.TOO_LARGE and "larger than" in refused.value.message("en")
    monkeypatch.setattr(jobs, "MAX_BYTES", 10 * len(content))
    monkeypatch.setattr(jobs, "MAX_ROWS", 3)
    with pytest.raises(Refusal) as refused:
        upload(network, content, capture=django_capture_on_commit_callbacks)
    assert refused.value.code == Code.TOO_LARGE and "more than 3 rows" in refused.value.message("en")


def test_a_workbook_over_the_row_limit_is_refused_on_the_first_row_past_it(network, monkeypatch,
                                                                           django_capture_on_commit_callbacks):
    from kaikukanta.imports import spreadsheet

    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    rows = [card_row(network.distributor.pk, index) for index in range(1, 7)]
    job = upload(network, xlsx_bytes(CARD_HEADER, rows), name="kortit.xlsx", capture=django_capture_on_commit_callbacks)
    assert job.state == JobState.REFUSED
    assert reasons(job)[-1] == (5, "", "The file has more than 3 rows: split it.")


def test_a_broken_workbook_and_bad_encodings_are_refused_with_the_reason(network, django_capture_on_commit_callbacks):
    import io
    import zipfile

    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    job = upload(network, broken.getvalue(), name="kortit.xlsx", capture=django_capture_on_commit_callbacks)
    assert reasons(job) == [(1, "", "The file is not an XLSX workbook.")]

    text = csv_bytes(CARD_HEADER, [card_row(network.distributor.pk, 1)]).decode()
    job = upload(network, text.encode("utf-16"), capture=django_capture_on_commit_callbacks)
    assert reasons(job) == [(1, "", "The file is UTF-16 text: save it as UTF-8 CSV.")]
    job = upload(network, (text + "0000000000,personal,1,2026-01-01,2026-02-01,1980,Hämeenlinna,0,,active\n")
                 .encode("latin-1"), capture=django_capture_on_commit_callbacks)
    assert reasons(job) == [(3, "", "The file is not UTF-8 text: save it as UTF-8 CSV.")]
    job = upload(network, csv_bytes(CARD_HEADER[:-1] + ["name"], []), capture=django_capture_on_commit_callbacks)
    assert reasons(job, "en")[0][2] == ("The header row is not the one expected. Missing columns: status. "
                                        "Unknown columns: name.")


def test_a_phase_that_fails_marks_its_job_failed_and_records_the_task_failure(network, monkeypatch,
                                                                              django_capture_on_commit_callbacks):
    from kaikukanta.operations.models import TaskFailure

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(jobs.IMPORTERS, "cards", broken)
    job = upload(network, csv_bytes(CARD_HEADER, [card_row(network.distributor.pk, 1)]),
                 capture=django_capture_on_commit_callbacks)
    assert job.state == JobState.FAILED and job.failure == "RuntimeError"
    assert not ImportUpload.objects.filter(job=job).exists()
    assert TaskFailure.objects.get().task.endswith("run_import_job")
