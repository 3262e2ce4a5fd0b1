from django.urls import path

from harborlight.cases import views

app_name = "cases"
urlpatterns: list = []
