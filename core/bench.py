"""Benchmark helpers for `manage.py bench`: medians of several runs, peak memory, a printed table.

Each app may have a `benchmarks.py` with `def run(bench: Bench)`; a benchmark prints figures, never asserts.
"""

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable


class Bench:
    def __init__(self, runs: int = 3, stdout=None, quick: bool = False):
        self.runs = runs
        self.quick = quick
        self.stdout = stdout
        self.rows: list[tuple[str, str, str]] = []

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text)
            self.stdout.flush()

    def measure(
        self,
        fn: Callable[[], object],
        *,
        setup: Callable[[], object] | None = None,
        runs: int | None = None,
        memory: bool = False,
    ) -> dict:
        """Run fn `runs` times (setup before each, untimed); median seconds and, if asked, peak memory (MB)
        as traced Python allocations of the median run."""
        times, peaks = [], []
        for _ in range(runs or self.runs):
            if setup is not None:
                setup()
            gc.collect()
            if memory:
                tracemalloc.start()
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
            if memory:
                peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
                tracemalloc.stop()
        out = {"median": statistics.median(times), "runs": times}
        if memory:
            out["peak_mb"] = statistics.median(peaks)
        return out

    def report(self, name: str, value: str, target: str = "") -> None:
        self.rows.append((name, value, target))
        self.say(f"  {name:<58} {value:<34} {target}")

    def header(self, title: str) -> None:
        self.say(f"\n== {title}")
