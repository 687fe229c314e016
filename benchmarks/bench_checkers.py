"""Time each checker's *default* run on a correct NumPy implementation (convmath.numeric).

    python benchmarks/bench_checkers.py [--repeats 3]

Prints the median wall-clock seconds per checker (default max_examples, seed varied per
repeat); the issue's budget is 10 s per checker on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import convmath.numeric as numeric
from convmath import testing


def _direct(op: str) -> Callable[..., Any]:
    fn = getattr(numeric, op)

    def direct(a: Any, b: Any, mode: str = "full") -> Any:
        return fn(a, b, mode, method="direct")

    direct.__name__ = f"{op}_direct"
    return direct


CHECKS: list[tuple[str, Callable[..., Any], Callable[..., Any]]] = [
    ("check_conv", testing.check_conv, numeric.conv),
    ("check_conv_transpose", testing.check_conv_transpose, numeric.conv_transpose),
    ("check_conv_input_grad", testing.check_conv_input_grad, numeric.conv_input_grad),
    ("check_conv_weight_grad", testing.check_conv_weight_grad, numeric.conv_weight_grad),
    ("check_convolve", testing.check_convolve, _direct("convolve")),
    ("check_correlate", testing.check_correlate, _direct("correlate")),
    ("check_max_pool", testing.check_max_pool, numeric.max_pool2d),
    ("check_avg_pool", testing.check_avg_pool, numeric.avg_pool2d),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'checker':26s} {'examples':>8s} {'median s':>9s} {'min s':>7s} {'max s':>7s}")
    for name, checker, fn in CHECKS:
        times, n = [], 0
        for r in range(args.repeats):
            t = time.perf_counter()
            report = checker(fn, seed=r)
            times.append(time.perf_counter() - t)
            n = report.examples
        print(f"{name:26s} {n:8d} {statistics.median(times):9.2f} {min(times):7.2f} "
              f"{max(times):7.2f}")


if __name__ == "__main__":
    main()
