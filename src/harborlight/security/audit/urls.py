from django.urls import path

from harborlight.security.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("verify/", views.verify_chain, name="verify"),
]
