"""The global comparison layer: the public CTDC release beside the organisation's figures.

``harborlight insights load-ctdc FILE`` reads a public CTDC release (the 2021 37-column or
the v2024 27-column layout, plain or gzipped), converts it to the v2024 layout with the
sharing engine's mapping, and stores it in the data folder as
``insights/ctdc-global.csv.gz`` with ``ctdc-global.json`` beside it (source, rows, date).
Pages read that file once per process. The data is already de-identified and public;
cite it as "Counter Trafficking Data Collaborative, IOM" and never try to re-identify.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from harborlight.sharing.errors import InputProblems
from harborlight.sharing.datafiles import load_layout
from harborlight.sharing.mapping import clean_ctdc, convert
from harborlight.sharing.reading import detect_layout, normalise_header, read_table

TARGET_LAYOUT = "ctdc-2024"
ATTRIBUTION = "Counter Trafficking Data Collaborative, IOM"


@dataclass(frozen=True)
class Comparison:
    frame: pd.DataFrame
    source: str
    rows: int
    loaded_at: str


def comparison_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "insights"


def load_ctdc(path: str | Path, data_dir: Path) -> Comparison:
    """Convert a public CTDC file and store it as the comparison layer; return it.

    Raises :class:`InputProblems` (from the sharing engine) listing what is wrong with the
    file; nothing is written then.
    """
    frame = read_table(path)
    layout, problems = detect_layout(frame.columns)
    if problems or layout not in ("ctdc-2021", "ctdc-2024"):
        raise InputProblems(problems or ["the comparison layer takes a CTDC release, not "
                                         "HTCDS records"])
    if frame.empty:
        raise InputProblems(["the file has a header but no records"])
    frame = normalise_header(frame, layout)
    problems = []
    if layout == TARGET_LAYOUT:
        converted = clean_ctdc(frame, load_layout(layout), problems)
    else:
        converted = convert(frame, layout, TARGET_LAYOUT, problems)
    if problems:
        raise InputProblems(problems)
    folder = comparison_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"source": Path(path).name, "layout": layout, "rows": int(len(converted)),
            "loaded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "attribution": ATTRIBUTION}
    _write_atomically(folder / "ctdc-global.csv.gz",
                      lambda tmp: converted.to_csv(tmp, index=False, compression="gzip"))
    _write_atomically(folder / "ctdc-global.json",
                      lambda tmp: Path(tmp).write_text(json.dumps(meta, indent=2)))
    _cache.clear()
    return Comparison(converted, meta["source"], meta["rows"], meta["loaded_at"])


def _write_atomically(target: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_cache: dict[tuple, Comparison] = {}
_lock = threading.Lock()


def current_comparison(data_dir: Path) -> Comparison | None:
    """The stored comparison layer, or None if none was loaded; cached per file version."""
    folder = comparison_dir(data_dir)
    data_file, meta_file = folder / "ctdc-global.csv.gz", folder / "ctdc-global.json"
    if not (data_file.is_file() and meta_file.is_file()):
        return None
    key = (str(data_file), data_file.stat().st_mtime_ns)
    with _lock:
        if key not in _cache:
            meta = json.loads(meta_file.read_text())
            frame = pd.read_csv(data_file, dtype=str, keep_default_na=False, na_filter=False,
                                compression="gzip")
            _cache.clear()
            _cache[key] = Comparison(frame, meta["source"], meta["rows"], meta["loaded_at"])
        return _cache[key]
