"""Link ads into networks: distinctive shared text and shared contacts, incrementally.

Stages, in the dedupe manner (fingerprint -> pairs -> score -> cluster), each a public
method of :class:`Linker`:

1. :meth:`Linker.partial_fit` takes one batch: its shingles feed the boilerplate model
   (:class:`~harborlight.screening.fingerprint.BoilerplateModel`), which counts the
   distinct posters behind every shingle.
2. :meth:`Linker.link_text` runs once the run's batches are in: signatures over each ad's
   *distinctive* shingles (boilerplate left out) are cut into LSH bands; ads sharing a band
   key with an earlier ad (its anchor) are candidate pairs, *verified* by the share of
   equal signature positions (an estimate of the Jaccard index of their distinctive
   shingles). Verified pairs join text clusters, and each join is kept as a text *edge*
   with its similarity and its estimated number of shared distinctive shingles.
3. :meth:`Linker.finalise` judges hubs and builds the networks from the text clusters and
   the shared contacts (phone, email, handle, image) of every ad, history included, so a
   link through an identifier that later turns out to be a hub is undone.

**Hubs.** A site's own help line, or a word wrongly read as a handle, appears beside many
unrelated posters. An identifier is a hub when the ads carrying it fall into at least
``hub_min_clusters`` *otherwise unrelated* groups: text clusters that carry a contact of
their own (one less widespread than the identifier judged) and share none with each other.
It must also join many groups for its size (``hub_cluster_share`` of its ads), or sit on a
large share of every ad screened so far (``hub_max_share``). The guard therefore scales
with the batch and the history instead of waiting for an absolute count.

Roots are always the lowest ad index, so a network is named after its earliest ad and keeps
that name as later batches join it. State lives in attributes ending in ``_`` and is saved
by :mod:`harborlight.screening.state` as Parquet and JSON.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from harborlight.screening.fingerprint import BoilerplateModel, band_keys, poster_keys

log = logging.getLogger(__name__)

LINK_KINDS = ("phone", "email", "handle", "image")
CONTACT_KINDS = ("phone", "email", "image")  # verified contacts; handles are read from text


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


# ad index -> its identifiers as (kind, hash, masked)
Identifiers = Sequence[Sequence[tuple[str, str, str]]]
# (flat shingles, offsets) -> (signatures, has_signature, distinctive shingle counts)
SignatureJob = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, ...]]


class Linker:
    """Incremental linking step (see the module docstring).

    Parameters
    ----------
    bands : int
        LSH bands; ``num_perm / bands`` rows each. 16 bands of 4 rows find pairs with
        Jaccard 0.5 with probability 0.64 each, and clusters almost surely, since every
        member needs only one verified path.
    threshold : float
        Minimum estimated Jaccard of distinctive shingles for a pair to be linked.
    min_posters, boilerplate_span : int
        A run of ``boilerplate_span`` words used by ``min_posters`` distinct posters or more
        is stock text (see :class:`~harborlight.screening.fingerprint.BoilerplateModel`).
    min_shared : int
        Estimated distinctive shingles a verified pair must share: a high Jaccard index over
        a handful of shingles is evidence of little.
    hub_min_clusters, hub_cluster_share, hub_max_share : int, float, float
        Hub guard (see the module docstring).
    link_kinds : tuple of str
        Identifier kinds that link ads. URLs are extracted but do not link by default:
        most are the site's own.
    """

    def __init__(self, *, bands: int = 16, threshold: float = 0.5, min_posters: int = 5,
                 boilerplate_span: int = 4, min_shared: int = 6, hub_min_clusters: int = 3,
                 hub_cluster_share: float = 0.5, hub_max_share: float = 0.01,
                 link_kinds: tuple[str, ...] = LINK_KINDS):
        self.bands = bands
        self.threshold = threshold
        self.min_posters = min_posters
        self.boilerplate_span = boilerplate_span
        self.min_shared = min_shared
        self.hub_min_clusters = hub_min_clusters
        self.hub_cluster_share = hub_cluster_share
        self.hub_max_share = hub_max_share
        self.link_kinds = link_kinds

    # -- state -----------------------------------------------------------------------------
    def _ensure_state(self, num_perm: int) -> None:
        if hasattr(self, "n_"):
            return
        self.n_ = 0
        self.num_perm_ = num_perm
        self.texts_ = UnionFind()
        self.networks_ = UnionFind()
        self.bands_ = KeyIndex()
        self.signed_ = 0  # ads whose signature is in place
        self.signatures_ = np.zeros((1024, num_perm), dtype=np.uint32)
        self.shingle_counts_ = np.zeros((1024, 2), dtype=np.int32)  # all, distinctive
        self.edge_parts_: list[np.ndarray] = []  # rows of (ad, ad, similarity)
        self.boilerplate_ = BoilerplateModel(min_posters=self.min_posters,
                                             span=self.boilerplate_span)
        self.hubs_: dict[str, tuple[int, int]] = {}  # hash -> (groups joined, ads)
        self.pending_: list[tuple[np.ndarray, np.ndarray]] = []

    # -- stage 1 ---------------------------------------------------------------------------
    def partial_fit(self, identifiers: Identifiers, tokens: np.ndarray,
                    offsets: np.ndarray, *, num_perm: int = 64) -> "Linker":
        """Add one batch: its token hashes (``tokens``, ``offsets``) feed the boilerplate
        model and wait for :meth:`link_text`; ``identifiers[i]`` lists the batch's ad
        ``i``'s ``(kind, hash, masked)``."""
        self._ensure_state(num_perm)
        contacts = [[digest for kind, digest, _m in entries if kind in LINK_KINDS]
                    for entries in identifiers]
        self.boilerplate_.partial_fit(tokens, offsets, poster_keys(contacts))
        self.pending_.append((tokens, offsets))
        self.texts_.add(len(identifiers))
        self.n_ += len(identifiers)
        return self

    # -- stage 2 ---------------------------------------------------------------------------
    def link_text(self, signature_jobs: Callable[[Iterable[tuple[np.ndarray, np.ndarray]],
                                                  np.ndarray], Iterable[tuple[np.ndarray, ...]]]
                  ) -> "Linker":
        """Sign the pending ads over their distinctive shingles and link them by text.

        ``signature_jobs(batches, boilerplate)`` yields, in order and for each pending
        batch of ``(tokens, offsets)``, ``(signatures, has_signature, shingle counts)``
        (see :func:`~harborlight.screening.pipeline.sign_batch`); the engine runs it in
        this process, a process pool or on Dask.
        """
        if not hasattr(self, "n_") or not self.pending_:
            return self
        boilerplate = self.boilerplate_.boilerplate()
        base = self.n_ - sum(len(offsets) - 1 for _f, offsets in self.pending_)
        batches, self.pending_ = self.pending_, []
        for (_tokens, offsets), (signatures, valid, counts) in zip(
                batches, signature_jobs(batches, boilerplate)):
            self._store(signatures, counts)
            self._link_batch(base, signatures, valid)
            base += len(offsets) - 1
        log.info("text linking: %d ads, %d boilerplate shingles, %d text edges", self.n_,
                 len(boilerplate), len(self.text_edges))
        return self

    def _store(self, signatures: np.ndarray, counts: np.ndarray) -> None:
        needed = self.signed_ + len(signatures)
        if needed > len(self.signatures_):
            size = max(needed, 2 * len(self.signatures_))
            for name in ("signatures_", "shingle_counts_"):
                old = getattr(self, name)
                grown = np.zeros((size, old.shape[1]), dtype=old.dtype)
                grown[:self.signed_] = old[:self.signed_]
                setattr(self, name, grown)
        self.signatures_[self.signed_:needed] = signatures
        self.shingle_counts_[self.signed_:needed] = counts
        self.signed_ = needed

    @property
    def text_edges(self) -> np.ndarray:
        """Every text join so far: rows of ``(ad, ad, similarity)``."""
        if len(self.edge_parts_) != 1:
            parts = [p for p in self.edge_parts_ if len(p)]
            self.edge_parts_ = [np.concatenate(parts) if parts else np.zeros((0, 3))]
        return self.edge_parts_[0]

    def _link_batch(self, base: int, signatures: np.ndarray, has_signature: np.ndarray) -> None:
        owners = np.flatnonzero(has_signature)
        if not len(owners):
            return
        keys = band_keys(signatures[owners], self.bands).ravel()
        members = np.repeat(owners + base, self.bands)
        order = np.argsort(keys, kind="stable")
        keys, members = keys[order], members[order]
        first = np.concatenate(([True], keys[1:] != keys[:-1]))
        unique_keys, batch_anchor = keys[first], members[first]
        known = self.bands_.lookup(unique_keys)
        anchor = np.where(known >= 0, known, batch_anchor)
        self.bands_.add(unique_keys[known < 0], batch_anchor[known < 0])
        pair_anchor = anchor[np.cumsum(first) - 1]
        mask = pair_anchor != members
        pairs = np.unique(np.stack([members[mask], pair_anchor[mask]], axis=1), axis=0)
        if not len(pairs):
            return
        similarity = (self.signatures_[pairs[:, 0]] == self.signatures_[pairs[:, 1]]).mean(axis=1)
        distinctive = self.shingle_counts_[pairs[:, 0], 1] + self.shingle_counts_[pairs[:, 1], 1]
        shared = similarity * distinctive / (1 + similarity)
        verified = (similarity >= self.threshold) & (shared >= self.min_shared)
        edges = []
        for (a, b), value in zip(pairs[verified].tolist(), similarity[verified].tolist()):
            if self.texts_.union(a, b):
                edges.append((a, b, value))
        if edges:
            self.edge_parts_.append(np.array(edges, dtype=np.float64))

    # -- stage 3 ---------------------------------------------------------------------------
    def finalise(self, identifiers: Identifiers) -> "Linker":
        """Judge hubs over every ad (``identifiers`` indexed like the linker's ads) and
        build the networks from text clusters and non-hub shared identifiers."""
        if not hasattr(self, "n_"):
            return self
        text_roots = self.texts_.roots()
        carriers = self._carriers(identifiers)
        self.hubs_ = self.judge_hubs(carriers, identifiers, text_roots)
        networks = UnionFind(list(text_roots))
        for digest, ads in carriers.items():
            if digest not in self.hubs_:
                for ad in ads[1:]:
                    networks.union(ads[0], ad)
        self.networks_ = networks
        log.info("linked %d ads; %d identifiers, %d hubs", self.n_, len(carriers),
                 len(self.hubs_))
        return self

    def _carriers(self, identifiers: Identifiers) -> dict[str, list[int]]:
        """Linking identifier hash -> the ads carrying it, in order."""
        carriers: dict[str, list[int]] = defaultdict(list)
        for ad, entries in enumerate(identifiers):
            for kind, digest, _masked in entries:
                if kind in self.link_kinds and (not carriers[digest] or
                                                carriers[digest][-1] != ad):
                    carriers[digest].append(ad)
        return carriers

    def judge_hubs(self, carriers: dict[str, list[int]], identifiers: Identifiers,
                   text_roots: list[int]) -> dict[str, tuple[int, int]]:
        """Hubs with the groups they join and their ads; see the module docstring."""
        spread = {digest: len({text_roots[ad] for ad in ads})
                  for digest, ads in carriers.items()}
        total = max(len(text_roots), 1)
        hubs: dict[str, tuple[int, int]] = {}
        for digest in sorted((d for d, c in spread.items() if c >= self.hub_min_clusters),
                             key=lambda d: (-spread[d], d)):
            ads = carriers[digest]
            groups = self._unrelated_groups(digest, ads, identifiers, text_roots, spread,
                                            carriers)
            share = groups >= self.hub_cluster_share * len(ads)
            if groups >= self.hub_min_clusters and (share or
                                                    len(ads) >= self.hub_max_share * total):
                hubs[digest] = (groups, len(ads))
        return hubs

    def _unrelated_groups(self, digest: str, ads: list[int], identifiers: Identifiers,
                          text_roots: list[int], spread: dict[str, int],
                          carriers: dict[str, list[int]]) -> int:
        """Text clusters of ``ads`` with a contact of their own, merged when their contacts
        are one poster's: shown together on any ad, or seen only beside ``digest``.

        Only contacts less widespread than ``digest`` count, so two site-wide numbers shown
        together do not vouch for each other; and not a contact seen on several ads that
        all carry ``digest`` too: that is one poster's second number (rotating numbers
        beside a fixed handle), not another poster.
        """
        own = set(ads)
        anchors: dict[int, set[str]] = defaultdict(set)
        for ad in ads:
            for kind, other, _masked in identifiers[ad]:
                if other == digest or kind not in self.link_kinds or \
                        spread.get(other, 0) >= spread[digest]:
                    continue
                seen = carriers.get(other, [])
                if len(seen) >= 2 and own.issuperset(seen):
                    continue
                anchors[text_roots[ad]].add(other)
        names = sorted({contact for contacts in anchors.values() for contact in contacts})
        index = {name: i for i, name in enumerate(names)}
        posters = UnionFind()
        posters.add(len(names))
        for name in names:  # contacts shown together on some ad belong to one poster
            for ad in carriers.get(name, []):
                for _kind, other, _masked in identifiers[ad]:
                    if other in index:
                        posters.union(index[name], index[other])
        return _groups(anchors, index, posters)


def _groups(anchors: dict[int, set[str]], index: dict[str, int], posters: UnionFind) -> int:
    """Clusters merged when their contacts belong to one poster."""
    clusters = UnionFind()
    clusters.add(len(anchors))
    first_cluster: dict[int, int] = {}
    for position, contacts in enumerate(anchors.values()):
        for contact in contacts:
            poster = posters.find(index[contact])
            clusters.union(first_cluster.setdefault(poster, position), position)
    return len(set(clusters.roots()))
