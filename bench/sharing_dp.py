"""Benchmark: differentially private synthesis at epsilon = 4 on the real CTDC file.

Run: python bench/sharing_dp.py [--layout ctdc-2021] [--epsilon 4] [--seed 1]
         [--option NAME=VALUE]
Prints wall/CPU seconds per step, peak memory, suppressed and fabricated shares at the
reporting resolution (and at every weight, and record-weighted), MAE, unique-record
copies, the budget spent. Targets (issue 15): <= 5 minutes and 4 GB on 2 cores;
suppressed < 10% and fabricated < 1% at >= 20 records; unique-record copies < 10%.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings

from sharing_common import StepTimer, machine, peak_rss_gib, print_utility, require_ctdc

from harborlight.sharing import export


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layout", default="ctdc-2021")
    parser.add_argument("--epsilon", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--option", action="append", default=[],
                        help="DPSynthesizer option NAME=VALUE (e.g. threshold_sigmas=2.5)")
    args = parser.parse_args()
    options = {}
    for item in args.option:
        name, value = item.split("=", 1)
        options[name] = json.loads(value)
    warnings.filterwarnings("ignore", category=UserWarning)
    path = require_ctdc()
    timer = StepTimer()
    wall, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as out:
        result = export(out_dir=out, layout=args.layout, epsilon=args.epsilon,
                        input_path=path, seed=args.seed, dp_options=options, on_step=timer)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    report = result.report
    print(f"machine: {machine()}")
    steps = timer.finish()
    for name, w, c in steps:
        print(f"  step {name:55s} wall {w:7.1f} s  cpu {c:7.1f} s")
    synth = next((w, c) for name, w, c in steps if name.startswith("synthesising"))
    print(f"DP synthesis at epsilon={args.epsilon:g} (delta {report['delta']:g}), layout "
          f"{args.layout}, options {options or 'defaults'}: synthesis {synth[0]:.1f} s wall "
          f"({synth[1]:.1f} s cpu); whole export {wall:.1f} s wall ({cpu:.1f} s cpu); "
          f"peak RSS {peak_rss_gib():.2f} GiB")
    print_utility(report["utility"])
    print("  largest 2-way errors: " + ", ".join(
        f"{w['columns']} {w['max_abs_count_error']:,}"
        for w in report["utility"]["largest_two_way_errors"]))
    privacy = report["privacy"]
    print(f"rows in {report['rows_in']:,}, rows out {report['rows_out']:,}; rho spent "
          f"{privacy['rho_spent']:.4f} of {privacy['rho_zcdp']:.4f} "
          f"({privacy['rho_spent_by_measurement']}); reported pairs held absent "
          f"{privacy['reported_pairs_held_absent']:,} at {privacy['threshold_sigmas']:g} "
          f"sigma = {privacy['threshold_sigmas'] * privacy['threshold_sigma']:.1f} records")
    if report["risk"].get("evaluated"):
        print(f"max attack risk {report['risk']['max_risk']:.3f}")


if __name__ == "__main__":
    main()
