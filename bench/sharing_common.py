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
