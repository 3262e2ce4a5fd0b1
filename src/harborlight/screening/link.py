"""Link ads into networks: shared identifiers and near-duplicate text, incrementally.

Stages, in the dedupe manner (fingerprint -> pairs -> score -> cluster):

* **Text.** Each ad's MinHash signature is cut into LSH bands (:func:`band_keys`). Ads
  sharing a band key are *candidate pairs*; each candidate is paired with the first ad
  ever seen in that bucket (its anchor), then *verified* by the share of equal signature
  positions (an estimate of shingle Jaccard). Verified pairs are unioned in two
  union-find forests: one for text clusters (templates) and one for networks.
* **Identifiers.** Ads sharing a phone, email, handle or image hash are unioned in the
  network forest. A *hub guard* ignores identifiers seen in more than ``hub_max_ads`` ads
  or across more than ``hub_max_clusters`` distinct text clusters: a site's own help
  line must not merge every ad on the site. Identifier links are applied in
  :meth:`Linker.finalise`, after a whole run is read, so the guard sees full counts.

Roots are always the lowest ad index, so a network is named after its earliest ad and keeps
that name as later batches join it. All state lives in attributes ending in ``_`` and is
saved by :mod:`harborlight.screening.state` as Parquet and JSON.
"""

from __future__ import annotations

import logging

import numpy as np

from harborlight.screening.fingerprint import band_keys

log = logging.getLogger(__name__)

LINK_KINDS = ("phone", "email", "handle", "image")


class KeyIndex:
    """A growing map from uint64 keys to the first ad index seen with them.

    Kept as a few sorted NumPy runs merged log-structured style (like an LSM tree): lookups
    are binary searches, inserts append a run, and merges keep the number of runs
    logarithmic. Far smaller than a dict of Python ints at millions of keys.
    """

    def __init__(self) -> None:
        self.runs_: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self.runs_)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Anchor for each key, or -1. Older runs win (they hold the earliest anchors)."""
        found = np.full(len(keys), -1, dtype=np.int64)
        for run_keys, run_anchors in self.runs_:
            if not len(run_keys):
                continue
            position = np.searchsorted(run_keys, keys)
            position[position == len(run_keys)] = 0
            hit = (run_keys[position] == keys) & (found < 0)
            found[hit] = run_anchors[position[hit]]
        return found

    def add(self, keys: np.ndarray, anchors: np.ndarray) -> None:
        """Insert keys known to be absent, with their anchors."""
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self.runs_.append((keys[order], anchors[order]))
        while len(self.runs_) > 1 and len(self.runs_[-1][0]) * 2 >= len(self.runs_[-2][0]):
            newer = self.runs_.pop()
            older = self.runs_.pop()
            keys_all = np.concatenate([older[0], newer[0]])
            anchors_all = np.concatenate([older[1], newer[1]])
            order = np.argsort(keys_all, kind="stable")
            self.runs_.append((keys_all[order], anchors_all[order]))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All keys and anchors as two arrays, for saving."""
        if not self.runs_:
            return np.zeros(0, np.uint64), np.zeros(0, np.int64)
        return (np.concatenate([k for k, _ in self.runs_]),
                np.concatenate([a for _, a in self.runs_]))


class UnionFind:
    """Union-find over ad indices; the root of a set is its lowest index."""

    def __init__(self, parent: list[int] | None = None):
        self.parent = parent if parent is not None else []

    def add(self, count: int) -> None:
        start = len(self.parent)
        self.parent.extend(range(start, start + count))

    def find(self, item: int) -> int:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return root

    def union(self, first: int, second: int) -> bool:
        a, b = self.find(first), self.find(second)
        if a == b:
            return False
        if a > b:
            a, b = b, a
        self.parent[b] = a
        return True

    def roots(self) -> list[int]:
        return [self.find(item) for item in range(len(self.parent))]


class Linker:
    """Incremental linking step (see the module docstring).

    Parameters
    ----------
    bands : int
        LSH bands; ``num_perm / bands`` rows each. 16 bands of 4 rows find pairs with
        Jaccard 0.5 with probability 0.64 each, and clusters almost surely, since every
        member needs only one verified path.
    threshold : float
        Minimum estimated Jaccard for a candidate pair to be linked.
    hub_max_ads, hub_max_clusters : int
        Hub guard limits (see module docstring).
    link_kinds : tuple of str
        Identifier kinds that link ads. URLs are extracted but do not link by default:
        most are the site's own.
    """

    def __init__(self, *, bands: int = 16, threshold: float = 0.6, hub_max_ads: int = 500,
                 hub_max_clusters: int = 25, link_kinds: tuple[str, ...] = LINK_KINDS):
        self.bands = bands
        self.threshold = threshold
        self.hub_max_ads = hub_max_ads
        self.hub_max_clusters = hub_max_clusters
        self.link_kinds = link_kinds

    # -- state -----------------------------------------------------------------------------
    def _ensure_state(self, num_perm: int) -> None:
        if hasattr(self, "n_"):
            return
        self.n_ = 0
        self.num_perm_ = num_perm
        self.networks_ = UnionFind()
        self.texts_ = UnionFind()
        self.bands_ = KeyIndex()
        self.signatures_ = np.zeros((1024, num_perm), dtype=np.uint32)
        # identifier hash -> [first ad, ad count, kind, masked]
        self.identifiers_: dict[str, list] = {}
        self.pending_: list[tuple[int, list[tuple[str, str, str]]]] = []
        self.hubs_: set[str] = set()

    def _store_signatures(self, signatures: np.ndarray) -> None:
        needed = self.n_ + len(signatures)
        if needed > len(self.signatures_):
            grown = np.zeros((max(needed, 2 * len(self.signatures_)), self.num_perm_),
                             dtype=np.uint32)
            grown[:self.n_] = self.signatures_[:self.n_]
            self.signatures_ = grown
        self.signatures_[self.n_:needed] = signatures

    # -- stages ----------------------------------------------------------------------------
    def partial_fit(self, identifiers: list[list[tuple[str, str, str]]],
                    signatures: np.ndarray, has_signature: np.ndarray) -> "Linker":
        """Add one batch of ads: text links now, identifier links queued for :meth:`finalise`.

        ``identifiers[i]`` lists ``(kind, hash, masked)`` for the batch's ad ``i``.
        """
        self._ensure_state(signatures.shape[1])
        base, count = self.n_, len(identifiers)
        self.networks_.add(count)
        self.texts_.add(count)
        self._store_signatures(signatures)
        for offset, entries in enumerate(identifiers):
            if entries:
                self.pending_.append((base + offset, entries))
        self._link_text(base, signatures, has_signature)
        self.n_ += count
        return self

    def _link_text(self, base: int, signatures: np.ndarray, has_signature: np.ndarray) -> None:
        owners = np.flatnonzero(has_signature)
        if not len(owners):
            return
        keys = band_keys(signatures[owners], self.bands).ravel()
        members = np.repeat(owners + base, self.bands)
        order = np.argsort(keys, kind="stable")
        keys, members = keys[order], members[order]
        first = np.concatenate(([True], keys[1:] != keys[:-1]))
        unique_keys = keys[first]
        batch_anchor = members[first]
        known = self.bands_.lookup(unique_keys)
        anchor = np.where(known >= 0, known, batch_anchor)
        self.bands_.add(unique_keys[known < 0], batch_anchor[known < 0])
        group = np.cumsum(first) - 1
        pair_anchor = anchor[group]
        mask = pair_anchor != members
        pairs = np.unique(np.stack([members[mask], pair_anchor[mask]], axis=1), axis=0)
        if not len(pairs):
            return
        left = self.signatures_[pairs[:, 0]]
        right = self.signatures_[pairs[:, 1]]
        similarity = (left == right).mean(axis=1)
        verified = pairs[similarity >= self.threshold]
        for a, b in verified.tolist():
            self.texts_.union(a, b)
            self.networks_.union(a, b)

    def finalise(self) -> "Linker":
        """Apply queued identifier links with the hub guard; call once after a run."""
        if not hasattr(self, "n_"):
            return self
        table = self.identifiers_
        for ad, entries in self.pending_:
            seen: set[str] = set()
            for kind, digest, masked in entries:
                if digest in seen:
                    continue
                seen.add(digest)
                entry = table.get(digest)
                if entry is None:
                    table[digest] = [ad, 1, kind, masked]
                else:
                    entry[1] += 1
        clusters: dict[str, set[int]] = {}
        for ad, entries in self.pending_:
            root = self.texts_.find(ad)
            for kind, digest, _masked in entries:
                clusters.setdefault(digest, set()).add(root)
        for digest, roots in clusters.items():
            entry = table[digest]
            if entry[1] > self.hub_max_ads or len(roots) > self.hub_max_clusters:
                self.hubs_.add(digest)
        for ad, entries in self.pending_:
            for kind, digest, _masked in entries:
                if kind in self.link_kinds and digest not in self.hubs_:
                    self.networks_.union(ad, table[digest][0])
        log.info("linked %d ads; %d identifiers, %d hubs", self.n_, len(table), len(self.hubs_))
        self.pending_ = []
        return self
