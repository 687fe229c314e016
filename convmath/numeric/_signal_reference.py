"""Definitional ``convolve`` / ``correlate``: loops read straight off the sums.

For small inputs and tests only — the independent second path that
:mod:`convmath.numeric._signal` is compared against. Per axis, with ``a`` of length M and
``b`` of length K (arrays are zero outside their support):

- full convolution ``c[n] = Σ_j a[n − j]·b[j]``, ``0 ≤ n < M + K − 1``;
- full correlation ``r[n] = Σ_m a[m]·conj(b[m − n + K − 1])``, ``0 ≤ n < M + K − 1``
  (lag ``n − (K − 1)``);
- ``same`` keeps ``n ∈ [⌊(K−1)/2⌋, ⌊(K−1)/2⌋ + M)``; ``valid`` keeps
  ``n ∈ [min(M, K) − 1, max(M, K) − 1]`` — the outputs whose sum never reads the zero
  padding of the longer input.

Integer (and bool) input is computed exactly with Python ints; for floating input each
product is rounded once and the sum is exact (``math.fsum`` of real and imaginary parts), so
the result is within a few ulps of the true value, independent of summation order.

Result dtypes, as the fast path documents them: floating/complex input gets NumPy's
promotion (a bool operand counts as the other one's dtype); two bool inputs give bool
(whether any product is nonzero); integer input gives the exact values in ``int64``
(``uint64`` when both operands are unsigned), or an ``object`` array of Python ints when
some value does not fit in that dtype. Chosen per the values actually computed here, while
the fast path decides from a bound, so the two can differ in dtype (never in value) when the
bound is loose; the tests compare values and, where the bound is tight, dtypes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from convmath.numeric._validate import ieee_quiet

__all__ = ["definitional_convolve", "definitional_correlate"]


def _exact_sum(terms: list[Any], integer: bool) -> Any:
    if integer:
        return sum(int(t) for t in terms)
    parts = [complex(t) for t in terms]
    reals, imags = [p.real for p in parts], [p.imag for p in parts]
    # (fsum raises on inf + −inf, whose IEEE sum is NaN)
    real = math.fsum(reals) if all(map(math.isfinite, reals)) else sum(reals)
    imag = math.fsum(imags) if all(map(math.isfinite, imags)) else sum(imags)
    return complex(real, imag)


def _full(a: np.ndarray, b: np.ndarray, term: Callable[[tuple[int, ...], tuple[int, ...]],
                                                        Any]) -> np.ndarray:
    """``out[n] = Σ_m term(n, m)`` over ``m`` in ``a``'s index set, for the full shape."""
    shape = tuple(i + j - 1 for i, j in zip(a.shape, b.shape, strict=True))
    integer = _is_int(a) and _is_int(b)
    out = np.empty(shape, dtype=object)
    for n in itertools.product(*(range(s) for s in shape)):
        terms = [t for m in np.ndindex(*a.shape) if (t := term(n, m)) is not None]
        out[n] = _exact_sum(terms, integer)
    return out


def _crop(full: np.ndarray, a_shape: tuple[int, ...], b_shape: tuple[int, ...],
          mode: str) -> np.ndarray:
    if mode == "full":
        return full
    if mode == "same":
        return full[tuple(slice((k - 1) // 2, (k - 1) // 2 + m)
                          for m, k in zip(a_shape, b_shape, strict=True))]
    if not (all(m >= k for m, k in zip(a_shape, b_shape, strict=True))
            or all(k >= m for m, k in zip(a_shape, b_shape, strict=True))):
        raise ValueError("valid mode: neither input contains the other")
    return full[tuple(slice(min(m, k) - 1, max(m, k))
                      for m, k in zip(a_shape, b_shape, strict=True))]


def _is_int(x: np.ndarray) -> bool:
    return x.dtype.kind in "biu"


def _finish(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=object)  # (cropping a 0-d array gives its element)
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        return np.array([int(v) != 0 for v in values.ravel()], dtype=bool).reshape(
            values.shape)
    if _is_int(a) and _is_int(b):
        unsigned = a.dtype.kind in "bu" and b.dtype.kind in "bu"
        dtype = np.dtype(np.uint64 if unsigned else np.int64)
        info = np.iinfo(dtype)
        exact = [int(v) for v in values.ravel()]
        if all(info.min <= v <= info.max for v in exact):
            return np.array(exact, dtype=dtype).reshape(values.shape)
        out = np.empty(len(exact), dtype=object)
        out[:] = exact
        return out.reshape(values.shape)
    # a bool operand takes the other operand's dtype (NumPy's promotion does the same)
    dtype = b.dtype if a.dtype == np.bool_ else a.dtype if b.dtype == np.bool_ else (
        np.result_type(a, b))
    if dtype.kind == "c":
        return values.astype(np.complex128).astype(dtype)
    return np.array([complex(v).real for v in values.ravel()]).reshape(values.shape).astype(
        dtype)


@ieee_quiet
def definitional_convolve(in1: Any, in2: Any, mode: str = "full") -> np.ndarray:
    """``Σ_j in1[n − j]·in2[j]`` by loops, then cropped to ``mode``."""
    a, b = np.asarray(in1), np.asarray(in2)

    def term(n: tuple[int, ...], m: tuple[int, ...]) -> Any:
        # m indexes a; the matching tap of b is j = n − m
        j = tuple(ni - mi for ni, mi in zip(n, m, strict=True))
        if all(0 <= jj < k for jj, k in zip(j, b.shape, strict=True)):
            if _is_int(a) and _is_int(b):
                return int(a[m]) * int(b[j])
            return a[m] * b[j]
        return None

    return _finish(_crop(_full(a, b, term), a.shape, b.shape, mode), a, b)


@ieee_quiet
def definitional_correlate(in1: Any, in2: Any, mode: str = "full") -> np.ndarray:
    """``Σ_m in1[m]·conj(in2[m − n + K − 1])`` by loops, then cropped to ``mode``."""
    a, b = np.asarray(in1), np.asarray(in2)

    def term(n: tuple[int, ...], m: tuple[int, ...]) -> Any:
        j = tuple(mi - ni + k - 1 for ni, mi, k in zip(n, m, b.shape, strict=True))
        if all(0 <= jj < k for jj, k in zip(j, b.shape, strict=True)):
            if _is_int(a) and _is_int(b):
                return int(a[m]) * int(b[j])
            return a[m] * np.conj(b[j])
        return None

    return _finish(_crop(_full(a, b, term), a.shape, b.shape, mode), a, b)
