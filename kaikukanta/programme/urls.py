from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("", views.rules, name="rules"),
    path("areas/<int:area_id>/", views.area_rules, name="area_rules"),
]
