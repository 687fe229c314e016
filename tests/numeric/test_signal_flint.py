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


def test_int64_work_that_might_overflow_is_refused_not_wrapped() -> None:
    from convmath import InvalidArgument

    a = np.full(2000, 2**31, dtype=np.int64)
    b = np.full(500, 2**31, dtype=np.int64)
    assert max(_poly_product(a.tolist(), b.tolist())) > 2**63  # wrapping would be wrong
    with pytest.raises(InvalidArgument, match="overflow"):
        convolve(a, b)
