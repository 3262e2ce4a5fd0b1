from django.urls import path

from harborlight.accounts import views

app_name = "accounts"
urlpatterns: list = []
