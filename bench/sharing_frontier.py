"""Benchmark: suppressed against fabricated combinations over the threshold (the frontier).

Run: python bench/sharing_frontier.py [--layout ctdc-2021] [--epsilon 4]
         [--sigmas 2.0,2.5,3.0,3.25,3.5,4.0] [--fits 1] [--seeds 1] [--option NAME=VALUE]

With one threshold (``--sigmas 3``), the model is fitted at that threshold: exactly the
release `harborlight share export` makes; ``--fits 3 --seeds 1,2,3`` gives three runs
(three independent sets of noise) of three sampling seeds each.

For each fit: one DP synthesizer is fitted at the lowest threshold of the list; then, for
every threshold, the reported pairs whose noisy count is under it are held at zero *when
sampling* (the same noisy measurements, so no extra budget; each point is its own
hypothetical release), and the release is scored at the reporting resolution. The
shipped path fits the model at its threshold; cutting at sampling only approximates it,
so the default threshold's own figures come from `bench/sharing_dp.py`.
"""

from __future__ import annotations

import argparse
import json
import warnings

from sharing_common import require_ctdc

from harborlight.sharing import threshold
from harborlight.sharing.datafiles import load_anonymisation
from harborlight.sharing.dp import DPSynthesizer
from harborlight.sharing.evaluation import compare
from harborlight.sharing.export import prepare
from harborlight.sharing.reading import read_table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layout", default="ctdc-2021")
    parser.add_argument("--epsilon", type=float, default=4.0)
    parser.add_argument("--sigmas", default="2.0,2.5,2.75,3.0,3.25,3.5,4.0")
    parser.add_argument("--fits", type=int, default=1)
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--option", action="append", default=[],
                        help="DPSynthesizer option NAME=VALUE")
    args = parser.parse_args()
    options = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.option)}
    sigmas = sorted(float(s) for s in args.sigmas.split(","))
    warnings.filterwarnings("ignore", category=UserWarning)
    real, _, _ = prepare(read_table(require_ctdc()), args.layout)
    config = load_anonymisation()["reporting"]
    columns = config["columns"][args.layout]
    print(f"threshold (sigmas) | seed | suppressed >= {config['resolution']} | fabricated >= "
          f"{config['resolution']} | suppressed, every weight | fabricated, every weight | "
          "suppressed, record-weighted | pairs held absent | MAE 1-way | MAE 2-way | "
          "unique-record copies")
    for fit in range(args.fits):
        synthesizer = DPSynthesizer(epsilon=args.epsilon, layout=args.layout, seed=fit + 1,
                                    **{**options, "threshold_sigmas": sigmas[0]}).fit(real)
        for sigmas_cut in sigmas:
            synthesizer.zeros_ = threshold.absent_cells(
                synthesizer.reported_measurements_, synthesizer.sizes_,
                synthesizer.compression_, sigmas_cut)
            held = sum(len(v) for v in synthesizer.zeros_.values())
            for seed in (int(s) for s in args.seeds.split(",")):
                synthesizer.seed = seed
                utility = compare(real, synthesizer.sample(), max_length=2,
                                  reporting_columns=columns,
                                  resolution=config["resolution"])
                shown = utility["reporting"]
                print(f"{sigmas_cut:g} | {seed} | {shown['suppressed_share']:.3f} | "
                      f"{shown['fabricated_share']:.4f} | "
                      f"{shown['suppressed_share_every_weight']:.3f} | "
                      f"{shown['fabricated_share_every_weight']:.4f} | "
                      f"{shown['suppressed_record_share']:.4f} | {held:,} | "
                      f"{utility['mae']['1']:.1f} | {utility['mae']['2']:.1f} | "
                      f"{utility['unique_copies']:.4f}", flush=True)
        print(f"(fit {fit + 1}: noise sigma {synthesizer.sigma_threshold_:.2f} per cell)")


if __name__ == "__main__":
    main()
