"""The tolerance model: how far an implementation may be from the exact answer.

No hand-tuned ``rtol``. Every allowed error comes from forward error analysis of the
operation in the dtype under test:

- **Exact mode.** Inputs are small integers held in a floating dtype, chosen so that every
  product and every partial sum is an integer of magnitude at most ``2**p`` (``p`` the
  dtype's significand bits). Any summation order is then exact, so the output must equal
  the reference *exactly* (the trick of oneDNN's benchdnn). Decided per output element:
  an element is exact when ``S = Σ|terms|`` (computed as the reference applied to absolute
  values) is at most ``2**p``.
- **Elementwise bound.** Otherwise ``|ŷ − y| ≤ γ_{K+1}(u)·S`` where ``K`` is the number of
  products accumulated into the element, ``u`` the unit roundoff of the dtype under test
  and ``γ_n = n·u/(1 − n·u)`` (Higham, *Accuracy and Stability of Numerical Algorithms*,
  §3.1; the ``+1`` covers the final rounding of the output). The float64 reference carries
  its own error ``γ_{K+1}(2⁻⁵³)·S``, which is added, and once more for the computed ``S``.
  For float16/bfloat16 an absolute term ``(K+1)·λ`` (λ the smallest subnormal) covers
  gradual underflow of tiny products.
- **Normwise bound** (FFT implementations): ``‖ŷ − y‖₂ ≤ (3·η·log₂n + 2u)·‖a‖₂·‖b‖₁``
  with ``η = u + γ₄(√2 + u)`` the per-stage error of a radix-2 FFT (Higham Thm 24.2):
  three transforms and one pointwise product.

>>> unit_roundoff("float32") == 2.0 ** -24
True
>>> gamma(10, "float64") > 10 * 2.0 ** -53
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convmath.errors import InvalidArgument

__all__ = [
    "DTYPES",
    "Comparison",
    "compare_elementwise",
    "compare_normwise",
    "compare_normwise_bilinear",
    "exact_limit",
    "gamma",
    "round_to_dtype",
    "unit_roundoff",
]

#: significand bits (including the implicit bit) and smallest subnormal per dtype name
_FORMATS: dict[str, tuple[int, float]] = {
    "float16": (11, 2.0**-24),
    "bfloat16": (8, 2.0**-133),
    "float32": (24, 2.0**-149),
    "float64": (53, 2.0**-1074),
    "complex64": (24, 2.0**-149),
    "complex128": (53, 2.0**-1074),
}
DTYPES = tuple(_FORMATS)


def _fmt(dtype: str) -> tuple[int, float]:
    try:
        return _FORMATS[dtype]
    except KeyError:
        raise InvalidArgument(
            f"dtype must be one of {', '.join(DTYPES)}, got dtype={dtype!r}"
        ) from None


def unit_roundoff(dtype: str) -> float:
    """``u = 2**-p`` for a dtype with ``p`` significand bits (round to nearest)."""
    return 2.0 ** -_fmt(dtype)[0]


def exact_limit(dtype: str) -> float:
    """Largest ``S`` for which every integer of magnitude ``≤ S`` is representable."""
    return 2.0 ** _fmt(dtype)[0]


def gamma(n: int | np.ndarray, dtype: str) -> Any:
    """``γ_n = n·u/(1 − n·u)``; infinite when ``n·u ≥ 1`` (no bound can be given)."""
    u = unit_roundoff(dtype)
    nu = np.asarray(n, dtype=np.float64) * u
    with np.errstate(divide="ignore"):
        out = np.where(nu < 1, nu / np.maximum(1 - nu, 1e-300), np.inf)
    return out if out.ndim else float(out)


def round_to_dtype(a: np.ndarray, dtype: str) -> np.ndarray:
    """Round float64/complex128 values to ``dtype`` and return them as float64/complex128.

    bfloat16 is rounded to nearest even by hand, so NumPy needs no extension dtype.
    """
    a = np.asarray(a)
    if dtype in ("float64", "complex128"):
        return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)
    if dtype == "complex64":
        return a.astype(np.complex64).astype(np.complex128)
    if dtype == "float32":
        return a.astype(np.float32).astype(np.float64)
    if dtype == "float16":
        return a.astype(np.float16).astype(np.float64)
    if dtype == "bfloat16":
        bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        return rounded.astype(np.uint32).view(np.float32).astype(np.float64)
    _fmt(dtype)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class Comparison:
    """The outcome of comparing an implementation's output with the reference.

    ``ratio`` is the worst ``error / allowed`` (``inf`` for an error where exactness was
    required); the check fails when ``ratio > 1``.
    """

    ok: bool
    ratio: float
    index: tuple[int, ...] | None = None
    expected: complex | float = 0.0
    actual: complex | float = 0.0
    error: float = 0.0
    allowed: float = 0.0
    exact: bool = False
    mode: str = "elementwise"
    shape_ok: bool = True
    detail: str = ""
    n_exact: int = 0
    n_elements: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: set on a passing comparison that passed by a weaker rule than the default one
    #: (e.g. "FFT-level accuracy, not elementwise"); the report lists every such note
    note: str = ""


def _shape_mismatch(expected: np.ndarray, actual: np.ndarray) -> Comparison:
    return Comparison(
        ok=False, ratio=math.inf, shape_ok=False,
        detail=f"output shape {tuple(actual.shape)}, but should be {tuple(expected.shape)}",
    )


def elementwise_allowed(
    magnitude: np.ndarray, terms: int | np.ndarray, dtype: str, *, integer_valued: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Allowed error per element and the mask of elements that must be exact.

    ``magnitude`` is ``S = Σ|terms|`` per element (float64), ``terms`` the accumulation
    length ``K`` (per element or one number).
    """
    k1 = np.asarray(terms, dtype=np.float64) + 1
    ref_dtype = "complex128" if dtype.startswith("complex") else "float64"
    bound = (gamma(k1, dtype) + 2 * gamma(k1, ref_dtype)) * magnitude
    if dtype in ("float16", "bfloat16"):
        bound = bound + k1 * _fmt(dtype)[1]
    exact = (
        magnitude <= exact_limit(dtype)
        if integer_valued
        else np.zeros(np.shape(magnitude), dtype=bool)
    )
    allowed = np.where(exact, 0.0, bound)
    return np.broadcast_to(allowed, np.shape(magnitude)), exact


def compare_elementwise(
    expected: np.ndarray,
    actual: np.ndarray,
    magnitude: np.ndarray,
    terms: int | np.ndarray,
    dtype: str,
    *,
    integer_valued: bool,
) -> Comparison:
    """Compare elementwise under the forward-error bound (exact where the inputs allow).

    >>> e = np.array([1.0, 2.0]); s = np.array([1.0, 2.0])
    >>> compare_elementwise(e, e + [0, 1e-3], s, 3, "float32", integer_valued=False).ok
    False
    """
    if expected.shape != actual.shape:
        return _shape_mismatch(expected, actual)
    allowed, exact = elementwise_allowed(magnitude, terms, dtype, integer_valued=integer_valued)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(actual - expected)
        # NaN matches NaN and ±inf matches the same infinity (non-finite inputs propagate);
        # any other disagreement involving a non-finite value is an infinite error
        same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    err = np.where(same, 0.0, np.where(np.isnan(err), np.inf, err))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(err == 0, 0.0, err / allowed)
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    n = int(expected.size)
    if n == 0:
        return Comparison(ok=True, ratio=0.0, n_elements=0)
    flat = int(np.argmax(ratio))
    idx = tuple(int(i) for i in np.unravel_index(flat, expected.shape))
    worst = float(ratio[idx])
    return Comparison(
        ok=worst <= 1.0,
        ratio=worst,
        index=idx,
        expected=expected[idx].item(),
        actual=actual[idx].item(),
        error=float(err[idx]),
        allowed=float(allowed[idx]),
        exact=bool(exact[idx]),
        n_exact=int(np.count_nonzero(exact)),
        n_elements=n,
    )


def fft_eta(dtype: str) -> float:
    """Per-stage error constant of a radix-2 FFT, ``η = u + γ₄(√2 + u)`` (Higham 24.2)."""
    u = unit_roundoff(dtype)
    return float(u + gamma(4, dtype) * (math.sqrt(2) + u))


def compare_normwise(
    expected: np.ndarray,
    actual: np.ndarray,
    norm_a: float,
    norm_b1: float,
    length: int,
    dtype: str,
) -> Comparison:
    """Normwise comparison for FFT-based convolution (see the module docstring)."""
    if expected.shape != actual.shape:
        return _shape_mismatch(expected, actual)
    if expected.size == 0:
        return Comparison(ok=True, ratio=0.0, mode="normwise")
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(actual - expected)
    diff = np.where(np.isnan(diff), np.inf, diff)
    total = float(np.sqrt(np.sum(diff.astype(np.float64) ** 2)))
    log_n = max(1.0, math.log2(max(length, 2)))
    u = unit_roundoff(dtype)
    ref = "complex128" if dtype.startswith("complex") else "float64"
    coeff = 3 * fft_eta(dtype) * log_n + 2 * u + 3 * fft_eta(ref) * log_n
    allowed = coeff * norm_a * norm_b1
    if dtype in ("float16", "bfloat16"):
        allowed += length * _fmt(dtype)[1]
    flat = int(np.argmax(diff))
    idx = tuple(int(i) for i in np.unravel_index(flat, expected.shape))
    ratio = 0.0 if total == 0 else (math.inf if allowed == 0 else total / allowed)
    return Comparison(
        ok=ratio <= 1.0, ratio=ratio, index=idx, expected=expected[idx].item(),
        actual=actual[idx].item(), error=total, allowed=allowed, mode="normwise",
        n_elements=int(expected.size),
    )


def _slice_norms(a: np.ndarray, order: int) -> np.ndarray:
    """Norms of the spatial slices ``a[i, j]`` of an ``(A, B, *spatial)`` array."""
    flat = np.abs(a.reshape(a.shape[0] * a.shape[1], -1)) if a.ndim >= 2 else np.abs(
        a.reshape(1, -1))
    if order == 1:
        return np.asarray(flat.sum(axis=1), dtype=np.float64)
    return np.asarray(np.sqrt((flat.astype(np.float64) ** 2).sum(axis=1)))


def compare_normwise_bilinear(
    expected: np.ndarray,
    actual: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    magnitude: np.ndarray,
    terms: int,
    length: int,
    dtype: str,
) -> Comparison:
    """Normwise comparison for FFT (or Winograd) implementations of a conv-family operation.

    The output is a sum of single-channel correlations of a spatial slice ``a_s`` of one
    operand with a slice ``b_t`` of the other (``(N, C)`` or ``(C_out, C_in)`` slices), so,
    by the triangle inequality over every pair,
    ``‖ŷ − y‖₂ ≤ c·max(Σ‖a_s‖₂·Σ‖b_t‖₁, Σ‖a_s‖₁·Σ‖b_t‖₂) + ‖γ_{K+1}·S‖₂`` with
    ``c = 3·η·log₂L + 2u + γ_P`` (η the radix-2 FFT stage error, L the transform length,
    P the number of slice pairs summed in the frequency domain) and ``S`` the elementwise
    magnitude. Looser than the elementwise bound, it still fails any structural error.
    """
    if expected.shape != actual.shape:
        return _shape_mismatch(expected, actual)
    if expected.size == 0:
        return Comparison(ok=True, ratio=0.0, mode="normwise")
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(actual - expected)
    diff = np.where(np.isnan(diff), np.inf, diff)
    with np.errstate(over="ignore"):
        total = float(np.sqrt(np.sum(diff.astype(np.float64) ** 2)))
    u = unit_roundoff(dtype)
    ref = "complex128" if dtype.startswith("complex") else "float64"
    log_n = max(1.0, math.log2(max(length, 2)))
    pairs = max(a.shape[1] if a.ndim >= 2 else 1, b.shape[1] if b.ndim >= 2 else 1)
    coeff = (3 * fft_eta(dtype) * log_n + 2 * u + float(gamma(pairs + 1, dtype))
             + 3 * fft_eta(ref) * log_n)
    a2, a1 = _slice_norms(a, 2).sum(), _slice_norms(a, 1).sum()
    b2, b1 = _slice_norms(b, 2).sum(), _slice_norms(b, 1).sum()
    k1 = terms + 1
    accum = (gamma(k1, dtype) + 2 * gamma(k1, ref)) * np.asarray(magnitude, dtype=np.float64)
    allowed = coeff * max(a2 * b1, a1 * b2) + float(np.sqrt(np.sum(accum**2)))
    if dtype in ("float16", "bfloat16"):
        allowed += expected.size * k1 * _fmt(dtype)[1]
    flat = int(np.argmax(diff))
    idx = tuple(int(i) for i in np.unravel_index(flat, expected.shape))
    ratio = 0.0 if total == 0 else (math.inf if allowed == 0 else total / allowed)
    return Comparison(
        ok=ratio <= 1.0, ratio=ratio, index=idx, expected=expected[idx].item(),
        actual=actual[idx].item(), error=total, allowed=float(allowed), mode="normwise",
        n_elements=int(expected.size),
    )
