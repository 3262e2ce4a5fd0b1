"""Benchmark: k-anonymised export (k=11) of the real CTDC file (193,025 records).

Run: python bench/sharing_kanon.py [--layout ctdc-2024] [--k 11]
Prints wall and CPU seconds per step, rows in/out, suppressed records, marginal MAE.
Target (issue 6): the k = 11 export in <= 30 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from sharing_common import StepTimer, machine, peak_rss_gib, require_ctdc

from harborlight.sharing import export


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layout", default="ctdc-2024")
    parser.add_argument("--k", type=int, default=11)
    parser.add_argument("--no-risk", action="store_true")
    args = parser.parse_args()
    path = require_ctdc()
    timer = StepTimer()
    wall, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as out:
        result = export(out_dir=out, layout=args.layout, k=args.k, input_path=path, seed=1,
                        measure_risk=not args.no_risk, on_step=timer)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    report = result.report
    print(f"machine: {machine()}")
    for name, w, c in timer.finish():
        print(f"  step {name:55s} wall {w:7.1f} s  cpu {c:7.1f} s")
    core = sum(w for name, w, _ in timer.finish() if not name.startswith("measuring"))
    print(f"k={args.k} export, layout {args.layout}: total wall {wall:.1f} s, cpu {cpu:.1f} s; "
          f"without the utility/risk report {core:.1f} s wall; peak RSS {peak_rss_gib():.2f} GiB")
    loss = report["information_loss"]
    print(f"rows in {report['rows_in']:,} (+{report['control_records_withheld']:,} control), "
          f"rows out {report['rows_out']:,}, suppressed records {loss['records_suppressed']:,} "
          f"({loss['suppressed_share']:.2%}), smallest class {loss['smallest_class']}")
    print("generalisation: " + ", ".join(f"{q}={v['generalised_to']}" for q, v in
                                         loss["per_quasi_identifier"].items()))
    print(f"suppressed combinations (2-way) {report['suppressed_share']:.2%}, fabricated "
          f"{report['fabricated_share']:.2%}; marginal MAE " +
          ", ".join(f"{k}-way {v:.1f}" for k, v in report["marginal_mae"].items()))
    if report["risk"].get("evaluated"):
        print(f"max attack risk {report['risk']['max_risk']:.3f}")


if __name__ == "__main__":
    main()
