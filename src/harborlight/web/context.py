"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

from django.utils.translation import gettext_lazy as _

from harborlight import __version__
from harborlight.notifications.models import Notice
from harborlight.security.permissions import can

# (url name, label, action) for the main navigation; shown only where allowed.
NAVIGATION = [
    ("web:dashboard", _("Dashboard"), "dashboard.view"),
    ("cases:list", _("Cases"), "case.view"),
    ("cases:tasks", _("My tasks"), "case.view"),
    ("intake:list", _("Tips"), "tip.view"),
    ("referrals:list", _("Referrals"), "referral.view"),
    ("referrals:directory", _("Service directory"), "provider.view"),
    ("insights:dashboard", _("Insights"), "insights.view"),
    ("insights:screening", _("Ad screening"), "screening.run"),
    ("insights:export", _("De-identified export"), "share.export"),
    ("accounts:users", _("Users"), "user.manage"),
    ("cases:vocabulary", _("Vocabularies"), "catalog.manage"),
    ("intake:own_indicators", _("Indicators"), "catalog.manage"),
    ("fieldintake:forms", _("Field intake"), "catalog.manage"),
    ("accounts:approvals", _("Approvals"), "user.approve"),
    ("security:break_glass_review", _("Break-glass review"), "breakglass.review"),
    ("audit:log", _("Audit trail"), "audit.view"),
]


def navigation(request: HttpRequest) -> dict:
    """The menu the user's role allows, and how many notices wait for them (the count
    in the header, linking to the dashboard where they are listed)."""
    context = {"HARBORLIGHT_VERSION": __version__, "navigation": [], "notice_count": 0}
    user = getattr(request, "user", None)
    # A bearer-token request's user has no second-factor wrapper (is_verified): the
    # error pages it may meet show no menu rather than failing.
    verified = getattr(user, "is_verified", None)
    if user is not None and user.is_authenticated and verified is not None and verified():
        context["navigation"] = [(name, label) for name, label, action in NAVIGATION
                                 if can(user, action)]
        context["notice_count"] = Notice.objects.for_user(user).waiting().count()
    return context
