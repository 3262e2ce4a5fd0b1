"""Security pages under /security/ (namespace "security") and the auditors' pages under
/audit/ (namespace "audit"); both lists are included by :mod:`harborlight.web.urls`."""

from django.urls import path

from harborlight.security import views

app_name = "security"
urlpatterns = [
    path("break-glass/", views.request_access, name="break_glass"),
    path("break-glass/review/", views.break_glass_review, name="break_glass_review"),
    path("break-glass/review/<int:grant_id>/", views.mark_reviewed, name="mark_reviewed"),
]

audit_urlpatterns = [
    path("", views.audit_log, name="log"),
    path("verify/", views.verify_chain, name="verify"),
]
