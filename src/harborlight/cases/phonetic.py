"""Phonetic keys for finding the same person spelled differently (duplicate detection).

A small, dependency-free key in the spirit of Soundex and Metaphone, tuned for the names
this field meets (English and Spanish spellings): accents are dropped, common digraphs
are folded (PH->F, CK->K, QU->K, GH->G), C before E/I/Y sounds as S, V as B, Z as S,
J as H and soft G as J; an initial vowel, H, J or Y is one class; vowels after the first letter and repeated codes are dropped.
``key("Marisol Quintero")`` equals ``key("Marizol Kintero")``.

Keys are never stored in the clear: they feed a keyed blind index (see
:class:`harborlight.security.fields.BlindIndexField`), so the database holds an HMAC only.
"""

from __future__ import annotations

import re
import unicodedata

_FOLDS = [("PH", "F"), ("CK", "K"), ("QU", "K"), ("GH", "G"), ("SCH", "S"),
          ("SH", "X"), ("CH", "X"), ("TH", "T"), ("KN", "N"), ("WR", "R")]
_SOFT_C = re.compile(r"C(?=[EIY])")
_SOFT_G = re.compile(r"G(?=[EI])")
_MAP = str.maketrans({"C": "K", "Q": "K", "V": "B", "W": "B", "Z": "S", "Y": "I", "J": "H",
                      "D": "T", "X": "S"})
VOWELS = set("AEIOU")


def word_key(word: str, length: int = 6) -> str:
    text = unicodedata.normalize("NFKD", word)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    text = re.sub(r"[^A-Z]", "", text)
    if not text:
        return ""
    for old, new in _FOLDS:
        text = text.replace(old, new)
    text = _SOFT_G.sub("J", _SOFT_C.sub("S", text)).translate(_MAP)
    # An initial vowel, H, J or Y is one sound class: Hernández/Ernández, Yesenia/Jesenia.
    out = ["A" if text[0] in VOWELS | {"H", "J"} else text[0]]
    for ch in text[1:]:
        if ch == "H":  # silent inside a word
            continue
        if ch in VOWELS:
            out.append("")  # a vowel separates repeats, as in Soundex
            continue
        if out[-1] != ch:
            out.append(ch)
    return "".join(out)[:length]


def name_key(*parts: str) -> str:
    """One key for a full name: each word's key, in order, joined by spaces."""
    words = [w for part in parts if part for w in re.split(r"[\s\-']+", part) if w]
    return " ".join(k for k in (word_key(w) for w in words) if k)
