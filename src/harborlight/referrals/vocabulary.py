"""The directory's picklists, read from ``data/directory_vocabulary.json``.

It holds the codes and labels of services, populations and languages: data, not code.
HTCDS field names and labels (what a survivor consented to share) come from the one
HTCDS vocabulary, :mod:`harborlight.vocab.loader`.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from harborlight.vocab.loader import htcds_names


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


def htcds_label(field: str) -> str:
    entry = htcds_names().get(field)
    return entry["label"] if entry else field
