"""Shared helpers of the sharing benchmarks: the real CTDC file and a step timer."""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from pathlib import Path

SHARED = Path(os.environ.get("HARBORLIGHT_SHARED") or
              Path(__file__).resolve().parents[1].parent / "shared")
CTDC_FILE = SHARED / "data" / "ctdc" / "CTDC_synthetic_20210825.csv.gz"


def require_ctdc() -> Path:
    if not CTDC_FILE.is_file():
        sys.exit(f"skipped: {CTDC_FILE} is absent (the benchmark needs the real CTDC file)")
    return CTDC_FILE


class StepTimer:
    """Records wall and CPU seconds of each export step (the export's on_step callback)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float, float]] = []
        self._start = (time.perf_counter(), time.process_time())

    def __call__(self, step: str) -> None:
        self.steps.append((step, time.perf_counter(), time.process_time()))

    def finish(self) -> list[tuple[str, float, float]]:
        end = (time.perf_counter(), time.process_time())
        marks = self.steps + [("end", *end)]
        out = []
        for (name, wall, cpu), (_, wall2, cpu2) in zip(marks, marks[1:]):
            out.append((name, wall2 - wall, cpu2 - cpu))
        return out


def machine() -> str:
    load = os.getloadavg()
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            f"; load average at end {load[0]:.1f} (shared machine)")


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 ** 2)


def print_utility(utility: dict) -> None:
    """The utility figures both DP benchmarks print: per length, then where suppression falls."""
    for length, v in utility["by_length"].items():
        print(f"  {length}-way: MAE {v['mae']:.1f}; suppressed {v['suppressed_share']:.2%} "
              f"(record-weighted {v['suppressed_record_share']:.2%}); fabricated "
              f"{v['fabricated_share']:.2%} (record-weighted {v['fabricated_record_share']:.3%})"
              f"{'; column triples sampled' if v['column_sets_sampled'] else ''}")
    print("  suppressed 2-way combinations by real count: " + ", ".join(
        f"{b['bucket']}: {b['suppressed_share']:.0%} of {b['real_combinations']}"
        for b in utility["suppressed_by_real_count"]))
    shown = utility.get("reporting")
    if shown:
        print(f"  reporting resolution (1- and 2-way combinations of "
              f"{', '.join(shown['columns'])}): at >= {shown['resolution']} records "
              f"suppressed {shown['suppressed_share']:.3f} of "
              f"{shown['real_combinations_at_resolution']:,}, fabricated "
              f"{shown['fabricated_share']:.4f} of "
              f"{shown['released_combinations_at_resolution']:,}; distinct combinations "
              f"of every weight: suppressed {shown['suppressed_share_every_weight']:.3f}, "
              f"fabricated {shown['fabricated_share_every_weight']:.4f}; record-weighted: "
              f"suppressed {shown['suppressed_record_share']:.4f}, fabricated "
              f"{shown['fabricated_record_share']:.4f}")
    if "unique_copies" in utility:
        print(f"  released records copying a record unique in the input: "
              f"{utility['unique_copies']:.4f}")
