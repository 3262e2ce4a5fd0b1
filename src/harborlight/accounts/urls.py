from django.urls import path

from harborlight.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/enrol/", views.enrol, name="enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/reset-two-factor/", views.reset_two_factor,
         name="reset_two_factor"),
    path("users/<int:user_id>/unlock/", views.unlock, name="unlock"),
]
