"""The per-ad pipeline (normalise -> extract -> indicators -> fingerprint) and its runner.

Per-ad work is a pure function of the batch and the settings, so it can run in this
process, in a process pool or on Dask workers and give identical results; linking, which
needs every ad, stays in the calling process. ``Pipeline`` follows scikit-learn: named
steps, validated when built, nested settings addressed as ``step__param``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harborlight.screening.contacts import identifier_hash
from harborlight.screening.errors import ConfigProblem
from harborlight.screening.extract import Extractor
from harborlight.screening.fingerprint import Fingerprinter, token_hashes
from harborlight.screening.indicators import IndicatorScorer
from harborlight.screening.normalise import Normaliser
from harborlight.screening.places import label
from harborlight.screening.records import AdRecord


class Pipeline:
    """Named steps applied in order; each step has ``transform(ads) -> ads``.

    Parameters
    ----------
    steps : list of (str, object)
        Step names must be unique and every step needs a ``transform`` method.
    """

    def __init__(self, steps: list[tuple[str, Any]]):
        self.steps = steps
        self._validate_steps()

    def _validate_steps(self) -> None:
        names = [name for name, _ in self.steps]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ConfigProblem(f"duplicate pipeline step names: {', '.join(duplicates)}")
        for name, step in self.steps:
            if not callable(getattr(step, "transform", None)):
                raise ConfigProblem(f"pipeline step {name!r} ({type(step).__name__}) "
                                    "has no transform method")

    @property
    def named_steps(self) -> dict[str, Any]:
        return dict(self.steps)

    def set_params(self, **params: Any) -> "Pipeline":
        """Set ``step__param`` values, e.g. ``extract__region="GB"``."""
        for key, value in params.items():
            name, _, param = key.partition("__")
            step = self.named_steps.get(name)
            if step is None or not param or not hasattr(step, param):
                raise ConfigProblem(f"unknown pipeline parameter {key!r}")
            setattr(step, param, value)
        return self

    def transform(self, ads: list[dict]) -> list[dict]:
        for _name, step in self.steps:
            ads = step.transform(ads)
        return ads


@dataclass(frozen=True)
class Settings:
    """Everything the per-ad pipeline needs; plain data so it travels to workers."""

    key: bytes = field(repr=False)
    region: str = "US"
    reveal_contacts: bool = False
    weights: dict[str, float] | None = None
    num_perm: int = 64
    shingle_size: int = 2
    min_shingles: int = 4
    seed: int = 20211
    boilerplate_span: int = 4

    def pipeline(self) -> Pipeline:
        return Pipeline([
            ("normalise", Normaliser()),
            ("extract", Extractor(key=self.key, region=self.region,
                                  reveal_contacts=self.reveal_contacts)),
            ("indicators", IndicatorScorer(weights=self.weights)),
        ])

    def fingerprinter(self) -> Fingerprinter:
        return Fingerprinter(num_perm=self.num_perm, shingle_size=self.shingle_size,
                             min_shingles=self.min_shingles, seed=self.seed)


@dataclass
class BatchFeatures:
    """What the linker and the outputs need from one batch, without the raw text:
    compact records and the token hashes of each ad's masked text."""

    records: list[AdRecord]
    tokens: np.ndarray
    offsets: np.ndarray


def featurise_batch(ads: list[dict[str, Any]], settings: Settings) -> BatchFeatures:
    """Run the per-ad pipeline on one batch and keep compact records.

    Each record keeps ids, dates, the score and its reasons (spans, no raw contacts),
    identifiers as ``(kind, hash, masked)``, stated facts, the places settled so far and
    the masked text for templates. Raw contact values are kept (under ``revealed``) only
    when ``settings.reveal_contacts`` is set.
    """
    ads = settings.pipeline().transform([dict(ad) for ad in ads])
    records = [_record(ad, settings) for ad in ads]
    tokens, offsets = token_hashes([record["masked_text"] for record in records])
    return BatchFeatures(records, tokens, offsets)


def sign_batch(tokens: np.ndarray, offsets: np.ndarray, boilerplate: np.ndarray,
               settings: Settings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MinHash signatures of one batch over its distinctive shingles (a pure function,
    so it runs on any executor): ``(signatures, has_signature, shingle counts)``."""
    return settings.fingerprinter().signatures_of(tokens, offsets, boilerplate,
                                                  settings.boilerplate_span)


def _record(ad: dict[str, Any], settings: Settings) -> AdRecord:
    extracted = ad["extracted"]
    identifiers: list[tuple[str, str, str]] = []
    revealed: list[tuple[str, str]] = []
    for item in extracted["identifiers"]:
        if any(item["hash"] == known for _kind, known, _masked in identifiers):
            continue
        identifiers.append((item["kind"], item["hash"], item["masked"]))
        if settings.reveal_contacts:
            revealed.append((item["hash"], item["value"]))
    settled: dict[str, str] = {}
    open_places: list[tuple[str, tuple[str, ...]]] = []
    for place in extracted["places"]:
        if place["state"] is None:
            if place["name"] not in {name for name, _ in open_places}:
                open_places.append((place["name"], tuple(place["candidates"])))
        else:
            settled.setdefault(label(place["name"], place["state"]), place["resolved_by"])
    reasons = tuple((r["id"], r["weight"], r["span"][0], r["span"][1], r["text"])
                    for r in ad["reasons"])
    return AdRecord(
        id=ad["id"], posted_at=_date(ad.get("posted_at")), site=ad.get("site") or "",
        score=ad["score"], indicators=tuple(r[0] for r in reasons), reasons=reasons,
        identifiers=tuple(identifiers), revealed=tuple(revealed),
        places=tuple(settled), place_sources=tuple(settled.values()),
        ages=tuple(sorted({age["value"] for age in extracted["ages"]})),
        prices=tuple(sorted({price["value"] for price in extracted["prices"]})),
        # Stated names only ever feed a distinct count: keep keyed hashes, not names.
        names=tuple(sorted({identifier_hash(settings.key, "name", name["value"].lower())[:16]
                            for name in extracted["names"]})),
        masked_text=extracted["masked_text"], open_places=tuple(open_places),
        phone_states=tuple(extracted["phone_states"]))


def _date(value: Any) -> str:
    """ISO 8601 text as given, trimmed; unparseable values are kept out of time spans."""
    from datetime import datetime

    if not value:
        return ""
    text = str(value).strip()
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return ""
    return text
