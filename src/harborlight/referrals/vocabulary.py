"""The directory's picklists and the HTCDS field names, read from ``data/``.

``directory_vocabulary.json`` holds the codes and labels of services, populations and
languages; ``htcds_fields.json`` the HTCDS v2.0 field names and labels (CC BY 4.0, IOM),
used to name and label what a survivor consented to share. Both are data, not code.
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


@functools.cache
def htcds_fields() -> dict[str, dict[str, str]]:
    """HTCDS field name -> {"label", "section"}, in the standard's order."""
    return {item["field"]: {"label": item["label"], "section": item["section"]}
            for item in _load("htcds_fields.json")["fields"]}


def htcds_label(field: str) -> str:
    return htcds_fields().get(field, {}).get("label", field)
