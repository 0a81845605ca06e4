"""Background work: the tasks run eagerly without a broker, readers leave the fold to a live worker, and a
task that fails for good is shown to the national admin."""

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from kaikukanta.operations import tasks
from kaikukanta.operations.models import TaskFailure
from kaikukanta.stats.models import PendingChange
from kaikukanta.testing import sign_in
from kaikukanta.visits.tests.support import personal_card, post_visit


def visits_in_summary(network) -> int:
    response = network.client("admin").get("stats/summary")
    assert response.status_code == 200, response.content
    return response.json()["visits"]


def test_without_a_broker_tasks_run_in_the_calling_process():
    assert settings.CELERY_BROKER_URL == ""
    assert settings.CELERY_TASK_ALWAYS_EAGER


def test_beat_schedules_the_fold_every_few_seconds_and_the_nightly_work():
    from kaikukanta.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["fold-statistics"]["schedule"] <= 5
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
    assert {entry["task"].rsplit(".", 1)[1] for entry in schedule.values()} == {
        "fold_statistics", "heartbeat", "coarsen_holder_data", "backup", "remove_expired_files"}


def test_fold_task_folds_what_the_desk_recorded(network):
    card = personal_card(network)
    assert post_visit(network.client("venue"), {"card_number": card.number}).status_code == 201
    assert PendingChange.objects.exists()
    tasks.fold_statistics.delay()
    assert not PendingChange.objects.exists()
    assert visits_in_summary(network) == 1


def test_without_a_live_worker_the_reader_folds_itself(network):
    card = personal_card(network)
    post_visit(network.client("venue"), {"card_number": card.number})
    assert visits_in_summary(network) == 1


def test_with_a_live_worker_the_reader_leaves_the_fold_to_it(network):
    tasks.fold_statistics.delay()  # also beats the heart
    card = personal_card(network)
    post_visit(network.client("venue"), {"card_number": card.number})
    assert visits_in_summary(network) == 0, "the reader folded although the worker would"
    assert PendingChange.objects.exists()
    tasks.fold_statistics.delay()
    assert visits_in_summary(network) == 1


def test_with_a_live_worker_the_worker_makes_the_dashboard_read_lately_again_after_its_fold(network):
    """The first dashboard read after the desk recorded finds its tables made by the worker's fold task."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from kaikukanta.stats.tests.test_stats_pages import PageTables

    page = Client(headers={"accept-language": "fi"})
    sign_in(page, network.users["admin"])

    def visits_on_the_dashboard() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as statements:
            response = page.get(reverse("stats:dashboard"))
        assert response.status_code == 200
        return int(PageTables(response.content.decode()).headline["Käynnit"]), len(statements)

    tasks.fold_statistics.delay()                       # folds and beats the heart
    visits, computed = visits_on_the_dashboard()     # made by this read
    assert visits == 0
    card = personal_card(network)
    assert post_visit(network.client("venue"), {"card_number": card.number}).status_code == 201
    assert visits_on_the_dashboard()[0] == 0, "a fold interval behind: the worker has not folded yet"
    tasks.fold_statistics.delay()                       # folds, then makes the dashboard read lately again
    visits, statements = visits_on_the_dashboard()
    assert visits == 1
    assert statements < computed / 3, "the tables were made by the worker, not by this read"


def test_a_stale_heartbeat_makes_readers_fold_again(network):
    tasks.heartbeat.delay()
    cache.set(tasks.HEARTBEAT_KEY, cache.get(tasks.HEARTBEAT_KEY) - 3600)
    card = personal_card(network)
    post_visit(network.client("venue"), {"card_number": card.number})
    assert visits_in_summary(network) == 1


def test_backup_task_writes_one_file_a_day_and_drops_old_ones(transactional_db, tmp_path, settings):
    settings.KAIKUKANTA_BACKUP_DIR = str(tmp_path)
    settings.KAIKUKANTA_BACKUP_KEEP_DAYS = 7
    old = tmp_path / f"kaikukanta-{datetime.date.today() - datetime.timedelta(days=30)}.dump"
    old.write_bytes(b"old")
    written = tasks.backup.delay().get()
    assert written.endswith(".dump") and (tmp_path / written.rsplit("/", 1)[1]).stat().st_size > 0
    assert not old.exists()
    assert tasks.backup.delay().get() == written, "a second run the same day replaces the same file"


def test_a_task_that_fails_for_good_is_recorded_and_shown_to_the_national_admin(network, tmp_path, settings):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.KAIKUKANTA_BACKUP_DIR = str(blocker / "backups")
    with pytest.raises(OSError):
        tasks.backup.delay()
    failure = TaskFailure.objects.get()
    assert failure.task == "kaikukanta.operations.tasks.backup"
    client = Client()
    sign_in(client, network.users["admin"])
    page = client.get("/operations/status/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "kaikukanta.operations.tasks.backup" in text and "NotADirectoryError" in text
