"""Timing and printing shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    floor: Figure | None = None  # what the same work costs at the least, measured in this run

    @property
    def ratio(self) -> float | None:
        return self.value / self.floor.value if self.floor and self.floor.value else None


def median_ms(action: Callable[[], object], repeat: int, warmup: int = 20) -> float:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def print_figures(figures: list[Figure]) -> None:
    width = max(len(f.name) for f in figures)
    print(f"{'figure':<{width}}  {'value':>12}  unit   {'floor':>12}  ratio")
    for f in figures:
        floor = f"{f.floor.value:12.3f}" if f.floor else f"{'':>12}"
        ratio = f"{f.ratio:5.2f} x" if f.ratio is not None else ""
        print(f"{f.name:<{width}}  {f.value:12.3f}  {f.unit:<5}  {floor}  {ratio}")
    print()
    for f in figures:
        print(f"BENCH {f.name} {f.value:.3f} {f.unit}")
        if f.ratio is not None:
            print(f"BENCH {f.name}_ratio {f.ratio:.2f} x")
