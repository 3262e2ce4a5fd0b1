"""Read an input table and find out which layout it is in.

Accepted: CSV, plain or gzipped (detected from the content, not the file name), in the
CTDC 2021 layout (37 columns), the CTDC 2024 layout (27 variables), or with HTCDS v2.0
field names (plus Harborlight's consent column). Everything is read as text: codes such
as ``09--17`` or ``1`` must survive untouched, and an empty cell means "missing".
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from harborlight.sharing.consent import CONSENT_FIELD
from harborlight.sharing.datafiles import LAYOUTS, load_layout, load_mapping
from harborlight.sharing.errors import InputProblems

_GZIP_MAGIC = b"\x1f\x8b"


def read_table(path: str | Path) -> pd.DataFrame:
    """Read ``path`` (CSV, optionally gzipped) as strings; raise :class:`InputProblems`."""
    path = Path(path)
    if not path.is_file():
        raise InputProblems([f"input file {path} does not exist or is not a file"])
    with path.open("rb") as handle:
        compressed = handle.read(2) == _GZIP_MAGIC
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                            compression="gzip" if compressed else None,
                            encoding="utf-8-sig")
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as exc:
        raise InputProblems([f"{path.name} is not a UTF-8 CSV file ({exc.__class__.__name__})"])
    except pd.errors.EmptyDataError:
        raise InputProblems([f"{path.name} is empty: no header and no records"])
    except (pd.errors.ParserError, csv.Error) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise InputProblems([f"{path.name} is not a readable CSV file: {first_line}"])
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ";".join(_value_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def frame_from_records(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build a text table from dicts keyed by HTCDS field names (the database path).

    Lists (multiselect picklists) become ``;``-separated text, dates ISO text, booleans
    ``true``/``false``, ``None`` an empty cell, as if the records came from a CSV.
    """
    rows = [{str(k): _value_text(v) for k, v in record.items()} for record in records]
    frame = pd.DataFrame(rows, dtype=str)
    return frame.fillna("")


def detect_layout(columns: Iterable[str]) -> tuple[str | None, list[str]]:
    """Return (layout name, problems) for a header.

    A header is in a CTDC layout when it has every column of it (the consent column may be
    added); it is HTCDS when it has at least one field the HTCDS mappings read. Columns
    that belong to no layout are reported, since a typo there silently empties a field.
    """
    header = [c for c in columns]
    present = set(header)
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        return None, [f"column(s) listed twice in the header: {', '.join(dupes)}"]
    extra_allowed = {CONSENT_FIELD}
    best: tuple[int, str, list[str]] | None = None
    for name in reversed(LAYOUTS):  # prefer 2024 when both would fit
        layout = load_layout(name)
        expected = set(layout.names)
        aliased = {layout.column_aliases.get(c, c) for c in present}
        missing = sorted(expected - aliased)
        unknown = sorted(aliased - expected - extra_allowed)
        if not missing and not unknown:
            return name, []
        score = len(expected & aliased)
        if best is None or score > best[0]:
            best = (score, name, [f"missing column(s) {', '.join(missing)}" if missing else "",
                                  f"unknown column(s) {', '.join(unknown)}" if unknown else ""])
    htcds_fields = set(load_mapping("htcds", "ctdc-2024")["source_fields"]) | set(
        load_mapping("htcds", "ctdc-2021")["source_fields"]) | {"vic_Methods_of_Control"}
    if present & htcds_fields:
        return "htcds", []
    assert best is not None
    score, name, details = best
    if score == 0:
        return None, ["the header matches no known layout (CTDC 2021, CTDC 2024 or HTCDS "
                      "field names); first columns: " + ", ".join(header[:5])]
    return None, [f"the header looks like {name} but has " +
                  " and ".join(d for d in details if d)]


def normalise_header(frame: pd.DataFrame, layout: str) -> pd.DataFrame:
    """Apply the layout's column aliases (e.g. ``meansWithholdDocuments``)."""
    if layout not in LAYOUTS:
        return frame
    aliases = load_layout(layout).column_aliases
    return frame.rename(columns={k: v for k, v in aliases.items() if k in frame.columns})
