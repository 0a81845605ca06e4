from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action

from . import metrics, selectors

STATUS_LABELS = {
    selectors.OK: _("working"), selectors.DOWN: _("not answering"),
    selectors.NOT_CONFIGURED: _("not configured"), selectors.DEGRADED: _("lagging, not used"),
}
CHECK_LABELS = {
    "database": _("Primary database"), "replica": _("Statistics replica"), "cache": _("Shared cache"),
    "broker": _("Task queue (broker)"), "worker": _("Background worker"),
}


@require_GET
def healthz(request):
    """Liveness: the process answers. Nothing else is asked, so a slow database never restarts a server."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request):
    checks = selectors.readiness()
    ready = selectors.ready(checks)
    return JsonResponse({"status": "ready" if ready else "unavailable",
                         "checks": {check.name: {"status": check.status, "detail": check.detail}
                                    for check in checks}}, status=200 if ready else 503)


@require_GET
def prometheus(request):
    from django.conf import settings

    expected = settings.KAIKUKANTA_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if expected:
        if not constant_time_compare(given, expected):
            return HttpResponseForbidden()
    elif request.META.get("REMOTE_ADDR") not in ("127.0.0.1", "::1"):
        return HttpResponseForbidden()
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


@page(Action.UPDATE_SETTINGS)
def status(request):
    checks = [{"label": CHECK_LABELS[check.name], "status": check.status, "status_label": STATUS_LABELS[check.status],
               "detail": check.detail, "name": check.name} for check in selectors.readiness()]
    return render(request, "operations/status.html", {
        "checks": checks, "fold_backlog": selectors.fold_backlog(), "failures": selectors.recent_failures()})
