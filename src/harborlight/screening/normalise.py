"""Normalise ad text so that obfuscated contacts and cue words can be matched.

The normalised view is lower case, NFKC, with lookalike letters (Cyrillic, Greek, small
capitals) folded to Latin, invisible characters dropped, and every Unicode decimal digit
(Arabic-Indic, circled, keycap, mathematical bold ...) written as an ASCII digit. Spelled-out
numbers and leetspeak are *not* rewritten here: doing so over free text turns "someone" or
"as" into digits. They are resolved only inside candidate contact runs, by
:mod:`harborlight.screening.numbers`.

Every character of the normalised text remembers which character of the original it came
from, so a span found in the normalised text maps back to the original ad::

    >>> view = normalise("Ｃall ２０２·555·０1４3")
    >>> view.text
    'call 202·555·0143'
    >>> view.original_span(5, 17)
    (5, 17)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from harborlight.screening import resources

__all__ = ["NormalisedText", "normalise", "Normaliser"]


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A normalised string and, for non-identity mappings, each character's origin."""

    text: str
    origin: tuple[int, ...] | None  # None: character i came from original character i

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)`` in :attr:`text` back to the original string."""
        if self.origin is None:
            return start, end
        if start >= end:
            position = self.origin[start] if start < len(self.origin) else (
                self.origin[-1] + 1 if self.origin else 0)
            return position, position
        return self.origin[start], self.origin[end - 1] + 1


class _CharTable:
    """Per-character replacements, computed once per distinct character and cached."""

    def __init__(self) -> None:
        data = resources.confusables()
        self._letters: dict[str, str] = data["letters"]
        self._digits: dict[str, str] = data["digit_lookalikes"]
        self._drop = frozenset(data["zero_width"])
        self._cache: dict[str, str] = {}

    def __call__(self, char: str) -> str:
        cached = self._cache.get(char)
        if cached is None:
            cached = self._compute(char)
            self._cache[char] = cached
        return cached

    def _compute(self, char: str) -> str:
        if char in self._drop:
            return ""
        if char in self._digits:
            return self._digits[char]
        digit = unicodedata.digit(char, None)
        if digit is not None:
            return str(digit)
        composed = unicodedata.normalize("NFKC", char)
        if len(composed) == 1 and unicodedata.category(composed) == "Mn":
            return ""  # a stray combining mark carries no letter of its own
        # Capitals first: Greek capital Nu imitates N although its small form imitates v.
        pieces = [self._letters.get(piece) or self._letters.get(piece.lower(), piece.lower())
                  for piece in composed]
        return "".join(pieces)


_TABLE: _CharTable | None = None


def _table() -> _CharTable:
    global _TABLE
    if _TABLE is None:
        _TABLE = _CharTable()
    return _TABLE


def normalise(text: str) -> NormalisedText:
    """Return the normalised view of ``text`` with its character origins.

    ASCII text takes a fast path (lower-casing keeps offsets), which matters at a million
    ads: most ads need no mapping at all.
    """
    if text.isascii():
        return NormalisedText(text.lower(), None)
    table = _table()
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        replacement = table(char)
        if replacement:
            pieces.append(replacement)
            origin.extend([index] * len(replacement))
    return NormalisedText("".join(pieces), tuple(origin))


class Normaliser:
    """Pipeline step: add the normalised view of ``title`` and ``body`` to each ad.

    Parameters
    ----------
    fields : tuple of str
        Text fields joined (with a newline) into the text that is screened.
    """

    def __init__(self, *, fields: tuple[str, ...] = ("title", "body")):
        self.fields = fields

    def transform(self, ads: list[dict]) -> list[dict]:
        """Set ``ad["text"]`` (joined original text) and ``ad["view"]`` for every ad."""
        for ad in ads:
            text = "\n".join(str(ad.get(field) or "") for field in self.fields)
            ad["text"] = text
            ad["view"] = normalise(text)
        return ads
