"""``AdRecord``: what the engine keeps about one ad after featurising it.

A million of these stay in memory during a run, so the record is a slotted object of
tuples (about half the size of a dict of lists) and reasons are compact tuples that are
expanded only for output. Mapping-style access (``record["id"]``) keeps call sites short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harborlight.screening import resources

# (indicator id, weight, span start, span end, text shown)
Reason = tuple[str, float, int, int, str]
# (kind, keyed hash, masked form)
Identifier = tuple[str, str, str]
# (town name, candidate states, largest first): a place the ad's own evidence left open
OpenPlace = tuple[str, tuple[str, ...]]


@dataclass(slots=True)
class AdRecord:
    id: str
    posted_at: str
    site: str
    score: float
    indicators: tuple[str, ...]
    reasons: tuple[Reason, ...]
    identifiers: tuple[Identifier, ...]
    revealed: tuple[tuple[str, str], ...]  # (keyed hash, raw value); never persisted
    places: tuple[str, ...]  # "Richmond, CA"
    place_sources: tuple[str, ...]  # how each place was settled (places.RESOLVED_BY)
    ages: tuple[int, ...]
    prices: tuple[int, ...]
    names: tuple[str, ...]  # keyed hashes of stated names (only counted, never shown)
    masked_text: str
    network_id: str = ""
    # settled by the engine with the batch, then cleared (never persisted)
    open_places: tuple[OpenPlace, ...] = ()
    phone_states: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def __setitem__(self, name: str, value: Any) -> None:
        setattr(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        """Public form: reasons expanded with label, grade and source; no raw contacts."""
        catalog = {entry["id"]: entry for entry in resources.indicator_catalog()["indicators"]}
        reasons = []
        for ident, weight, start, end, text in self.reasons:
            entry = catalog.get(ident, {})
            reasons.append({"id": ident, "label": entry.get("label", ident),
                            "grade": entry.get("grade"), "source": entry.get("source"),
                            "weight": weight, "span": [start, end], "text": text})
        return {"id": self.id, "network_id": self.network_id, "score": self.score,
                "indicators": list(self.indicators), "reasons": reasons,
                "identifiers": [{"kind": k, "hash": h, "masked": m}
                                for k, h, m in self.identifiers],
                "places": [{"place": place, "resolved_by": source}
                           for place, source in zip(self.places, self.place_sources)],
                "ages": list(self.ages),
                "prices": list(self.prices), "names": list(self.names),
                "posted_at": self.posted_at, "site": self.site}
