from django.urls import path

from . import views

app_name = "operations"
urlpatterns = [
    path("status/", views.status, name="status"),
]

# Machine endpoints for the proxy and Prometheus: not pages (no name, so the page matrix leaves them alone).
machine_urlpatterns = [
    path("healthz", views.healthz),
    path("readyz", views.readyz),
    path("metrics", views.prometheus),
]
