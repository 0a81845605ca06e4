from django.contrib import admin
from django.urls import include, path

from kaikukanta.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("kaikukanta.public.urls")),
    path("", include("kaikukanta.accounts.urls")),
    path("desk/", include("kaikukanta.visits.urls")),
    path("cards/", include("kaikukanta.cards.urls")),
    path("network/", include("kaikukanta.network.urls")),
    path("stats/", include("kaikukanta.stats.urls")),
]
