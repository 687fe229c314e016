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


def _exact_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype[Any]:
    """convmath's documented result dtype (scipy's, except exact 64-bit integers)."""
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        both_unsigned = a.dtype.kind == "u" and b.dtype.kind == "u"
        return np.dtype(np.uint64 if both_unsigned else np.int64)
    return np.result_type(a, b)


def _assert_same(got: np.ndarray, want: np.ndarray, dtype: Any = None) -> None:
    """``got`` equals ``want`` (exactly for integers), with dtype ``dtype`` (default:
    ``want``'s)."""
    dtype = want.dtype if dtype is None else np.dtype(dtype)
    assert got.shape == want.shape, f"out.shape={got.shape}, but should be {want.shape}"
    assert got.dtype == dtype, f"out.dtype={got.dtype}, but should be {dtype}"
    if want.dtype.kind in "iu":
        np.testing.assert_array_equal(got, want)
    else:
        tol = {2: 2e-3, 4: 1e-4}.get(np.dtype(dtype).itemsize // (
            2 if dtype.kind == "c" else 1), 1e-9)
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
    # scipy's direct method is exact for integers (no wrap-around at these magnitudes); its
    # FFT path rounds, so compare to direct. Integer results come back as int64/uint64.
    dtype = _exact_dtype(a, b)
    _assert_same(convolve(a, b, mode, method), scipy.signal.convolve(a, b, mode, "direct"),
                 dtype)
    _assert_same(correlate(a, b, mode, method), scipy.signal.correlate(a, b, mode, "direct"),
                 dtype)


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
                                                                           "direct"), np.int64)


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


def test_issue_example_int8_is_exact_not_wrapped() -> None:
    a, b = np.full(6, 100, np.int8), np.full(5, 100, np.int8)
    want = np.convolve(a.astype(object), b.astype(object)).tolist()  # Python ints
    assert want[:3] == [10000, 20000, 30000]
    assert scipy.signal.convolve(a, b).tolist()[:3] == [16, 32, 48]  # scipy wraps
    for method in METHODS:
        got = convolve(a, b, method=method)
        assert got.dtype == np.int64 and got.tolist() == want


# --- fixtures --------------------------------------------------------------------------------


def test_matlab_doc_fixture_same_is_numpy_centred() -> None:
    u, v = [-1, 2, 3, -2, 0, 1, 2], [2, 4, -1, 1]
    # docs/reference.md: numpy/scipy 'same' gives [0 15 5 -9 7 6 7] (MATLAB: [15 5 -9 7 6 7 -1])
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
        (([1, 2], None), "in2"),
        (({"a": 1}, [1]), "in1"),
        (([1, 2], [1], None), "mode=None"),
        (([1, 2], [1], "full", 1), "method=1"),
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
    finite = np.random.default_rng(5).standard_normal(5000)
    assert choose_method(finite, b) == "fft"  # finite input of this size: FFT
    got = convolve(a, b, "same")
    np.testing.assert_array_equal(got, scipy.signal.convolve(a, b, "same", "direct"))
    # the inf reaches full outputs 100..2099; 'same' keeps full[999:5999], so 0..1100
    assert np.isfinite(got).sum() == 5000 - 1101
    with pytest.warns(RuntimeWarning, match="inf or NaN"):
        convolve(a, b, "same", "fft")


# --- regressions from the differential QA pass (issue 2 follow-up) -------------------------


@pytest.mark.parametrize("method", ["auto", "direct", "fft"])
def test_int64_with_uint64_is_exact_int64(method: Any) -> None:
    # NumPy (and scipy) would compute int64 with uint64 in float64, rounding 2**53 + 1
    a = np.array([2**53 + 1, 3], np.int64)
    b = np.array([1, 2], np.uint64)
    x = 2**53 + 1
    got = convolve(a, b, method=method)
    assert got.dtype == np.int64 and got.tolist() == [x, 2 * x + 3, 6]
    got = correlate(a, b, method=method)  # = convolve(a, [2, 1])
    assert got.dtype == np.int64 and got.tolist() == [2 * x, x + 6, 3]
    assert definitional_convolve(a, b).tolist() == [x, 2 * x + 3, 6]
    got2 = convolve(b, a.reshape(2), mode="same", method=method)
    assert got2.dtype == np.int64 and got2.tolist() == [x, 2 * x + 3]


def test_uint64_above_int64_with_signed_is_exact_python_ints() -> None:
    # result_dtype refuses this mix for int64; the signal API computes it exactly instead
    got = convolve(np.array([1, -1], np.int64), np.array([2**63], np.uint64))
    assert got.dtype == object and got.tolist() == [2**63, -(2**63)]
    got = correlate(np.array([[2**64 - 1]], np.uint64), np.array([[-1]], np.int8))
    assert got.dtype == object and got.tolist() == [[-(2**64) + 1]]


# --- issue 7: exact integers of every width, 0-d, bool, auto's accuracy, the memory guard ----

INT_DTYPES = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
              np.uint64)


def _loop_full(a: np.ndarray, b: np.ndarray, conj_flip: bool = False) -> np.ndarray:
    """The full N-d convolution by a double loop in Python ints (correlate: ``conj_flip``)."""
    if conj_flip:
        b = b[(slice(None, None, -1),) * b.ndim]
    out = np.zeros(tuple(i + j - 1 for i, j in zip(a.shape, b.shape, strict=True)),
                   dtype=object)
    for m in np.ndindex(*a.shape):
        for j in np.ndindex(*b.shape):
            out[tuple(p + q for p, q in zip(m, j, strict=True))] += int(a[m]) * int(b[j])
    return out


def _crop(full: np.ndarray, s1: tuple[int, ...], s2: tuple[int, ...], mode: str) -> np.ndarray:
    if mode == "full":
        return full
    if mode == "same":
        return full[tuple(slice((k - 1) // 2, (k - 1) // 2 + m) for m, k in zip(s1, s2,
                                                                                 strict=True))]
    return full[tuple(slice(min(m, k) - 1, max(m, k)) for m, k in zip(s1, s2, strict=True))]


@pytest.mark.parametrize("dt1", INT_DTYPES)
@pytest.mark.parametrize("dt2", [np.int8, np.uint8, np.int64, np.uint64, np.bool_])
def test_every_integer_width_is_exact_and_widened(dt1: Any, dt2: Any) -> None:
    rng = np.random.default_rng(abs(hash((np.dtype(dt1).str, np.dtype(dt2).str))) % 2**32)
    info1 = np.iinfo(dt1)
    a = rng.integers(info1.min, info1.max, (4, 5), dtype=dt1, endpoint=True)
    if dt2 is np.bool_:
        b = rng.integers(0, 1, (3, 2), endpoint=True).astype(bool)
    else:
        info2 = np.iinfo(dt2)
        b = rng.integers(info2.min, info2.max, (3, 2), dtype=dt2, endpoint=True)
    unsigned = a.dtype.kind == "u" and b.dtype.kind in "bu"
    limit = 2**64 if unsigned else 2**63
    for op, flip in ((convolve, False), (correlate, True)):
        full = _loop_full(a, b, flip)
        fits = all(-limit <= v < limit and (v >= 0 or not unsigned) for v in full.ravel())
        for mode in MODES:
            want = _crop(full, a.shape, b.shape, mode)
            for method in METHODS:
                got = op(a, b, mode, method)
                assert got.tolist() == want.tolist(), (op.__name__, mode, method)
                if got.dtype != object:
                    assert got.dtype == (np.uint64 if unsigned else np.int64)
                else:  # only when the bound says int64 might not do
                    big = max(abs(int(a.max())), abs(int(a.min())), 1) * max(
                        abs(int(b.max())), abs(int(b.min())), 1) * b.size
                    assert big >= limit
                if not fits:
                    assert got.dtype == object


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", METHODS)
def test_overflow_range_int64_gives_exact_python_ints(mode: str, method: Any) -> None:
    rng = np.random.default_rng(11)
    a = rng.integers(-(2**63), 2**63 - 1, (6, 7), endpoint=True)
    b = rng.integers(-(2**63), 2**63 - 1, (3, 4), endpoint=True)
    for op, flip in ((convolve, False), (correlate, True)):
        got = op(a, b, mode, method)
        assert got.dtype == object
        assert all(type(v) is int for v in got.ravel())
        assert got.tolist() == _crop(_loop_full(a, b, flip), a.shape, b.shape, mode).tolist()
    # 1-D against numpy's own object-dtype convolution of Python ints
    x, y = rng.integers(-(2**62), 2**62, 40), rng.integers(-(2**62), 2**62, 9)
    assert convolve(x, y, mode, method).tolist() == _crop(
        np.convolve(x.astype(object), y.astype(object)), x.shape, y.shape, mode).tolist()


def test_int64_boundary_of_the_exact_paths() -> None:
    # just below the bound max|a|·max|b|·min(size) < 2**63: int64; at it: Python ints
    a = np.array([2**31, -(2**31)], np.int64)
    b = np.array([2**30, 2**30 - 1], np.int64)
    got = convolve(a, b)
    assert got.dtype == np.int64 and got.tolist() == _loop_full(a, b).tolist()
    b2 = np.array([2**31, 1], np.int64)  # 2**31 · 2**31 · 2 = 2**63
    got = convolve(a, b2)
    assert got.dtype == object and got.tolist() == _loop_full(a, b2).tolist()
    # uint64 keeps uint64 up to 2**64
    u = np.array([2**32 - 1, 2**32 - 1], np.uint64)
    assert convolve(u, u[:1]).dtype == np.uint64
    assert convolve(u, u).tolist() == _loop_full(u, u).tolist()


@pytest.mark.parametrize(
    ("x", "y"),
    [(np.array(1289), np.array(4567)), (1289, 4567), (2.5, np.float32(2)),
     (np.array(2.0, np.float32), np.array(3.0, np.float32)), (2j, 3j), (np.array(1 + 2j), 4),
     (np.float16(1.5), np.float16(2)), (True, False), (True, True), (True, 3),
     (np.array(3, np.uint64), np.array(5, np.uint64)), (np.int64(-7), np.int32(9))],
)
@pytest.mark.parametrize("op", ["convolve", "correlate"])
def test_zero_d_returns_scipys_scalar(x: Any, y: Any, op: str) -> None:
    ours, theirs = globals()[op], getattr(scipy.signal, op)
    for method in METHODS:
        got, want = ours(x, y, method=method), theirs(x, y, method=method)
        assert type(got) is type(want), (type(got), type(want))
        assert np.ndim(got) == 0 and got == want


def test_zero_d_integers_are_widened_or_exact() -> None:
    got = convolve(np.int8(100), np.int8(100))
    assert type(got) is np.int64 and got == 10000  # scipy: np.int8(16)
    assert scipy.signal.convolve(np.int8(100), np.int8(100)) == 16
    got = convolve(np.uint8(200), np.uint16(300))
    assert type(got) is np.uint64 and got == 60000
    got = correlate(2**62, -8)
    assert type(got) is int and got == -(2**65)


@pytest.mark.parametrize("other", [np.bool_, np.int8, np.uint8, np.float32, np.float16,
                                   np.complex64, np.float64])
@pytest.mark.parametrize("shapes", [((9,), (4,)), ((4,), (9,)), ((5, 4), (2, 3))])
def test_bool_inputs_like_scipy(other: Any, shapes: Any) -> None:
    rng = np.random.default_rng(2)
    a = rng.integers(0, 2, shapes[0]).astype(bool)
    b = rng.integers(-3, 4, shapes[1]).astype(other)
    want_dtype = np.bool_ if other is np.bool_ else _exact_dtype(b, b)
    for mode in MODES:
        if mode == "valid" and not _valid_ok(a, b):
            continue
        for op, flip in ((convolve, False), (correlate, True)):
            for x, y in ((a, b), (b, a)):
                if other is np.bool_:
                    # bool·bool: whether any product is True (scipy's 1-D direct; its FFT
                    # path turns rounding noise into True, its N-d direct refuses bool)
                    want = _crop(_loop_full(x, y, flip), x.shape, y.shape, mode) != 0
                elif np.dtype(other).kind in "iu":
                    # a bool operand counts as the other's dtype; exact, not wrapped (b holds
                    # 253..255 as uint8, where scipy's uint8 result wraps around)
                    want = _crop(_loop_full(x.astype(other), y.astype(other), flip), x.shape,
                                 y.shape, mode).astype(want_dtype)
                else:
                    # a bool operand is cast to the other's dtype (NumPy's promotion); scipy's
                    # direct method is exact at these magnitudes (float16 via float64: its
                    # N-d direct method refuses float16)
                    wide = np.complex128 if np.dtype(other).kind == "c" else np.float64
                    want = getattr(scipy.signal, op.__name__)(
                        x.astype(wide), y.astype(wide), mode, "direct").astype(other)
                for method in METHODS:
                    _assert_same(op(x, y, mode, method), want, want_dtype)
    if other is np.bool_:
        assert choose_method(a, b) == "direct"  # as scipy.signal.choose_conv_method


def _rank3_case() -> tuple[np.ndarray, np.ndarray]:
    # scipy's TestCorrelateReal._setup_rank3: all products and sums are small integers
    a = np.linspace(0, 39, 40).reshape((2, 4, 5), order="F")
    b = np.linspace(0, 23, 24).reshape((2, 3, 4), order="F")
    return a, b


@pytest.mark.parametrize(
    "shapes",
    [((2, 4, 5), (2, 3, 4)), ((64, 64), (15, 15)), ((3000,), (400,)), ((20000,), (50,)),
     ((40, 40), (40, 40)), ((6, 50, 40), (3, 5, 4)), ((2000,), (2000,)), ((5000,), (5000,))],
)
def test_auto_is_never_less_accurate_than_scipys_choice(shapes: Any) -> None:
    rng = np.random.default_rng(len(shapes[0]) + shapes[0][0])
    if shapes == ((2, 4, 5), (2, 3, 4)):
        a, b = _rank3_case()
    else:
        a = rng.integers(-8, 8, shapes[0]).astype(np.float64)
        b = rng.integers(-8, 8, shapes[1]).astype(np.float64)
    exact = scipy.signal.convolve(a.astype(np.int64), b.astype(np.int64), method="direct")
    ours = np.max(np.abs(convolve(a, b) - exact))
    theirs = np.max(np.abs(scipy.signal.convolve(a, b) - exact))
    assert ours <= theirs, (choose_method(a, b), scipy.signal.choose_conv_method(a, b))


def test_issue_rank3_float64_case_is_exact() -> None:
    a, b = _rank3_case()
    assert scipy.signal.choose_conv_method(a, b) == "direct"
    assert choose_method(a, b) == "direct"
    want = scipy.signal.correlate(a.astype(np.int64), b.astype(np.int64))
    np.testing.assert_array_equal(correlate(a, b), want)  # exact zeros stay zero
    assert correlate(a, b)[2, 5, 7] == 0.0


def test_the_direct_bound_estimate_is_a_lower_bound() -> None:
    # K‖a‖₁‖b‖₁/√N ≤ K‖|a|⋆|b|‖₂ (Cauchy–Schwarz on the N outputs summing to ‖a‖₁‖b‖₁), and
    # the FFT's ‖a‖₂‖b‖₁ is an upper bound of ‖|a|⋆|b|‖₂ (Young): checked on random data
    rng = np.random.default_rng(9)
    for n, k in [(50, 7), (300, 300), (1000, 3)]:
        a, b = rng.standard_normal(n), rng.standard_normal(k)
        conv_abs = np.linalg.norm(np.convolve(np.abs(a), np.abs(b)))
        lower = np.abs(a).sum() * np.abs(b).sum() / np.sqrt(n + k - 1)
        assert lower <= conv_abs * (1 + 1e-12)
        assert conv_abs <= np.linalg.norm(a) * np.abs(b).sum() * (1 + 1e-12)


def test_fft_still_chosen_when_it_is_faster_and_more_accurate() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal(200_000), rng.standard_normal(2000)
    assert choose_method(a, b) == "fft"
    got = convolve(a, b, "same")
    np.testing.assert_allclose(got, scipy.signal.convolve(a, b, "same", "direct"),
                               rtol=1e-9, atol=1e-9 * np.abs(got).max())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("op", [convolve, correlate, choose_method])
def test_huge_broadcast_inputs_are_refused_quickly(mode: str, op: Any) -> None:
    import time

    big = np.broadcast_to(1.0, (65536, 65536))
    start = time.perf_counter()
    with pytest.raises(InvalidArgument) as info:
        op(big, big, mode)
    assert time.perf_counter() - start < 0.5
    message = str(info.value)
    for fragment in ("in1", "in2", f"mode={mode!r}", "(65536, 65536)"):
        assert fragment in message


def test_memory_guard_refuses_fft_buffers_and_falls_back(monkeypatch: Any) -> None:
    from convmath.numeric import _validate

    monkeypatch.setattr(_validate, "_memory_bytes", lambda: 2**24)  # a 16 MiB machine
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal(600_000), rng.standard_normal(3000)
    # the output (4.8 MB) and the direct method's buffers fit; the FFT's (~24 MB) do not
    with pytest.raises(InvalidArgument) as info:
        convolve(a, b, "same", "fft")
    assert "method='fft'" in str(info.value) and "in1 shape (600000,)" in str(info.value)
    assert choose_method(a, b, "same") == "direct"
    small_a = a[:20_000]
    np.testing.assert_allclose(convolve(small_a, b[:50], "same"),
                               scipy.signal.convolve(small_a, b[:50], "same", "direct"),
                               rtol=1e-12, atol=1e-12)
    with pytest.raises(InvalidArgument, match="output"):
        convolve(np.ones(3_000_000), np.ones(3))  # 24 MB output on a 16 MiB machine


def test_long_direct_work_is_refused_when_fft_cannot_run() -> None:
    big = np.broadcast_to(np.int64(1), (65536, 65536))
    with pytest.raises(InvalidArgument, match="hours"):
        convolve(big, big, "valid", "direct")


def test_zero_times_nan_is_nan_on_the_small_nd_path() -> None:
    # found by the fuzz suite: the small N-d path's BLAS GEMV skipped a zero factor
    b = np.array([[[0.0, 0.0], [0.0, np.nan]]], np.float32)
    a = np.zeros((1, 1, 1), np.float32)
    want = scipy.signal.convolve(a, b, method="direct")
    assert np.isnan(want[0, 1, 1])
    for method in ("auto", "direct"):
        np.testing.assert_array_equal(convolve(a, b, method=method), want)


def test_nan_tap_does_not_reach_outputs_it_does_not_touch() -> None:
    # found by the fuzz suite: the N-d tap loop multiplied the zero padding by a NaN tap
    a = np.zeros((1, 4, 4), np.float16)
    a[0, 3, 3] = np.nan
    b = np.zeros((2, 3, 3), bool)
    want = scipy.signal.correlate(a.astype(float), b.astype(float), "same", "direct")
    assert np.isfinite(want).sum() == 12  # NaN only where the NaN meets an element of b
    for method in ("auto", "direct"):
        got = correlate(a, b, "same", method)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        big_a = np.zeros((40, 50))
        big_a[5, 7] = np.inf
        big_b = np.ones((3, 30))
        np.testing.assert_array_equal(convolve(big_a, big_b, "same", method),
                                      scipy.signal.convolve(big_a, big_b, "same", "direct"))
