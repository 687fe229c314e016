"""convolve / correlate: vs the definitional loops, vs scipy.signal, fixtures, validation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.signal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convmath import InvalidArgument
from convmath.numeric import choose_method, convolve, correlate
from convmath.numeric._signal_reference import definitional_convolve, definitional_correlate

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODES = ("full", "same", "valid")
METHODS = ("auto", "direct", "fft")
DTYPES = (np.float64, np.float32, np.complex128, np.int64, np.int32)


def _elements(dtype: Any) -> st.SearchStrategy[Any]:
    if np.dtype(dtype).kind in "iu":
        return st.integers(-50, 50)
    if np.dtype(dtype).kind == "c":
        return st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False)
    return st.floats(-10, 10, width=np.dtype(dtype).itemsize * 8)


@st.composite
def signal_pairs(draw: Any, max_side: int = 6) -> tuple[np.ndarray, np.ndarray]:
    ndim = draw(st.integers(1, 3))
    dt1, dt2 = draw(st.sampled_from(DTYPES)), draw(st.sampled_from(DTYPES))
    shape1 = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=1, max_side=max_side))
    shape2 = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=1, max_side=max_side))
    a = draw(hnp.arrays(dt1, shape1, elements=_elements(dt1)))
    b = draw(hnp.arrays(dt2, shape2, elements=_elements(dt2)))
    return a, b


def _valid_ok(a: np.ndarray, b: np.ndarray) -> bool:
    return all(i >= j for i, j in zip(a.shape, b.shape, strict=True)) or all(
        j >= i for i, j in zip(a.shape, b.shape, strict=True))


def _assert_same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape, f"out.shape={got.shape}, but should be {want.shape}"
    assert got.dtype == want.dtype, f"out.dtype={got.dtype}, but should be {want.dtype}"
    if want.dtype.kind in "iu":
        np.testing.assert_array_equal(got, want)
    else:
        tol = 1e-4 if want.dtype in (np.float32, np.complex64) else 1e-9
        scale = max(1.0, float(np.max(np.abs(want))) if want.size else 1.0)
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


# --- against the definitional loops and scipy ------------------------------------------------


@SETTINGS
@given(signal_pairs(max_side=5), st.sampled_from(MODES), st.sampled_from(METHODS))
def test_matches_definition(pair: tuple[np.ndarray, np.ndarray], mode: str,
                            method: Any) -> None:
    a, b = pair
    if mode == "valid" and not _valid_ok(a, b):
        return
    _assert_same(convolve(a, b, mode, method), definitional_convolve(a, b, mode))
    _assert_same(correlate(a, b, mode, method), definitional_correlate(a, b, mode))


@SETTINGS
@given(signal_pairs(max_side=9), st.sampled_from(MODES), st.sampled_from(METHODS))
def test_matches_scipy(pair: tuple[np.ndarray, np.ndarray], mode: Any, method: Any) -> None:
    a, b = pair
    if mode == "valid" and not _valid_ok(a, b):
        for f in (convolve, correlate):
            with pytest.raises(InvalidArgument, match="valid"):
                f(a, b, mode, method)
        return
    # scipy's direct method is exact for integers; its FFT path rounds, so compare to direct
    _assert_same(convolve(a, b, mode, method), scipy.signal.convolve(a, b, mode, "direct"))
    _assert_same(correlate(a, b, mode, method), scipy.signal.correlate(a, b, mode, "direct"))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("shape1", "shape2"),
    [((2000,), (37,)), ((37,), (2000,)), ((5000,), (900,)), ((300, 280), (3, 3)),
     ((64, 700), (9, 40)), ((80, 70), (80, 70)), ((6, 50, 40), (3, 5, 4)), ((30, 40), (30, 3))],
)
def test_larger_inputs_all_paths_match_scipy(shape1: tuple[int, ...], shape2: tuple[int, ...],
                                             mode: Any) -> None:
    rng = np.random.default_rng(sum(shape1) + sum(shape2))
    a = rng.standard_normal(shape1) + 1j * rng.standard_normal(shape1)
    b = rng.standard_normal(shape2)
    if mode == "valid" and not _valid_ok(a, b):
        pytest.skip("neither input contains the other")
    for method in METHODS:
        _assert_same(convolve(a, b, mode, method), scipy.signal.convolve(a, b, mode))
        _assert_same(correlate(b, a, mode, method), scipy.signal.correlate(b, a, mode))
    ai = rng.integers(-1000, 1000, shape1)
    bi = rng.integers(-1000, 1000, shape2).astype(np.int32)
    for method in METHODS:
        _assert_same(convolve(ai, bi, mode, method), scipy.signal.convolve(ai, bi, mode,
                                                                           "direct"))


def test_integer_results_are_exact_where_float_fft_is_not() -> None:
    # values near 2**24: float64 FFT errors exceed 0.5 here, so an FFT path that rounds would
    # be wrong; np.convolve on int64 is exact (no overflow: |products| < 2**48, 3000 terms)
    rng = np.random.default_rng(7)
    a = rng.integers(-(2**24), 2**24, 20_000)
    b = rng.integers(-(2**24), 2**24, 3_000)
    want = np.convolve(a, b)
    for method in METHODS:
        got = convolve(a, b, method=method)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, want)
    # small integers do take the (provably exact) FFT path, and stay exact
    small_a, small_b = a % 7 - 3, b % 5 - 2
    assert choose_method(small_a, small_b) == "fft"
    np.testing.assert_array_equal(convolve(small_a, small_b), np.convolve(small_a, small_b))
    np.testing.assert_array_equal(
        correlate(small_a, small_b, "same", "fft"),
        np.correlate(small_a, small_b, "full")[(3000 - 1) // 2 : (3000 - 1) // 2 + 20_000])


def test_small_integer_dtypes_wrap_like_scipy() -> None:
    a = np.array([100, 120, -128, 7], dtype=np.int8)
    b = np.array([3, -2], dtype=np.int8)
    for method in METHODS:
        _assert_same(convolve(a, b, method=method), scipy.signal.convolve(a, b, method="direct"))


# --- fixtures --------------------------------------------------------------------------------


def test_matlab_doc_fixture_same_is_numpy_centred() -> None:
    u, v = [-1, 2, 3, -2, 0, 1, 2], [2, 4, -1, 1]
    # REFERENCE.md: numpy/scipy 'same' gives [0 15 5 -9 7 6 7] (MATLAB: [15 5 -9 7 6 7 -1])
    for method in METHODS:
        np.testing.assert_array_equal(convolve(u, v, "same", method), [0, 15, 5, -9, 7, 6, 7])
    full = convolve(u, v)
    np.testing.assert_array_equal(full, [-2, 0, 15, 5, -9, 7, 6, 7, -1, 2])  # by hand
    # MATLAB's centring starts at floor(4/2) = 2 instead of floor(3/2) = 1
    np.testing.assert_array_equal(full[2:9], [15, 5, -9, 7, 6, 7, -1])


def test_hand_computed_small_cases() -> None:
    np.testing.assert_array_equal(convolve([1, 2, 3], [0, 1, 0.5]), [0, 1, 2.5, 4, 1.5])
    np.testing.assert_array_equal(correlate([1, 2, 3], [0, 1, 0.5]), [0.5, 2, 3.5, 3, 0])
    # 'valid' swaps when in2 is the larger input (scipy), convolve and correlate alike
    np.testing.assert_array_equal(convolve([1, 1], [1, 2, 3, 4], "valid"), [3, 5, 7])
    np.testing.assert_array_equal(correlate([1, 2, 3, 4], [1, -1], "valid"), [-1, -1, -1])
    # r[n] = Σ_m a[m]·b[m − n + 3] for valid n = 1..3, e.g. n = 1: 1·3 − 1·4 = −1
    np.testing.assert_array_equal(correlate([1, -1], [1, 2, 3, 4], "valid"), [-1, -1, -1])
    # correlate conjugates in2: <a, a> at zero lag is |a|^2
    a = np.array([1 + 2j, 3 - 1j])
    assert correlate(a, a, "valid")[0] == 15
    # 0-d inputs: the product (conjugated second factor for correlate)
    assert convolve(np.array(2.0), np.array(3.0)) == 6.0
    assert correlate(np.array(2.0), np.array(1j)) == -2j
    # 2-D 'same' keeps in1's shape with the kernel centred at floor((k-1)/2)
    img = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(convolve(img, [[1, 0], [0, 0]], "same"), img)
    np.testing.assert_array_equal(convolve(img, [[0, 1], [0, 0]], "same")[:, 1:], img[:, :-1])
    np.testing.assert_array_equal(convolve(img, [[0, 0], [0, 1]], "same")[1:, 1:], img[:-1, :-1])


def test_choose_method_cost_model() -> None:
    assert choose_method(np.ones(1000), np.ones(5)) == "direct"
    assert choose_method(np.ones(100_000), np.ones(10_000)) == "fft"
    assert choose_method(np.ones((2, 2)), np.ones((2, 2))) == "direct"
    assert choose_method(np.ones((300, 300)), np.ones((40, 40))) == "fft"
    # big integers never take the FFT path
    assert choose_method(np.full(100_000, 2**30), np.full(10_000, 2**30)) == "direct"


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("f", [convolve, correlate])
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (([1, 2], [1], "middle"), "mode='middle'"),
        (([1, 2], [1], "full", "magic"), "method='magic'"),
        (([1, 2], [[1]]), "same number of dimensions"),
        (([], [1.0]), "non-empty"),
        ((np.zeros((2, 0)), np.ones((1, 1))), "non-empty"),
        ((np.ones((3, 1)), np.ones((1, 3)), "valid"), "mode='valid'"),
        (([True, False], [1]), "dtype=bool"),
        ((["a", "b"], [1]), "in1"),
        (([1, 2], np.array([object()])), "in2"),
        (([1, 2], [[1, 2], [3]]), "in2"),
    ],
)
def test_invalid_arguments(f: Any, args: tuple[Any, ...], fragment: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        f(*args)
    assert fragment in str(info.value)


# --- the integer FFT bound and the layering ------------------------------------------------


def test_percival_bound_is_conservative_in_practice() -> None:
    # Near the largest inputs the bound admits, the measured float64 FFT error is far below
    # the 1/4 that exact rounding needs.
    from convmath.numeric._signal import _fft, _fft_exact_for_ints

    rng = np.random.default_rng(3)
    a = rng.integers(-(2**16), 2**16, 4000)
    b = rng.integers(-(2**16), 2**16, 4000)
    while not _fft_exact_for_ints(a, b):
        b //= 2
    assert not _fft_exact_for_ints(a, b * 4)  # so b is within a factor 4 of the limit
    err = np.max(np.abs(_fft(a.astype(float), b.astype(float), "full") - np.convolve(a, b)))
    assert err < 0.01


def test_numeric_import_stays_light() -> None:
    import subprocess
    import sys

    code = ("import sys, convmath.numeric; "
            "print(','.join(m for m in ('sympy', 'scipy.signal', 'torch', 'hypothesis') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_non_finite_input_stays_local_with_auto() -> None:
    a = np.zeros(5000)
    a[100] = np.inf
    b = np.ones(2000)
    assert choose_method(np.zeros(5000), b) == "fft"  # finite input of this size: FFT
    got = convolve(a, b, "same")
    np.testing.assert_array_equal(got, scipy.signal.convolve(a, b, "same", "direct"))
    # the inf reaches full outputs 100..2099; 'same' keeps full[999:5999], so 0..1100
    assert np.isfinite(got).sum() == 5000 - 1101
    with pytest.warns(RuntimeWarning, match="inf or NaN"):
        convolve(a, b, "same", "fft")
