from django.urls import path

from kaikukanta.core.pages import pending

app_name = "network"
urlpatterns = [
    path("organisations/", pending, name="organisations"),
    path("users/", pending, name="users"),
    path("batches/", pending, name="batches"),
    path("guidelines/", pending, name="guidelines"),
    path("areas/", pending, name="areas"),
    path("settings/", pending, name="settings"),
]
