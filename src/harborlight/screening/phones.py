"""Find phone numbers in normalised text, including obfuscated ones.

Steps, all on the :mod:`normalise`-d view:

1. Find *atoms*: digit runs; letter runs made only of number words in English or Spanish
   ("for80", "2sixseven", "one9zerofor", "treinta"); short leetspeak runs glued to a
   digit ("2o2", "o143"); and whole groups of 0/1 lookalikes after a digit group
   ("555-oloo"). A letter run is an atom only as a whole word made of number
   words, so "someone" or "phone" never turn into digits.
2. Chain atoms separated by at most four separator characters (spaces, ``* . ! / | -``
   and so on) into *runs*.
3. Inside a run, every window of consecutive digit items whose length is plausible is
   parsed with ``phonenumbers`` for the default region; valid numbers compete, the longest
   and least leet-dependent win, and chosen windows never overlap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from harborlight.screening import resources

_LETTER = r"[^\W\d_]"
_PLAIN_SEPARATORS = frozenset(" -().+")


@dataclass(frozen=True, slots=True)
class PhoneMatch:
    """A phone number found in normalised text: E.164, span in the view, obfuscation flag."""

    e164: str
    start: int
    end: int
    obscured: bool


@dataclass(slots=True)
class _Item:
    digits: str
    start: int
    end: int
    kind: str  # "digit", "word", "leet" or "tens"


@lru_cache(maxsize=None)
def _patterns() -> tuple[re.Pattern, re.Pattern, dict[str, tuple[str, str]], str]:
    data = resources.numbers()
    words: dict[str, tuple[str, str]] = {}
    for word, value in data["units"].items():
        words[word] = ("word", value)
    for word, value in data["teens"].items():
        words[word] = ("word", value)
    for word, value in data["tens"].items():
        words[word] = ("tens", value)
    alternation = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    leet = "".join(sorted(data["leet_digits"]))
    atom = re.compile(
        rf"(?P<digits>\d+)"
        rf"|(?<!{_LETTER})(?P<words>(?:{alternation})+)(?!{_LETTER})"
        rf"|(?<=\d)(?P<leet_after>[{leet}]{{1,3}})(?!{_LETTER})"
        rf"|(?<!{_LETTER})(?P<leet_before>[{leet}]{{1,3}})(?=\d)"
        # a whole group of 0/1 lookalikes right after a digit group: "555-oloo"
        rf"|(?<=\d[-. ])(?P<leet_group>[oli]{{2,4}})(?!{_LETTER})"
    )
    connectors = "|".join(map(re.escape, data["connectors"]))
    gap_after_tens = re.compile(rf"[\W_]{{0,3}}(?:{connectors})?[\W_]{{0,3}}")
    return atom, gap_after_tens, words, alternation


_SPLIT_CACHE: dict[str, list[tuple[str, str]] | None] = {}


def _split_words(run: str) -> list[tuple[str, str]] | None:
    """Split a letter run made of number words into ``(kind, digits)`` pieces."""
    if run in _SPLIT_CACHE:
        return _SPLIT_CACHE[run]
    _atom, _gap, words, alternation = _patterns()
    pieces = re.findall(alternation, run)
    result = [words[piece] for piece in pieces] if "".join(pieces) == run else None
    if len(_SPLIT_CACHE) < 100_000:
        _SPLIT_CACHE[run] = result
    return result


_GAP = re.compile(r"[\W_]{0,4}")
# Dates, clock times and prices are digit runs that must never join a phone number.
_NOT_PHONE = re.compile(
    r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
    r"|\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?|\$\s?\d{1,5}(?:[.,]\d{2})?"
    r"|\d{1,5}\s?(?:\$|usd\b|dollars\b))(?!\d)")


def _blank_non_phones(text: str) -> str:
    """Overwrite dates, times and prices with letters (same length, so spans hold)."""
    if not any(mark in text for mark in "-/.:$") and "usd" not in text and "dollar" not in text:
        return text
    return _NOT_PHONE.sub(lambda match: "x" * len(match.group()), text)


def _runs(text: str) -> list[list[_Item]]:
    atom, gap_after_tens, _words, _alt = _patterns()
    leet_map = resources.numbers()["leet_digits"]
    runs: list[list[_Item]] = []
    current: list[_Item] = []
    last_end = -1
    for match in atom.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "digits":
            items = [_Item(match.group(), start, end, "digit")]
        elif kind == "words":
            pieces = _split_words(match.group())
            if pieces is None:
                continue
            items = [_Item(value, start, end, piece_kind) for piece_kind, value in pieces]
        else:
            items = [_Item("".join(leet_map[c] for c in match.group()), start, end, "leet")]
        if current:
            gap = text[last_end:start]
            joined = _GAP.fullmatch(gap) or (
                current[-1].kind == "tens" and gap_after_tens.fullmatch(gap))
            if not joined:
                runs.append(current)
                current = []
        current.extend(items)
        last_end = end
    if current:
        runs.append(current)
    return runs


def _resolve_tens(items: list[_Item]) -> list[_Item]:
    """'twenty' + 'two' -> '22'; 'twenty' alone -> '20'."""
    resolved: list[_Item] = []
    index = 0
    while index < len(items):
        item = items[index]
        if item.kind == "tens":
            following = items[index + 1] if index + 1 < len(items) else None
            if following is not None and following.kind == "word" and len(following.digits) == 1 \
                    and following.digits != "0":
                resolved.append(_Item(item.digits + following.digits, item.start,
                                      following.end, "word"))
                index += 2
                continue
            resolved.append(_Item(item.digits + "0", item.start, item.end, "word"))
        else:
            resolved.append(item)
        index += 1
    return resolved


def find_phones(text: str, region: str, *, original: str | None = None,
                origin: tuple[int, ...] | None = None) -> list[PhoneMatch]:
    """Return valid phone numbers in normalised ``text``, E.164, left to right.

    Parameters
    ----------
    text : str
        Normalised text (see :func:`harborlight.screening.normalise.normalise`).
    region : str
        ISO 3166 region used for numbers written without a country code.
    original, origin : optional
        The original text and the view's origin map, used to tell whether a number was
        written plainly or obscured (unusual separators, lookalike characters).
    """
    found: list[PhoneMatch] = []
    for run in _runs(_blank_non_phones(text)):
        items = _resolve_tens(run)
        if sum(len(item.digits) for item in items) < 7:
            continue
        found.extend(_best_windows(items, text, region, original, origin))
    return found


def _best_windows(items: list[_Item], text: str, region: str, original: str | None,
                  origin: tuple[int, ...] | None) -> list[PhoneMatch]:
    """Choose non-overlapping valid windows: most numbers, then most explicit ``+`` country
    codes, then the narrowest wide separators crossed, then most digits, then fewest tricks.

    Counting numbers first matters when two numbers are written back to back ("... 0143 /
    312 ..."): one long window across both can also be valid (a leading 1 reads as the
    country code) but explains less of the run. Preferring narrow separators keeps a stray
    digit before " / " out of the number that follows it.
    """
    windows: dict[int, list[tuple[int, int, int, PhoneMatch]]] = {}
    for first in range(len(items)):
        length = 0
        for last in range(first, len(items)):
            length += len(items[last].digits)
            if length > 15:
                break
            if length < 7:
                continue
            window = items[first:last + 1]
            digits = "".join(item.digits for item in window)
            start, end = window[0].start, window[-1].end
            if start > 0 and text[start - 1] == "+":
                digits, start = "+" + digits, start - 1
            e164 = _valid_e164(digits, region)
            if e164 is None:
                continue
            tricks = sum(1 for item in window if item.kind != "digit")
            widest_gap = max((b.start - a.end for a, b in zip(window, window[1:])
                              if b.start - a.end > 2), default=0)
            explicit = 1 if digits.startswith("+") else 0
            obscured = tricks > 0 or _looks_obscured(text, start, end, original, origin)
            windows.setdefault(first, []).append(
                (last, length, tricks, widest_gap, explicit,
                 PhoneMatch(e164, start, end, obscured)))
    if not windows:
        return []
    # best[i]: (numbers, explicit country codes, -wide separators crossed, digits, -tricks)
    # and the chosen matches for items[i:]
    best: list[tuple[tuple[int, int, int, int, int], list[PhoneMatch]]] = [
        ((0, 0, 0, 0, 0), [])] * (len(items) + 1)
    for first in range(len(items) - 1, -1, -1):
        choice = best[first + 1]
        for last, length, tricks, gap, explicit, match in windows.get(first, []):
            (count, pluses, gaps, digits, penalty), rest = best[last + 1]
            score = (count + 1, pluses + explicit, gaps - gap, digits + length,
                     penalty - tricks)
            if score > choice[0]:
                choice = (score, [match, *rest])
        best[first] = choice
    return best[0][1]


@lru_cache(maxsize=262_144)
def _valid_e164(digits: str, region: str) -> str | None:
    """E.164 form of ``digits`` if ``phonenumbers`` says it is valid; cached (hot path)."""
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _looks_obscured(text: str, start: int, end: int, original: str | None,
                    origin: tuple[int, ...] | None) -> bool:
    if original is not None and origin is not None:
        raw = original[origin[start]:origin[end - 1] + 1]
    else:
        raw = text[start:end]
    return any(not (char.isascii() and (char.isdigit() or char in _PLAIN_SEPARATORS))
               for char in raw)
