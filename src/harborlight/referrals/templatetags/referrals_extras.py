"""Template filters for the directory and referral pages."""

from __future__ import annotations

from django import template

from harborlight.referrals.models import ReferralKind
from harborlight.security.permissions import can

register = template.Library()


@register.filter
def label(code, table: dict) -> str:
    """``{{ code|label:labels.services }}``: the label of a code, or the code itself."""
    return (table or {}).get(code, code)


@register.filter
def labels(codes, table: dict) -> str:
    """``{{ provider.services|labels:labels.services }}``: labels joined by commas."""
    return ", ".join((table or {}).get(code, code) for code in (codes or []))


@register.inclusion_tag("referrals/_case_referrals.html", takes_context=True)
def case_referrals(context, case) -> dict:
    """``{% case_referrals case %}`` on a case page: its referrals and transfers, with
    links to refer or transfer it when the user may."""
    user = context["request"].user
    return {"case": case, "referrals": list(case.referrals_out.all()[:50]),
            # A missing reverse one-to-one raises a subclass of AttributeError.
            "transferred_from": getattr(case, "transferred_from", None),
            "can_refer": can(user, ReferralKind.REFERRAL.send_action, case),
            "can_transfer": can(user, ReferralKind.TRANSFER.send_action, case)}
