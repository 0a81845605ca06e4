from django.urls import path

from kaikukanta.core.pages import pending

app_name = "cards"
urlpatterns = [
    path("issue/", pending, name="issue"),
    path("list/", pending, name="list"),
]
