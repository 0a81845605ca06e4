from django.contrib import admin
from django.urls import include, path

from kaikukanta.api import api
from kaikukanta.operations.urls import machine_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("kaikukanta.public.urls")),
    path("", include("kaikukanta.accounts.urls")),
    path("desk/", include("kaikukanta.visits.urls")),
    path("cards/", include("kaikukanta.cards.urls")),
    path("network/", include("kaikukanta.network.urls")),
    path("rules/", include("kaikukanta.programme.urls")),
    path("stats/", include("kaikukanta.stats.urls")),
    path("operations/", include("kaikukanta.operations.urls")),
    *machine_urlpatterns,
]

# Errors that escape the views: the app's own page, or the JSON error body under /api/ (core/error_pages.py).
handler400 = "kaikukanta.core.error_pages.bad_request"
handler403 = "kaikukanta.core.error_pages.permission_denied"
handler404 = "kaikukanta.core.error_pages.page_not_found"
handler500 = "kaikukanta.core.error_pages.server_error"
