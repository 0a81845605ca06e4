"""The offline desk (issue 14): its page, its service worker and its web app manifest.

The page is a shell: everything on it runs in the browser (static/js/offline-*.js) against the device API
(`/api/v1/devices/enrol`, `/api/v1/offline/...`), so that once opened it works with the network gone. The
service worker is served from under /desk/ so that its scope covers the desk; it is the file
static/js/desk-sw.js with the list of the shell's files and a version made of their contents put in front,
so that a changed file makes the browser install the new worker and fetch the new shell.
"""

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kaikukanta.accounts.pages import page, public_page
from kaikukanta.accounts.policy import Action
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal

from .forms import VisitForm

WORKER_SOURCE = "js/desk-sw.js"
# Everything the desk's page loads, so that it loads offline too. The scanner's ZXing is large but needed
# offline on a browser without BarcodeDetector.
SHELL_FILES = (
    "vendor/hds-base.min.css", "vendor/hds-components.min.css", "css/kaikukanta.css", "css/desk.css",
    "vendor/htmx.min.js", "js/app.js", "js/scanner.js", "js/desk.js", "js/offline-store.js",
    "js/offline-cards.js", "js/offline-sync.js", "js/offline-desk.js", "vendor/zxing-library.min.js",
    "favicon.svg", "icons/desk-192.png", "icons/desk-512.png",
)


@page(Action.RECORD_VISIT)
@never_cache
def offline_desk(request):
    """The installable desk: enrol this device, then check cards and record visits online or offline."""
    form = VisitForm(initial={"children": 0, "clients": 0, "assistants": 0}, offerings=(), day=today(),
                     area_id=request.user.organisation.area_id)
    return render(request, "visits/offline.html", {
        "form": form, "venue": request.user.organisation, "worker_scope": _scope(),
        "number_invalid_message": Refusal(Code.NUMBER_INVALID).message(get_language()),
        "revoked_message": Refusal(Code.CARD_CLOSED).message(get_language()),
        "revoked_device_message": Refusal(Code.DEVICE_REVOKED).message(get_language()),
        "quota_message": Refusal(Code.QUOTA_EXHAUSTED).message(get_language()),
    })


def _read(name: str) -> bytes:
    found = finders.find(name)
    if found:
        with open(found, "rb") as source:
            return source.read()
    with staticfiles_storage.open(name) as source:
        return source.read()


@functools.cache
def _worker(debug: bool) -> tuple[str, str]:
    """The worker's text and its version (cached per process: the files change only with a release)."""
    digest = hashlib.sha256(_read(WORKER_SOURCE))
    for name in SHELL_FILES:
        digest.update(_read(name))
    version = digest.hexdigest()[:16]
    shell = [reverse("desk:offline"), *(static(name) for name in SHELL_FILES)]
    head = (f"// Written by kaikukanta/visits/offline_views.py in front of static/{WORKER_SOURCE}.\n"
            f"const SHELL_VERSION = {json.dumps(version)};\n"
            f"const SHELL_PAGE = {json.dumps(reverse('desk:offline'))};\n"
            f"const SHELL_FILES = {json.dumps(shell)};\n")
    return head + _read(WORKER_SOURCE).decode(), version


def _scope() -> str:
    """The desk's pages, /desk/: where the worker answers while offline."""
    return reverse("desk:offline").rsplit("/", 2)[0] + "/"


@public_page
@require_GET
def service_worker(request):
    """The desk's service worker (no session needed: it holds no data, only the list of the shell's files)."""
    # In development a changed file should reach the worker without restarting the server.
    if settings.DEBUG:
        _worker.cache_clear()
    text, _version = _worker(settings.DEBUG)
    response = HttpResponse(text, content_type="text/javascript; charset=utf-8")
    # The browser checks the worker for updates on every visit; never from a stale HTTP cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = _scope()
    return response


@public_page
@require_GET
def manifest(request):
    """The web app manifest that makes the offline desk installable, in the user's language."""
    body = {
        "name": _("Kaikukanta offline desk"),
        "short_name": pgettext("app name", "Desk"),
        "start_url": reverse("desk:offline"),
        "scope": _scope(),
        "display": "standalone",
        "lang": get_language(),
        "background_color": "#ffffff",
        "theme_color": "#0000bf",
        "icons": [{"src": static("icons/desk-192.png"), "sizes": "192x192", "type": "image/png"},
                  {"src": static("icons/desk-512.png"), "sizes": "512x512", "type": "image/png"},
                  {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(body, content_type="application/manifest+json",
                        json_dumps_params={"ensure_ascii": False})
