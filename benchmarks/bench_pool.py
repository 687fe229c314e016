"""convmath.numeric pooling (forward and input gradient) vs PyTorch CPU.

Same process, same inputs, same thread count (torch.set_num_threads(1) unless --threads);
alternate timing, medians, the ratio convmath/torch per case and the median ratio. Each
case first checks that the results agree (values and indices exactly for max pooling).

    PYTHONPATH=. python benchmarks/bench_pool.py [--repeat 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from convmath.numeric import avg_pool, avg_pool_grad, max_pool, max_pool_grad

rng = np.random.default_rng(0)

# (name, input shape, kind, kwargs) — kind is "max" or "avg"
CASES: list[tuple[str, tuple[int, ...], str, dict[str, Any]]] = [
    ("ResNet stem max 3x3/2 p1", (8, 64, 112, 112), "max",
     {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("VGG max 2x2/2", (8, 128, 56, 56), "max", {"kernel_size": 2}),
    ("max 3x3/2 ceil", (8, 96, 55, 55), "max", {"kernel_size": 3, "stride": 2,
                                                 "ceil_mode": True}),
    ("dilated max 3x3 d2", (4, 32, 64, 64), "max", {"kernel_size": 3, "stride": 1,
                                                     "dilation": 2, "padding": 1}),
    ("1-D max 4/4", (16, 64, 4000), "max", {"kernel_size": 4}),
    ("3-D max 2x2x2", (2, 32, 16, 56, 56), "max", {"kernel_size": 2}),
    ("avg 3x3/1 p1", (8, 64, 56, 56), "avg", {"kernel_size": 3, "stride": 1, "padding": 1}),
    ("avg 2x2/2 ceil no-pad-count", (8, 128, 57, 57), "avg",
     {"kernel_size": 2, "ceil_mode": True, "padding": 1, "count_include_pad": False}),
    ("3-D avg 3x3x3 p1", (2, 16, 16, 32, 32), "avg", {"kernel_size": 3, "stride": 2,
                                                       "padding": 1}),
]


def _time(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def _median_pair(ours: Callable[[], Any], theirs: Callable[[], Any], repeat: int
                 ) -> tuple[float, float]:
    single = max(_time(ours, 1), _time(theirs, 1))
    number = max(1, int(0.05 / max(single, 1e-7)))
    t_o, t_t = [], []
    for _ in range(repeat):
        t_o.append(_time(ours, number))
        t_t.append(_time(theirs, number))
    return statistics.median(t_o), statistics.median(t_t)


def main() -> None:
    import torch
    import torch.nn.functional as F

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    ratios: dict[str, list[float]] = {"forward": [], "grad": []}
    print(f"{'case':30} {'pass':7} {'convmath':>11} {'torch':>11} {'ratio':>6}")
    for name, shape, kind, kw in CASES:
        x = rng.standard_normal(shape).astype(np.float32)
        xt = torch.from_numpy(x)
        nd = len(shape) - 2
        ckw = {**kw, "ndim": nd}  # convmath never guesses the number of spatial axes
        if kind == "max":
            tf = getattr(F, f"max_pool{nd}d")
            tkw = {**kw, "return_indices": True}
            y, idx = max_pool(x, **ckw, return_indices=True)
            ty, tidx = tf(xt, **tkw)
            assert np.array_equal(y, ty.numpy()) and np.array_equal(idx, tidx.numpy()), name
            gy = rng.standard_normal(y.shape).astype(np.float32)
            ours_f: Callable[[], Any] = lambda: max_pool(x, **ckw)  # noqa: E731, B023
            theirs_f: Callable[[], Any] = lambda: tf(xt, **kw)  # noqa: E731, B023
            ours_g: Callable[[], Any] = lambda: max_pool_grad(x, gy, **ckw)  # noqa: E731, B023
        else:
            tf = getattr(F, f"avg_pool{nd}d")
            y = avg_pool(x, **ckw)
            assert np.allclose(y, tf(xt, **kw).numpy(), atol=1e-5), name
            gy = rng.standard_normal(y.shape).astype(np.float32)
            ours_f = lambda: avg_pool(x, **ckw)  # noqa: E731, B023
            theirs_f = lambda: tf(xt, **kw)  # noqa: E731, B023
            ours_g = lambda: avg_pool_grad(x.shape, gy, **ckw)  # noqa: E731, B023
        xg = xt.clone().requires_grad_(True)
        gyt = torch.from_numpy(gy)

        def theirs_g() -> Any:
            out = tf(xg, **kw)  # noqa: B023
            (grad,) = torch.autograd.grad(out[0] if isinstance(out, tuple) else out, xg,  # noqa: B023
                                          gyt)  # noqa: B023
            return grad

        assert np.allclose(ours_g(), theirs_g().numpy(), atol=1e-4), name
        for label, o, t in (("forward", ours_f, theirs_f), ("grad", ours_g, theirs_g)):
            mo, mt = _median_pair(o, t, args.repeat)
            ratios[label].append(mo / mt)
            print(f"{name:30} {label:7} {mo * 1e3:9.2f}ms {mt * 1e3:9.2f}ms {mo / mt:6.2f}")
    for label, values in ratios.items():
        print(f"median ratio convmath/torch, {label}: {statistics.median(values):.2f} "
              f"(min {min(values):.2f}, max {max(values):.2f})")
    print("(torch 'grad' times include its forward pass, which autograd needs)")


if __name__ == "__main__":
    main()
