from django.urls import path

from harborlight.intake import views

app_name = "intake"
urlpatterns: list = []
