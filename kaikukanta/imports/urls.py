from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.imports_page, name="page"),
    path("<int:job_id>/", views.job, name="job"),
    path("<int:job_id>/status/", views.job_status, name="job_status"),
    path("<int:job_id>/commit/", views.commit, name="commit"),
    path("<int:job_id>/cancel/", views.cancel, name="cancel"),
]
