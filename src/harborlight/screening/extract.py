"""Extract contact identifiers and stated facts from normalised ads, each with its span.

Spans are character offsets ``[start, end)`` in the *original* ad text (title, newline,
body), so a reviewer can highlight exactly what fired. Contact identifiers are kept only as
keyed hashes plus masked display forms (see :mod:`contacts`); the raw E.164 number is kept
in memory only when the caller asks for it (``reveal_contacts``) and is never persisted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import phonenumbers

from harborlight.screening import contacts, resources
from harborlight.screening.errors import ConfigProblem
from harborlight.screening.normalise import NormalisedText, normalise
from harborlight.screening.phones import find_phones

_EMAIL = re.compile(
    r"(?<![\w.+-])([a-z0-9][a-z0-9._+-]{0,40})\s*(?:@|\(at\)|\[at\]|\{at\}|\s at\s)\s*"
    r"([a-z0-9-]{1,40}(?:(?:\.|\s*(?:\(dot\)|\[dot\]|\{dot\})\s*|\sdot\s)[a-z0-9-]{1,40}){1,3})"
)
_DOT = re.compile(r"\s*(?:\(dot\)|\[dot\]|\{dot\}|\sdot\s|\.)\s*")
_HANDLE_PLATFORM = re.compile(
    r"\b(?:ig|insta|instagram|snap|snapchat|kik|telegram|tg|twitter|tiktok|onlyfans|wickr|line)"
    r"\s*[:=\-]?\s*@?([a-z0-9_][a-z0-9_.]{2,29})"
)
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

HANDLE_PLATFORMS = ("ig", "insta", "instagram", "snap", "snapchat", "kik", "telegram", "tg")


@lru_cache(maxsize=None)
def _place_pattern() -> tuple[re.Pattern, dict[str, dict[str, str]]]:
    rows = {row["name"]: row for row in resources.places()}
    alternation = "|".join(sorted(map(re.escape, rows), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b"), rows


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
        Keep the raw E.164 numbers in memory for output (never persisted).
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
    """Everything the later stages need from one ad; see the module docstring."""
    text, original = view.text, ad["text"]
    spans_to_mask: list[tuple[int, int, str]] = []
    identifiers: list[dict[str, Any]] = []

    for phone in find_phones(text, region, original=original, origin=view.origin):
        identifiers.append(_identifier(key, "phone", phone.e164,
                                       view.original_span(phone.start, phone.end),
                                       reveal_contacts, phone.obscured))
        spans_to_mask.append((phone.start, phone.end, "<phone>"))
    has_email = "@" in text or "(at)" in text or "[at]" in text or "{at}" in text or (
        " at " in text and " dot " in text)
    for match in (_EMAIL.finditer(text) if has_email else ()):
        local, domain = match.group(1), _DOT.sub(".", match.group(2))
        obscured = "@" not in match.group(0) or "dot" in match.group(2)
        identifiers.append(_identifier(key, "email", f"{local}@{domain}",
                                       view.original_span(*match.span()), reveal_contacts,
                                       obscured))
        spans_to_mask.append((match.start(), match.end(), "<email>"))
    masked_so_far = [(start, end) for start, end, _ in spans_to_mask]
    for pattern in (_HANDLE_PLATFORM, _HANDLE_AT):
        if pattern is _HANDLE_AT and "@" not in text:
            continue
        for match in pattern.finditer(text):
            start, end = match.span(1)
            if any(start < e and end > s for s, e in masked_so_far):
                continue
            handle = match.group(1).rstrip(".")
            identifiers.append(_identifier(key, "handle", handle,
                                           view.original_span(start, end), reveal_contacts))
            spans_to_mask.append((match.start(), match.end(), "<handle>"))
            masked_so_far.append((match.start(), match.end()))
    for match in _URL.finditer(original):
        url = match.group(0).rstrip(".,;)").lower()
        identifiers.append(_identifier(key, "url", url, match.span(), reveal_contacts))
    for field, kind in (("phone", "phone"), ("email", "email"), ("image_hash", "image")):
        identifiers.extend(_field_identifiers(ad.get(field), kind, key, region, reveal_contacts))

    ages: list[dict[str, Any]] = []
    for match in _AGE.finditer(text):
        value = int(match.group(1) or match.group(2))
        if 12 <= value <= 80:
            ages.append({"value": value, "span": view.original_span(*match.span())})
            spans_to_mask.append((match.start(), match.end(), "<age>"))
    prices: list[dict[str, Any]] = []
    for match in _PRICE.finditer(text):
        prices.append({"value": int(match.group(1) or match.group(2)),
                       "span": view.original_span(*match.span())})
        spans_to_mask.append((match.start(), match.end(), "<price>"))
    places: list[dict[str, Any]] = []
    place_pattern, place_rows = _place_pattern()
    location_text = normalise(str(ad.get("location") or "")).text
    for source, source_text in (("text", text), ("location", location_text)):
        for match in place_pattern.finditer(source_text):
            row = place_rows[match.group(0)]
            span = view.original_span(*match.span()) if source == "text" else None
            places.append({"name": row["name"], "kind": row["kind"], "state": row["state"],
                           "span": span})
            if source == "text":
                spans_to_mask.append((match.start(), match.end(), "<place>"))
    names: list[dict[str, Any]] = []
    for match in _NAME.finditer(text):
        start, end = view.original_span(*match.span(1))
        word = match.group(1)
        if word in _NOT_NAMES or not original[start:start + 1].isupper():
            continue
        names.append({"value": word, "span": (start, end)})
        spans_to_mask.append((match.start(1), match.end(1), "<name>"))

    return {"identifiers": identifiers, "ages": ages, "prices": prices, "places": places,
            "names": names, "masked_text": _mask(text, spans_to_mask)}


def _field_identifiers(value: Any, kind: str, key: bytes, region: str,
                       reveal: bool) -> list[dict[str, Any]]:
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
