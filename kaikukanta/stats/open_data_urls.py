"""Open data at stable addresses, outside the signed-in statistics: /open-data/ and its files."""

from django.urls import path

from . import views

app_name = "open_data"
urlpatterns = [
    path("", views.open_data_index, name="index"),
    path("<slug:dataset>.<slug:fmt>", views.open_data_file, name="dataset"),
]
