"""Time of the derivation checker: `convmath prove --all` (cold, in a fresh interpreter) and
re-verifying every registered derivation in one process, per family.

There is no other library that checks these derivations, so the comparison is with the
previous kernel's recorded time (benchmarks/RESULTS.md) and with the 10 s budget.

    PYTHONPATH=. python benchmarks/bench_prove.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import defaultdict


def cold(repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "convmath", "prove", "--all", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
        out.append(time.perf_counter() - t0)
    return out


def warm(repeat: int) -> dict[str, float]:
    from convmath.symbolic import derivation as _derivation
    from convmath.symbolic import derivations

    per: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeat):
        _derivation._PASSED.clear()
        for d in derivations():
            t0 = time.perf_counter()
            v = d.verify()
            assert not v.unstated, d.key
            per[d.family].append(time.perf_counter() - t0)
    return {fam: sum(ts) / repeat for fam, ts in per.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    ts = cold(args.repeat)
    print(f"convmath prove --all (cold, incl. interpreter start): median "
          f"{statistics.median(ts):.2f} s over {len(ts)} runs (min {min(ts):.2f} s)")
    fams = warm(args.repeat)
    total = sum(fams.values())
    print(f"verify() of all derivations in one process (after the first build, SymPy "
          f"caches warm): {total:.2f} s per pass")
    for fam, secs in sorted(fams.items(), key=lambda kv: -kv[1]):
        print(f"  {fam:26s} {secs:6.3f} s")


if __name__ == "__main__":
    main()
