from django.urls import path

from . import views

app_name = "operations"
urlpatterns = [
    path("status/", views.status, name="status"),
    path("files/", views.prepared_files, name="prepared_files"),
    path("files/annual-report/", views.start_report, name="start_report"),
    path("files/area-export/", views.start_area_export, name="start_area_export"),
    path("files/<str:file_id>/", views.prepared_file, name="prepared_file"),
    path("files/<str:file_id>/download", views.download_prepared_file, name="download_prepared_file"),
]

# Machine endpoints for the proxy and Prometheus: not pages (no name, so the page matrix leaves them alone).
machine_urlpatterns = [
    path("healthz", views.healthz),
    path("readyz", views.readyz),
    path("metrics", views.prometheus),
]
