from django.urls import path

from harborlight.web import views

app_name = "web"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
