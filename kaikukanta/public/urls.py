from django.urls import path

from kaikukanta.core.pages import pending

app_name = "public"
urlpatterns = [
    path("", pending, name="home"),
    path("venues/", pending, name="venues"),
    path("my-card/", pending, name="my_card"),
]
