"""``{% load words %}``: HTCDS fields and codes in the words people read.

The filters are thin: the words are :mod:`harborlight.vocab.words`, one vocabulary for
every page.

- ``{{ name|field_label }}``: "prs_FirstName" -> "First name";
- ``{{ value|value_label:name }}``: "ForcedLabour" -> "Forced labour" (lists joined);
- ``{{ code|country_name }}``: "MEX" -> "Mexico" / "México";
- ``{{ names|in_words }}``: "Who they are: first name, last name. Contact details: ...";
- ``{% for name, value in fields|in_field_order %}``: a record's fields in the form's order.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from harborlight.vocab import words

register = template.Library()


@register.filter
def field_label(name: str) -> str:
    return words.field_label(name)


@register.filter
def value_label(value, name: str) -> str:
    return words.value_label(name, value)


@register.filter
def country_name(code) -> str:
    """``{{ "MEX"|country_name }}``: "Mexico" (or "México" in Spanish)."""
    return words.country_name(code)


@register.filter
def in_field_order(fields: dict) -> list:
    """A shared record's ``{name: value}`` in the order the consent form lists fields."""
    order = {name: number for number, name in enumerate(words.offered_fields())}
    return sorted((fields or {}).items(), key=lambda item: order.get(item[0], len(order)))


@register.filter
def in_words(names) -> str:
    """Field names as one sentence per group, or "nothing personal" for none."""
    described = words.in_words(list(names or []))
    if not described:
        return gettext("Nothing personal (only that a referral is made)")
    parts = []
    for group, labels in described:
        listed = ", ".join(labels)
        parts.append(f"{group}: {listed}" if group else listed)
    return ". ".join(parts) + "."
