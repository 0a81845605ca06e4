from django.http import FileResponse, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kaikukanta.accounts.pages import page, signed_in_page
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.pages import own_area
from kaikukanta.network.models import Area
from kaikukanta.stats.forms import FIRST_REPORT_YEAR, ReportForm
from kaikukanta.stats.services import scope_for

from . import files, metrics, selectors

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


# Files prepared in the background (files.py): the pages start them, poll them and download them. None is
# kept by a cache (an area export is built, and audited as read, when it is started).

def _areas_for(user):
    return Area.objects.order_by("name") if allowed(user, Action.VIEW_STATS, None) else None


@never_cache
@require_POST
@page(Action.VIEW_STATS, target=own_area)
def start_report(request):
    """The dashboard's annual report form: the PDF is prepared in the background."""
    # Any year since the first report year: an early one makes a (nearly) empty report, never a wrong one.
    form = ReportForm(request.POST, areas=_areas_for(request.user), language=get_language(),
                      first_year=FIRST_REPORT_YEAR)
    if not form.is_valid():
        raise Refusal(Code.INVALID, field=next(iter(form.errors)))
    data = form.cleaned_data
    scope = scope_for(request.user, data["area_id"])
    area = Area.objects.get(pk=scope.area_id) if scope.area_id else None
    prepared = files.start(request.user, files.Kind.ANNUAL_REPORT, area=area, year=data["year"],
                           language=data["language"])
    return redirect("operations:prepared_file", file_id=prepared.pk)


@never_cache
@require_POST
@page(Action.EXPORT_AREA, target=own_area)
def start_area_export(request):
    """The area export page's button: the ZIP is prepared in the background."""
    chosen = request.POST.get("area", "")
    if own_area(request.user) is None and not chosen:
        return redirect("network:area_export")   # the national admin chooses the area there
    area = own_area(request.user) or Area.objects.filter(pk=_id(chosen)).first()
    if area is None:
        raise Refusal(Code.INVALID, field="area")
    prepared = files.start(request.user, files.Kind.AREA_EXPORT, area=area)
    return redirect("operations:prepared_file", file_id=prepared.pk)


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 12 else None


@never_cache
@signed_in_page
def prepared_file(request, file_id):
    """A file's state; the page polls its own state fragment with htmx until the file is ready or failed."""
    prepared = files.for_owner(request.user, file_id)
    template = "operations/_prepared_state.html" if request.headers.get("HX-Request") else \
        "operations/prepared_file.html"
    return render(request, template, {"prepared": prepared, "name": files.file_name(prepared)})


@never_cache
@signed_in_page
def prepared_files(request):
    return render(request, "operations/prepared_files.html", {"files": files.owned_by(request.user)})


@never_cache
@signed_in_page
def download_prepared_file(request, file_id):
    prepared, content = files.download(request.user, file_id)
    return FileResponse(content, as_attachment=prepared.kind == files.Kind.AREA_EXPORT,
                        filename=files.file_name(prepared), content_type=files.CONTENT_TYPE[prepared.kind])
