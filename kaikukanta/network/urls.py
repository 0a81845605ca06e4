from django.urls import path

from . import area_views, guideline_views, settings_views, user_views, views

app_name = "network"
# The back office of cards (cards/backoffice.py) and the area export (stats/area_export_views.py) are served
# under /network/ in this namespace too: kaikukanta/urls.py adds them (this app sits below theirs).
urlpatterns = [
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:organisation_id>/active/", views.organisation_active, name="organisation_active"),
    path("users/", user_views.users, name="users"),
    path("users/new/", user_views.user_new, name="user_new"),
    path("users/<int:user_id>/", user_views.user_detail, name="user_detail"),
    path("users/<int:user_id>/password/", user_views.user_password, name="user_password"),
    path("users/<int:user_id>/active/", user_views.user_active, name="user_active"),
    path("users/<int:user_id>/tokens/", user_views.token_new, name="token_new"),
    path("guidelines/", guideline_views.guidelines, name="guidelines"),
    path("guidelines/new/", guideline_views.guideline_new, name="guideline_new"),
    path("guidelines/<int:version_id>/", guideline_views.guideline_detail, name="guideline_detail"),
    path("areas/", area_views.areas, name="areas"),
    path("areas/new/", area_views.area_new, name="area_new"),
    path("areas/<int:area_id>/", area_views.area_detail, name="area_detail"),
    path("areas/<int:area_id>/edit/", area_views.area_edit, name="area_edit"),
    path("settings/statements/", settings_views.statements, name="statements"),
    path("settings/low-income/", settings_views.low_income, name="low_income"),
]
