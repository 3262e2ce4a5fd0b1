"""MinHash signatures over word shingles of the masked ad text, vectorised with NumPy.

Extracted slots (phones, ages, prices, places, names, other numbers) are replaced by
placeholders before shingling, so ads filled from one template with different values share
almost all shingles; the slots that remain (free words) are absorbed by locality-sensitive
hashing at a Jaccard threshold of about one half. Shingles are hashed with CRC-32 (not
Python's ``hash``, which is salted per process) so that signatures are identical on every
machine and Dask worker.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

_TOKEN = re.compile(r"<\w+>|[^\W\d_]+")
_PRIME = np.uint64(4294967311)  # smallest prime above 2**32
_MIX = np.uint64(0x9E3779B97F4A7C15)


def shingles(masked_text: str, size: int) -> list[str]:
    """Word ``size``-grams of the masked text (placeholders count as words)."""
    tokens = _TOKEN.findall(masked_text)
    if len(tokens) < size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)]


class Fingerprinter:
    """Pipeline step: a MinHash signature for each ad's masked text.

    Parameters
    ----------
    num_perm : int
        Signature length (number of hash permutations).
    shingle_size : int
        Words per shingle.
    min_shingles : int
        Ads with fewer distinct shingles get no signature and are not text-linked: very
        short texts match everything.
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
        """Return ``(signatures, has_signature)``: ``(n, num_perm)`` uint32 and ``(n,)`` bool.

        Tokens are hashed once each (CRC-32, cached); shingle hashes are combined from
        token hashes with NumPy, so the per-shingle work is vectorised. MinHash over a
        multiset equals MinHash over its set, so repeated shingles need no removal.
        """
        a, b = self._permutations()
        n, size = len(masked_texts), self.shingle_size
        out = np.zeros((n, self.num_perm), dtype=np.uint32)
        valid = np.zeros(n, dtype=bool)
        cache = _TOKEN_HASHES
        token_hashes: list[list[int]] = []
        owners: list[int] = []
        for index, text in enumerate(masked_texts):
            tokens = _TOKEN.findall(text)
            if len(tokens) - size + 1 < self.min_shingles:
                continue
            hashes = []
            for token in tokens:
                value = cache.get(token)
                if value is None:
                    value = zlib.crc32(token.encode("utf-8"))
                    if len(cache) < 500_000:
                        cache[token] = value
                hashes.append(value)
            valid[index] = True
            owners.append(index)
            token_hashes.append(hashes)
        chunk = 256  # bounded temporary memory: chunk ads x shingles x num_perm x 8 bytes
        for first in range(0, len(owners), chunk):
            part = token_hashes[first:first + chunk]
            lengths = np.fromiter((len(h) for h in part), dtype=np.int64, count=len(part))
            flat = np.fromiter((value for hashes in part for value in hashes),
                               dtype=np.uint64, count=int(lengths.sum()))
            ends = np.cumsum(lengths)
            starts = ends - lengths
            shingle = flat[:len(flat) - size + 1].copy()
            with np.errstate(over="ignore"):
                for offset in range(1, size):
                    shingle = (shingle * _MIX) ^ flat[offset:len(flat) - size + 1 + offset]
            shingle = (shingle ^ (shingle >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
            keep = np.ones(len(shingle), dtype=bool)
            for offset in range(1, size):  # drop shingles that straddle two ads
                keep[ends[:-1] - offset] = False
            shingle = shingle[keep]
            shingle_starts = starts - np.arange(len(part)) * (size - 1)
            with np.errstate(over="ignore"):
                permuted = (shingle[:, None] * a[None, :] + b[None, :]) % _PRIME
            minima = np.minimum.reduceat(permuted, shingle_starts, axis=0)
            out[owners[first:first + chunk]] = minima.astype(np.uint32)
        return out, valid


_TOKEN_HASHES: dict[str, int] = {}


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
