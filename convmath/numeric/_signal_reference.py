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

Integer input is computed exactly with Python ints; for floating input each product is
rounded once and the sum is exact (``math.fsum`` of real and imaginary parts), so the
result is within a few ulps of the true value, independent of summation order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["definitional_convolve", "definitional_correlate"]


def _exact_sum(terms: list[Any], integer: bool) -> Any:
    if integer:
        return sum(int(t) for t in terms)
    real = math.fsum(complex(t).real for t in terms)
    imag = math.fsum(complex(t).imag for t in terms)
    return complex(real, imag)


def _full(a: np.ndarray, b: np.ndarray, term: Callable[[tuple[int, ...], tuple[int, ...]],
                                                        Any]) -> np.ndarray:
    """``out[n] = Σ_m term(n, m)`` over ``m`` in ``a``'s index set, for the full shape."""
    shape = tuple(i + j - 1 for i, j in zip(a.shape, b.shape, strict=True))
    integer = a.dtype.kind in "iu" and b.dtype.kind in "iu"
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


def _finish(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dtype = np.result_type(a, b)
    if dtype.kind in "iu":
        return values.astype(np.int64).astype(dtype)
    if dtype.kind == "c":
        return values.astype(np.complex128).astype(dtype)
    return np.array([complex(v).real for v in values.ravel()]).reshape(values.shape).astype(
        dtype)


def definitional_convolve(in1: Any, in2: Any, mode: str = "full") -> np.ndarray:
    """``Σ_j in1[n − j]·in2[j]`` by loops, then cropped to ``mode``."""
    a, b = np.asarray(in1), np.asarray(in2)

    def term(n: tuple[int, ...], m: tuple[int, ...]) -> Any:
        # m indexes a; the matching tap of b is j = n − m
        j = tuple(ni - mi for ni, mi in zip(n, m, strict=True))
        if all(0 <= jj < k for jj, k in zip(j, b.shape, strict=True)):
            if a.dtype.kind in "iu" and b.dtype.kind in "iu":
                return int(a[m]) * int(b[j])
            return a[m] * b[j]
        return None

    return _finish(_crop(_full(a, b, term), a.shape, b.shape, mode), a, b)


def definitional_correlate(in1: Any, in2: Any, mode: str = "full") -> np.ndarray:
    """``Σ_m in1[m]·conj(in2[m − n + K − 1])`` by loops, then cropped to ``mode``."""
    a, b = np.asarray(in1), np.asarray(in2)

    def term(n: tuple[int, ...], m: tuple[int, ...]) -> Any:
        j = tuple(mi - ni + k - 1 for ni, mi, k in zip(n, m, b.shape, strict=True))
        if all(0 <= jj < k for jj, k in zip(j, b.shape, strict=True)):
            if a.dtype.kind in "iu" and b.dtype.kind in "iu":
                return int(a[m]) * int(b[j])
            return a[m] * np.conj(b[j])
        return None

    return _finish(_crop(_full(a, b, term), a.shape, b.shape, mode), a, b)
