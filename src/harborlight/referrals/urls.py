from django.urls import path

from harborlight.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.directory, name="directory"),
]
