"""Persist incremental screening state as versioned Parquet and JSON (never pickle).

Layout of a state directory::

    current.json              {"generation": "gen-000002"}   (switched atomically)
    gen-000002/meta.json      format, version, key fingerprint, settings, counts
    gen-000002/ads.parquet    one row per ad ever screened: compact record, MinHash
                              signature, network and text-cluster parents
    gen-000002/bands.parquet  LSH band key -> anchor ad
    gen-000002/identifiers.parquet  identifier hash -> first ad, count, kind, masked, hub

A save writes a new generation and then points ``current.json`` at it, so an interrupted
save leaves the previous state intact. Raw contacts are never stored: only keyed hashes
and masked forms. The key fingerprint makes a run with another key fail instead of
silently never linking to history.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from harborlight.screening.errors import StateProblem
from harborlight.screening.link import KeyIndex, Linker, UnionFind
from harborlight.screening.records import AdRecord

FORMAT = "harborlight-screening-state"
VERSION = 1
_COMPATIBLE = ("num_perm", "shingle_size", "min_shingles", "seed", "bands")


def _current(directory: Path) -> Path | None:
    pointer = directory / "current.json"
    if not pointer.exists():
        return None
    try:
        generation = json.loads(pointer.read_text(encoding="utf-8"))["generation"]
    except (ValueError, KeyError, TypeError):
        raise StateProblem(f"{pointer}: unreadable state pointer") from None
    path = directory / generation
    if not path.is_dir():
        raise StateProblem(f"{directory}: state generation {generation!r} is missing")
    return path


def load(directory: Path, *, key_fingerprint: str, settings: dict[str, Any],
         linker: Linker) -> list[AdRecord]:
    """Restore ``linker`` state and return the stored ad records (empty if no state yet)."""
    import pyarrow.parquet as pq

    path = _current(directory)
    if path is None:
        return []
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StateProblem(f"{path}: unreadable meta.json") from None
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise StateProblem(f"{path}: not a version {VERSION} screening state")
    if meta.get("key_fingerprint") != key_fingerprint:
        raise StateProblem(f"{directory}: state was written with a different screening key")
    for name in _COMPATIBLE:
        if meta["settings"].get(name) != settings.get(name):
            raise StateProblem(f"{directory}: state uses {name}={meta['settings'].get(name)}, "
                               f"this run {settings.get(name)}")
    try:
        ads = pq.read_table(path / "ads.parquet")
        bands = pq.read_table(path / "bands.parquet")
        identifiers = pq.read_table(path / "identifiers.parquet")
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise StateProblem(f"{path}: unreadable state file ({exc})") from None

    num_perm = settings["num_perm"]
    count = ads.num_rows
    linker._ensure_state(num_perm)
    linker.n_ = count
    signature_bytes = b"".join(ads.column("signature").to_pylist())
    if count:
        linker.signatures_ = np.frombuffer(signature_bytes, dtype="<u4").reshape(
            count, num_perm).copy()
    else:
        linker.signatures_ = np.zeros((1024, num_perm), dtype=np.uint32)
    linker.networks_ = UnionFind(ads.column("network_parent").to_pylist())
    linker.texts_ = UnionFind(ads.column("text_parent").to_pylist())
    linker.bands_ = KeyIndex()
    linker.bands_.add(bands.column("key").to_numpy().astype(np.uint64),
                      bands.column("anchor").to_numpy().astype(np.int64))
    linker.identifiers_ = {}
    linker.hubs_ = set()
    for row in identifiers.to_pylist():
        linker.identifiers_[row["hash"]] = [row["first_ad"], row["count"], row["kind"],
                                            row["masked"]]
        if row["hub"]:
            linker.hubs_.add(row["hash"])
    records = []
    columns = [name for name in ads.column_names
               if name not in ("signature", "network_parent", "text_parent")]
    for row in ads.select(columns).to_pylist():
        records.append(AdRecord(
            id=row["id"], posted_at=row["posted_at"], site=row["site"], score=row["score"],
            indicators=tuple(row["indicators"]), reasons=(),
            identifiers=tuple((i["kind"], i["hash"], i["masked"]) for i in row["identifiers"]),
            revealed_phones=(), places=tuple(row["places"]), ages=tuple(row["ages"]),
            prices=tuple(row["prices"]), names=tuple(row["names"]),
            masked_text=row["masked_text"]))
    return records


def save(directory: Path, *, key_fingerprint: str, settings: dict[str, Any], linker: Linker,
         records: list[AdRecord], catalog_version: str) -> Path:
    """Write a new generation of state and switch ``current.json`` to it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    previous = _current(directory)
    number = int(previous.name.split("-")[1]) + 1 if previous else 1
    path = directory / f"gen-{number:06d}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir()
    count = len(records)
    identifier_type = pa.list_(pa.struct([("kind", pa.string()), ("hash", pa.string()),
                                          ("masked", pa.string())]))
    signatures = linker.signatures_[:count] if count else np.zeros((0, settings["num_perm"]),
                                                                   np.uint32)
    table = pa.table({
        "id": pa.array([r["id"] for r in records], pa.string()),
        "posted_at": pa.array([r["posted_at"] for r in records], pa.string()),
        "site": pa.array([r["site"] for r in records], pa.string()),
        "score": pa.array([float(r["score"]) for r in records], pa.float64()),
        "indicators": pa.array([list(r["indicators"]) for r in records],
                               pa.list_(pa.string())),
        "identifiers": pa.array([[{"kind": k, "hash": h, "masked": m}
                                  for k, h, m in r["identifiers"]] for r in records],
                                identifier_type),
        "places": pa.array([list(r["places"]) for r in records], pa.list_(pa.string())),
        "ages": pa.array([list(r["ages"]) for r in records], pa.list_(pa.int64())),
        "prices": pa.array([list(r["prices"]) for r in records], pa.list_(pa.int64())),
        "names": pa.array([list(r["names"]) for r in records], pa.list_(pa.string())),
        "masked_text": pa.array([r["masked_text"] for r in records], pa.string()),
        "signature": pa.array([row.astype("<u4").tobytes() for row in signatures], pa.binary()),
        "network_parent": pa.array(linker.networks_.roots() if count else [], pa.int64()),
        "text_parent": pa.array(linker.texts_.roots() if count else [], pa.int64()),
    })
    pq.write_table(table, path / "ads.parquet")
    keys, anchors = linker.bands_.arrays() if hasattr(linker, "bands_") else (
        np.zeros(0, np.uint64), np.zeros(0, np.int64))
    pq.write_table(pa.table({"key": pa.array(keys, pa.uint64()),
                             "anchor": pa.array(anchors, pa.int64())}), path / "bands.parquet")
    table_rows = getattr(linker, "identifiers_", {})
    hubs = getattr(linker, "hubs_", set())
    pq.write_table(pa.table({
        "hash": pa.array(list(table_rows), pa.string()),
        "first_ad": pa.array([v[0] for v in table_rows.values()], pa.int64()),
        "count": pa.array([v[1] for v in table_rows.values()], pa.int64()),
        "kind": pa.array([v[2] for v in table_rows.values()], pa.string()),
        "masked": pa.array([v[3] for v in table_rows.values()], pa.string()),
        "hub": pa.array([h in hubs for h in table_rows], pa.bool_()),
    }), path / "identifiers.parquet")
    meta = {"format": FORMAT, "version": VERSION, "key_fingerprint": key_fingerprint,
            "settings": settings, "catalog_version": catalog_version, "ads": count}
    (path / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
    pointer = directory / "current.json.tmp"
    pointer.write_text(json.dumps({"generation": path.name}), encoding="utf-8")
    os.replace(pointer, directory / "current.json")
    if previous is not None and previous != path:
        shutil.rmtree(previous, ignore_errors=True)
    return path
