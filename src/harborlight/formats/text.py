"""Which characters text may hold, and how text is written into exported cells.

One rule for every input (forms, the API, imports) and every export:

- ``CONTROL_CHARACTERS``: C0 controls other than tab, line feed and carriage return, and
  DEL. Input holding one is refused (``harborlight.intake.text``, the web middleware,
  HTCDS imports); exports escape one as ``\\x07`` instead of failing (:func:`escaped`).
- Spreadsheet cells (:func:`spreadsheet_text`): a text starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is a formula to Excel and LibreOffice ("CSV
  injection"), so CSV exports prefix it with an apostrophe; numbers and phone numbers
  ("-12", "+1 312-555-0123", a masked "+1-XXX-XXX-XX43") stay as they are. XLSX exports
  store such values as text cells instead (no prefix needed). Imports take the
  apostrophe off again (:func:`from_spreadsheet`), so an export reads back unchanged.
"""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_OR_PHONE = re.compile(r"[+-]?[\dX][\dX ().\-/;,+]*")


def escaped(value: str) -> str:
    """``value`` with each control character written as ``\\xNN`` (visible, never lost)."""
    return CONTROL_CHARACTERS.sub(lambda found: f"\\x{ord(found.group()):02x}", value)


def is_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) and not _NUMBER_OR_PHONE.fullmatch(value)


def spreadsheet_text(value):
    """A CSV cell: control characters escaped, a would-be formula prefixed with ``'``."""
    if not isinstance(value, str):
        return value
    value = escaped(value)
    return f"'{value}" if is_formula(value) else value


def from_spreadsheet(value):
    """Undo :func:`spreadsheet_text`'s apostrophe on a value read from a CSV file."""
    if isinstance(value, str) and value.startswith("'") and is_formula(value[1:]):
        return value[1:]
    return value
