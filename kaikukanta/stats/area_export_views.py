"""The coordinator's download of everything stored about its area (a ZIP of CSV files, stats/area_export.py).
Served at /network/area-export/ with the network's pages (kaikukanta/urls.py), here because it reads every
app below this one."""

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language

from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import own_area
from kaikukanta.network import selectors as network_selectors

from .area_export import area_export as area_export_of


@page(Action.EXPORT_AREA, target=own_area)
def area_export(request):
    """A coordinator downloads everything stored about their area; the national admin chooses the area."""
    fixed_area = own_area(request.user)
    areas = None if fixed_area else list(network_selectors.areas_visible_to(request.user))
    error = None
    if request.method == "POST":
        try:
            area, content = area_export_of(request.user, fixed_area.pk if fixed_area else
                                               request.POST.get("area", ""))
        except Refusal as refusal:
            error = refusal.message(get_language())
        else:
            response = StreamingHttpResponse(content, content_type="application/zip")
            response["Content-Disposition"] = (f'attachment; filename="kaikukanta-area-{area.pk}-'
                                               f'{today().isoformat()}.zip"')
            return response
    return render(request, "network/area_export.html", {"fixed_area": fixed_area, "areas": areas,
                                                        "error": error}, status=422 if error else 200)


urlpatterns = [
    path("area-export/", area_export, name="area_export"),
]
