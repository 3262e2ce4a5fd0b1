"""Extract contact identifiers and stated facts from normalised ads, each with its span.

Spans are character offsets ``[start, end)`` in the *original* ad text (title, newline,
body), so a reviewer can highlight exactly what fired. Contact identifiers are kept only as
keyed hashes plus masked display forms (see :mod:`contacts`); the raw value is kept in
memory only when the caller asks for it (``reveal_contacts``) and is never persisted.

Handles are read only beside a platform name that stands as a whole word ("IG: mia_22",
"add my snap mia_22", "@mia_22"), never from a platform name glued inside a word
("ignored", "instantly", "lineups"), and an everyday word after a platform name ("snap
today", "instagram for fun") is not a handle unless it is written with ``@`` or after an
explicit marker such as ``:``.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

from harborlight.screening import contacts, places, resources
from harborlight.screening.errors import ConfigProblem
from harborlight.screening.normalise import NormalisedText, normalise
from harborlight.screening.phones import find_phones

_EMAIL = re.compile(
    r"(?<![\w.+-])([a-z0-9][a-z0-9._+-]{0,40})\s*(?:@|\(at\)|\[at\]|\{at\}|\s at\s)\s*"
    r"([a-z0-9-]{1,40}(?:(?:\.|\s*(?:\(dot\)|\[dot\]|\{dot\})\s*|\sdot\s)[a-z0-9-]{1,40}){1,3})"
)
_TLDS = frozenset("com net org edu gov mil int info biz name pro mobi app dev io xyz online "
                  "site club live me email mail".split())
_DOT = re.compile(r"\s*(?:\(dot\)|\[dot\]|\{dot\}|\sdot\s|\.)\s*")
# Platform names that are not everyday words, and those that are (or abbreviate one).
PLATFORMS = ("instagram", "insta", "snapchat", "kik", "telegram", "twitter", "tiktok",
             "onlyfans", "wickr", "whatsapp")
AMBIGUOUS_PLATFORMS = ("ig", "snap", "sc", "tg", "line", "wa")
_PLATFORM = re.compile(
    r"(?<![a-z0-9_@.])(" + "|".join(sorted(PLATFORMS + AMBIGUOUS_PLATFORMS, key=len,
                                            reverse=True)) + r")(?![a-z0-9_])")
# after the platform name: markers, arrows and a few filler words, then the handle
_AFTER_PLATFORM = re.compile(
    r"(?P<lead>(?:\s|[:=\-–>➡→⇒👉⬇•|]|\b(?:me|at|on|is|id|name|user|username|handle)\b)*)"
    r"(?P<at>@?)(?P<handle>[a-z0-9_][a-z0-9_.]{2,29})(?![a-z0-9_])")
_EXPLICIT = re.compile(r"[:=\-–>➡→⇒👉⬇]|\b(?:is|id|name|user|username|handle)\b")
_HANDLE_AT = re.compile(r"(?<![\w.@])@([a-z_][a-z0-9_.]{2,29})")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_AGE = re.compile(
    r"\b(?:(?:age|edad|aged)\s*[:=]?\s*(\d{2})\b"
    r"|(\d{2})\s*(?:yo\b|y/o|y\.o\.|yrs?\b|years?\b|años|anos\b))"
)
_PRICE = re.compile(r"\$\s?(\d{2,4})\b|\b(\d{2,4})\s?(?:\$|usd\b|dollars\b|dolares\b|roses\b)")
_NAME = re.compile(
    r"\b(?:my name is|i am|i'm|ask for|call me|me llamo|soy|name:)\s+([^\W\d_]{3,14})\b"
)
_NOT_NAMES = frozenset(
    "available here new back ready the your very open now looking waiting in town hiring "
    "from only just not so a an sweet friendly nueva disponible una".split())


def check_region(region: str) -> str:
    """Return ``region`` upper-cased if ``phonenumbers`` knows it; raise otherwise."""
    code = (region or "").upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigProblem(f"unknown phone region {region!r} (use an ISO code such as US)")
    return code


class Extractor:
    """Pipeline step: identifiers, ages, prices, places and names with spans.

    Parameters
    ----------
    key : bytes
        HMAC key for contact hashes (at least 16 bytes).
    region : str
        Default region for phone numbers written without a country code.
    reveal_contacts : bool
        Keep the raw contact values in memory for output (never persisted).
    """

    def __init__(self, *, key: bytes = b"", region: str = "US", reveal_contacts: bool = False):
        self.key = key
        self.region = region
        self.reveal_contacts = reveal_contacts

    def transform(self, ads: list[dict]) -> list[dict]:
        """Set ``ad["extracted"]`` for every ad that went through :class:`Normaliser`."""
        key = contacts.check_key(self.key)
        region = check_region(self.region)
        for ad in ads:
            ad["extracted"] = extract(ad, ad["view"], key=key, region=region,
                                      reveal_contacts=self.reveal_contacts)
        return ads


def _identifier(key: bytes, kind: str, value: str, span: tuple[int, int] | None,
                reveal: bool, obscured: bool = False) -> dict[str, Any]:
    entry = {"kind": kind, "hash": contacts.identifier_hash(key, kind, value),
             "masked": contacts.MASKERS[kind](value), "span": span, "obscured": obscured}
    if reveal:
        entry["value"] = value
    return entry


def extract(ad: dict, view: NormalisedText, *, key: bytes, region: str,
            reveal_contacts: bool = False) -> dict[str, Any]:
    """Everything the later stages need from one ad; see the module docstring.

    Returns a dict with ``identifiers`` (kind, keyed hash, masked form, span, obscured
    flag, and the value only with ``reveal_contacts``), ``ages``, ``prices``, ``places``
    (see :mod:`places`), ``phone_states``, ``names`` and ``masked_text``.
    """
    masks: list[tuple[int, int, str]] = []
    numbers: list[str] = []
    identifiers = _contacts(ad, view, key, region, reveal_contacts, masks, numbers)
    for field, kind in (("phone", "phone"), ("email", "email"), ("image_hash", "image")):
        identifiers.extend(_field_identifiers(ad.get(field), kind, key, region,
                                              reveal_contacts, numbers))
    ages = _stated_numbers(_AGE, view, masks, "<age>", lambda value: 12 <= value <= 80)
    prices = _stated_numbers(_PRICE, view, masks, "<price>", lambda value: True)
    names = _names(view, ad["text"], masks)
    phone_states = sorted(places.phone_states(numbers))
    mentions = _places(ad, view, names, masks)
    return {"identifiers": identifiers, "ages": ages, "prices": prices, "places": mentions,
            "phone_states": phone_states, "names": names,
            "masked_text": _mask(view.text, masks)}


def _contacts(ad: dict, view: NormalisedText, key: bytes, region: str, reveal: bool,
              masks: list[tuple[int, int, str]], numbers: list[str]) -> list[dict[str, Any]]:
    """Phones, emails, handles and URLs written in the ad's text (E.164 into ``numbers``)."""
    text, original = view.text, ad["text"]
    identifiers: list[dict[str, Any]] = []
    for phone in find_phones(text, region, original=original, origin=view.origin):
        numbers.append(phone.e164)
        identifiers.append(_identifier(key, "phone", phone.e164,
                                       view.original_span(phone.start, phone.end),
                                       reveal, phone.obscured))
        masks.append((phone.start, phone.end, "<phone>"))
    for local, domain, start, end, obscured in _emails(text):
        identifiers.append(_identifier(key, "email", f"{local}@{domain}",
                                       view.original_span(start, end), reveal, obscured))
        masks.append((start, end, "<email>"))
    for handle, start, end, masked_start in _handles(text, [(s, e) for s, e, _ in masks]):
        identifiers.append(_identifier(key, "handle", handle,
                                       view.original_span(start, end), reveal))
        masks.append((masked_start, end, "<handle>"))
    for match in _URL.finditer(original):
        url = match.group(0).rstrip(".,;)").lower()
        identifiers.append(_identifier(key, "url", url, match.span(), reveal))
    return identifiers


def _emails(text: str) -> list[tuple[str, str, int, int, bool]]:
    """Emails, plain or spelled out; the domain must end in a real top-level domain, so a
    handle such as "insta @its.mia" is not read as an email."""
    if not ("@" in text or "(at)" in text or "[at]" in text or "{at}" in text or (
            " at " in text and " dot " in text)):
        return []
    found = []
    for match in _EMAIL.finditer(text):
        domain = _DOT.sub(".", match.group(2))
        tld = domain.rsplit(".", 1)[-1]
        if not (tld in _TLDS or (len(tld) == 2 and tld.isalpha())):
            continue
        obscured = "@" not in match.group(0) or "dot" in match.group(2)
        found.append((match.group(1), domain, match.start(), match.end(), obscured))
    return found


def _handles(text: str, taken: list[tuple[int, int]]) -> list[tuple[str, int, int, int]]:
    """Handles as ``(handle, start, end, start of what to mask)``; see the module docstring."""
    found: list[tuple[str, int, int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(start < e and end > s for s, e in taken)

    for platform in _PLATFORM.finditer(text):
        after = _AFTER_PLATFORM.match(text, platform.end())
        if after is None or not free(*after.span("handle")):
            continue
        handle = after.group("handle").rstrip(".")
        if _is_handle(handle, platform.group(1), bool(after.group("at")),
                      bool(_EXPLICIT.search(after.group("lead")))):
            found.append((handle, after.start("handle"), after.end("handle"), platform.start()))
            taken.append((platform.start(), after.end("handle")))
    if "@" in text:
        for match in _HANDLE_AT.finditer(text):
            if free(*match.span()):
                found.append((match.group(1).rstrip("."), match.start(1), match.end(1),
                              match.start()))
                taken.append(match.span())
    return found


def _is_handle(word: str, platform: str, at_sign: bool, explicit: bool) -> bool:
    """Whether the word after a platform name is a handle (see the module docstring)."""
    if at_sign:
        return True
    handle_shaped = any(char.isdigit() or char in "_." for char in word)
    if word in resources.common_words() and not handle_shaped:
        return False
    return explicit or handle_shaped or platform in PLATFORMS


def _stated_numbers(pattern: re.Pattern, view: NormalisedText,
                    masks: list[tuple[int, int, str]], placeholder: str,
                    plausible) -> list[dict[str, Any]]:
    found = []
    for match in pattern.finditer(view.text):
        value = int(match.group(1) or match.group(2))
        if plausible(value):
            found.append({"value": value, "span": view.original_span(*match.span())})
            masks.append((match.start(), match.end(), placeholder))
    return found


def _names(view: NormalisedText, original: str,
           masks: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    names = []
    for match in _NAME.finditer(view.text):
        start, end = view.original_span(*match.span(1))
        word = match.group(1)
        if word in _NOT_NAMES or not original[start:start + 1].isupper():
            continue
        names.append({"value": word, "span": (start, end)})
        masks.append((match.start(1), match.end(1), "<name>"))
    return names


def _places(ad: dict, view: NormalisedText, names: list[dict[str, Any]],
            masks: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """Towns in the location field and the text, settled as far as the ad's own evidence
    goes (:func:`places.settle`); the engine settles the rest with the batch."""
    location = normalise(str(ad.get("location") or "")).text
    towns, location_states = places.location_states(location)
    stated_states = places.text_states(view.text)
    evidence = [("location", location_states), ("text", stated_states)]
    mentions = [places.settle(town, None, None, evidence) for town in towns]
    mentions += [places.state_mention(code) for code in sorted(stated_states)]
    skip = [name["span"] for name in names]
    for name, (start, end), span, stated in places.find_mentions(
            view.text, ad["text"], view.original_span, skip=skip):
        mentions.append(places.settle(name, span, stated, evidence))
        masks.append((start, end, "<place>"))
    return [{"name": m.name, "state": m.state, "resolved_by": m.resolved_by,
             "candidates": list(m.candidates), "span": m.span} for m in mentions]


def _field_identifiers(value: Any, kind: str, key: bytes, region: str,
                       reveal: bool, numbers: list[str]) -> list[dict[str, Any]]:
    """Identifiers from optional structured fields (``phone``, ``email``, ``image_hash``)."""
    if value is None or value == "":
        return []
    values = value if isinstance(value, list) else str(value).split(";")
    found = []
    for raw in values:
        raw = str(raw).strip()
        if not raw:
            continue
        if kind == "phone":
            view = normalise(raw)
            for phone in find_phones(view.text, region):
                numbers.append(phone.e164)
                found.append(_identifier(key, "phone", phone.e164, None, reveal))
        elif kind == "email":
            found.append(_identifier(key, "email", normalise(raw).text, None, reveal))
        else:
            found.append(_identifier(key, "image", raw.lower(), None, reveal))
    return found


_DIGITS = re.compile(r"\d+")


def _mask(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace extracted spans with placeholders so that templates compare structure."""
    pieces: list[str] = []
    position = 0
    for start, end, label in sorted(spans):
        if start < position:
            continue
        pieces.append(text[position:start])
        pieces.append(f" {label} ")
        position = end
    pieces.append(text[position:])
    return _DIGITS.sub(" <num> ", "".join(pieces))
