from django.urls import path

from kaikukanta.core.pages import pending

app_name = "desk"
urlpatterns = [
    path("check/", pending, name="check"),
    path("today/", pending, name="today"),
    path("paper/", pending, name="paper"),
    path("offerings/", pending, name="offerings"),
]
