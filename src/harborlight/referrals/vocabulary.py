"""The directory's picklists, read from ``data/directory_vocabulary.json``.

It holds the codes and labels of services, populations and languages: data, not code.
The words for HTCDS fields (what a survivor consented to share) come from the one
vocabulary every page uses, :mod:`harborlight.vocab.words`.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from django.utils.translation import get_language


@functools.cache
def _load(name: str) -> dict:
    text = resources.files("harborlight.referrals").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


def _labels(kind: str) -> dict[str, str]:
    """code -> label in the reader's language (each value holds "en" and "es" side by side;
    English when the language has none)."""
    language = (get_language() or "en").split("-")[0]
    return {code: words.get(language) or words["en"]
            for code, words in _load("directory_vocabulary.json")[kind].items()}


def codes_by_label(kind: str) -> dict[str, str]:
    """Every label of ``kind``, English and Spanish, casefolded -> code (for imports)."""
    return {label.casefold(): code
            for code, words in _load("directory_vocabulary.json")[kind].items()
            for label in words.values()}


def services() -> dict[str, str]:
    return _labels("services")


def populations() -> dict[str, str]:
    return _labels("populations")


def languages() -> dict[str, str]:
    return _labels("languages")


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a form, in label order."""
    table = {"services": services, "populations": populations, "languages": languages}[kind]()
    return sorted(table.items(), key=lambda item: item[1])

