"""Exact certificates (convmath.symbolic.certificates): flint's fmpz_mpoly vs SymPy's rings.

Same process, same arguments; each case is timed alternately (flint, sympy, flint, ...)
after one warm-up call of each (which also imports the backend and builds its ring; the
flint one is shown as "flint 1st"), and the median of the repeats is reported, by wall
clock and by CPU time, with the ratio sympy/flint (CPU). Both backends run the same
Python code (the defining sums, entry by entry); only the polynomial arithmetic differs.
Every case also checks that the two certificates agree on everything but the backend and
the time.

    PYTHONPATH=. python benchmarks/bench_certificates.py [--repeat 5] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial

from convmath.symbolic.certificates import (
    Certificate,
    certify_backprop,
    certify_conv_assoc,
    certify_conv_comm,
)

# (name, certify(backend=...))
CASES: list[tuple[str, Callable[..., Certificate]]] = [
    ("comm 32x32 * 5x5", partial(certify_conv_comm, (32, 32), (5, 5))),
    ("comm 1d 400 * 9", partial(certify_conv_comm, (400,), (9,))),
    ("assoc 8x8 * 3x3 * 3x3", partial(certify_conv_assoc, (8, 8), (3, 3), (3, 3))),
    ("backprop x(1,2,9,9) w(3,2,3,3) s2 p1 d2",
     partial(certify_backprop, (1, 2, 9, 9), (3, 2, 3, 3), stride=2, padding=1, dilation=2)),
    ("backprop x(2,4,7,6) w(6,2,3,2) g2",
     partial(certify_backprop, (2, 4, 7, 6), (6, 2, 3, 2), stride=(2, 1), padding=(1, 2),
             dilation=(1, 2), groups=2)),
]


def _time(fn: Callable[[], Certificate]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one repeat, for smoke tests")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    import flint
    import sympy

    print(f"python {platform.python_version()}, python-flint {flint.__version__}, "
          f"sympy {sympy.__version__}; median of {repeat} (wall / CPU)")
    print(f"{'case':40} {'entries':>7} {'monos':>6} {'flint 1st':>9} {'flint wall':>10} "
          f"{'flint cpu':>9} {'sympy wall':>10} {'sympy cpu':>9} {'ratio':>6}")
    ratios = []
    for name, certify in CASES:
        first, _ = _time(partial(certify, backend="flint"))  # builds the ring (and imports)
        _time(partial(certify, backend="sympy"))
        a, b = certify(backend="flint"), certify(backend="sympy")
        assert dataclasses.replace(a, backend="sympy") == b, (name, a, b)
        t_f: list[tuple[float, float]] = []
        t_s: list[tuple[float, float]] = []
        for _ in range(repeat):
            t_f.append(_time(partial(certify, backend="flint")))
            t_s.append(_time(partial(certify, backend="sympy")))
        fw, fc = statistics.median(t[0] for t in t_f), statistics.median(t[1] for t in t_f)
        sw, sc = statistics.median(t[0] for t in t_s), statistics.median(t[1] for t in t_s)
        ratios.append(sc / fc)
        print(f"{name:40} {a.entries:7} {a.monomials:6} {first:8.3f}s {fw:9.3f}s {fc:8.3f}s "
              f"{sw:9.3f}s {sc:8.3f}s {sc / fc:6.1f}")
    print(f"median ratio sympy/flint (CPU): {statistics.median(ratios):.1f} "
          f"(min {min(ratios):.1f}, max {max(ratios):.1f}, {len(ratios)} cases)")


if __name__ == "__main__":
    main()
