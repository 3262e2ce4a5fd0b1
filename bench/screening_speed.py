"""End-to-end speed and peak memory of ``screen`` on generated ads.

Generates N ads to a JSON Lines file (not timed), then times read -> normalise -> extract
-> indicators -> link -> templates -> leads -> write outputs, and samples the resident
memory of this process and its worker processes every 0.2 s (peak of the sum).

    python bench/screening_speed.py --n 100000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import psutil

from harborlight.screening import screen
from harborlight.screening.synthetic import generate_ads

KEY = b"benchmark-key-not-secret-0123456789"


class PeakMemory:
    """Peak of the summed RSS of this process and its children, sampled in a thread."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peak = 0
        self.loads: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.loads.append(os.getloadavg()[0])
            time.sleep(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None, help="keep files here")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the input file")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="screening-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ads-{args.n}-{args.seed}.jsonl"
    if not path.exists() or args.regenerate:
        started = time.perf_counter()
        with open(path, "w", encoding="utf-8") as handle:
            for ad in generate_ads(args.n, args.seed):
                handle.write(json.dumps(ad, ensure_ascii=False) + "\n")
        print(f"generated {args.n} ads in {time.perf_counter() - started:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)", flush=True)
    cpu_before = os.times()
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = screen(path, key=KEY, workers=args.workers, batch_size=args.batch_size)
        screened = time.perf_counter()
        result.write(folder / "out")
        finished = time.perf_counter()
    elapsed = finished - started
    cpu_after = os.times()
    cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f)
              for f in ("user", "system", "children_user", "children_system"))
    print(f"ads: {result.summary['ads_screened']}, networks: {result.summary['networks']}, "
          f"workers: {args.workers}, cpus: {os.cpu_count()}")
    print(f"screen: {screened - started:.1f} s; write outputs: {finished - screened:.1f} s; "
          f"total {elapsed:.1f} s")
    print(f"phases (s): {result.timings}")
    print(f"throughput: {args.n / elapsed:.0f} ads/s end to end")
    print(f"CPU time (this process and workers): {cpu:.1f} s = {cpu / args.n * 1000:.2f} ms "
          f"per ad; at 2 full cores that is {2 * args.n / cpu:.0f} ads/s")
    print(f"peak memory (process tree RSS): {memory.peak / 2**30:.2f} GiB")
    loads = memory.loads or [0.0]
    print(f"1-minute load average during the run (machine shared with other work): mean "
          f"{sum(loads) / len(loads):.1f}, max {max(loads):.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
