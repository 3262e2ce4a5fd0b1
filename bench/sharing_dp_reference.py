"""Reference points: CTDC's own synthesizer and smartnoise's MST on the same input.

CTDC's differentially private releases come from Microsoft's synthetic data showcase,
published as pac-synth (its DP aggregate-seeded synthesizer); MST (smartnoise-synth) is
the synthesizer Harborlight's started from. This runs either on the real CTDC file,
mapped to the layout exactly as `harborlight share export` maps it, and scores its output
with Harborlight's own utility code, so the figures of `bench/sharing_dp.py` have
something to be compared with.

Neither is a dependency of Harborlight (smartnoise-synth pins mbi below 2 and pulls
torch). Install them in a throwaway venv and run from the clone's top:

    python3 -m venv /tmp/reference && /tmp/reference/bin/pip install \
        smartnoise-synth==1.0.8 pac-synth==0.0.8 typer rich
    PYTHONPATH=src /tmp/reference/bin/python bench/sharing_dp_reference.py \
        --synthesizer mst|pac-synth [--layout ctdc-2021] [--epsilon 4]
        [--reporting-length 2] [--fabrication minimize|balanced|progressive|uncontrolled]
"""

from __future__ import annotations

import argparse
import time
import warnings

from sharing_common import machine, peak_rss_gib, print_utility, require_ctdc

from harborlight.sharing.datafiles import load_anonymisation
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


def smartnoise_mst(mapped, epsilon: float, delta: float):
    """smartnoise-synth's MSTSynthesizer as it ships (its own noise, its own accounting)."""
    from snsynth import Synthesizer

    synthesizer = Synthesizer.create("mst", epsilon=epsilon, delta=delta)
    return synthesizer.fit_sample(mapped, preprocessor_eps=0.0,
                                  categorical_columns=list(mapped.columns))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthesizer", default="pac-synth", choices=["pac-synth", "mst"])
    parser.add_argument("--layout", default="ctdc-2021")
    parser.add_argument("--epsilon", type=float, default=4.0)
    parser.add_argument("--delta", type=float, default=1e-9)
    parser.add_argument("--reporting-length", type=int, default=2)
    parser.add_argument("--fabrication", default="minimize",
                        choices=["minimize", "balanced", "progressive", "uncontrolled"])
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    mapped, _, _ = prepare(read_table(require_ctdc()), args.layout)
    wall, cpu = time.perf_counter(), time.process_time()
    if args.synthesizer == "mst":
        synthetic = smartnoise_mst(mapped, args.epsilon, args.delta).astype(str)
        synthetic = synthetic.replace({"nan": "", "None": ""})[list(mapped.columns)]
        what = "smartnoise-synth MST"
    else:
        synthetic = synthesize(mapped, args.epsilon, args.delta, args.reporting_length,
                               args.fabrication)
        what = (f"pac-synth DP aggregate-seeded, reporting length {args.reporting_length}, "
                f"fabrication {args.fabrication}")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"machine: {machine()}")
    print(f"{what}, layout {args.layout}, epsilon={args.epsilon:g}, delta={args.delta:g}: "
          f"{wall:.1f} s wall ({cpu:.1f} s cpu), {len(synthetic):,} records from "
          f"{len(mapped):,}; peak RSS {peak_rss_gib():.2f} GiB")
    reporting = load_anonymisation()["reporting"]
    utility = compare(mapped, synthetic, max_length=3, seed=0,
                      reporting_columns=reporting["columns"][args.layout],
                      resolution=reporting["resolution"])
    print_utility(utility)


if __name__ == "__main__":
    main()
