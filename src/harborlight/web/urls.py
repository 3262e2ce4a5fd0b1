"""The URL map: one include per domain app."""

from django.urls import include, path

from harborlight.security.urls import audit_urlpatterns
from harborlight.web import views
from harborlight.web.api import api

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("", include("harborlight.web.web_urls")),
    path("accounts/", include("harborlight.accounts.urls")),
    path("cases/", include("harborlight.cases.urls")),
    path("tips/", include("harborlight.intake.urls")),
    path("report/", include("harborlight.intake.public_urls")),
    path("directory/", include("harborlight.referrals.urls")),
    path("security/", include("harborlight.security.urls")),
    path("audit/", include((audit_urlpatterns, "audit"))),
    path("insights/", include("harborlight.insights.urls")),
    path("api/v1/", api.urls),
]

handler400 = "harborlight.web.views.bad_request"
handler403 = "harborlight.web.views.permission_denied"
handler404 = "harborlight.web.views.page_not_found"
handler500 = "harborlight.web.views.server_error"
