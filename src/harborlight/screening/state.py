"""Persist incremental screening state as versioned Parquet and JSON (never pickle).

Layout of a state directory::

    current.json                 {"generation": "gen-000002"}   (switched atomically)
    gen-000002/meta.json         format, version, key fingerprint, settings, counts, and
                                 the states each site's ads were settled in (site regions)
    gen-000002/ads.parquet       one row per ad ever screened: compact record, MinHash
                                 signature over its distinctive shingles, shingle counts,
                                 network and text-cluster parents
    gen-000002/bands.parquet     LSH band key -> anchor ad
    gen-000002/boilerplate.parquet  hash of a run of words -> map of the posters that
                                 used it (the boilerplate model, so daily runs judge stock
                                 text alike)
    gen-000002/text_edges.parquet   the text joins: ad, ad, similarity

A save writes a new generation and then points ``current.json`` at it, so an interrupted
save leaves the previous state intact. Raw contacts are never stored: only keyed hashes
and masked forms. The key fingerprint makes a run with another key fail instead of
silently never linking to history. A version 1 state (before the boilerplate model) is
read too: its ads keep their signatures and the model starts empty.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from harborlight.screening import extras
from harborlight.screening.errors import StateProblem
from harborlight.screening.fingerprint import BoilerplateModel
from harborlight.screening.link import KeyIndex, Linker, UnionFind
from harborlight.screening.places import PlaceResolver
from harborlight.screening.records import AdRecord

FORMAT = "harborlight-screening-state"
VERSION = 2
_COMPATIBLE = ("num_perm", "shingle_size", "min_shingles", "seed", "bands", "min_posters",
               "boilerplate_span")


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


def _meta(path: Path, directory: Path, key_fingerprint: str, settings: dict[str, Any]
          ) -> dict[str, Any]:
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StateProblem(f"{path}: unreadable meta.json") from None
    if meta.get("format") != FORMAT or meta.get("version") not in (1, VERSION):
        raise StateProblem(f"{path}: not a version {VERSION} screening state")
    if meta.get("key_fingerprint") != key_fingerprint:
        raise StateProblem(f"{directory}: state was written with a different screening key")
    for name in _COMPATIBLE:
        if name not in meta["settings"] and meta["version"] == 1:
            continue
        if meta["settings"].get(name) != settings.get(name):
            raise StateProblem(f"{directory}: state uses {name}={meta['settings'].get(name)}, "
                               f"this run {settings.get(name)}")
    return meta


def _table(path: Path, name: str):
    pq = extras.parquet()

    try:
        return pq.read_table(path / name) if (path / name).exists() else None
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise StateProblem(f"{path}: unreadable state file {name} ({exc})") from None


def load(directory: Path, *, key_fingerprint: str, settings: dict[str, Any], linker: Linker,
         resolver: PlaceResolver) -> list[AdRecord]:
    """Restore ``linker`` and ``resolver`` state; return the stored ad records."""
    path = _current(directory)
    if path is None:
        return []
    meta = _meta(path, directory, key_fingerprint, settings)
    ads, bands = _table(path, "ads.parquet"), _table(path, "bands.parquet")
    if ads is None or bands is None:
        raise StateProblem(f"{path}: state files are missing")
    _restore_linker(linker, ads, bands, path, settings["num_perm"])
    resolver.load(meta.get("site_states", {}))
    columns = [name for name in ads.column_names if name not in
               ("signature", "network_parent", "text_parent", "shingles_all",
                "shingles_distinctive")]
    return [_record(row) for row in ads.select(columns).to_pylist()]


def _restore_linker(linker: Linker, ads, bands, path: Path, num_perm: int) -> None:
    count = ads.num_rows
    linker._ensure_state(num_perm)
    linker.n_ = linker.signed_ = count
    signature_bytes = b"".join(ads.column("signature").to_pylist())
    linker.signatures_ = np.frombuffer(signature_bytes, dtype="<u4").reshape(
        count, num_perm).copy() if count else np.zeros((1024, num_perm), dtype=np.uint32)
    if "shingles_all" in ads.column_names:
        linker.shingle_counts_ = np.stack([ads.column("shingles_all").to_numpy(),
                                           ads.column("shingles_distinctive").to_numpy()],
                                          axis=1).astype(np.int32)
    else:
        linker.shingle_counts_ = np.zeros((max(count, 1024), 2), dtype=np.int32)
    linker.texts_ = UnionFind(ads.column("text_parent").to_pylist())
    linker.networks_ = UnionFind(ads.column("network_parent").to_pylist())
    linker.bands_ = KeyIndex()
    linker.bands_.add(bands.column("key").to_numpy().astype(np.uint64),
                      bands.column("anchor").to_numpy().astype(np.int64))
    model = _table(path, "boilerplate.parquet")
    linker.boilerplate_ = BoilerplateModel(min_posters=linker.min_posters,
                                           span=linker.boilerplate_span)
    if model is not None:
        linker.boilerplate_.load(model.column("shingle").to_numpy().astype(np.uint32),
                                 model.column("posters").to_numpy().astype(np.uint64))
    edges = _table(path, "text_edges.parquet")
    linker.edge_parts_ = [] if edges is None else [np.stack(
        [edges.column(name).to_numpy().astype(np.float64) for name in ("a", "b", "similarity")],
        axis=1)]


def _record(row: dict[str, Any]) -> AdRecord:
    places = tuple(row["places"])
    return AdRecord(
        id=row["id"], posted_at=row["posted_at"], site=row["site"], score=row["score"],
        indicators=tuple(row["indicators"]), reasons=(),
        identifiers=tuple((i["kind"], i["hash"], i["masked"]) for i in row["identifiers"]),
        revealed=(), places=places,
        place_sources=tuple(row.get("place_sources") or [""] * len(places)),
        ages=tuple(row["ages"]), prices=tuple(row["prices"]), names=tuple(row["names"]),
        masked_text=row["masked_text"])


def save(directory: Path, *, key_fingerprint: str, settings: dict[str, Any], linker: Linker,
         resolver: PlaceResolver, records: list[AdRecord], catalog_version: str) -> Path:
    """Write a new generation of state and switch ``current.json`` to it."""
    pq = extras.parquet()

    directory.mkdir(parents=True, exist_ok=True)
    previous = _current(directory)
    number = int(previous.name.split("-")[1]) + 1 if previous else 1
    path = directory / f"gen-{number:06d}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir()
    for name, table in _tables(linker, records, settings["num_perm"]).items():
        pq.write_table(table, path / name)
    site_states = {site: dict(counts) for site, counts in
                   sorted(getattr(resolver, "site_states_", {}).items())}
    meta = {"format": FORMAT, "version": VERSION, "key_fingerprint": key_fingerprint,
            "settings": settings, "catalog_version": catalog_version, "ads": len(records),
            "site_states": site_states}
    (path / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
    pointer = directory / "current.json.tmp"
    pointer.write_text(json.dumps({"generation": path.name}), encoding="utf-8")
    os.replace(pointer, directory / "current.json")
    if previous is not None and previous != path:
        shutil.rmtree(previous, ignore_errors=True)
    return path


def _tables(linker: Linker, records: list[AdRecord], num_perm: int) -> dict[str, Any]:
    pa = extras.pyarrow()

    count = len(records)
    identifier_type = pa.list_(pa.struct([("kind", pa.string()), ("hash", pa.string()),
                                          ("masked", pa.string())]))
    signatures = linker.signatures_[:count] if count else np.zeros((0, num_perm), np.uint32)
    counts = linker.shingle_counts_[:count] if count else np.zeros((0, 2), np.int32)
    strings = pa.list_(pa.string())
    ads = pa.table({
        "id": pa.array([r.id for r in records], pa.string()),
        "posted_at": pa.array([r.posted_at for r in records], pa.string()),
        "site": pa.array([r.site for r in records], pa.string()),
        "score": pa.array([float(r.score) for r in records], pa.float64()),
        "indicators": pa.array([list(r.indicators) for r in records], strings),
        "identifiers": pa.array([[{"kind": k, "hash": h, "masked": m}
                                  for k, h, m in r.identifiers] for r in records],
                                identifier_type),
        "places": pa.array([list(r.places) for r in records], strings),
        "place_sources": pa.array([list(r.place_sources) for r in records], strings),
        "ages": pa.array([list(r.ages) for r in records], pa.list_(pa.int64())),
        "prices": pa.array([list(r.prices) for r in records], pa.list_(pa.int64())),
        "names": pa.array([list(r.names) for r in records], strings),
        "masked_text": pa.array([r.masked_text for r in records], pa.string()),
        "signature": pa.array([row.astype("<u4").tobytes() for row in signatures], pa.binary()),
        "shingles_all": pa.array(counts[:, 0], pa.int32()),
        "shingles_distinctive": pa.array(counts[:, 1], pa.int32()),
        "network_parent": pa.array(linker.networks_.roots() if count else [], pa.int64()),
        "text_parent": pa.array(linker.texts_.roots() if count else [], pa.int64()),
    })
    keys, anchors = linker.bands_.arrays()
    shingles, posters = linker.boilerplate_.arrays()
    edges = linker.text_edges
    return {
        "ads.parquet": ads,
        "bands.parquet": pa.table({"key": pa.array(keys, pa.uint64()),
                                   "anchor": pa.array(anchors, pa.int64())}),
        "boilerplate.parquet": pa.table({"shingle": pa.array(shingles, pa.uint32()),
                                         "posters": pa.array(posters, pa.uint64())}),
        "text_edges.parquet": pa.table({"a": pa.array(edges[:, 0].astype(np.int64)),
                                        "b": pa.array(edges[:, 1].astype(np.int64)),
                                        "similarity": pa.array(edges[:, 2])}),
    }
