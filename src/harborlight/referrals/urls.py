from django.urls import path

from harborlight.referrals import views

app_name = "referrals"
urlpatterns: list = []
