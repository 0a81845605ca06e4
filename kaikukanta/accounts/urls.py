from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("home/", views.home, name="home"),
    path("language/", views.choose_language, name="language"),
    path("text-size/", views.choose_text_size, name="text_size"),
]
