"""A small learned reading of a narrative, beside the rules (issue 14).

Five yes/no decisions, each an L2-regularised logistic regression (numpy only):

- ``sex``: commercial sex is the exploitation (the labelled type is sex or both);
- ``labour``: forced labour, servitude, begging or criminality (labour or both);
- ``minor``: a person under 18 is exploited or at risk;
- ``urgent``: the triage level the labelling policy gives is "emergency" (a minor or
  someone under violence exploited now);
- ``coerced``: it is "high" or "emergency" (exploitation with a means of control, or of a
  minor). These two only raise a level, through rules in triage_rules.json that say so.

Features are hashed (CRC-32, stable across processes) into one vector of ``dim`` buckets:

- word unigrams and bigrams of the *folded* narrative (accents off, shorthand read as
  words: :class:`harborlight.vocab.narrative.Text`), English and Spanish alike, each
  worth ``1/sqrt(n)`` for a narrative with ``n`` distinct n-grams;
- character 3- to 5-grams inside each word (``<debo>`` gives ``<de``, ``deb``, ``ebo``,
  ``bo>``, ...), each worth ``1/sqrt(m)`` for ``m`` distinct ones: a verb in another person
  or tense, a typo or a regional spelling shares most of its pieces with the forms the
  sets taught ("debo" / "debe" / "deuda"), where a whole word would be new;
- the rule engine's own evidence, worth 1 each (named by the caller, e.g.
  ``ind:control.debt``, ``rtype:labour``, ``pts:sex:3-5``), each with the span it came from.

Every feature keeps where it was read, so a decision can name the text behind it: the
n-grams (and rule hits) that add most to the score, as spans of the narrative as written.

The weights ship as ``narrative_model.json`` (format ``harborlight-narrative-model``,
version 1): per decision a bias, a threshold and the weights as little-endian float16,
base64, with their SHA-256 so a damaged file is refused (:class:`VocabularyError`) rather
than read wrong. It is written by ``python bench/intake_loso.py --ship`` from the labelled
synthetic sets in tests/intake/data only; docs/intake.md says how it joins the rules.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import re
import zlib
from dataclasses import dataclass

import numpy as np

from harborlight.vocab.loader import (SUPPORTED_VERSION, VocabularyError, parse_envelope,
                                      read_package_file)

FORMAT = "harborlight-narrative-model"
VERSION = SUPPORTED_VERSION  # the envelope every data file shares (vocab/loader.py)
DECISIONS = ("sex", "labour", "minor", "urgent", "coerced")
# The level decisions as the signals triage rules name (vocab/triage_rules.json), and a
# type the rules decided that the learned reading withdrew (intake/assist.py), said as a
# signal with the words that weighed against it (no triage rule may name these).
LEVEL_SIGNALS = {"urgent": "learned.urgent", "coerced": "learned.coerced"}
WITHDRAWN_SIGNALS = {"sex": "learned.not-sex", "labour": "learned.not-labour"}
# A rules' signal the learned reading disputes when its decision's chance is under that
# decision's threshold: {learned signal: (decision, the rules' signal)}. Triage rules name
# these to hold back what the disputed signal alone would raise (vocab/triage_rules.json).
DISPUTED_SIGNALS = {"learned.not-urgent": ("urgent", "ongoing")}
# Signs the rules found, but no type of exploitation decided and the learned reading reads
# neither sex nor labour: triage rules hold the sign alone at "information" with it.
NO_EXPLOITATION_SIGNAL = "learned.no-exploitation"
# What each learned signal says, as the reading's own signals say it (vocab/narrative.json).
LEARNED_SIGNAL_LABELS = {
    "learned.urgent": {"en": "Exploitation of a minor or with violence, happening now",
                       "es": "Explotación de un menor o con violencia, que ocurre ahora"},
    "learned.coerced": {"en": "Exploitation with a means of control, or of a minor",
                        "es": "Explotación con un medio de control, o de un menor"},
    "learned.not-sex": {"en": "Not read as sexual exploitation by the learned reading",
                        "es": "La lectura aprendida no lo lee como explotación sexual"},
    "learned.not-labour": {"en": "Not read as forced labour by the learned reading",
                           "es": "La lectura aprendida no lo lee como trabajo forzoso"},
    "learned.no-exploitation": {"en": "A sign alone, and the learned reading reads no "
                                      "exploitation",
                                "es": "Una señal sola, y la lectura aprendida no lee "
                                      "explotación"},
    "learned.not-urgent": {"en": "Told in the present tense, but not read as urgent by the "
                                 "learned reading",
                           "es": "Contado en presente, pero la lectura aprendida no lo lee "
                                 "como urgente"}}
TOKEN = re.compile(r"[a-z0-9]+")
DEFAULT_DIM = 1 << 16
FEATURES = "words 1-2, characters 3-5 within words"  # what a shipped file was trained on
CHARACTERS = (3, 5)


@dataclass(frozen=True)
class Feature:
    """One feature of a narrative: its name, its bucket, its value, and where it was read
    (offsets into the folded text for n-grams, into the narrative as written for rule
    evidence; ``start == end`` when it has no span)."""

    name: str
    index: int
    value: float
    start: int = 0
    end: int = 0
    rule: bool = False
    pieces: np.ndarray | None = None  # a word's character n-grams: their buckets, each worth value

    def indexes(self) -> np.ndarray:
        return self.pieces if self.pieces is not None else np.asarray([self.index])


def _flatten(features: list[Feature]) -> tuple[np.ndarray, np.ndarray]:
    """(bucket, value) of every feature, a word's pieces one by one."""
    singles = [f for f in features if f.pieces is None]
    groups = [f for f in features if f.pieces is not None]
    index = np.concatenate([np.fromiter((f.index for f in singles), np.int64, len(singles))]
                           + [f.pieces for f in groups])
    value = np.concatenate([np.fromiter((f.value for f in singles), np.float64, len(singles)),
                            np.repeat([f.value for f in groups],
                                      [len(f.pieces) for f in groups])])
    return index, value


def bucket(name: str, dim: int) -> int:
    return zlib.crc32(name.encode("utf-8")) & (dim - 1)


@functools.lru_cache(maxsize=1 << 16)
def word_pieces(word: str, dim: int) -> np.ndarray:
    """The buckets of one word's character n-grams (:data:`CHARACTERS`), marked at its
    ends, each once."""
    marked = "<" + word + ">"
    low, high = CHARACTERS
    names = dict.fromkeys("c:" + marked[i:i + n] for n in range(low, high + 1)
                          for i in range(max(1, len(marked) - n + 1)))
    return np.fromiter((bucket(name, dim) for name in names), dtype=np.int64)


def text_features(folded: str, dim: int) -> list[Feature]:
    """Unigrams and bigrams of a folded narrative, each once (its first place), worth
    ``1/sqrt(n)``; then each distinct word's character n-grams as one feature (its
    pieces), every piece worth ``1/sqrt(m)`` for ``m`` pieces in all."""
    lowered = folded.lower()
    tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(lowered)]
    seen: dict[str, tuple[int, int]] = {}
    words: dict[str, tuple[int, int]] = {}
    previous = None
    for word, start, end in tokens:
        seen.setdefault("w:" + word, (start, end))
        words.setdefault(word, (start, end))
        if previous is not None:
            seen.setdefault("b:" + previous[0] + " " + word, (previous[1], end))
        previous = (word, start, end)
    if not seen:
        return []
    value = 1.0 / math.sqrt(len(seen))
    out = [Feature(name, bucket(name, dim), value, start, end)
           for name, (start, end) in seen.items()]
    pieces = {word: word_pieces(word, dim) for word in words}
    piece_value = 1.0 / math.sqrt(sum(len(p) for p in pieces.values()))
    out += [Feature("c:" + word, -1, piece_value, *words[word], pieces=pieces[word])
            for word in words]
    return out


def rule_features(named: list[tuple[str, int, int]], dim: int) -> list[Feature]:
    """The rule engine's evidence, ``(name, start, end)`` each, worth 1 (each name once)."""
    out, seen = [], set()
    for name, start, end in named:
        if name not in seen:
            seen.add(name)
            out.append(Feature(name, bucket("r:" + name, dim), 1.0, start, end, rule=True))
    return out


@dataclass(frozen=True)
class Decision:
    """One decision's weights: ``bias + sum(w[i] * x[i])`` > logit(``threshold``)."""

    name: str
    bias: float
    weights: np.ndarray
    threshold: float

    def logit(self, features: list[Feature]) -> float:
        if not features:
            return self.bias
        index, value = _flatten(features)
        return float(self.bias + np.dot(self.weights[index].astype(np.float64), value))

    def contributions(self, features: list[Feature]) -> list[tuple[float, Feature]]:
        """(weight x value, feature), largest first (summed in numpy: a Python loop over a
        long narrative's features cost ~0.5 ms a decision)."""
        if not features:
            return []
        parts = [f.indexes() for f in features]
        sizes = np.fromiter((len(p) for p in parts), np.int64, len(parts))
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        flat = self.weights[np.concatenate(parts)].astype(np.float64)
        summed = np.add.reduceat(np.append(flat, 0.0), starts)  # a final 0: no index past it
        summed[sizes == 0] = 0.0  # reduceat gives an empty part the next one's first weight
        values = np.fromiter((f.value for f in features), np.float64, len(features))
        scores = summed * values
        return [(float(scores[i]), features[i]) for i in np.argsort(-scores, kind="stable")]


def probability(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit))))


@dataclass(frozen=True)
class NarrativeModel:
    dim: int
    decisions: dict[str, Decision]
    trained_on: tuple[str, ...] = ()
    release: str = "?"
    with_rules: bool = True  # reads the rule engine's evidence as features, not only words

    def decision(self, name: str) -> Decision:
        return self.decisions[name]


# -- training (numpy only) ------------------------------------------------------------------

def _matrix(rows: list[list[Feature]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r, c, v = [], [], []
    for number, features in enumerate(rows):
        merged: dict[int, float] = {}
        for f in features:
            for index in f.indexes().tolist():
                merged[index] = merged.get(index, 0.0) + f.value
        r.extend([number] * len(merged))
        c.extend(merged.keys())
        v.extend(merged.values())
    return (np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64),
            np.asarray(v, dtype=np.float64))


def fit_logistic(rows: list[list[Feature]], labels: list[bool], dim: int, *,
                 l2: float = 1e-3, steps: int = 400, rate: float = 0.1
                 ) -> tuple[float, np.ndarray]:
    """Bias and weights minimising mean log-loss + ``l2``/2 |w|^2 (bias unpenalised), by
    full-batch Adam on the sparse rows (a few hundred steps; deterministic)."""
    r, c, v = _matrix(rows)
    n = len(rows)
    y = np.asarray(labels, dtype=np.float64)
    w = np.zeros(dim)
    b = float(np.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3)))
    m_w, s_w, m_b, s_b = np.zeros(dim), np.zeros(dim), 0.0, 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        z = b + np.bincount(r, weights=v * w[c], minlength=n)
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        g = (p - y) / n
        grad_w = np.bincount(c, weights=v * g[r], minlength=dim) + l2 * w
        grad_b = float(g.sum())
        m_w = beta1 * m_w + (1 - beta1) * grad_w
        s_w = beta2 * s_w + (1 - beta2) * grad_w * grad_w
        m_b = beta1 * m_b + (1 - beta1) * grad_b
        s_b = beta2 * s_b + (1 - beta2) * grad_b * grad_b
        correction1, correction2 = 1 - beta1 ** step, 1 - beta2 ** step
        w -= rate * (m_w / correction1) / (np.sqrt(s_w / correction2) + eps)
        b -= rate * (m_b / correction1) / (math.sqrt(s_b / correction2) + eps)
    return b, w


def train(rows: list[list[Feature]], labels: dict[str, list[bool | None]], dim: int,
          thresholds: dict[str, float], *, l2: float = 1e-3, trained_on=(),
          release: str = "?", with_rules: bool = True) -> NarrativeModel:
    """One decision per name in ``labels``, each trained on the rows whose label for it is
    known (None: a set labelled without triage levels says nothing about ``urgent``)."""
    decisions = {}
    for name, ys in labels.items():
        known = [number for number, y in enumerate(ys) if y is not None]
        bias, weights = fit_logistic([rows[n] for n in known], [ys[n] for n in known], dim,
                                     l2=l2)
        decisions[name] = Decision(name, bias, weights.astype(np.float16), thresholds[name])
    return NarrativeModel(dim, decisions, tuple(trained_on), release, with_rules)


# -- the shipped file ---------------------------------------------------------------------------

def dumps(model: NarrativeModel, note: str = "") -> str:
    decisions = {}
    for name, decision in model.decisions.items():
        raw = np.asarray(decision.weights, dtype="<f2").tobytes()
        decisions[name] = {"bias": round(decision.bias, 6), "threshold": decision.threshold,
                           "weights": base64.b64encode(raw).decode("ascii"),
                           "sha256": hashlib.sha256(raw).hexdigest()}
    return json.dumps({"format": FORMAT, "version": VERSION, "release": model.release,
                       "note": note, "dim": model.dim, "tokens": TOKEN.pattern,
                       "features": FEATURES,
                       "with_rules": model.with_rules,
                       "trained_on": list(model.trained_on), "decisions": decisions},
                      indent=1) + "\n"


def parse_model(text: str, name: str = "narrative_model.json") -> NarrativeModel:
    """The model as written by :func:`dumps`; a :class:`VocabularyError` naming what is
    wrong (not JSON, another format or version, a decision missing, weights damaged)."""
    document = parse_envelope(text, name, FORMAT)
    dim = document.get("dim")
    if not isinstance(dim, int) or dim <= 0 or dim & (dim - 1):
        raise VocabularyError(f"{name}: 'dim' must be a power of two")
    if document.get("tokens") != TOKEN.pattern or document.get("features") != FEATURES:
        raise VocabularyError(f"{name}: written for another tokenizer or other features")
    raw_decisions = document.get("decisions")
    if not isinstance(raw_decisions, dict) or set(raw_decisions) != set(DECISIONS):
        raise VocabularyError(f"{name}: 'decisions' must be exactly {list(DECISIONS)}")
    decisions = {}
    for key, raw in raw_decisions.items():
        try:
            blob = base64.b64decode(raw["weights"], validate=True)
            bias, threshold = float(raw["bias"]), float(raw["threshold"])
            digest = raw["sha256"]
        except (KeyError, TypeError, ValueError) as exc:
            raise VocabularyError(f"{name}: decision {key!r} is malformed ({exc})") from None
        if hashlib.sha256(blob).hexdigest() != digest or len(blob) != 2 * dim:
            raise VocabularyError(f"{name}: decision {key!r}: weights damaged "
                                  "(checksum or size does not match)")
        if not 0.0 < threshold < 1.0 or not math.isfinite(bias):
            raise VocabularyError(f"{name}: decision {key!r}: bad bias or threshold")
        weights = np.frombuffer(blob, dtype="<f2").astype(np.float32)
        if not np.all(np.isfinite(weights)):
            raise VocabularyError(f"{name}: decision {key!r}: weights not finite")
        decisions[key] = Decision(key, bias, weights, threshold)
    return NarrativeModel(dim, decisions, tuple(document.get("trained_on", ())),
                          str(document.get("release", "?")),
                          bool(document.get("with_rules", True)))


@functools.cache
def load_model() -> NarrativeModel:
    """The shipped model (``vocab/narrative_model.json``); VocabularyError if it is
    missing or damaged."""
    return parse_model(read_package_file("harborlight.vocab", "narrative_model.json"))
