"""Score ads against the versioned indicator catalog (``data/indicators.json``).

Every fired indicator is returned as a *reason*: its id, label, evidence grade, source,
weight and the span that fired, so an analyst can see why an ad scored what it did. Weights
come from the catalog and can be overridden per indicator id without editing it.
"""

from __future__ import annotations

import re
from typing import Any

from harborlight.screening import resources
from harborlight.screening.errors import ConfigProblem


class IndicatorScorer:
    """Pipeline step: indicator reasons and a score for each ad.

    Parameters
    ----------
    catalog : dict, optional
        An indicator catalog in the packaged schema; the packaged one by default.
    weights : dict of str to float, optional
        Overrides of catalog weights by indicator id (0 switches an indicator off).
    """

    def __init__(self, *, catalog: dict[str, Any] | None = None,
                 weights: dict[str, float] | None = None):
        self.catalog = catalog
        self.weights = weights

    def _compiled(self) -> list[tuple[dict[str, Any], float, list[re.Pattern]]]:
        cached = getattr(self, "compiled_", None)
        if cached is not None:
            return cached
        catalog = resources.check_catalog(self.catalog) if self.catalog is not None \
            else resources.indicator_catalog()
        weights = dict(self.weights or {})
        known = {entry["id"] for entry in catalog["indicators"]}
        unknown = set(weights) - known
        if unknown:
            raise ConfigProblem(f"weights for unknown indicators: {', '.join(sorted(unknown))}")
        compiled = []
        for entry in catalog["indicators"]:
            weight = float(weights.get(entry["id"], entry["weight"]))
            patterns = [re.compile(p) for p in entry.get("patterns", [])]
            compiled.append((entry, weight, patterns))
        self.compiled_ = compiled
        self.catalog_version_ = catalog["version"]
        return compiled

    def transform(self, ads: list[dict]) -> list[dict]:
        """Set ``ad["reasons"]`` and ``ad["score"]`` (sum of fired weights, rounded)."""
        compiled = self._compiled()
        for ad in ads:
            reasons = score_ad(ad, compiled)
            ad["reasons"] = reasons
            ad["score"] = round(sum(reason["weight"] for reason in reasons), 3)
        return ads


def score_ad(ad: dict, compiled: list[tuple[dict[str, Any], float, list[re.Pattern]]]
             ) -> list[dict[str, Any]]:
    view, extracted = ad["view"], ad["extracted"]
    reasons: list[dict[str, Any]] = []
    for entry, weight, patterns in compiled:
        if weight == 0:
            continue
        span, shown = None, None
        if patterns:
            for pattern in patterns:
                match = pattern.search(view.text)
                if match:
                    span = view.original_span(*match.span())
                    break
        elif entry["signal"] == "obscured_contact":
            for identifier in extracted["identifiers"]:
                if identifier["obscured"] and identifier["span"] is not None:
                    span = identifier["span"]
                    shown = identifier["masked"]  # never echo the raw contact
                    break
        elif entry["signal"] == "multiple_ages":
            ages = extracted["ages"]
            if len({age["value"] for age in ages}) > 1:
                span = ages[1]["span"]
        if span is not None:
            reasons.append({"id": entry["id"], "label": entry["label"], "grade": entry["grade"],
                            "source": entry["source"], "weight": weight,
                            "span": list(span),
                            "text": shown if shown is not None else ad["text"][span[0]:span[1]]})
    return reasons
