"""``screen()``: the whole screening run behind one call, for the CLI and the web app.

Steps, each a public stage that large callers may run themselves:

1. check inputs and settings, load the state (history, boilerplate model, site regions);
2. read batches and featurise each (:func:`~harborlight.screening.pipeline.featurise_batch`:
   here, in a process pool, or on Dask); feed the boilerplate model and the site regions
   (:meth:`Linker.partial_fit`, :meth:`PlaceResolver.partial_fit`);
3. sign every ad over its distinctive shingles and link by text (:meth:`Linker.link_text`);
4. judge hubs and build networks over all ads, history included (:meth:`Linker.finalise`);
5. settle the places the ads left open, then build leads and save the state.

Batches are cut by the reader in this process and linked in input order, so every executor
gives identical results.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harborlight.screening import contacts, places, reader, state
from harborlight.screening.errors import ConfigProblem, MissingExtra
from harborlight.screening.extract import check_region
from harborlight.screening.indicators import IndicatorScorer
from harborlight.screening.leads import build_leads, network_id
from harborlight.screening.link import Linker
from harborlight.screening.pipeline import Settings, featurise_batch, sign_batch
from harborlight.screening.records import AdRecord

log = logging.getLogger(__name__)

TEMPLATE_SAMPLE = 6
# places settled on the ad's own evidence: they teach the site's region
_SITE_EVIDENCE = frozenset({"unique", "stated", "location"})

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
                "networks": self.networks, "ads": [ad.to_dict() for ad in self.ads],
                "problems": [problem.to_dict() for problem in self.problems],
                "hubs": self.hubs}

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``ads.csv``, ``networks.csv``, ``leads.json`` and ``report.html``."""
        from harborlight.screening.output import write_outputs

        return write_outputs(self, Path(out_dir))


# -- executors --------------------------------------------------------------------------------

class _Done:
    def __init__(self, value: Any):
        self._value = value

    def result(self) -> Any:
        return self._value


@dataclass
class Executor:
    """Where pure per-batch functions run: ``submit(fn, *args)`` returns a future."""

    submit: Callable[..., Any]
    in_flight: int
    close: Callable[[], Any]

    def ordered(self, calls: Iterable[tuple]) -> Iterator[Any]:
        """Results of ``fn(*args)`` for each ``(fn, *args)``, in order, a few in flight."""
        queue: deque = deque()
        for fn, *args in calls:
            queue.append(self.submit(fn, *args))
            if len(queue) >= self.in_flight:
                yield queue.popleft().result()
        while queue:
            yield queue.popleft().result()


def executor(dask_address: str | None = None, client: Any = None, workers: int = 1
             ) -> Executor:
    """This process, a local process pool (``workers`` > 1) or a Dask cluster."""
    if client is not None or dask_address:
        owned = None
        if client is None:
            client = owned = _dask_client(dask_address)
        slots = max(sum(client.nthreads().values()), 1) * 2
        return Executor(lambda fn, *args: client.submit(fn, *args, pure=False), slots,
                        owned.close if owned is not None else (lambda: None))
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=workers)
        return Executor(pool.submit, workers * 2, pool.shutdown)
    return Executor(lambda fn, *args: _Done(fn(*args)), 1, lambda: None)


def _dask_client(address: str | None) -> Any:
    try:
        from distributed import Client
    except ImportError as missing:
        raise MissingExtra.because(missing) from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigProblem(f"cannot reach the Dask scheduler at {address} ({exc})") from None


# -- one run ------------------------------------------------------------------------------------

class _Run:
    """The state of one :func:`screen` call, stage by stage."""

    def __init__(self, settings: Settings, linker: Linker, resolver: places.PlaceResolver,
                 scorer: IndicatorScorer, state_path: Path | None):
        self.settings, self.linker, self.resolver = settings, linker, resolver
        self.scorer, self.state_path = scorer, state_path
        self.saved_settings = {"num_perm": settings.num_perm,
                               "shingle_size": settings.shingle_size,
                               "min_shingles": settings.min_shingles, "seed": settings.seed,
                               "bands": linker.bands, "threshold": linker.threshold,
                               "min_posters": linker.min_posters,
                               "boilerplate_span": linker.boilerplate_span}
        self.fingerprint = contacts.key_fingerprint(settings.key)
        self.records: list[AdRecord] = []
        if state_path is not None and state_path.exists():
            self.records = state.load(state_path, key_fingerprint=self.fingerprint,
                                      settings=self.saved_settings, linker=linker,
                                      resolver=resolver)
        self.start = len(self.records)
        self.kept_texts: dict[int, int] = {}
        self.problems: list[reader.Problem] = []
        self.timings: dict[str, float] = {}

    def timed(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[name] = round(now - started, 2)
        return now

    def read(self, source: Source, batch_size: int, run_on: Executor,
             progress: Callable[[int], None] | None) -> None:
        """Stage 2: featurise batches and feed the linker and the place resolver."""
        paths, dicts = _paths_or_dicts(source)
        stream = reader.iter_records(paths, batch_size) if paths is not None \
            else reader.iter_dicts(dicts)
        batches = reader.batches(stream, batch_size, self.problems,
                                 skip_ids={record["id"] for record in self.records})
        calls = ((featurise_batch, batch, self.settings) for batch in batches)
        for features in run_on.ordered(calls):
            batch = features.records
            self.linker.partial_fit([record["identifiers"] for record in batch],
                                    features.tokens, features.offsets,
                                    num_perm=self.settings.num_perm)
            self.resolver.partial_fit([record["site"] for record in batch],
                                      [_settled_states(record) for record in batch])
            self.records.extend(batch)
            if progress is not None:
                progress(len(batch))

    def link(self, run_on: Executor) -> None:
        """Stages 3 and 4: text links over distinctive shingles, then hubs and networks."""
        settings = self.settings
        if settings.boilerplate_span != self.linker.boilerplate_span:
            settings = replace(settings, boilerplate_span=self.linker.boilerplate_span)

        def jobs(pending, boilerplate):
            return run_on.ordered((sign_batch, tokens, offsets, boilerplate, settings)
                                  for tokens, offsets in pending)

        self.linker.link_text(jobs)
        self._drop_late_texts()
        self.linker.finalise([record["identifiers"] for record in self.records])

    def _drop_late_texts(self) -> None:
        """Templates read a few members per text cluster: drop the masked text of later
        members to keep memory (and state) flat at millions of ads."""
        texts = self.linker.texts_
        counts: dict[int, int] = {}
        for index, record in enumerate(self.records):
            if not record.masked_text:
                continue
            root = texts.find(index)
            counts[root] = counts.get(root, 0) + 1
            if counts[root] > TEMPLATE_SAMPLE and index >= self.start:
                record.masked_text = ""

    def settle_places(self) -> None:
        """Stage 5: site region, area code, then the largest namesake for open places.

        A village settled only by its name being unique ("Peninsula, OH", "South Bay, FL")
        in an ad of a site whose region is elsewhere is a regional word, not a place: it is
        dropped.
        """
        for record in self.records[self.start:]:
            region = self.resolver.region(record.site)
            kept = [(text, source) for text, source in zip(record.places, record.place_sources)
                    if not _stray_village(text, source, region)]
            for name, candidates in record.open_places:
                mention = self.resolver.resolve(
                    places.Mention(name, None, candidates, None, None), record.site,
                    set(record.phone_states))
                text = places.label(name, mention.state)
                if text not in {existing for existing, _source in kept}:
                    kept.append((text, mention.resolved_by))
            record.places = tuple(text for text, _source in kept)
            record.place_sources = tuple(source for _text, source in kept)
            record.open_places, record.phone_states = (), ()

    def save(self) -> None:
        if self.state_path is not None:
            state.save(self.state_path, key_fingerprint=self.fingerprint,
                       settings=self.saved_settings, linker=self.linker,
                       resolver=self.resolver, records=self.records,
                       catalog_version=self.scorer.catalog_version_)

    def result(self, leads: list[dict[str, Any]], reveal: bool) -> ScreeningResult:
        count = len(self.records)
        roots = self.linker.networks_.roots() if count else []
        sizes: dict[int, int] = {}
        for root in roots:
            sizes[root] = sizes.get(root, 0) + 1
        ads = []
        for index in range(self.start, count):
            record, root = self.records[index], roots[index]
            record.network_id = network_id(self.records[root]["id"]) if sizes[root] > 1 else ""
            ads.append(record)
        hub_rows = _hub_rows(self.linker, self.records)
        summary = {"ads_screened": len(ads), "records_skipped": len(self.problems),
                   "ads_in_history": self.start, "networks": len(leads),
                   "ads_in_networks": sum(1 for ad in ads if ad["network_id"]),
                   "hub_identifiers": len(hub_rows), "region": self.settings.region,
                   "boilerplate_shingles": int(len(self.linker.boilerplate_.boilerplate()))
                   if count else 0}
        return ScreeningResult(ads=ads, networks=leads, problems=self.problems,
                               summary=summary, reveal_contacts=reveal,
                               catalog_version=self.scorer.catalog_version_, hubs=hub_rows,
                               timings=self.timings)


def _settled_states(record: AdRecord) -> list[str]:
    """States of the places the ad settled itself, villages left out (see settle_places)."""
    return [places.state_of(text) for text, source in zip(record.places, record.place_sources)
            if source in _SITE_EVIDENCE and not _stray_village(text, source, None)]


def _stray_village(text: str, source: str, region: str | None) -> bool:
    """A one-ZIP town settled only because its name is unique, outside the site's region."""
    if source != "unique" or ", " not in text:
        return False
    name, state = text.rsplit(", ", 1)
    return state != region and places.town_size(name.lower(), state) <= 1


def _hub_rows(linker: Linker, records: list[AdRecord]) -> list[dict[str, Any]]:
    hubs = getattr(linker, "hubs_", {})
    seen: dict[str, tuple[str, str]] = {}
    for record in records:
        for kind, digest, masked in record["identifiers"]:
            if digest in hubs and digest not in seen:
                seen[digest] = (kind, masked)
    return sorted(({"kind": seen[d][0], "masked": seen[d][1], "ads": hubs[d][1],
                    "unrelated_groups": hubs[d][0]} for d in seen),
                  key=lambda row: (-row["ads"], row["masked"]))


def _paths_or_dicts(source: Source) -> tuple[list[Path] | None, Iterable[dict] | None]:
    if isinstance(source, (str, Path)):
        return reader.check_paths([source]), None
    items = list(source) if not isinstance(source, Iterator) else source
    if isinstance(items, list) and items and all(isinstance(i, (str, Path)) for i in items):
        return reader.check_paths(items), None
    return None, items


def screen(source: Source, *, key: bytes, region: str = "US",
           state_dir: str | Path | None = None, dask_address: str | None = None,
           client: Any = None, workers: int = 1, batch_size: int = 2000,
           reveal_contacts: bool = False, weights: dict[str, float] | None = None,
           linker_params: dict[str, Any] | None = None,
           site_regions: dict[str, str] | None = None,
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
        Run the per-batch work on a Dask cluster (address, or an existing client).
    workers : int
        Local processes for per-batch work when not using Dask.
    batch_size : int
        Ads per batch; bounds memory in flight.
    reveal_contacts : bool
        Keep this run's raw contact values (phones, emails, handles) for output; never
        persisted.
    weights : dict, optional
        Indicator weight overrides by indicator id.
    linker_params : dict, optional
        :class:`Linker` settings (``bands``, ``threshold``, ``min_posters``,
        ``hub_min_clusters`` ...).
    site_regions : dict, optional
        Known state (postal code) of some sites, e.g. ``{"bayarea-listings": "CA"}``;
        other sites' regions are learned from their ads.
    progress : callable, optional
        Called with the number of ads in each finished batch.

    Returns
    -------
    ScreeningResult
    """
    run = _start(key, region, state_dir, batch_size, reveal_contacts, weights,
                 linker_params, site_regions)
    clock = time.perf_counter()
    run_on = executor(dask_address, client, workers)
    try:
        run.read(source, batch_size, run_on, progress)
        clock = run.timed("read_featurise", clock)
        run.link(run_on)
        clock = run.timed("link", clock)
    finally:
        run_on.close()
    run.settle_places()
    leads = build_leads(run.records, run.linker, only_ads=range(run.start, len(run.records)),
                        template_sample=TEMPLATE_SAMPLE)
    clock = run.timed("places_leads_templates", clock)
    run.save()
    run.timed("save_state", clock)
    return run.result(leads, reveal_contacts)


def _start(key: bytes, region: str, state_dir: str | Path | None, batch_size: int,
           reveal_contacts: bool, weights: dict[str, float] | None,
           linker_params: dict[str, Any] | None, site_regions: dict[str, str] | None) -> _Run:
    """Stage 1: check every setting before anything is read, then load the state."""
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
    for site, code in (site_regions or {}).items():
        if places.state_name(code) is None:
            raise ConfigProblem(f"unknown state {code!r} for site {site!r} (use a postal "
                                "code such as CA)")
    resolver = places.PlaceResolver(site_regions=site_regions)
    state_path = Path(state_dir) if state_dir is not None else None
    run = _Run(settings, linker, resolver, scorer, state_path)
    linker._ensure_state(settings.num_perm)
    return run


__all__ = ["screen", "ScreeningResult", "Executor", "executor"]
