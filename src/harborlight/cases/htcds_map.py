"""Where each HTCDS v2.0 field lives in Harborlight: ``cases/data/htcds_map.json``.

The map is data so that it can be read, reviewed and tested as a whole: every field of
the standard must have exactly one home (a model and a field), and a ``kind`` that says
how flat files (Excel, CSV, JSON) read and write it. Rows of a flat file carry the case
and its person; the other sections (events, support plans, comments, organisation) are
records of their own, exported as lists in JSON.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from harborlight.vocab.loader import (VocabularyError, check_entry, htcds_fields,
                                      htcds_names, parse_document)

KINDS = {"text", "date", "int", "float", "bool", "code", "codes", "countries", "user"}
ROW_MODELS = ("cases.Case", "cases.Person")


@dataclass(frozen=True)
class Home:
    htcds: str
    model: str
    field: str
    kind: str


def parse_map(text: str) -> dict[str, Home]:
    body = parse_document(text, "cases/data/htcds_map.json", "harborlight-htcds-map", "map")
    if not isinstance(body, dict):
        raise VocabularyError("htcds_map.json: 'map' must be an object")
    known = htcds_names()
    homes = {}
    for name, entry in body.items():
        check_entry(entry, {"model": str, "field": str, "kind": str}, f"map entry {name}")
        if name not in known or known[name]["field"] != name:
            raise VocabularyError(f"htcds_map.json: {name} is not an HTCDS field name")
        if entry["kind"] not in KINDS:
            raise VocabularyError(f"htcds_map.json: {name} has unknown kind {entry['kind']!r}")
        homes[name] = Home(name, entry["model"], entry["field"], entry["kind"])
    return homes


@functools.cache
def htcds_map() -> dict[str, Home]:
    text = resources.files("harborlight.cases").joinpath("data/htcds_map.json").read_text(
        "utf-8")
    return parse_map(text)


def row_fields() -> list[Home]:
    """The fields a flat-file row carries (case and person), in the standard's order."""
    homes = htcds_map()
    return [homes[f["field"]] for f in htcds_fields()
            if f["field"] in homes and homes[f["field"]].model in ROW_MODELS]
