"""The imports page: upload, the job's dry run and progress (polled with htmx), commit and cancel. Thin: the
rules are in jobs.py and the importers, the permissions in accounts.policy."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.pages import form_errors_from, own_area
from kaikukanta.core.uploads import upload_too_large

from . import jobs, selectors
from .forms import ImportForm


@page(Action.VIEW_IMPORTS)
def imports_page(request):
    fixed_area = own_area(request.user)
    areas = None if fixed_area else selectors.areas_for_upload(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        try:
            if upload_too_large(request):
                raise Refusal(Code.TOO_LARGE, field="file", detail=jobs.too_large_detail())
            job = jobs.start(Caller.page(request), kind=request.POST.get("kind", ""),
                             area_id=fixed_area.pk if fixed_area else request.POST.get("area", ""),
                             upload=request.FILES.get("file"))
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            return redirect("imports:job", job_id=job.pk)
    return render(request, "imports/page.html", {
        "fixed_area": fixed_area, "form": form, "jobs": selectors.recent_jobs(request.user),
        "max_mb": jobs.MAX_BYTES // 2**20, "max_rows": jobs.MAX_ROWS,
    }, status=422 if request.method == "POST" else 200)


def _job_context(request, job_id: int) -> dict:
    job = selectors.job_for(request.user, job_id)
    return {"job": job, "progress": selectors.progress(job), "bad_rows": selectors.bad_rows(job),
            "summary": selectors.summary(job)}


@page(Action.VIEW_IMPORTS)
@require_GET
def job(request, job_id: int):
    return render(request, "imports/job.html", _job_context(request, job_id))


@page(Action.VIEW_IMPORTS)
@require_GET
def job_status(request, job_id: int):
    """The part of the job page that changes while it runs: htmx asks for it every second."""
    return render(request, "imports/_status.html", _job_context(request, job_id))


def _decide(request, job_id: int, service, done: str):
    try:
        service(Caller.page(request), job_id)
    except Refusal as refusal:
        if refusal.code == Code.NOT_FOUND:
            raise
        messages.error(request, refusal.message(get_language()))
    else:
        messages.success(request, done)
    return redirect("imports:job", job_id=job_id)


@page(Action.VIEW_IMPORTS)
@require_POST
def commit(request, job_id: int):
    from django.utils.translation import gettext as _

    return _decide(request, job_id, jobs.commit, _("The import was started."))


@page(Action.VIEW_IMPORTS)
@require_POST
def cancel(request, job_id: int):
    from django.utils.translation import gettext as _

    return _decide(request, job_id, jobs.cancel, _("The import was cancelled."))
