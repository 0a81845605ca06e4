from django.contrib import admin
from django.urls import include, path

from kaikukanta.api import api
from kaikukanta.cards import backoffice as card_back_office
from kaikukanta.network import urls as network_urls
from kaikukanta.operations.urls import machine_urlpatterns
from kaikukanta.stats import area_export_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("kaikukanta.public.urls")),
    path("", include("kaikukanta.accounts.urls")),
    path("desk/", include("kaikukanta.visits.urls")),
    path("cards/", include("kaikukanta.cards.urls")),
    # The network's pages, with the cards' back office and the area export, which live in the apps above it.
    path("network/", include((network_urls.urlpatterns + card_back_office.urlpatterns
                              + area_export_views.urlpatterns, "network"))),
    path("rules/", include("kaikukanta.programme.urls")),
    path("stats/", include("kaikukanta.stats.urls")),
    path("open-data/", include("kaikukanta.stats.open_data_urls")),
    path("operations/", include("kaikukanta.operations.urls")),
    path("imports/", include("kaikukanta.imports.urls")),
    path("devices/", include("kaikukanta.devices.urls")),
    *machine_urlpatterns,
]

# Errors that escape the views: the app's own page, or the JSON error body under /api/ (core/error_pages.py).
handler400 = "kaikukanta.core.error_pages.bad_request"
handler403 = "kaikukanta.core.error_pages.permission_denied"
handler404 = "kaikukanta.core.error_pages.page_not_found"
handler500 = "kaikukanta.core.error_pages.server_error"
