"""Find phone numbers in normalised text, including obfuscated ones.

Steps, all on the :mod:`normalise`-d view:

1. **Blank what is not a phone.** Dates, clock times, prices, percentages (``100%``),
   ``24/7``, heights (``5'6``, ``5ft4``), weights (``125lbs``), bust and cup sizes (``36b``,
   ``34C-24-36``), ages and durations (``24yo``, ``2 hrs``) are overwritten with letters of
   the same length, so they can neither join a number nor be read as one, and spans hold.
2. **Atoms.** Digit runs; whole words made of number words in English or Spanish, with the
   homophones of obfuscated ads (``for80``, ``nine1six``, ``oh won too``, ``treinta``);
   ``o``/``i``/``l`` glued to a digit (``2o2``, ``o143``, ``555-oloo``) and other leetspeak
   letters only *between* two digits; keypad letters written in capitals between digit
   groups (``916-KJL-0123``). Letters are read as digits only inside such a phone-shaped
   context, never across measurement units, sizes or prices.
3. **Runs.** Atoms separated only by punctuation, emoji and spaces (at most one line
   break), or by a lone ``x`` between digits, are chained into runs.
4. **Readings.** A run is read as written, and also with each digit-then-its-own-word pair
   (``9nine1one``) counted once and ``!`` read as 1 where the run shows those habits.
   ``hundred`` and tens words are resolved (``sixty one nine`` -> 619).
5. **Windows.** Inside a reading, every window of consecutive items with a plausible length
   is validated by ``phonenumbers`` for the default region. A North American number must
   also be *grouped* like one: when it is written as two or more digit groups, the groups
   must fall on the 3-3-4 boundaries, so a rate line or a trailing ``420`` never becomes
   part of it. Non-overlapping windows are chosen by dynamic programming (most numbers,
   then well grouped, then leftmost...).
6. **Split numbers.** Runs left without a number that look like its parts (an area code,
   then the remaining seven digits a few words later) are joined and validated once more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import phonenumbers

from harborlight.screening import resources

_PLAIN_SEPARATORS = frozenset(" -().+")
_KEYPAD = {letter: str(digit) for digit, letters in enumerate(
    ["", "", "abc", "def", "ghi", "jkl", "mno", "pqrs", "tuv", "wxyz"]) for letter in letters}


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
    kind: str  # "digit", "word", "tens", "hundred", "leet" or "keypad"
    alternative: str | None = None  # "LLL": keypad 555, or leetspeak 111


# -- step 1: blank what is not a phone --------------------------------------------------------

_NOT_PHONE = re.compile(
    r"(?<!\d)(?=[\d$])(?:"
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"                        # 2026-11-23
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?!\d)"       # 11/23/26, 36-24-36
    r"|\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?"         # 10:30 pm
    r"|\$\s?\d{1,5}(?:[.,]\d{2})?"                          # $80
    r"|\d{1,5}\s?(?:\$|usd\b|dollars\b|dolares\b|roses\b)"  # 80 roses
    r"|\d+(?:\.\d+)?\s?%"                                   # 100%
    r"|24\s?/\s?7"                                          # 24/7
    r"|\d\s?['’′]\s?\d{1,2}(?:\s?(?:[\"”″]|''))?"           # 5'6"
    r"|\d\s?(?:ft|feet|foot)\.?\s?\d{0,2}(?:\s?(?:in|inches)\b)?"   # 5ft4
    r"|\d{2,3}\s?(?:lbs?|pounds?|kgs?|kilos?)\b"            # 125lbs
    r"|\d{2}\s?(?:[a-h]|dd|ddd)(?![^\W\d_])"                 # 36b, 34dd
    r"|\d{1,3}\s?(?:hrs?|hours?|mins?|minutes?|yo|y/o|yrs?|years?|am|pm|años)\b"
    r")(?!\d)"
    r"|\bsize\s?\d{1,2}\b")


def blank_non_phones(text: str) -> str:
    """Overwrite dates, times, prices, measurements, percentages and durations with ``q``.

    Same length, so spans in the result are spans in ``text``.
    """
    return _NOT_PHONE.sub(lambda match: "q" * len(match.group()), text)


# -- steps 2 and 3: atoms and runs ------------------------------------------------------------

@lru_cache(maxsize=None)
def _vocabulary() -> tuple[re.Pattern, dict[str, tuple[str, str]], str]:
    data = resources.numbers()
    words: dict[str, tuple[str, str]] = {}
    for section, kind in (("units", "word"), ("teens", "word"), ("tens", "tens"),
                          ("hundreds", "hundred")):
        for word, value in data[section].items():
            words[word] = (kind, value)
    alternation = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    connectors = "|".join(map(re.escape, data["connectors"]))
    gap_after_tens = re.compile(rf"[\W_]{{0,3}}(?:{connectors})?[\W_]{{0,3}}")
    return gap_after_tens, words, alternation


_SPLIT_CACHE: dict[str, list[tuple[str, str]] | None] = {}


def _split_words(run: str) -> list[tuple[str, str]] | None:
    """Split a letter run made of number words into ``(kind, digits)`` pieces."""
    if run in _SPLIT_CACHE:
        return _SPLIT_CACHE[run]
    _gap, words, alternation = _vocabulary()
    pieces = re.findall(alternation, run)
    result = [words[piece] for piece in pieces] if "".join(pieces) == run else None
    if len(_SPLIT_CACHE) < 100_000:
        _SPLIT_CACHE[run] = result
    return result


_GAP = re.compile(r"[\W_]{0,12}|\s?x\s?")


def _joins(gap: str, previous: _Item, gap_after_tens: re.Pattern) -> bool:
    """Whether two atoms with ``gap`` between them belong to one run."""
    if _GAP.fullmatch(gap) and gap.count("\n") <= 1 and gap.count(" ") <= 4:
        return True
    return previous.kind == "tens" and bool(gap_after_tens.fullmatch(gap))


_TOKENS = re.compile(r"\d+|[^\W\d_]+|!+")
_LEET_01 = {"o": "0", "i": "1", "l": "1"}


def _keypad_item(word: str, start: int, end: int, original: str | None,
                 origin: tuple[int, ...] | None) -> _Item | None:
    """Keypad letters count only when written in capitals and not an everyday word.

    A group of ``o``, ``i`` and ``l`` between digit groups is leetspeak first
    (``555-oloo``, ``555-OIIO``), with the keypad reading as the alternative.
    """
    leet = "".join(_LEET_01.get(letter, "") for letter in word)
    leet = leet if len(leet) == len(word) else None
    raw = (original[origin[start]:origin[end - 1] + 1] if origin else original[start:end]) \
        if original is not None else word
    if not raw.isupper() or word in resources.common_words():
        return _Item(leet, start, end, "leet") if leet else None
    keypad = "".join(_KEYPAD[letter] for letter in word)
    if leet and "L" not in raw:  # O and I look like 0 and 1; a capital L does not
        return _Item(leet, start, end, "leet", keypad)
    return _Item(keypad, start, end, "keypad", leet)


def _letter_items(word: str, start: int, end: int, text: str, original: str | None,
                  origin: tuple[int, ...] | None) -> list[_Item]:
    """A short run of letters (not number words) as leetspeak or keypad letters."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    after_group = after in "-. " and text[end + 1:end + 2].isdigit()
    before_group = before in "-. " and start >= 2 and text[start - 2] in "0123456789)"
    if 3 <= len(word) <= 4 and word.isascii() and before_group and after_group:
        item = _keypad_item(word, start, end, original, origin)  # 916-KJL-0123
        return [item] if item is not None else []
    if len(word) <= 4 and all(letter in _LEET_01 for letter in word):
        glued = before.isdigit() or after.isdigit() or after == "!"
        if (glued and len(word) <= 3) or (before_group and len(word) >= 2):
            return [_Item("".join(_LEET_01[c] for c in word), start, end, "leet")]
    if len(word) == 1 and before.isdigit() and after.isdigit():
        digit = resources.numbers()["leet_digits"].get(word)
        if digit is not None:  # 5e5: leetspeak only between two digits
            return [_Item(digit, start, end, "leet")]
    return []


def _atoms(text: str, original: str | None, origin: tuple[int, ...] | None
           ) -> list[list[_Item]]:
    """Items of each atom, in order (an atom of number words gives several items).

    The text is cut into runs of digits, of letters and of ``!``; each run is then
    classified with a look at the characters around it (dictionary look-ups, cached),
    which is several times faster than one regular expression trying every number word
    at every position. Words longer than four letters that are not number words are
    passed over at once: most of an ad.
    """
    atoms: list[list[_Item]] = []
    cache = _SPLIT_CACHE
    for match in _TOKENS.finditer(text):
        token = match.group()
        start, end = match.span()
        first = token[0]
        if first.isdigit():
            atoms.append([_Item(token, start, end, "digit")])
        elif first == "!":  # "43! 555": a 1, or the end of a sentence
            if start and text[start - 1] in "0123456789oil" and not (
                    end < len(text) and text[end] in "0123456789oil"):
                last = min(end, start + 3)
                atoms.append([_Item("1", at, at + 1, "leet", "") for at in range(start, last)])
        else:
            pieces = cache[token] if token in cache else _split_words(token)
            if pieces is not None:
                atoms.append([_Item(value, start, end, kind) for kind, value in pieces])
            elif len(token) <= 4:
                items = _letter_items(token, start, end, text, original, origin)
                if items:
                    atoms.append(items)
    return atoms


def _runs(text: str, original: str | None = None,
          origin: tuple[int, ...] | None = None) -> list[list[_Item]]:
    gap_after_tens, _words, _alt = _vocabulary()
    runs: list[list[_Item]] = []
    current: list[_Item] = []
    for items in _atoms(text, original, origin):
        if current and not _joins(text[current[-1].end:items[0].start], current[-1],
                                  gap_after_tens):
            runs.append(current)
            current = []
        current.extend(items)
    if current:
        runs.append(current)
    return runs


# -- step 4: readings -------------------------------------------------------------------------

def _collapse_doubles(items: list[_Item]) -> tuple[list[_Item], float]:
    """``9nine1one6six`` -> 9, 1, 6; also the share of items that were such pairs."""
    merged: list[_Item] = []
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if (following is not None and following.start <= item.end + 1
                and len(item.digits) == 1 and item.digits == following.digits
                and {item.kind, following.kind} == {"digit", "word"}):
            merged.append(replace(item, end=following.end, kind="word"))
            index += 2
            continue
        merged.append(item)
        index += 1
    return merged, 2 * (len(items) - len(merged)) / max(len(items), 1)


def _resolve_hundreds(items: list[_Item]) -> list[_Item]:
    """'nine hundred sixteen' -> 916, 'nine hundred six' -> 906, 'nine hundred' -> 900.

    A 'hundred' without a digit before it is dropped: "a hundred" is not part of a number.
    """
    resolved: list[_Item] = []
    for index, item in enumerate(items):
        if item.kind != "hundred":
            resolved.append(item)
            continue
        previous = resolved[-1] if resolved else None
        if previous is None or len(previous.digits) != 1 or previous.end < item.start - 3:
            continue
        filled = _digits_after_hundred(items, index)
        resolved[-1] = replace(previous, end=item.end, kind="word")
        if filled < 2:
            resolved.append(_Item("0" * (2 - filled), item.start, item.end, "word"))
    return resolved


def _digits_after_hundred(items: list[_Item], index: int) -> int:
    """How many of the two places after 'hundred' the words that follow it fill.

    'four hundred zero eight' fills both (408); 'nine hundred six, ...' one (906): more
    than one character between two words (a comma and a space) ends the number phrase.
    """
    filled, position = 0, items[index].end
    for item in items[index + 1:]:
        if filled >= 2 or item.start - position > 1:
            break
        filled += 2 if item.kind == "tens" else len(item.digits)
        position = item.end
    return min(filled, 2)


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


def _readings(run: list[_Item]) -> list[tuple[int, list[_Item]]]:
    """Readings of a run with their rank, the likeliest first (rank 0).

    Digit-then-its-own-word pairs (``9nine``) are read once when most of the run is
    written that way, and twice otherwise (``6sixnine`` is 669); items with another
    reading (keypad or leetspeak capitals, a ``!`` after a digit) are read both ways, at
    the same rank.
    """
    collapsed, paired = _collapse_doubles(run)
    bases = [run] if paired == 0 else [collapsed, run] if paired >= 0.75 else [run, collapsed]
    readings = []
    for rank, base in enumerate(bases):
        readings.append((rank, base))
        if any(item.alternative is not None for item in base):
            readings.append((rank, _alternative(base)))
    return [(rank, _resolve_tens(_resolve_hundreds(items))) for rank, items in readings]


def _alternative(items: list[_Item]) -> list[_Item]:
    """Each ambiguous item in its other reading ("" drops it: a ``!`` as punctuation)."""
    return [replace(item, digits=item.alternative) if item.alternative else item
            for item in items if item.alternative != ""]


_BANGS = re.compile(r"(?<=[\doil])!+(?=[\doil])")
_DIGITS_BEFORE = re.compile(r"\d*$")
_DIGITS_AFTER = re.compile(r"\d*")


def read_bangs_as_ones(text: str) -> str:
    """``9!6``, ``O!23``, ``5!O`` -> ``!`` is a 1; ``202!555!0143`` -> it separates groups.

    A ``!`` between digits and ``o``/``i``/``l`` counts as 1 when a lookalike letter
    touches it or when it stands between two single digits. Same length: spans hold.
    """
    if "!" not in text:
        return text
    pieces = list(text)
    for match in _BANGS.finditer(text):
        start, end = match.span()
        left, right = text[start - 1], text[end]
        single_digits = (len(_DIGITS_BEFORE.search(text, max(start - 4, 0), start).group()) == 1
                         and len(_DIGITS_AFTER.match(text, end).group()) == 1)
        if left in "oil" or right in "oil" or single_digits:
            pieces[start:end] = ["1"] * (end - start)
    return "".join(pieces)


# -- step 5: windows --------------------------------------------------------------------------

@lru_cache(maxsize=262_144)
def _valid_e164(digits: str, region: str) -> str | None:
    """E.164 form of ``digits`` if ``phonenumbers`` says it is valid; cached (hot path)."""
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if e164.startswith("+1") and len(e164) != 12:
        return None
    return e164


@lru_cache(maxsize=65_536)
def _in_region(e164: str, region: str) -> bool:
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) == region


def _nanp_grouped(window: list[_Item], e164: str) -> bool:
    """A North American number written in digit groups must be grouped 3-3-4.

    Every group of two or more digits written apart (with separators on both sides) must
    sit inside one part of the number (area code, exchange, line) or cover whole parts
    (``5550123``). Single digits, number words, leetspeak and digits glued to words
    (``5501four``) say nothing about grouping. ``+1``/``1`` in front is skipped.
    """
    if not e164.startswith("+1"):
        return True
    total = sum(len(item.digits) for item in window)
    position = total - 10  # digits of the country code written in front
    boundaries = {0, 3, 6, 10}
    for index, item in enumerate(window):
        first, last = position, position + len(item.digits)
        position = last
        glued = (index > 0 and window[index - 1].end == item.start) or (
            index + 1 < len(window) and window[index + 1].start == item.end)
        if item.kind != "digit" or len(item.digits) < 2 or last <= 0 or glued:
            continue
        inside = {b for b in boundaries if first < b < last}
        if inside and not (first in boundaries and last in boundaries):
            return False
    return True


def _windows(items: list[_Item], text: str, region: str, original: str | None,
             origin: tuple[int, ...] | None) -> dict[int, list[tuple]]:
    """Valid windows by first item: ``(last item, score, match)``; see :func:`_best_windows`."""
    windows: dict[int, list[tuple]] = {}
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
            if e164 is None or not _nanp_grouped(window, e164):
                continue
            tricks = sum(1 for item in window if item.kind != "digit")
            widest_gap = max((b.start - a.end for a, b in zip(window, window[1:])
                              if b.start - a.end > 2), default=0)
            breaks = text.count("\n", start, end)
            separators = len({text[a.end:b.start] for a, b in zip(window, window[1:])})
            explicit = 1 if digits.startswith("+") else 0
            obscured = tricks > 0 or _looks_obscured(text, start, end, original, origin)
            windows.setdefault(first, []).append(
                (last, (1, explicit, -breaks, -separators, -widest_gap, length, -tricks),
                 PhoneMatch(e164, start, end, obscured)))
    return windows


_NOTHING = (0, 0, 0, 0, 0, 0, 0)


def _best_windows(items: list[_Item], text: str, region: str, original: str | None,
                  origin: tuple[int, ...] | None) -> tuple[tuple, list[PhoneMatch]]:
    """Choose non-overlapping valid windows, scored in this order: most numbers, most
    explicit ``+`` country codes, fewest line breaks crossed, fewest kinds of separator
    (a number is written with one or two), narrowest wide separators crossed, most
    digits, fewest tricks; on a tie the leftmost window wins (what follows a number is
    more often a ``420`` or a rate than what precedes it).

    Counting numbers first matters when two numbers are written back to back ("... 0143 /
    312 ..."): one long window across both can also be valid (a leading 1 reads as the
    country code) but explains less of the run. Line breaks keep the rate line above a
    number out of it.
    """
    windows = _windows(items, text, region, original, origin)
    if not windows:
        return _NOTHING, []
    best: list[tuple[tuple, list[PhoneMatch]]] = [(_NOTHING, [])] * (len(items) + 1)
    for first in range(len(items) - 1, -1, -1):
        choice = best[first + 1]
        for last, score, match in windows.get(first, []):
            rest_score, rest = best[last + 1]
            total = tuple(a + b for a, b in zip(score, rest_score))
            if total >= choice[0]:
                choice = (total, [match, *rest])
        best[first] = choice
    return best[0]


# -- step 6: numbers split across the text -----------------------------------------------------

_SPLIT_SHAPES = ((3, 7), (3, 3, 4), (6, 4))
_SPLIT_REACH = 48  # characters of words allowed between two parts


def _part(run: list[_Item], size: int, at_end: bool) -> list[_Item] | None:
    """The whole digit items at the end (or start) of ``run`` that hold ``size`` digits."""
    items = run[::-1] if at_end else run
    taken: list[_Item] = []
    count = 0
    for item in items:
        if item.kind != "digit" or count >= size:
            break
        taken.append(item)
        count += len(item.digits)
    if count != size:
        return None
    return taken[::-1] if at_end else taken


def _split_numbers(leftovers: list[list[_Item]], region: str) -> list[PhoneMatch]:
    """Join consecutive left-over runs shaped like an area code and the rest of a number:
    ``916 is my area code, then 555-0123``. Parts are whole digit groups at the end of
    the first run and the start of the next ones, at most a few words apart."""
    found: list[PhoneMatch] = []
    leftovers = list(leftovers)
    index = 0
    while index < len(leftovers):
        match = None
        for shape in _SPLIT_SHAPES:
            runs = leftovers[index:index + len(shape)]
            if len(runs) < len(shape):
                continue
            parts = [_part(runs[0], shape[0], at_end=True)] + [
                _part(run, size, at_end=False) for run, size in zip(runs[1:], shape[1:])]
            if any(part is None for part in parts) or any(
                    b[0].start - a[-1].end > _SPLIT_REACH for a, b in zip(parts, parts[1:])):
                continue
            e164 = _valid_e164("".join(i.digits for part in parts for i in part), region)
            if e164 is not None and e164.startswith("+1"):
                match = PhoneMatch(e164, parts[0][0].start, parts[-1][-1].end, True)
                # what follows the last part may start the next number
                leftovers[index + len(shape) - 1] = runs[-1][len(parts[-1]):]
                index += len(shape) - 1
                break
        if match is None:
            index += 1
        else:
            found.append(match)
        while index < len(leftovers) and not leftovers[index]:
            index += 1
    return found


# -- the step -----------------------------------------------------------------------------------

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
        written plainly or obscured (unusual separators, lookalike characters) and to see
        capitals (keypad letters).
    """
    blanked = read_bangs_as_ones(blank_non_phones(text))
    found: list[PhoneMatch] = []
    leftovers: list[list[_Item]] = []
    for run in _runs(blanked, original, origin):
        if sum(len(item.digits) for item in run) < 3:
            continue
        best: list[PhoneMatch] = []
        best_score: tuple = (False,)
        for rank, reading in _readings(run):
            if sum(len(item.digits) for item in reading) >= 7:
                _score, matches = _best_windows(reading, text, region, original, origin)
                # the likelier reading that finds a number, then more numbers, then more
                # in the default region; on a full tie the first reading stays
                score = (bool(matches), -rank, len(matches),
                         sum(_in_region(m.e164, region) for m in matches))
                if matches and score > best_score:
                    best, best_score = matches, score
        if best:
            found.extend(best)
        else:
            leftovers.append(run)
    found.extend(_split_numbers(leftovers, region))
    return sorted(found, key=lambda match: match.start)


def _looks_obscured(text: str, start: int, end: int, original: str | None,
                    origin: tuple[int, ...] | None) -> bool:
    if original is not None and origin is not None:
        raw = original[origin[start]:origin[end - 1] + 1]
    else:
        raw = text[start:end]
    return any(not (char.isascii() and (char.isdigit() or char in _PLAIN_SEPARATORS))
               for char in raw)
