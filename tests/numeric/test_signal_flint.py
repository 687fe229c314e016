"""`convolve`/`correlate` on integers against python-flint polynomial products.

Full convolution of coefficient sequences is polynomial multiplication, so FLINT's exact
``fmpz_poly`` product is an independent oracle (no shared code, arbitrary precision).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convmath.numeric import convolve, correlate

flint = pytest.importorskip("flint")

_ints = st.lists(st.integers(-(2**20), 2**20), min_size=1, max_size=300)


def _poly_product(a: list[int], b: list[int]) -> list[int]:
    coeffs = [int(c) for c in (flint.fmpz_poly(a) * flint.fmpz_poly(b)).coeffs()]
    # fmpz_poly drops trailing zero coefficients; the full convolution has len(a)+len(b)-1
    return coeffs + [0] * (len(a) + len(b) - 1 - len(coeffs))


@settings(max_examples=60, deadline=None)
@given(_ints, _ints)
def test_full_convolve_is_the_polynomial_product(a: list[int], b: list[int]) -> None:
    out = convolve(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))
    assert out.dtype.kind == "i"
    assert out.tolist() == _poly_product(a, b)


@settings(max_examples=40, deadline=None)
@given(_ints, _ints)
def test_full_correlate_is_the_product_with_the_reversed_kernel(a: list[int],
                                                               b: list[int]) -> None:
    out = correlate(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))
    assert out.tolist() == _poly_product(a, b[::-1])


def test_large_exact_product_beyond_float64() -> None:
    # outputs far above 2**53, where a float FFT could not be exact, yet below 2**63
    rng = np.random.default_rng(0)
    a = rng.integers(2**26, 2**27, size=2000).tolist()
    b = rng.integers(2**26, 2**27, size=500).tolist()
    out = convolve(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))
    assert max(out.tolist()) > 2**60
    assert out.tolist() == _poly_product(a, b)


@pytest.mark.parametrize("method", ["auto", "direct", "fft"])
def test_int64_work_that_might_overflow_is_exact_python_ints(method: str) -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(-(2**62), 2**62, 300)
    b = rng.integers(-(2**62), 2**62, 200)
    want = _poly_product(a.tolist(), b.tolist())
    assert max(abs(v) for v in want) > 2**63  # wrapping would be wrong
    out = convolve(a, b, method=method)
    assert out.dtype == object and out.tolist() == want
    out = correlate(a, b, mode="same", method=method)
    full = _poly_product(a.tolist(), b.tolist()[::-1])
    assert out.tolist() == full[(200 - 1) // 2 : (200 - 1) // 2 + 300]
    # the same in the corner where only uint64 fits: values up to 2**64 - 1
    u = rng.integers(2**63, 2**64 - 1, 50, dtype=np.uint64, endpoint=True)
    got = convolve(u, u[::-1].copy(), method=method)
    assert got.dtype == object and got.tolist() == _poly_product(u.tolist(), u.tolist()[::-1])
