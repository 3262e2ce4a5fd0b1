"""The directory's picklists, read from ``data/directory_vocabulary.json``.

It holds the codes and labels of services, populations and languages: data, not code.
The words for HTCDS fields (what a survivor consented to share) come from the one
vocabulary every page uses, :mod:`harborlight.vocab.words`.
"""

from __future__ import annotations

import functools
import json
from importlib import resources


@functools.cache
def _load(name: str) -> dict:
    text = resources.files("harborlight.referrals").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


def services() -> dict[str, str]:
    return dict(_load("directory_vocabulary.json")["services"])


def populations() -> dict[str, str]:
    return dict(_load("directory_vocabulary.json")["populations"])


def languages() -> dict[str, str]:
    return dict(_load("directory_vocabulary.json")["languages"])


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a form, in label order."""
    table = {"services": services, "populations": populations, "languages": languages}[kind]()
    return sorted(table.items(), key=lambda item: item[1])

