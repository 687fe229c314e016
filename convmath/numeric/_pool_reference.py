"""Definitional pooling: plain loops read straight off PyTorch's formulas.

For small inputs and for tests only — these are the second, independent path that the fast
functions in :mod:`convmath.numeric._pool` are compared against. Every output position t
(per axis, tap j ∈ [0, k)) looks at input position ``u = s·t − p + d·j``; positions outside
``[0, i)`` are padding.

- ``definitional_max_pool``: scan the in-bounds taps in row-major order, keep ``val`` when
  ``val > best`` or ``val`` is NaN (PyTorch's rule: first maximum, NaN wins, of several
  NaNs the last). The running value starts at −∞ and the index at the first tap with
  ``u ≥ 0`` on every axis (so a window of −∞ only selects its first in-bounds element).
- ``definitional_avg_pool``: sum of the in-bounds taps divided by
  ``divisor_override``, or ``∏ (min(start+k, i+p) − start)`` (count_include_pad), or the
  number of in-bounds taps.
- The gradients route ``g[t]`` to the chosen index (max; integer ``g`` summed exactly as
  Python ints), or ``g[t]/D(t)`` to every in-bounds tap (avg); complex ``g`` stays complex.

Arguments are validated by the same :func:`~convmath.numeric._pool.pool_geometry` as the
fast path (validation is not what these loops are for), so the shape rules are the same:
``ndim=`` or a sequence-valued argument gives the number of spatial axes, and ``x`` may be
batched ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from convmath.numeric._pool import PoolGeometry, pool_geometry
from convmath.numeric._validate import ieee_quiet

__all__ = [
    "definitional_avg_pool",
    "definitional_avg_pool_grad",
    "definitional_max_pool",
    "definitional_max_pool_grad",
]


def _windows(g: PoolGeometry) -> Iterator[tuple[tuple[int, ...], list[tuple[int, ...]]]]:
    """Each output position with the in-bounds input positions of its window (row-major)."""
    for t in itertools.product(*(range(o) for o in g.out_size)):
        taps = []
        for j in itertools.product(*(range(k) for k in g.kernel)):
            u = tuple(
                t[a] * g.stride[a] - g.padding[a] + j[a] * g.dilation[a] for a in range(g.ndim)
            )
            if all(0 <= u[a] < g.in_size[a] for a in range(g.ndim)):
                taps.append(u)
        yield t, taps


def _flat(u: tuple[int, ...], size: tuple[int, ...]) -> int:
    index = 0
    for ua, sa in zip(u, size, strict=True):
        index = index * sa + ua
    return index


def _at(m: int, t: tuple[int, ...]) -> tuple[int, ...]:
    return (m, *t)


def _batched(x: np.ndarray, g: PoolGeometry) -> np.ndarray:
    return x.reshape((math.prod(g.batch_shape), *g.in_size))


def _max_scan(plane: np.ndarray, g: PoolGeometry, t: tuple[int, ...],
              taps: list[tuple[int, ...]]) -> tuple[Any, int]:
    best: Any = -math.inf if plane.dtype.kind == "f" else np.iinfo(plane.dtype).min
    first = []
    for a in range(g.ndim):
        u = t[a] * g.stride[a] - g.padding[a]
        while u < 0:
            u += g.dilation[a]
        first.append(u)
    best_u = _flat(tuple(first), g.in_size)
    for pos in taps:
        val = plane[pos]
        if val > best or (plane.dtype.kind == "f" and math.isnan(val)):
            best, best_u = val, _flat(pos, g.in_size)
    return best, best_u


@ieee_quiet
def definitional_max_pool(
    x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, *, ndim: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling by loops; returns ``(values, flat indices)``."""
    x = np.asarray(x)
    g = pool_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode, ndim=ndim)
    xb = _batched(x, g)
    out = np.empty((xb.shape[0], *g.out_size), dtype=x.dtype)
    idx = np.empty((xb.shape[0], *g.out_size), dtype=np.int64)
    for m in range(xb.shape[0]):
        for t, taps in _windows(g):
            out[_at(m, t)], idx[_at(m, t)] = _max_scan(xb[m], g, t, taps)
    return out.reshape(g.out_shape), idx.reshape(g.out_shape)


def _divisor(g: PoolGeometry, t: tuple[int, ...], taps: list[tuple[int, ...]],
             count_include_pad: bool, divisor_override: int | None) -> int:
    if divisor_override is not None:
        return divisor_override
    if not count_include_pad:
        return len(taps)
    size = 1
    for a in range(g.ndim):
        start = t[a] * g.stride[a] - g.padding[a]
        size *= min(start + g.kernel[a], g.in_size[a] + g.padding[a]) - start
    return size


@ieee_quiet
def definitional_avg_pool(
    x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None, *,
    ndim: int | None = None,
) -> np.ndarray:
    """Average pooling by loops (float64 sums for float input; exact ints, the quotient
    truncated towards zero, as C's ``/`` — a negative ``divisor_override`` included)."""
    x = np.asarray(x)
    g = pool_geometry(x.shape, kernel_size, stride, padding, 1, ceil_mode, ndim=ndim,
                      fn="avg_pool")
    xb = _batched(x, g)
    out = np.empty((xb.shape[0], *g.out_size), dtype=x.dtype)
    for m in range(xb.shape[0]):
        for t, taps in _windows(g):
            div = _divisor(g, t, taps, count_include_pad, divisor_override)
            if x.dtype.kind in "iu":
                total = sum(int(xb[m][u]) for u in taps)
                quotient = abs(total) // abs(div)
                out[_at(m, t)] = quotient if (total >= 0) == (div > 0) else -quotient
            else:
                vals = [float(xb[m][u]) for u in taps]
                # (fsum raises on inf + −inf; the IEEE sum is NaN, as PyTorch's)
                total_f = math.fsum(vals) if all(map(math.isfinite, vals)) else sum(vals)
                out[_at(m, t)] = total_f / div
    return out.reshape(g.out_shape)


@ieee_quiet
def definitional_max_pool_grad(
    x: Any, grad_output: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
    dilation: Any = 1, ceil_mode: bool = False, *, ndim: int | None = None,
) -> np.ndarray:
    """``∂L/∂x`` of max pooling: each ``g[t]`` added at the index its window chose."""
    x = np.asarray(x)
    grad_output = np.asarray(grad_output)
    g = pool_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode, ndim=ndim)
    xb = _batched(x, g)
    gb = grad_output.reshape((xb.shape[0], *g.out_size))
    integer = grad_output.dtype.kind in "iu"
    # integer gradients: exact Python-int sums, returned as int64 (uint64 if unsigned)
    gx = np.zeros((xb.shape[0], math.prod(g.in_size)),
                  dtype=object if integer else np.result_type(grad_output.dtype, np.float64))
    for m in range(xb.shape[0]):
        for t, taps in _windows(g):
            _, u = _max_scan(xb[m], g, t, taps)
            gx[m, u] += int(gb[_at(m, t)]) if integer else gb[_at(m, t)]
    if integer:
        gx = gx.astype(np.uint64 if grad_output.dtype.kind == "u" else np.int64)
    return gx.reshape(g.in_shape)


@ieee_quiet
def definitional_avg_pool_grad(
    input_shape: tuple[int, ...], grad_output: Any, kernel_size: Any, stride: Any = None,
    padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
    divisor_override: int | None = None, *, ndim: int | None = None,
) -> np.ndarray:
    """``∂L/∂x`` of average pooling: ``g[t]/D(t)`` added to each in-bounds tap of window t."""
    grad_output = np.asarray(grad_output)
    g = pool_geometry(tuple(input_shape), kernel_size, stride, padding, 1, ceil_mode,
                      ndim=ndim, fn="avg_pool")
    m_count = math.prod(g.batch_shape)
    gb = grad_output.reshape((m_count, *g.out_size))
    gx = np.zeros((m_count, *g.in_size), dtype=np.result_type(grad_output.dtype, np.float64))
    for m in range(m_count):
        for t, taps in _windows(g):
            div = _divisor(g, t, taps, count_include_pad, divisor_override)
            for u in taps:
                gx[_at(m, u)] += gb[_at(m, t)] / div
    return gx.reshape(g.in_shape)
