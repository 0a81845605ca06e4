"""The Celery application: background work (statistics fold, retention, backups) on a real task queue.

With `CELERY_BROKER_URL` unset (the embedded default of `make run` and the tests) every task runs eagerly in
the calling process, so nothing beside the project is needed; in production the broker is Redis and
`celery -A kaikukanta worker` / `celery -A kaikukanta beat` run beside the web servers (deploy/)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaikukanta.settings")

app = Celery("kaikukanta")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["kaikukanta.operations", "kaikukanta.imports"])
