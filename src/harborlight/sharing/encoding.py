"""Integer codes for a CTDC-layout table over a *public* domain.

Differentially private synthesis must not learn its value domain from the data: a
category that appears only because one person has it would leak through the domain. The
domain of every column therefore comes from the layout (codebook values, all ISO-3 codes,
the layout's year range), never from the records. Code 0 is always "missing".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from harborlight.sharing.datafiles import load_layout, load_regions


@dataclass(frozen=True)
class Encoding:
    columns: tuple[str, ...]
    domains: dict[str, tuple[str, ...]]

    @classmethod
    def for_layout(cls, layout: str, columns: list[str] | None = None) -> "Encoding":
        spec = load_layout(layout)
        names = columns or spec.names
        domains = {}
        for name in names:
            col = spec.column(name)
            if col.kind == "country":
                values = tuple(sorted(load_regions()))
            elif col.kind == "year":
                values = tuple(str(y) for y in range(int(col.min), int(col.max) + 1))
            else:
                values = col.values
            domains[name] = ("",) + tuple(values)
        return cls(columns=tuple(names), domains=domains)

    def cardinalities(self) -> list[int]:
        return [len(self.domains[c]) for c in self.columns]

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """Return an (n, columns) int array; raises KeyError on a value outside the domain."""
        out = np.empty((len(frame), len(self.columns)), dtype=np.int64)
        for j, name in enumerate(self.columns):
            lookup = {v: i for i, v in enumerate(self.domains[name])}
            codes = frame[name].map(lookup)
            if codes.isna().any():
                bad = frame[name][codes.isna()].iloc[0]
                raise KeyError(f"{name}: value {bad!r} is outside the layout's domain")
            out[:, j] = codes.to_numpy(dtype=np.int64)
        return out

    def decode(self, codes: np.ndarray) -> pd.DataFrame:
        data = {}
        for j, name in enumerate(self.columns):
            values = np.asarray(self.domains[name], dtype=object)
            data[name] = values[codes[:, j]]
        return pd.DataFrame(data)
