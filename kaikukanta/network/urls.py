from django.urls import path

from . import views

app_name = "network"
# The back office of cards (cards/backoffice.py) and the area export (stats/area_export_views.py) are served
# under /network/ in this namespace too: kaikukanta/urls.py adds them (this app sits below theirs).
urlpatterns = [
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:organisation_id>/active/", views.organisation_active, name="organisation_active"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/password/", views.user_password, name="user_password"),
    path("users/<int:user_id>/active/", views.user_active, name="user_active"),
    path("users/<int:user_id>/tokens/", views.token_new, name="token_new"),
    path("guidelines/", views.guidelines, name="guidelines"),
    path("guidelines/new/", views.guideline_new, name="guideline_new"),
    path("guidelines/<int:version_id>/", views.guideline_detail, name="guideline_detail"),
    path("areas/", views.areas, name="areas"),
    path("areas/new/", views.area_new, name="area_new"),
    path("areas/<int:area_id>/", views.area_detail, name="area_detail"),
    path("areas/<int:area_id>/edit/", views.area_edit, name="area_edit"),
    path("settings/statements/", views.statements, name="statements"),
    path("settings/low-income/", views.low_income, name="low_income"),
]
