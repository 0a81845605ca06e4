from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/second-factor/", views.second_factor, name="second_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("home/", views.home, name="home"),
    path("account/", views.account, name="account"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_token, name="token_revoke"),
    path("account/users/<int:user_id>/second-factor/reset/", views.reset_second_factor,
         name="second_factor_reset"),
    path("language/", views.choose_language, name="language"),
    path("text-size/", views.choose_text_size, name="text_size"),
]
