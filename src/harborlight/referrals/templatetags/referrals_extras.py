"""Template filters for the directory and referral pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def label(code, table: dict) -> str:
    """``{{ code|label:labels.services }}``: the label of a code, or the code itself."""
    return (table or {}).get(code, code)


@register.filter
def labels(codes, table: dict) -> str:
    """``{{ provider.services|labels:labels.services }}``: labels joined by commas."""
    return ", ".join((table or {}).get(code, code) for code in (codes or []))
