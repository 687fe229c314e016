"""Time the *default* ``check_conv`` per backend: NumPy, PyTorch and JAX (issue 9).

    python benchmarks/bench_checker_backends.py [--repeats 3] [--only jax-jit,torch]
                                                [--profile] [--max-examples N]

Rows (each a correct implementation, so every run passes all its examples):

- ``numpy``: ``convmath.numeric.conv`` (the baseline every ratio is taken against);
- ``torch``: ``torch.nn.functional.conv2d`` with ``backend="torch"`` (target < 5 s);
- ``torch-input-grad``: ``torch.nn.grad.conv2d_input`` with ``check_conv_input_grad``;
- ``jax-jit``: ``jax.lax.conv_general_dilated`` wrapped to PyTorch's calling convention and
  ``jax.jit``-ed with stride/padding/dilation/groups static, as users write it (target
  < 20 s);
- ``jax-eager``: the same wrapper without ``jax.jit`` (the README's example);
- ``jax-jit-every-shape``: ``jax-jit`` with the geometry pool switched off (the backend
  marked not compiled): a new geometry per example, as before the pool — the side-by-side
  measure of what the pool saves.

The engine wraps each call in the backend's ``calling()`` context (PyTorch on the CPU: one
intra-op thread per call) and, for a compiled backend, draws at most
``convmath.testing._compiled.POOL_SIZE`` geometries with fresh values each.

Seeds are fixed (repeat ``r`` uses ``seed=r``); each row prints the median, min and max
wall-clock seconds and the ratio of its median to the NumPy row's. JAX runs in x64 mode
(the default dtypes include float64).

``--profile`` adds one instrumented run per row (seed 1000, which the timed runs do not
use: JAX's op-by-op dispatch and oneDNN keep per-shape caches for the whole process, so a
seed already run would come out warm): how many distinct *compile keys* the run drew
(array shapes and dtypes, and the other arguments as passed: ``1`` and ``(1, 1)`` are
different static arguments to ``jax.jit``), the time spent in the first call of each key
(a JAX compilation), in the repeated calls, in the backend's conversions and in
everything else (reference, tolerance, Hypothesis). It also times the conversion
of one array into JAX on a new shape: a device-side cast (``jnp.asarray(a, dtype=...)``,
what the JAX backend did before) against the host-side cast the backend does now.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import convmath.numeric as numeric
from convmath import testing
from convmath.testing._backends import Backend, resolve_backend

PROFILE_SEED = 1000
TARGETS = {"torch": 5.0, "jax-jit": 20.0, "jax-eager": 20.0}


def _pair(v: Any) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _jax_conv2d_fn() -> Callable[..., Any]:
    import jax

    def conv2d(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
               dilation: Any = 1, groups: int = 1) -> Any:
        if isinstance(padding, str):
            pad: Any = padding.upper()  # lax's 'SAME' is PyTorch's for stride 1
        else:
            pad = [(p, p) for p in _pair(padding)]
        y = jax.lax.conv_general_dilated(x, w, _pair(stride), pad,
                                         rhs_dilation=_pair(dilation),
                                         feature_group_count=groups)
        return y if bias is None else y + bias[None, :, None, None]

    return conv2d


def _jax_eager() -> Callable[..., Any]:
    fn = _jax_conv2d_fn()
    fn.__name__ = fn.__qualname__ = "jax_conv2d"
    return fn


def _jax_jit() -> Callable[..., Any]:
    import jax

    fn = _jax_conv2d_fn()
    fn.__name__ = fn.__qualname__ = "jax_conv2d_jit"
    return jax.jit(fn, static_argnames=("stride", "padding", "dilation", "groups"))


def _torch_conv2d() -> Callable[..., Any]:
    import torch.nn.functional as F

    return F.conv2d  # type: ignore[no-any-return]


def _torch_conv2d_input() -> Callable[..., Any]:
    import torch.nn.grad

    return torch.nn.grad.conv2d_input  # type: ignore[no-any-return]


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    checker: Callable[..., Any]
    make_fn: Callable[[], Callable[..., Any]]
    backend: str
    needs: str  # the module the row imports ("" for none)


ROWS = [
    Row("numpy", testing.check_conv, lambda: numeric.conv, "numpy", ""),
    Row("torch", testing.check_conv, _torch_conv2d, "torch", "torch"),
    Row("torch-input-grad", testing.check_conv_input_grad, _torch_conv2d_input, "torch",
        "torch"),
    Row("jax-jit", testing.check_conv, _jax_jit, "jax", "jax"),
    Row("jax-eager", testing.check_conv, _jax_eager, "jax", "jax"),
    Row("jax-jit-every-shape", testing.check_conv, _jax_jit, "jax-every-shape", "jax"),
]


def _available(module: str) -> bool:
    if not module:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _block(out: Any) -> Any:
    """Wait for an asynchronous (JAX) result, so that its time is charged to the call."""
    ready = getattr(out, "block_until_ready", None)
    return ready() if callable(ready) else out


def _key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """What a compiler keys on: shapes and dtypes of arrays, other arguments as passed."""
    def one(v: Any) -> Any:
        shape = getattr(v, "shape", None)
        if shape is not None and hasattr(v, "dtype"):
            return ("array", tuple(shape), str(v.dtype))
        return repr(v)

    return (tuple(one(a) for a in args), tuple(sorted((k, one(v)) for k, v in kwargs.items())))


@dataclasses.dataclass
class Profile:
    keys: dict[Any, int] = dataclasses.field(default_factory=dict)
    first: list[float] = dataclasses.field(default_factory=list)
    repeat: list[float] = dataclasses.field(default_factory=list)
    convert: float = 0.0


def _profiled(fn: Callable[..., Any], backend: Backend, prof: Profile
              ) -> tuple[Callable[..., Any], Backend]:
    """``fn`` and ``backend`` with every call and conversion timed into ``prof``."""
    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        key = _key(args, kwargs)
        t = time.perf_counter()
        out = _block(fn(*args, **kwargs))
        dt = time.perf_counter() - t
        (prof.repeat if key in prof.keys else prof.first).append(dt)
        prof.keys[key] = prof.keys.get(key, 0) + 1
        return out

    def to(arr: np.ndarray, dtype: str) -> Any:
        t = time.perf_counter()
        out = _block(backend.to(arr, dtype))
        prof.convert += time.perf_counter() - t
        return out

    def back(out: Any) -> np.ndarray:
        t = time.perf_counter()
        res = backend.back(out)
        prof.convert += time.perf_counter() - t
        return res

    return timed, dataclasses.replace(backend, to_backend=to, from_backend=back)


def _backend(row: Row) -> Any:
    """The row's backend: a name, or JAX with the geometry pool switched off."""
    if row.backend == "jax-every-shape":
        return dataclasses.replace(resolve_backend("jax"), compiled=False)
    return row.backend


def _run(row: Row, seed: int, max_examples: int | None) -> tuple[float, int]:
    t = time.perf_counter()
    report = row.checker(row.make_fn(), backend=_backend(row), seed=seed,
                         max_examples=max_examples)
    return time.perf_counter() - t, report.examples


def _profile(row: Row, max_examples: int | None) -> None:
    prof = Profile()
    fn, backend = _profiled(row.make_fn(), resolve_backend(_backend(row)), prof)
    t = time.perf_counter()
    report = row.checker(fn, backend=backend, seed=PROFILE_SEED, max_examples=max_examples)
    total = time.perf_counter() - t
    calls = len(prof.first) + len(prof.repeat)
    rest = total - sum(prof.first) - sum(prof.repeat) - prof.convert
    med_first = statistics.median(prof.first) if prof.first else 0.0
    med_rep = statistics.median(prof.repeat) if prof.repeat else 0.0
    print(f"  profile (seed {PROFILE_SEED}): {report.examples} examples, {calls} calls, "
          f"{len(prof.keys)} distinct compile keys; total {total:.2f} s = first calls "
          f"{sum(prof.first):.2f} s "
          f"(median {med_first * 1e3:.1f} ms) + repeated calls {sum(prof.repeat):.2f} s "
          f"(median {med_rep * 1e3:.2f} ms) + conversions {prof.convert:.2f} s + rest "
          f"{rest:.2f} s")


def _conversion_costs(shapes: int = 12) -> None:
    """One array into JAX on a new shape: device-side cast vs the backend's host cast."""
    import jax.numpy as jnp

    backend = resolve_backend("jax")
    rng = np.random.default_rng(0)
    for dtype in ("float32", "float64"):
        device_cast: list[float] = []
        host_cast: list[float] = []
        for i in range(shapes):
            for how, times in (("device", device_cast), ("host", host_cast)):
                a = rng.standard_normal((2, 5 + i, 7, 3 + i))  # a new shape each time
                t = time.perf_counter()
                if how == "device":
                    _block(jnp.asarray(a, dtype=getattr(jnp, dtype)))
                else:
                    _block(backend.to(a, dtype))
                times.append(time.perf_counter() - t)
        print(f"  one {dtype} array on a new shape: jnp.asarray(a, dtype=...) "
              f"{statistics.median(device_cast) * 1e3:.2f} ms, backend.to (host cast + "
              f"device_put) {statistics.median(host_cast) * 1e3:.2f} ms (medians of {shapes})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated row names")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--max-examples", type=int, default=None)
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    rows = [r for r in ROWS if (not only or r.name in only) and _available(r.needs)]
    if any(r.backend.startswith("jax") for r in rows):
        import jax

        jax.config.update("jax_enable_x64", True)
    print(f"{'row':18s} {'examples':>8s} {'median s':>9s} {'min s':>7s} {'max s':>7s} "
          f"{'/ numpy':>8s} {'target':>7s}")
    base = None
    for row in rows:  # each row's profile runs right after it (torch before JAX)
        times, n = [], 0
        for seed in range(args.repeats):
            dt, n = _run(row, seed, args.max_examples)
            times.append(dt)
        med = statistics.median(times)
        if row.name == "numpy":
            base = med
        ratio = f"{med / base:8.1f}" if base else f"{'-':>8s}"
        target = f"< {TARGETS[row.name]:g} s" if row.name in TARGETS else ""
        print(f"{row.name:18s} {n:8d} {med:9.2f} {min(times):7.2f} {max(times):7.2f} "
              f"{ratio} {target:>7s}", flush=True)
        if args.profile:
            _profile(row, args.max_examples)
    if args.profile and any(r.backend.startswith("jax") for r in rows):
        _conversion_costs()


if __name__ == "__main__":
    main()
