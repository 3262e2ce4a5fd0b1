"""Checks on free text from the public and from staff, shared by forms and the API.

Text is stored as text: HTML or script in a narrative is kept verbatim and escaped when
shown. What is refused, with a message that says why, is text that cannot be stored
faithfully: NUL and other control characters, and lone surrogates (invalid Unicode that
JSON can smuggle in as ``"\\ud800"``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from harborlight.formats.text import CONTROL_CHARACTERS

NARRATIVE_MAX = 10_000
SHORT_TEXT_MAX = 500
MESSAGE_MAX = 5_000


def text_problem(value: str) -> str | None:
    """A sentence saying what is wrong with ``value``, or None when it can be stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return str(_("The text contains invalid characters (broken Unicode). Please retype it."))
    if CONTROL_CHARACTERS.search(value):
        return str(_("The text contains control characters. Please remove them."))
    return None


def validate_text(value: str) -> None:
    problem = text_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_text")
