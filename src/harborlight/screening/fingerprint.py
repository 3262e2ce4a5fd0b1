"""Shingles, the boilerplate model and MinHash signatures of the masked ad text.

Extracted slots (phones, ages, prices, places, names, other numbers) are replaced by
placeholders before shingling, so ads filled from one template with different values share
almost all shingles. Tokens are hashed with CRC-32 (not Python's ``hash``, which is salted
per process) so that shingles and signatures are identical on every machine and Dask
worker.

Stock text (disclaimers, "no law enforcement", rate lines, a site's own footer) is copied by
many unrelated posters; two ads sharing it share nothing about who wrote them. The
:class:`BoilerplateModel` learns which runs of words are used by many distinct posters (an
ad's poster is its contact; ads without one are not counted), and signatures are computed
over the *distinctive* shingles only (those outside such runs), so near-duplicate text
links ads only through text that is theirs.
"""

from __future__ import annotations

import math
import re
import zlib

import numpy as np

_TOKEN = re.compile(r"<\w+>|[^\W\d_]+")
_PRIME = np.uint64(4294967311)  # smallest prime above 2**32
_MIX = np.uint64(0x9E3779B97F4A7C15)
_TOKEN_HASHES: dict[str, int] = {}


def shingles(masked_text: str, size: int) -> list[str]:
    """Word ``size``-grams of the masked text (placeholders count as words)."""
    tokens = _TOKEN.findall(masked_text)
    if len(tokens) < size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)]


def _text_tokens(text: str) -> list[int]:
    cache = _TOKEN_HASHES
    hashes = []
    for token in _TOKEN.findall(text):
        value = cache.get(token)
        if value is None:
            value = zlib.crc32(token.encode("utf-8"))
            if len(cache) < 500_000:
                cache[token] = value
        hashes.append(value)
    return hashes


def token_hashes(masked_texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """CRC-32 of every token of each text, in order: ``(flat, offsets)``.

    Text ``i`` owns ``flat[offsets[i]:offsets[i + 1]]``.
    """
    per_text = [_text_tokens(text) for text in masked_texts]
    offsets = np.zeros(len(per_text) + 1, dtype=np.int64)
    np.cumsum([len(hashes) for hashes in per_text], out=offsets[1:])
    flat = np.fromiter((value for hashes in per_text for value in hashes), dtype=np.uint32,
                       count=int(offsets[-1]))
    return flat, offsets


def gram_hashes(tokens: np.ndarray, offsets: np.ndarray, size: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every run of ``size`` tokens inside one text: ``(hashes, first token)``.

    Combined from token hashes with NumPy (vectorised); for ``size`` 2 these are the word
    shingles of the signatures.
    """
    count = len(tokens) - size + 1
    if count <= 0:
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    wide = tokens.astype(np.uint64)
    combined = wide[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, size):
            combined = (combined * _MIX) ^ wide[offset:count + offset]
    combined = (combined ^ (combined >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    starts = np.arange(count, dtype=np.int64)
    owner_of_start = np.searchsorted(offsets, starts, side="right") - 1
    inside = starts + size <= offsets[owner_of_start + 1]
    return combined[inside].astype(np.uint32), starts[inside]


class Fingerprinter:
    """Pipeline step: MinHash signatures over (distinctive) shingles.

    Parameters
    ----------
    num_perm : int
        Signature length (number of hash permutations).
    shingle_size : int
        Words per shingle.
    min_shingles : int
        Ads with fewer distinct (distinctive) shingles get no signature and are not
        text-linked: very short texts match everything.
    seed : int
        Seed of the permutations; signatures are comparable only under one seed.
    """

    def __init__(self, *, num_perm: int = 64, shingle_size: int = 2, min_shingles: int = 4,
                 seed: int = 20211):
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.min_shingles = min_shingles
        self.seed = seed

    def _permutations(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        a = rng.integers(1, 2**32 - 1, size=self.num_perm, dtype=np.uint64)
        b = rng.integers(0, 2**32 - 1, size=self.num_perm, dtype=np.uint64)
        return a, b

    def signatures(self, masked_texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Signatures over every shingle of the texts (no boilerplate model)."""
        tokens, offsets = token_hashes(masked_texts)
        signatures, valid, _counts = self.signatures_of(tokens, offsets)
        return signatures, valid

    def shingles_of(self, tokens: np.ndarray, offsets: np.ndarray,
                    boilerplate: np.ndarray | None = None, span: int = 4
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct shingles of each text, without those inside stock text.

        A shingle is left out when every word of it lies in a run of ``span`` words that
        the sorted array ``boilerplate`` lists. Returns ``(shingles, owner, all counts)``.
        """
        shingles_, starts = gram_hashes(tokens, offsets, self.shingle_size)
        owner = np.searchsorted(offsets, starts, side="right") - 1
        all_counts = np.bincount(owner, minlength=len(offsets) - 1)
        if boilerplate is not None and len(boilerplate):
            grams, gram_starts = gram_hashes(tokens, offsets, span)
            stock = gram_starts[np.isin(grams, boilerplate)]
            covered = np.zeros(len(tokens) + span, dtype=np.int64)
            np.add.at(covered, stock, 1)
            np.add.at(covered, stock + span, -1)
            covered = np.cumsum(covered)[:len(tokens)] > 0
            keep = ~(covered[starts] & covered[starts + self.shingle_size - 1])
            shingles_, owner = shingles_[keep], owner[keep]
        keyed = np.unique((owner.astype(np.uint64) << np.uint64(32)) | shingles_)
        return ((keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32),
                (keyed >> np.uint64(32)).astype(np.int64), all_counts)

    def signatures_of(self, tokens: np.ndarray, offsets: np.ndarray,
                      boilerplate: np.ndarray | None = None, span: int = 4
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(signatures, has_signature, counts)`` for token arrays (as from
        :func:`token_hashes`): ``(n, num_perm)`` uint32, ``(n,)`` bool and ``(n, 2)`` int
        (all shingles, distinctive shingles). See :meth:`shingles_of` for ``boilerplate``.
        """
        n = len(offsets) - 1
        flat, owner, all_counts = self.shingles_of(tokens, offsets, boilerplate, span)
        distinctive = np.bincount(owner, minlength=n)
        valid = distinctive >= self.min_shingles
        out = np.zeros((n, self.num_perm), dtype=np.uint32)
        chosen = valid[owner]
        flat, owner = flat[chosen].astype(np.uint64), owner[chosen]
        a, b = self._permutations()
        filled = np.zeros(n, dtype=bool)
        chunk = 16_384  # shingles per step: bounded temporary memory
        for first in range(0, len(flat), chunk):
            part, who = flat[first:first + chunk], owner[first:first + chunk]
            permuted = (part[:, None] * a[None, :] + b[None, :]) % _PRIME
            starts = np.flatnonzero(np.concatenate(([True], who[1:] != who[:-1])))
            minima = np.minimum.reduceat(permuted, starts, axis=0).astype(np.uint32)
            rows = who[starts]  # an ad cut by the chunk boundary is merged with its minima
            out[rows] = np.where(filled[rows, None], np.minimum(out[rows], minima), minima)
            filled[rows] = True
        return out, valid, np.stack([all_counts, distinctive], axis=1)


def band_keys(signatures: np.ndarray, bands: int) -> np.ndarray:
    """One uint64 key per (ad, band): the LSH buckets. Shape ``(n, bands)``."""
    n, num_perm = signatures.shape
    rows = num_perm // bands
    grouped = signatures[:, :bands * rows].reshape(n, bands, rows).astype(np.uint64)
    keys = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64), (n, bands)).copy()
    with np.errstate(over="ignore"):
        for row in range(rows):
            keys = (keys ^ grouped[:, :, row]) * _MIX
            keys ^= keys >> np.uint64(29)
    return keys


def poster_keys(contact_hashes: list[list[str]]) -> np.ndarray:
    """One 32-bit key per ad from its contacts (0: no contact, not counted as a poster).

    An ad's poster is its smallest contact hash, so ads showing the same contact count as
    one poster and an operator rotating two numbers as two at most.
    """
    keys = np.zeros(len(contact_hashes), dtype=np.uint32)
    for index, hashes in enumerate(contact_hashes):
        if hashes:
            keys[index] = zlib.crc32(min(hashes).encode("utf-8")) or 1
    return keys


class BoilerplateModel:
    """Which runs of words many distinct posters use: learned from the batch, kept in state.

    Stock text is a long passage copied word for word, so the model counts runs of
    ``span`` words (4 by default), not single word pairs: "down to" or "who loves" are in
    every other ad, but only copied text shares whole runs. For each run seen, a 64-bit map
    records the posters that used it (one bit per poster, by a hash of its key); the number
    of distinct posters is estimated from the bits set (linear counting), so adding the
    same poster twice changes nothing and batches can be added in any grouping. A run used
    by ``min_posters`` or more estimated posters is boilerplate.

    Parameters
    ----------
    min_posters : int
        Distinct posters from which a run of words is boilerplate.
    span : int
        Words per run.
    """

    def __init__(self, *, min_posters: int = 5, span: int = 4):
        self.min_posters = min_posters
        self.span = span

    def _ensure(self) -> None:
        if not hasattr(self, "runs_"):
            self.runs_: list[tuple[np.ndarray, np.ndarray]] = []

    def partial_fit(self, tokens: np.ndarray, offsets: np.ndarray, posters: np.ndarray
                    ) -> "BoilerplateModel":
        """Add one batch: token hashes (as from :func:`token_hashes`) and each ad's poster."""
        self._ensure()
        grams, starts = gram_hashes(tokens, offsets, self.span)
        owner_poster = posters[np.searchsorted(offsets, starts, side="right") - 1]
        counted = owner_poster != 0
        if not counted.any():
            return self
        bits = np.left_shift(np.uint64(1), (owner_poster[counted] % 64).astype(np.uint64))
        keys = grams[counted]
        order = np.argsort(keys, kind="stable")
        keys, bits = keys[order], bits[order]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        self._add(keys[starts], np.bitwise_or.reduceat(bits, starts))
        return self

    def _add(self, keys: np.ndarray, bits: np.ndarray) -> None:
        """Insert a sorted run, merging runs log-structured style (OR on equal keys)."""
        self.runs_.append((keys, bits))
        while len(self.runs_) > 1 and len(self.runs_[-1][0]) * 2 >= len(self.runs_[-2][0]):
            newer, older = self.runs_.pop(), self.runs_.pop()
            keys_all = np.concatenate([older[0], newer[0]])
            bits_all = np.concatenate([older[1], newer[1]])
            order = np.argsort(keys_all, kind="stable")
            keys_all, bits_all = keys_all[order], bits_all[order]
            starts = np.flatnonzero(np.concatenate(([True], keys_all[1:] != keys_all[:-1])))
            self.runs_.append((keys_all[starts], np.bitwise_or.reduceat(bits_all, starts)))

    def posters(self, shingles_: np.ndarray) -> np.ndarray:
        """Estimated distinct posters of each run of words (0 for one never seen)."""
        self._ensure()
        bits = np.zeros(len(shingles_), dtype=np.uint64)
        for keys, run_bits in self.runs_:
            if not len(keys):
                continue
            position = np.searchsorted(keys, shingles_)
            position[position == len(keys)] = 0
            hit = keys[position] == shingles_
            bits[hit] |= run_bits[position[hit]]
        ones = _popcount(bits)
        with np.errstate(divide="ignore"):
            estimate = -64 * np.log1p(-np.minimum(ones, 63) / 64)
        return np.where(ones >= 64, 64 * math.log(64), estimate)

    def boilerplate(self) -> np.ndarray:
        """Sorted array of every boilerplate run of words."""
        self._ensure()
        found = []
        for keys, bits in self.runs_:
            ones = _popcount(bits)
            estimate = -64 * np.log1p(-np.minimum(ones, 63) / 64)
            found.append(keys[estimate >= self.min_posters - 0.5])
        return np.unique(np.concatenate(found)) if found else np.zeros(0, np.uint32)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All runs of words and poster maps as two arrays, for saving."""
        self._ensure()
        if not self.runs_:
            return np.zeros(0, np.uint32), np.zeros(0, np.uint64)
        return (np.concatenate([k for k, _ in self.runs_]),
                np.concatenate([b for _, b in self.runs_]))

    def load(self, keys: np.ndarray, bits: np.ndarray) -> "BoilerplateModel":
        """Restore saved arrays."""
        self.runs_ = []
        order = np.argsort(keys, kind="stable")
        keys, bits = keys[order], bits[order]
        if len(keys):
            starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
            self.runs_.append((keys[starts], np.bitwise_or.reduceat(bits, starts)))
        return self


def _popcount(values: np.ndarray) -> np.ndarray:
    """Bits set in each uint64 (vectorised)."""
    values = values.copy()
    count = np.zeros(len(values), dtype=np.int64)
    for shift in range(0, 64, 8):
        count += _BYTE_BITS[((values >> np.uint64(shift)) & np.uint64(0xFF)).astype(np.int64)]
    return count


_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
