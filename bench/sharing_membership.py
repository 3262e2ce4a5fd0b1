"""Benchmark: an empirical privacy check, membership inference against a DP release.

Run: python bench/sharing_membership.py [--layout ctdc-2021] [--epsilon 4] [--targets 1000]
         [--option NAME=VALUE]

The real CTDC file is split at random: ``--targets`` records are held out (never given to
the synthesizer: the non-members), the rest is the input. The synthesizer is fitted on
the input and its release sampled. The attacker holds the release and, for each of
``--targets`` members (drawn from the input) and the non-members, computes two scores:

* copies: how many released records equal the target in every column;
* closeness: minus the Hamming distance to the nearest released record (over a sample
  of 50,000 released records).

The attacker's *advantage* is the largest gap, over every threshold on a score, between
the share of members and the share of non-members it flags (true minus false positive
rate). (epsilon, delta)-DP bounds any attacker's advantage by (e^eps - 1 + 2 delta) /
(e^eps + 1), printed beside it. The same attack against releasing the input itself
shows what the attack finds when there is no protection.
"""

from __future__ import annotations

import argparse
import json
import math
import warnings

import numpy as np
import pandas as pd
from sharing_common import require_ctdc

from harborlight.sharing.dp import DPSynthesizer
from harborlight.sharing.export import prepare
from harborlight.sharing.reading import read_table

RELEASE_SAMPLE = 50_000


def advantage(members: np.ndarray, others: np.ndarray) -> float:
    """max over thresholds t of P(member score >= t) - P(non-member score >= t)."""
    thresholds = np.unique(np.concatenate([members, others]))
    flagged_members = (members[None, :] >= thresholds[:, None]).mean(axis=1)
    flagged_others = (others[None, :] >= thresholds[:, None]).mean(axis=1)
    return float(np.max(flagged_members - flagged_others))


def scores(targets: pd.DataFrame, release: pd.DataFrame, rng: np.random.Generator
           ) -> tuple[np.ndarray, np.ndarray]:
    """(copies in the release, minus the distance to the nearest released record)."""
    columns = list(targets.columns)
    hashed = pd.util.hash_pandas_object(release[columns], index=False).value_counts()
    target_hashes = pd.util.hash_pandas_object(targets[columns], index=False)
    copies = target_hashes.map(hashed).fillna(0).to_numpy()
    sample = release.iloc[rng.choice(len(release), min(RELEASE_SAMPLE, len(release)),
                                     replace=False)]
    codes = {c: pd.Index(pd.concat([targets[c], sample[c]]).unique()) for c in columns}
    t = np.stack([codes[c].get_indexer(targets[c]) for c in columns], 1).astype(np.int16)
    s = np.stack([codes[c].get_indexer(sample[c]) for c in columns], 1).astype(np.int16)
    nearest = np.array([(s != row).sum(axis=1).min() for row in t])
    return copies, -nearest


def attack(members: pd.DataFrame, others: pd.DataFrame, release: pd.DataFrame,
           rng: np.random.Generator) -> dict[str, float]:
    m_copies, m_close = scores(members, release, rng)
    o_copies, o_close = scores(others, release, rng)
    return {"copies": advantage(m_copies, o_copies),
            "closeness": advantage(m_close, o_close)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layout", default="ctdc-2021")
    parser.add_argument("--epsilon", type=float, default=4.0)
    parser.add_argument("--delta", type=float, default=1e-9)
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--option", action="append", default=[])
    args = parser.parse_args()
    options = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.option)}
    warnings.filterwarnings("ignore", category=UserWarning)
    real, _, _ = prepare(read_table(require_ctdc()), args.layout)
    rng = np.random.default_rng(args.seed)
    held = np.zeros(len(real), dtype=bool)
    held[rng.choice(len(real), args.targets, replace=False)] = True
    others = real.loc[held].reset_index(drop=True)
    used = real.loc[~held].reset_index(drop=True)
    members = used.iloc[rng.choice(len(used), args.targets, replace=False)]
    release = DPSynthesizer(epsilon=args.epsilon, delta=args.delta, layout=args.layout,
                            seed=args.seed, **options).fit(used).sample()
    bound = (math.exp(args.epsilon) - 1 + 2 * args.delta) / (math.exp(args.epsilon) + 1)
    dp_advantage = attack(members, others, release, rng)
    raw_advantage = attack(members, others, used, rng)
    print(f"membership inference, {args.targets:,} members and {args.targets:,} "
          f"non-members, layout {args.layout}, epsilon {args.epsilon:g}, delta "
          f"{args.delta:g}:")
    for name in ("copies", "closeness"):
        print(f"  attack on {name}: advantage {dp_advantage[name]:.3f} on the DP release "
              f"(bound at this epsilon: {bound:.3f}); {raw_advantage[name]:.3f} on the "
              "input itself")


if __name__ == "__main__":
    main()
