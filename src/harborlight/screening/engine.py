"""``screen()``: the whole screening run behind one call, for the CLI and the web app.

Steps: check inputs and settings -> load state -> read batches -> featurise each batch
(here, in a process pool, or on Dask) -> link batch by batch -> apply identifier links
with the hub guard -> build leads -> save state. Batches are cut by the reader in this
process and linked in input order, so every executor gives identical results.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harborlight.screening import contacts, reader, state
from harborlight.screening.errors import ConfigProblem
from harborlight.screening.extract import check_region
from harborlight.screening.indicators import IndicatorScorer
from harborlight.screening.leads import build_leads, network_id
from harborlight.screening.link import Linker
from harborlight.screening.pipeline import BatchFeatures, Settings, featurise_batch
from harborlight.screening.records import AdRecord

log = logging.getLogger(__name__)

TEMPLATE_SAMPLE = 6

Source = str | Path | Iterable[str | Path] | Iterable[dict[str, Any]]


@dataclass
class ScreeningResult:
    """Ads of this run, ranked networks (leads), skipped records and counts."""

    ads: list[AdRecord]
    networks: list[dict[str, Any]]
    problems: list[reader.Problem]
    summary: dict[str, Any]
    reveal_contacts: bool = False
    catalog_version: str = ""
    hubs: list[dict[str, Any]] = field(default_factory=list)
    #: seconds per phase (not part of ``to_dict``: it differs from run to run)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (what ``leads.json`` holds, plus the ads)."""
        return {"summary": self.summary, "catalog_version": self.catalog_version,
                "networks": self.networks, "ads": [_public_ad(ad) for ad in self.ads],
                "problems": [problem.to_dict() for problem in self.problems],
                "hubs": self.hubs}

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``ads.csv``, ``networks.csv``, ``leads.json`` and ``report.html``."""
        from harborlight.screening.output import write_outputs

        return write_outputs(self, Path(out_dir))


def _public_ad(ad: AdRecord) -> dict[str, Any]:
    return ad.to_dict()


def _paths_or_dicts(source: Source) -> tuple[list[Path] | None, Iterable[dict] | None]:
    if isinstance(source, (str, Path)):
        return reader.check_paths([source]), None
    items = list(source) if not isinstance(source, Iterator) else source
    if isinstance(items, list) and items and all(isinstance(i, (str, Path)) for i in items):
        return reader.check_paths(items), None
    return None, items


def _executor(dask_address: str | None, client: Any, workers: int):
    """Return ``(submit, max_in_flight, close)`` for the chosen way of running batches."""
    if client is not None or dask_address:
        if client is None:
            try:
                from distributed import Client
            except ImportError:
                raise ConfigProblem("--dask needs the 'distributed' package "
                                    "(pip install 'harborlight[screening]')") from None
            try:
                client = Client(dask_address, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise ConfigProblem(f"cannot reach the Dask scheduler at {dask_address} "
                                    f"({exc})") from None
            owned = client
        else:
            owned = None
        slots = max(sum(client.nthreads().values()), 1) * 2

        def submit(batch, settings):
            return client.submit(featurise_batch, batch, settings, pure=False)

        return submit, slots, (owned.close if owned is not None else (lambda: None))
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=workers)
        return (lambda batch, settings: pool.submit(featurise_batch, batch, settings),
                workers * 2, pool.shutdown)

    class _Done:
        def __init__(self, value: BatchFeatures):
            self._value = value

        def result(self) -> BatchFeatures:
            return self._value

    return (lambda batch, settings: _Done(featurise_batch(batch, settings)), 1,
            lambda: None)


def _ordered(submit: Callable, batches: Iterable[list[dict]], settings: Settings,
             in_flight: int) -> Iterator[BatchFeatures]:
    """Results in input order with at most ``in_flight`` batches outstanding."""
    queue: deque = deque()
    for batch in batches:
        queue.append(submit(batch, settings))
        if len(queue) >= in_flight:
            yield queue.popleft().result()
    while queue:
        yield queue.popleft().result()


def screen(source: Source, *, key: bytes, region: str = "US",
           state_dir: str | Path | None = None, dask_address: str | None = None,
           client: Any = None, workers: int = 1, batch_size: int = 2000,
           reveal_contacts: bool = False, weights: dict[str, float] | None = None,
           linker_params: dict[str, Any] | None = None,
           progress: Callable[[int], None] | None = None) -> ScreeningResult:
    """Screen ads for risk indicators and link them into ranked networks.

    Parameters
    ----------
    source : path, list of paths, or iterable of dict
        JSON Lines / CSV / Parquet files, or ad dicts with the same fields.
    key : bytes
        HMAC key for contact hashes; the same key must be used with the same state.
    region : str
        Default phone region (ISO code).
    state_dir : path, optional
        Incremental state: history is loaded from and saved to it.
    dask_address, client : optional
        Run the per-ad work on a Dask cluster (address, or an existing client).
    workers : int
        Local processes for per-ad work when not using Dask.
    batch_size : int
        Ads per batch; bounds memory in flight.
    reveal_contacts : bool
        Keep full E.164 numbers of this run's ads for output (never persisted).
    weights : dict, optional
        Indicator weight overrides by indicator id.
    linker_params : dict, optional
        :class:`Linker` settings (``bands``, ``threshold``, ``hub_max_ads`` ...).
    progress : callable, optional
        Called with the number of ads in each finished batch.

    Returns
    -------
    ScreeningResult
    """
    key = contacts.check_key(key)
    settings = Settings(key=key, region=check_region(region), reveal_contacts=reveal_contacts,
                        weights=dict(weights) if weights else None)
    scorer = IndicatorScorer(weights=settings.weights)
    scorer._compiled()  # fail on bad weights before reading anything
    if batch_size < 1:
        raise ConfigProblem("batch size must be at least 1")
    try:
        linker = Linker(**(linker_params or {}))
    except TypeError as exc:
        raise ConfigProblem(f"bad linker setting ({exc})") from None
    paths, dicts = _paths_or_dicts(source)
    saved_settings = {"num_perm": settings.num_perm, "shingle_size": settings.shingle_size,
                      "min_shingles": settings.min_shingles, "seed": settings.seed,
                      "bands": linker.bands, "threshold": linker.threshold}
    fingerprint = contacts.key_fingerprint(key)
    state_path = Path(state_dir) if state_dir is not None else None
    records: list[AdRecord] = []
    if state_path is not None and state_path.exists():
        records = state.load(state_path, key_fingerprint=fingerprint, settings=saved_settings,
                             linker=linker)
    start = len(records)
    kept_texts: dict[int, int] = {}
    for index, record in enumerate(records):
        if record.masked_text:
            root = linker.texts_.find(index)
            kept_texts[root] = kept_texts.get(root, 0) + 1
    problems: list[reader.Problem] = []
    stream = reader.iter_records(paths, batch_size) if paths is not None \
        else reader.iter_dicts(dicts)
    batches = reader.batches(stream, batch_size, problems,
                             skip_ids={record["id"] for record in records})
    submit, in_flight, close = _executor(dask_address, client, workers)
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    try:
        for features in _ordered(submit, batches, settings, in_flight):
            linker.partial_fit([record["identifiers"] for record in features.records],
                               features.signatures, features.has_signature)
            base = len(records)
            for offset, record in enumerate(features.records):
                # Templates read a few members per text cluster: drop the masked text of
                # later members to keep memory (and state) flat at millions of ads.
                root = linker.texts_.find(base + offset)
                if kept_texts.get(root, 0) >= TEMPLATE_SAMPLE:
                    record.masked_text = ""
                else:
                    kept_texts[root] = kept_texts.get(root, 0) + 1
            records.extend(features.records)
            if progress is not None:
                progress(len(features.records))
    finally:
        close()
    timings["read_featurise_link_text"] = time.perf_counter() - clock
    clock = time.perf_counter()
    linker.finalise()
    timings["link_identifiers"] = time.perf_counter() - clock
    clock = time.perf_counter()

    count = len(records)
    network_roots = linker.networks_.roots() if count else []
    text_roots = linker.texts_.roots() if count else []
    hubs = getattr(linker, "hubs_", set())
    leads = build_leads(records, network_roots, text_roots, hubs, only_ads=range(start, count),
                        template_sample=TEMPLATE_SAMPLE)
    timings["leads_and_templates"] = time.perf_counter() - clock
    clock = time.perf_counter()
    sizes: dict[int, int] = {}
    for root in network_roots:
        sizes[root] = sizes.get(root, 0) + 1
    ads = []
    for index in range(start, count):
        record = records[index]
        root = network_roots[index]
        record["network_id"] = network_id(records[root]["id"]) if sizes[root] > 1 else ""
        ads.append(record)
    hub_rows = sorted(({"kind": linker.identifiers_[h][2], "masked": linker.identifiers_[h][3],
                        "ads": linker.identifiers_[h][1]} for h in hubs),
                      key=lambda row: (-row["ads"], row["masked"]))
    if state_path is not None:
        state.save(state_path, key_fingerprint=fingerprint, settings=saved_settings,
                   linker=linker, records=records, catalog_version=scorer.catalog_version_)
        timings["save_state"] = time.perf_counter() - clock
    summary = {
        "ads_screened": len(ads),
        "records_skipped": len(problems),
        "ads_in_history": start,
        "networks": len(leads),
        "ads_in_networks": sum(1 for ad in ads if ad["network_id"]),
        "hub_identifiers": len(hubs),
        "region": settings.region,
    }
    return ScreeningResult(ads=ads, networks=leads, problems=problems, summary=summary,
                           reveal_contacts=reveal_contacts,
                           catalog_version=scorer.catalog_version_, hubs=hub_rows,
                           timings={name: round(value, 2) for name, value in timings.items()})
