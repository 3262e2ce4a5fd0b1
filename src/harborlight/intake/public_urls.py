"""Public pages, mounted at /report/: no sign-in, no cookies."""

from django.urls import path

from harborlight.intake import public_views

app_name = "report"
urlpatterns = [
    path("", public_views.report, name="report"),
    path("follow-up/", public_views.follow_up, name="follow_up"),
]
