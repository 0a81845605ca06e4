"""A worker's warm-up (kaikukanta/wsgi.py, as each server worker loads) imports what the desk's first request needs."""

import subprocess
import sys

from django.conf import settings


def test_loading_the_wsgi_application_imports_the_desk_views_before_any_request():
    probe = ("import sys; import kaikukanta.wsgi; "
             "print(all(name in sys.modules for name in ('kaikukanta.cards.api', 'kaikukanta.visits.api', "
             "'kaikukanta.public.views')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                            cwd=settings.BASE_DIR)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_without_the_warm_up_those_views_wait_for_the_first_request():
    probe = ("import os, sys; os.environ['KAIKUKANTA_WARM_UP'] = '0'; import kaikukanta.wsgi; "
             "print(any(name in sys.modules for name in ('kaikukanta.cards.api', 'kaikukanta.visits.api')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                            cwd=settings.BASE_DIR)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_what_the_worker_loaded_is_set_aside_from_the_garbage_collector():
    probe = "import gc; import kaikukanta.wsgi; print(gc.get_freeze_count())"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                            cwd=settings.BASE_DIR)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 50_000
