from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("export/<slug:table>.<slug:fmt>", views.export, name="export"),
    path("report/", views.report, name="report"),
]
