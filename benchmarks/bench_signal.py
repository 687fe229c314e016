"""convmath.numeric.convolve/correlate vs scipy.signal.convolve/correlate(method='auto').

Same process, same inputs; each case is timed alternately (ours, scipy, ours, ...) and
the median of the repeats is reported, with the ratio convmath/scipy and the median ratio.
Every case also checks that the two results agree (exactly for integers).

    PYTHONPATH=. python benchmarks/bench_signal.py [--repeat 7] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.signal

from convmath.numeric import choose_method, convolve, correlate

rng = np.random.default_rng(0)


def _f(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape)


def _i(*shape: int, lo: int = -128, hi: int = 128) -> np.ndarray:
    return rng.integers(lo, hi, shape)


# (name, op, in1, in2, mode)
CASES: list[tuple[str, str, np.ndarray, np.ndarray, str]] = [
    ("1d 1k * 5", "convolve", _f(1000), _f(5), "full"),
    ("1d 100k * 5", "convolve", _f(100_000), _f(5), "same"),
    ("1d 100k * 64", "correlate", _f(100_000), _f(64), "valid"),
    ("1d 10k * 1k", "convolve", _f(10_000), _f(1000), "full"),
    ("1d 200k * 2k", "convolve", _f(200_000), _f(2000), "same"),
    ("1d 20k * 20k", "correlate", _f(20_000), _f(20_000), "full"),
    ("1d complex 50k * 300", "correlate", _f(50_000) + 1j * _f(50_000), _f(300), "same"),
    ("1d int 100k * 32", "convolve", _i(100_000), _i(32), "full"),
    ("1d int 100k * 2k", "correlate", _i(100_000), _i(2000), "same"),
    ("2d 64x64 * 3x3", "convolve", _f(64, 64), _f(3, 3), "same"),
    ("2d 256x256 * 3x3", "correlate", _f(256, 256), _f(3, 3), "same"),
    ("2d 512x512 * 5x5", "convolve", _f(512, 512), _f(5, 5), "full"),
    ("2d 256x256 * 15x15", "convolve", _f(256, 256), _f(15, 15), "same"),
    ("2d 512x512 * 64x64", "correlate", _f(512, 512), _f(64, 64), "valid"),
    ("2d 128x128 * 128x128", "convolve", _f(128, 128), _f(128, 128), "full"),
    ("2d float32 512x512 * 7x7", "convolve", _f(512, 512).astype(np.float32),
     _f(7, 7).astype(np.float32), "same"),
    ("2d int 256x256 * 3x3", "correlate", _i(256, 256, lo=0, hi=256), _i(3, 3, lo=-2, hi=3),
     "same"),
    ("2d int 512x512 * 9x9", "convolve", _i(512, 512, lo=0, hi=256), _i(9, 9), "same"),
]


def _time(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="one repeat, for smoke tests")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    ours_fns = {"convolve": convolve, "correlate": correlate}
    theirs_fns = {"convolve": scipy.signal.convolve, "correlate": scipy.signal.correlate}
    ratios = []
    print(f"{'case':28} {'op':9} {'mode':5} {'ours':>6} {'convmath':>11} {'scipy':>11} "
          f"{'ratio':>6}")
    for name, op, a, b, mode in CASES:
        ours: Callable[[], Any] = lambda: ours_fns[op](a, b, mode)  # noqa: E731, B023
        theirs: Callable[[], Any] = lambda: theirs_fns[op](a, b, mode)  # noqa: E731, B023
        got, want = ours(), theirs()
        if a.dtype.kind in "iu" and b.dtype.kind in "iu":
            exact = theirs_fns[op](a, b, mode, method="direct")
            assert np.array_equal(got, exact), f"{name}: integer result not exact"
        else:
            scale = max(1.0, float(np.max(np.abs(want))))
            assert np.allclose(got, want, rtol=1e-4, atol=1e-4 * scale), name
        # calibrate the loop count to ~20 ms per sample
        single = max(_time(ours, 1), _time(theirs, 1))
        number = max(1, int(0.02 / max(single, 1e-7)))
        t_ours, t_theirs = [], []
        for _ in range(repeat):
            t_ours.append(_time(ours, number))
            t_theirs.append(_time(theirs, number))
        mo, mt = statistics.median(t_ours), statistics.median(t_theirs)
        ratios.append(mo / mt)
        method = choose_method(a, b if op == "convolve" else b[..., ::-1], mode)  # type: ignore[arg-type]
        print(f"{name:28} {op:9} {mode:5} {method:>6} {mo * 1e3:9.3f}ms {mt * 1e3:9.3f}ms "
              f"{mo / mt:6.2f}")
    print(f"median ratio convmath/scipy: {statistics.median(ratios):.2f} "
          f"(max {max(ratios):.2f}, min {min(ratios):.2f}, {len(ratios)} cases)")


if __name__ == "__main__":
    main()
