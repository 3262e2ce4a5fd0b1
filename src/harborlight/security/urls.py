from django.urls import path

from harborlight.security import views

app_name = "security"
urlpatterns: list = []
