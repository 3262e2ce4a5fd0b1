"""Read ads from JSON Lines, CSV or Parquet files in bounded batches.

Fields: ``id`` (required), ``title``, ``body``, ``posted_at``, ``site``, ``location``, and the
optional contact fields ``phone``, ``email`` and ``image_hash`` (several values separated by
``;``). A malformed record (bad JSON, not an object, no ``id``, a CSV row of the wrong
width) is skipped and reported with its file and line number; the run goes on. Files may be
gzipped (``.jsonl.gz``, ``.csv.gz``). Parquet is read one row group batch at a time.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harborlight.screening import extras
from harborlight.screening.errors import InputProblem

FIELDS = ("id", "title", "body", "posted_at", "site", "location", "phone", "email", "image_hash")
_JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}


@dataclass(frozen=True, slots=True)
class Problem:
    """A skipped record: where it was and why."""

    source: str
    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "message": self.message}


def _kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in _JSON_SUFFIXES:
        return "jsonl"
    if last in {".csv", ".tsv"}:
        return "csv"
    if last in {".parquet", ".pq"}:
        return "parquet"
    raise InputProblem(f"{path}: unknown input format (use .jsonl, .csv or .parquet)")


def check_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Fail before any work if an input is missing, unreadable or of an unknown kind."""
    checked = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise InputProblem(f"{path}: no such file")
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise InputProblem(f"{path}: cannot read ({exc.strerror})") from None
        _kind(path)
        checked.append(path)
    if not checked:
        raise InputProblem("no input files given")
    return checked


def _clean(record: dict[str, Any]) -> dict[str, Any] | str:
    """Keep known fields as strings; return an error message for an unusable record."""
    ident = record.get("id")
    if ident is None or str(ident).strip() == "":
        return "missing 'id'"
    clean: dict[str, Any] = {}
    for field in FIELDS:
        value = record.get(field)
        if value is None:
            continue
        if isinstance(value, float) and value != value:  # NaN from CSV/Parquet nulls
            continue
        clean[field] = value if isinstance(value, list) else str(value)
    clean["id"] = str(ident).strip()
    return clean


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace",
                                newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with _open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"invalid JSON ({exc.msg})"
                continue
            if not isinstance(value, dict):
                yield number, "not a JSON object"
                continue
            yield number, _clean(value)


def _iter_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    delimiter = "\t" if ".tsv" in [s.lower() for s in path.suffixes] else ","
    with _open_text(path) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputProblem(f"{path}: unreadable CSV header ({exc})") from None
        header = [name.strip().lstrip("\ufeff") for name in header]
        if "id" not in header:
            raise InputProblem(f"{path}: CSV header has no 'id' column")
        line = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, f"unreadable CSV row ({exc})"
                line = reader.line_num
                continue
            start, line = line + 1, reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield start, f"expected {len(header)} fields, found {len(row)}"
                continue
            yield start, _clean(dict(zip(header, row)))


def _iter_parquet(path: Path, batch_size: int) -> Iterator[tuple[int, dict[str, Any] | str]]:
    pq = extras.parquet()
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise InputProblem(f"{path}: unreadable Parquet ({exc})") from None
    if "id" not in parquet.schema_arrow.names:
        raise InputProblem(f"{path}: Parquet file has no 'id' column")
    columns = [name for name in FIELDS if name in parquet.schema_arrow.names]
    row = 0
    for batch in parquet.iter_batches(batch_size=batch_size, columns=columns):
        for record in batch.to_pylist():
            row += 1
            yield row, _clean(record)


def iter_records(paths: list[Path], batch_size: int = 2000
                 ) -> Iterator[tuple[Path, int, dict[str, Any] | str]]:
    """Yield ``(path, line, record or error message)`` across all inputs in order."""
    for path in paths:
        kind = _kind(path)
        if kind == "jsonl":
            source = _iter_jsonl(path)
        elif kind == "csv":
            source = _iter_csv(path)
        else:
            source = _iter_parquet(path, batch_size)
        try:
            for line, item in source:
                yield path, line, item
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise InputProblem(f"{path}: unreadable ({exc})") from None
        except UnicodeDecodeError as exc:
            raise InputProblem(f"{path}: not UTF-8 text ({exc.reason})") from None


def batches(source: Iterable[tuple[str, int, dict[str, Any] | str]], batch_size: int,
            problems: list[Problem], skip_ids: set[str] | None = None
            ) -> Iterator[list[dict[str, Any]]]:
    """Group good records into lists of ``batch_size``; record problems as they come.

    Duplicate ids within the input, or ids already screened (``skip_ids``, from state), are
    skipped and reported, so a re-run of yesterday's file does not double-count ads.
    """
    seen: set[str] = set()
    skip = skip_ids or set()
    batch: list[dict[str, Any]] = []
    for source_name, line, item in source:
        if isinstance(item, str):
            problems.append(Problem(str(source_name), line, item))
            continue
        ident = item["id"]
        if ident in seen or ident in skip:
            reason = "duplicate id" if ident in seen else "id already screened (in state)"
            problems.append(Problem(str(source_name), line, f"{reason} {ident!r}"))
            continue
        seen.add(ident)
        batch.append(item)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_dicts(ads: Iterable[dict[str, Any]]) -> Iterator[tuple[str, int, dict[str, Any] | str]]:
    """Adapt an iterable of ad dicts (the web app's upload) to the reader's stream."""
    for number, ad in enumerate(ads, start=1):
        if not isinstance(ad, dict):
            yield "<ads>", number, "not a mapping"
            continue
        yield "<ads>", number, _clean(ad)
