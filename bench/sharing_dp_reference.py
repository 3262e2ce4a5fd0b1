"""Reference point: CTDC's own synthesizer on the same input, measured the same way.

CTDC's differentially private releases come from Microsoft's synthetic data showcase,
published as pac-synth (its DP aggregate-seeded synthesizer). This runs it on the real
CTDC file, mapped to the CTDC 2024 layout exactly as `harborlight share export` maps it,
and scores its output with Harborlight's own utility code, so the suppressed and
fabricated shares of `bench/sharing_dp.py` have something to be compared with.

Run: python bench/sharing_dp_reference.py [--epsilon 4] [--reporting-length 2]
         [--fabrication minimize|balanced|progressive|uncontrolled]
"""

from __future__ import annotations

import argparse
import time
import warnings

from sharing_common import machine, peak_rss_gib, print_utility, require_ctdc

from harborlight.sharing.evaluation import compare
from harborlight.sharing.export import prepare
from harborlight.sharing.reading import read_table


def synthesize(mapped, epsilon: float, delta: float, reporting_length: int,
               fabrication: str):
    import pacsynth
    import pandas as pd

    pacsynth.set_number_of_threads(2)
    builder = (pacsynth.DpAggregateSeededParametersBuilder()
               .reporting_length(reporting_length).epsilon(epsilon).delta(delta)
               .fabrication_mode(getattr(pacsynth.FabricationMode, fabrication)()))
    raw = [list(mapped.columns)] + mapped.astype(str).values.tolist()
    synthesizer = pacsynth.DpAggregateSeededSynthesizer(builder.build())
    synthesizer.fit(pacsynth.Dataset(raw))
    rows = synthesizer.sample()
    return pd.DataFrame(rows[1:], columns=rows[0])[list(mapped.columns)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epsilon", type=float, default=4.0)
    parser.add_argument("--delta", type=float, default=1e-9)
    parser.add_argument("--reporting-length", type=int, default=2)
    parser.add_argument("--fabrication", default="minimize",
                        choices=["minimize", "balanced", "progressive", "uncontrolled"])
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    mapped, _, _ = prepare(read_table(require_ctdc()), "ctdc-2024")
    wall, cpu = time.perf_counter(), time.process_time()
    synthetic = synthesize(mapped, args.epsilon, args.delta, args.reporting_length,
                           args.fabrication)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"machine: {machine()}")
    print(f"pac-synth DP aggregate-seeded, epsilon={args.epsilon:g}, delta={args.delta:g}, "
          f"reporting length {args.reporting_length}, fabrication {args.fabrication}: "
          f"{wall:.1f} s wall ({cpu:.1f} s cpu), {len(synthetic):,} records from "
          f"{len(mapped):,}; peak RSS {peak_rss_gib():.2f} GiB")
    utility = compare(mapped, synthetic, max_length=3, seed=0)
    print_utility(utility)


if __name__ == "__main__":
    main()
