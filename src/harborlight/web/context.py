"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

from harborlight import __version__
from harborlight.security.permissions import can

# (url name, label, action) for the main navigation; shown only where allowed.
NAVIGATION = [
    ("web:dashboard", "Dashboard", "dashboard.view"),
    ("cases:list", "Cases", "case.view"),
    ("cases:tasks", "My tasks", "case.view"),
    ("intake:list", "Tips", "tip.view"),
    ("referrals:list", "Referrals", "referral.view"),
    ("referrals:directory", "Service directory", "provider.view"),
    ("insights:dashboard", "Insights", "insights.view"),
    ("insights:screening", "Ad screening", "screening.run"),
    ("accounts:users", "Users", "user.manage"),
    ("security:break_glass_review", "Break-glass review", "breakglass.review"),
    ("audit:log", "Audit trail", "audit.view"),
]


def navigation(request: HttpRequest) -> dict:
    context = {"HARBORLIGHT_VERSION": __version__, "navigation": []}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_verified():
        context["navigation"] = [(name, label) for name, label, action in NAVIGATION
                                 if can(user, action)]
    return context
