from django.urls import path

from . import offline_views, views

app_name = "desk"
urlpatterns = [
    path("check/", views.check, name="check"),
    path("check/card/", views.check_card, name="check_card"),
    path("offline/", offline_views.offline_desk, name="offline"),
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("visits/<int:visit_id>/cancel/", views.cancel, name="cancel"),
    path("today/", views.today_visits, name="today"),
    path("paper/", views.paper, name="paper"),
    path("offerings/", views.offerings, name="offerings"),
    path("offerings/new/", views.offering_new, name="offering_new"),
    path("offerings/default/", views.offering_default, name="offering_default"),
    path("offerings/<int:offering_id>/", views.offering_edit, name="offering_edit"),
    path("offerings/<int:offering_id>/archive/", views.offering_archive, name="offering_archive"),
    path("venue/", views.venue_info, name="venue_info"),
]
