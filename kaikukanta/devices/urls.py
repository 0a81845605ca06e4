from django.urls import path

from . import views

app_name = "devices"
urlpatterns = [
    path("", views.index, name="index"),
    path("venues/<int:venue_id>/", views.venue, name="venue"),
    path("venues/<int:venue_id>/enrolment-code/", views.enrolment_code, name="enrolment_code"),
    path("venues/<int:venue_id>/conflicts/", views.inbox, name="inbox"),
    path("conflicts/<int:conflict_id>/", views.conflict, name="conflict"),
    path("<int:device_id>/revoke/", views.revoke, name="revoke"),
]
