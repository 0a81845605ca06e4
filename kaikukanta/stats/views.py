"""The statistics pages: the dashboard of the caller's scope, its tables as files, and an area's annual
report. The scope always comes from `services.scope_for`; the parameters only narrow it."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from kaikukanta.accounts.pages import page, public_page
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.pages import own_area, own_scope
from kaikukanta.network.models import Area

from . import dashboard_cache, open_data
from . import selectors as stats_selectors
from .exports import WRITERS
from .forms import DashboardForm, ReportForm
from .report import annual_report
from .services import scope_for
from .tables import Figures, scope_name

BREAKDOWN_TARGET = "breakdown"


def _pickable_areas(user):
    """Only who may read the whole network chooses among the areas; the others stay in their scope."""
    return Area.objects.order_by("name") if allowed(user, Action.VIEW_STATS, None) else None


def _valid(form) -> dict:
    if not form.is_valid():
        raise Refusal(Code.INVALID, field=next(iter(form.errors)))
    return form.cleaned_data


def _figures(user, filters: dict) -> Figures:
    scope = scope_for(user, filters["area_id"])
    return Figures(scope, start=filters["from"], end=filters["to"], on=filters["on"],
                   group_by=filters["group_by"], today=today())


def _first_year(user) -> int | None:
    """The first year with cards or visits in the caller's whole scope (the annual report's earliest)."""
    rows = stats_selectors.yearly(scope_for(user, None), today())["rows"]
    return min((row["year"] for row in rows), default=None)


@page(Action.VIEW_STATS, target=own_scope)
def dashboard(request):
    areas = _pickable_areas(request.user)
    form = DashboardForm(request.GET, areas=areas)
    may_report = allowed(request.user, Action.VIEW_STATS, own_area(request.user))
    # The breakdown picker asks htmx for its own section only; the rest of the page stays as it is.
    only_breakdown = request.headers.get("HX-Target") == BREAKDOWN_TARGET
    context = {"form": form, "may_pick_area": areas is not None, "may_report": may_report,
               "only_breakdown": only_breakdown}
    if form.is_valid():
        filters = form.cleaned_data
        scope = scope_for(request.user, filters["area_id"])
        report = may_report and not only_breakdown
        # Kept in the shared cache under the generation it was computed at (dashboard_cache).
        made = dashboard_cache.tables(dashboard_cache.Dashboard(
            scope, filters["from"], filters["to"], filters["on"], filters["group_by"], today(), get_language(),
            only_breakdown, scope_for(request.user, None) if report else None, form.query_string()))
        context.update(scope_name=scope_name(scope), tables=made.tables, query=form.query_string())
        if report:
            context["report_form"] = ReportForm({"area_id": filters["area_id"] or ""}, areas=areas,
                                                language=get_language(), first_year=made.first_year)
    return render(request, "stats/_breakdown.html" if only_breakdown else "stats/dashboard.html", context)


@page(Action.VIEW_STATS, target=own_scope)
def export(request, table: str, fmt: str):
    if fmt not in WRITERS:
        raise Refusal(Code.NOT_FOUND)
    filters = _valid(DashboardForm(request.GET, areas=_pickable_areas(request.user)))
    built = _figures(request.user, filters).table(table)
    if built is None:
        raise Refusal(Code.NOT_FOUND)
    write, content_type = WRITERS[fmt]
    response = HttpResponse(write(built), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kaikukanta-{built.name}.{fmt}"'
    return response


@page(Action.VIEW_STATS, target=own_area)
def report(request):
    filters = _valid(ReportForm(request.GET, areas=_pickable_areas(request.user), language=get_language(),
                                first_year=_first_year(request.user)))
    scope = scope_for(request.user, filters["area_id"])
    pdf = annual_report(scope, filters["year"], filters["language"], today())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kaikukanta-{filters["year"]}.pdf"'
    return response


@public_page
def open_data_index(request):
    """The open datasets, for anyone: what each holds, its files and the licence."""
    return render(request, "stats/open_data.html", {"datasets": open_data.DATASETS, "licence": open_data.LICENCE,
                                                    "licence_url": open_data.LICENCE_URL})


@public_page
def open_data_file(request, dataset: str, fmt: str):
    """A dataset as CSV or JSON, shown in the browser (not a download) and cacheable: it holds only
    released figures (`selectors.open_data`), the same for everyone."""
    if dataset not in open_data.DATASETS or fmt not in open_data.FORMATS:
        raise Refusal(Code.NOT_FOUND)
    response = HttpResponse(open_data.WRITERS[fmt](dataset, today()), content_type=open_data.FORMATS[fmt])
    response["Cache-Control"] = f"public, max-age={open_data.HTTP_MAX_AGE}"
    response["Link"] = f'<{open_data.LICENCE_URL}>; rel="license"'
    return response
