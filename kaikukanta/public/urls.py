from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("venues/", views.venues, name="venues"),
    path("venues/<int:venue_id>/", views.venue_detail, name="venue_detail"),
    path("venues/list/<int:area_id>.pdf", views.brochure, name="brochure"),
    path("my-card/", views.my_card, name="my_card"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
]
