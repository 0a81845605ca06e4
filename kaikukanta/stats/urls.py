from django.urls import path

from kaikukanta.core.pages import pending

app_name = "stats"
urlpatterns = [
    path("dashboard/", pending, name="dashboard"),
]
