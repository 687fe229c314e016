"""Closed-form convolution: convmath's ``evaluate`` against SymPy's bare ``integrate`` /
``summation`` of the defining integral or sum, on the public table
(``tests/symbolic/closed_form_table.py``).

Same process, same inputs; SymPy gets a per-pair time limit (``signal.alarm``, default
10 s). Per pair: seconds, whether a closed form came back (no integral/sum/operator left),
and whether it is right (numerically equal to the hand-written expected form). convmath's
time is the median of ``--repeat`` runs (certification included); imports (SciPy) are
done before timing.

    python benchmarks/bench_closed_form.py [--timeout 10] [--repeat 3] [--only NAME]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import sympy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "symbolic"))
from closed_form_table import TABLE, Pair, agrees

from convmath.symbolic import evaluate
from convmath.symbolic import operators as ops


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _closed(e: Any) -> bool:
    if not isinstance(e, sympy.Basic) or e.has(sympy.nan, sympy.zoo):
        return False
    return not any(isinstance(node, (sympy.Integral, sympy.Sum, ops.Convolution,
                                     ops.CrossCorrelation))
                   for node in sympy.preorder_traversal(e))


def _right(pair: Pair, e: Any) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return agrees(pair, e)
    except Exception:
        return False


def _sympy(pair: Pair, timeout: int) -> tuple[float, Any]:
    op = pair.build()
    defining = op.unfold()
    body, (var, lo, hi) = defining.function, defining.limits[0]
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = (sympy.summation(body, (var, lo, hi)) if op.discrete
                   else sympy.integrate(body, (var, lo, hi)))
        out = out.subs(var, var)  # force evaluation of lazy parts
    except _Timeout:
        out = "timeout"
    except Exception as exc:  # SymPy raising counts as no closed form
        out = f"error: {type(exc).__name__}"
    finally:
        signal.alarm(0)
    return time.perf_counter() - t0, out


def _convmath(pair: Pair, repeat: int) -> tuple[float, Any]:
    times = []
    out: Any = None
    for _ in range(repeat):
        op = pair.build()
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = evaluate(op)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    import scipy.integrate  # noqa: F401  (imported before timing)

    # warm SymPy's caches and convmath's lazy imports once
    x = sympy.symbols("x", real=True)
    evaluate(ops.Convolution(sympy.Lambda(x, sympy.Heaviside(x)),
                             sympy.Lambda(x, sympy.Heaviside(x)), sympy.Tuple(x), sympy.S.Reals))
    rows = [p for p in TABLE if args.only is None or args.only in p.name]
    tot = {"cm_t": 0.0, "sp_t": 0.0, "cm_ok": 0, "sp_ok": 0, "cm_wrong": 0, "sp_wrong": 0,
           "cm_closed": 0, "sp_closed": 0}
    worst = (0.0, "")
    print(f"{'pair':36s} {'convmath s':>10s} {'closed':>6s} {'right':>5s}   "
          f"{'SymPy s':>8s} {'closed':>6s} {'right':>5s}")
    for pair in rows:
        cm_t, cm = _convmath(pair, args.repeat)
        sp_t, sp = _sympy(pair, args.timeout)
        cm_c, sp_c = _closed(cm), _closed(sp)
        cm_r = cm_c and _right(pair, cm)
        sp_r = sp_c and _right(pair, sp)
        tot["cm_t"] += cm_t
        tot["sp_t"] += sp_t
        tot["cm_closed"] += cm_c
        tot["sp_closed"] += sp_c
        tot["cm_ok"] += cm_r
        tot["sp_ok"] += sp_r
        tot["cm_wrong"] += cm_c and not cm_r
        tot["sp_wrong"] += sp_c and not sp_r
        worst = max(worst, (cm_t, pair.name))
        note = " (timeout)" if sp == "timeout" else f" ({sp})" if isinstance(sp, str) else ""
        print(f"{pair.name:36s} {cm_t:10.3f} {cm_c!s:>6s} {cm_r!s:>5s}   {sp_t:8.2f} "
              f"{sp_c!s:>6s} {sp_r!s:>5s}{note}", flush=True)
    n = len(rows)
    print()
    print(f"pairs: {n}")
    print(f"convmath: {tot['cm_ok']}/{n} right, {tot['cm_wrong']} wrong, "
          f"{n - tot['cm_closed']} unevaluated, {tot['cm_t']:.2f} s total "
          f"(slowest {worst[1]}: {worst[0]:.2f} s)")
    print(f"SymPy:    {tot['sp_ok']}/{n} right, {tot['sp_wrong']} wrong, "
          f"{n - tot['sp_closed']} no closed form, {tot['sp_t']:.2f} s total "
          f"(limit {args.timeout} s a pair)")
    print(f"time ratio convmath / SymPy: {tot['cm_t'] / max(tot['sp_t'], 1e-9):.3f}")


if __name__ == "__main__":
    main()
