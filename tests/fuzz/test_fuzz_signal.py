"""Fuzz ``convolve`` / ``correlate`` / ``choose_method`` against scipy.signal.

Inputs: every dtype (bool, narrow and 64-bit ints, uint64, float16/32/64, complex), 0-d to
3-d, zero sizes, mismatched ranks, NaN/±inf, extreme values, read-only and non-contiguous
(strided, transposed) arrays, Python lists, and junk (strings, None, lists of strings, ragged
lists, dicts, object arrays); modes and methods right and wrong.

Contract checked (see ``fuzz_common``): a result or a ConvmathError naming the argument,
never a foreign exception; inputs unchanged. A result must equal the exact value (Python-int
loops for integers and bool: convmath never wraps) and scipy's where scipy is exact; floats
agree with scipy's direct method computed in float64/complex128 within a rounding bound,
with the same NaN/inf positions where the inputs cannot overflow. An error is allowed where
scipy refuses the call too, or where convmath documents a stricter rule (empty inputs, bad
mode/method with 0-d inputs, which scipy ignores).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import scipy.signal
from fuzz_common import FUZZ, assert_names, outcome
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convmath.numeric import choose_method, convolve, correlate
from convmath.numeric._signal_reference import definitional_convolve, definitional_correlate

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128"]
MODES = ["full", "same", "valid"]
METHODS = ["auto", "direct", "fft"]
JUNK: list[Any] = ["abc", None, ["a", "b"], [[1, 2], [3]], {"a": 1},
                   np.array([object(), 1], dtype=object), [1, None], b"xy"]


def _elements(dtype: np.dtype[Any], bounded: bool) -> st.SearchStrategy[Any]:
    if dtype.kind == "b":
        return st.booleans()
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        edges = st.sampled_from([info.min, info.max, 0, 1, -1 if dtype.kind == "i" else 2])
        return st.one_of(st.integers(-5, 5).map(lambda v: max(v, 0) if dtype.kind == "u"
                                                else v),
                         st.integers(int(info.min), int(info.max)), edges)
    width = 8 * (dtype.itemsize // (2 if dtype.kind == "c" else 1))
    # bounded: |products| and sums of up to 64 of them cannot overflow (a power of two, so
    # that the bound is a float of every width)
    limit = 2.0 ** (math.floor(math.log2(float(np.finfo(f"float{width}").max))) // 2 - 6
                    ) if bounded else None
    floats = st.one_of(
        st.integers(-4, 4).map(float),
        st.floats(width=width, allow_nan=False, allow_infinity=False,  # type: ignore[arg-type]
                  min_value=-limit if limit else None, max_value=limit),
        st.sampled_from([np.nan, np.inf, -np.inf]),
    )
    if dtype.kind == "c":
        return st.builds(complex, floats, floats)
    return floats


@st.composite
def operand(draw: Any, ndim: int, bounded: bool) -> Any:
    if draw(st.integers(0, 19)) == 0:
        return draw(st.sampled_from(JUNK))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=1, max_side=4)
                 if ndim else st.just(()))
    if ndim and draw(st.integers(0, 9)) == 0:
        shape = (*shape[:-1], 0)
    arr = draw(hnp.arrays(dtype, shape, elements=_elements(dtype, bounded)))
    layout = draw(st.sampled_from(["plain", "plain", "readonly", "strided", "transposed",
                                   "list"]))
    if layout == "readonly":
        arr.flags.writeable = False
    elif layout == "strided" and ndim:
        wide = np.repeat(arr, 2, axis=-1)
        arr = wide[..., ::2]  # a non-contiguous view with the same values
    elif layout == "transposed" and ndim > 1:
        arr = np.ascontiguousarray(arr.T).T  # same values, Fortran order
    elif layout == "list" and dtype.kind in "biuf" and dtype.itemsize == 8:
        return arr.tolist()
    return arr


@st.composite
def calls(draw: Any) -> tuple[Any, Any, Any, Any, bool]:
    ndim = draw(st.integers(0, 3))
    bounded = draw(st.booleans())
    in1 = draw(operand(ndim, bounded))
    in2 = draw(operand(draw(st.sampled_from([ndim] * 7 + [(ndim + 1) % 4])), bounded))
    bad_mode = ["Full", "middle", "", None, 1, b"full"]
    mode = draw(st.sampled_from(MODES * 12 + bad_mode))
    method = draw(st.sampled_from(METHODS * 12 + ["FFT", "magic", None, 0]))
    return in1, in2, mode, method, bounded


def _scipy(name: str, *args: Any) -> tuple[Any, BaseException | None]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(scipy.signal, name)(*args), None
    except Exception as exc:  # scipy refuses (ValueError, TypeError, ...)
        return None, exc


def _arrays(in1: Any, in2: Any) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        a, b = np.asarray(in1), np.asarray(in2)
    except Exception:
        return None
    if a.dtype.kind not in "biufc" or b.dtype.kind not in "biufc":
        return None
    return a, b


def _exact_expected(name: str, a: np.ndarray, b: np.ndarray, mode: str) -> np.ndarray:
    ref = definitional_convolve if name == "convolve" else definitional_correlate
    return ref(a, b, mode)


def _check_float(got: Any, a: np.ndarray, b: np.ndarray, name: str, mode: str, method: str,
                 bounded: bool) -> None:
    wide = np.complex128 if "c" in (a.dtype.kind, b.dtype.kind) else np.float64
    want, err = _scipy(name, a.astype(wide), b.astype(wide), mode, "direct")
    if err is not None:
        return
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    finite_in = bool(np.isfinite(a).all() and np.isfinite(b).all())
    if not finite_in and method == "fft":
        return  # every output NaN/inf by design (warned), as scipy
    dtype = np.result_type(got)
    u = float(np.finfo(dtype).eps)
    taps = min(a.size, b.size)
    with np.errstate(all="ignore"):
        scale = float(np.max(np.abs(a[np.isfinite(a)]), initial=0)) * float(
            np.max(np.abs(b[np.isfinite(b)]), initial=0))
        tol = 4 * (taps + 20 * math.log2(got.size + 2) + 2) * u * scale * taps
        both = np.isfinite(got) & np.isfinite(want)
        assert np.all(np.abs(got[both] - want[both].astype(got.dtype if got.dtype.kind == "c"
                                                           else np.float64)) <= tol + 1e-300
                      ), (got, want)
    if bounded and not finite_in:
        # no overflow possible: non-finite outputs come from the inputs, independent of the
        # order of summation. (scipy's N-d direct method spreads a complex NaN tap over its
        # zero padding, so the pattern comes from a loop over the real overlaps.)
        pattern = _loop(a.astype(wide), b.astype(wide), name, mode)
        np.testing.assert_array_equal(np.isfinite(got), np.isfinite(pattern))
        if got.dtype.kind != "c":  # (complex inf·x gives inf or NaN parts by code path)
            np.testing.assert_array_equal(np.isnan(got), np.isnan(pattern))


def _loop(a: np.ndarray, b: np.ndarray, name: str, mode: str) -> np.ndarray:
    """The convolution/correlation by loops over the overlapping elements only."""
    if name == "correlate":
        b = np.conj(b[(slice(None, None, -1),) * b.ndim])
    full = np.zeros(tuple(i + j - 1 for i, j in zip(a.shape, b.shape, strict=True)),
                    dtype=a.dtype)
    with np.errstate(all="ignore"):
        for m in np.ndindex(*a.shape):
            for j in np.ndindex(*b.shape):
                full[tuple(p + q for p, q in zip(m, j, strict=True))] += a[m] * b[j]
    if mode == "full":
        return full
    if mode == "same":
        return full[tuple(slice((k - 1) // 2, (k - 1) // 2 + n)
                          for n, k in zip(a.shape, b.shape, strict=True))]
    return full[tuple(slice(min(n, k) - 1, max(n, k))
                      for n, k in zip(a.shape, b.shape, strict=True))]


@FUZZ
@given(calls(), st.sampled_from(["convolve", "correlate"]))
def test_fuzz_convolve_correlate(call: tuple[Any, Any, Any, Any, bool], name: str) -> None:
    in1, in2, mode, method, bounded = call
    fn = convolve if name == "convolve" else correlate
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # method='fft' with inf/NaN warns
        got, error = outcome(fn, in1, in2, mode, method)
    arrays = _arrays(in1, in2)
    if error is not None:
        event("refused")
        assert_names(error, "in1", "in2", "mode", "method")
        if arrays is None:
            return
        a, b = arrays
        _, scipy_error = _scipy(name, in1, in2, mode, method)
        documented = (a.size == 0 or b.size == 0 or (a.ndim == b.ndim == 0))
        assert scipy_error is not None or documented, f"scipy accepts: {error}"
        return
    assert arrays is not None, "junk input was accepted"
    a, b = arrays
    assert mode in MODES and method in METHODS
    theirs, scipy_error = _scipy(name, a, b, mode, "direct")
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":
        event("integer/bool result checked exactly")
        exact = _exact_expected(name, a, b, mode)
        values = got.tolist() if isinstance(got, np.ndarray | np.generic) else got
        assert values == exact.tolist() or (np.ndim(got) == 0 and got == exact[()]), (
            got, exact)
        if a.dtype == b.dtype == np.bool_:
            assert np.asarray(got).dtype == np.bool_
        else:
            assert np.asarray(got).dtype in (np.int64, np.uint64, object)
        if scipy_error is None and np.asarray(theirs).tolist() == exact.tolist():
            assert np.asarray(theirs).tolist() == np.asarray(got).tolist()  # scipy exact
        return
    if np.ndim(got) == 0:  # two 0-d inputs: scipy's scalar product, same type
        want, _ = _scipy(name, a, b)
        assert type(got) is type(want)
        assert (got == want) or (np.isnan(got) and np.isnan(want)) or not bounded
        return
    event("floating result compared with scipy")
    expected_dtype = np.result_type(a if a.dtype != np.bool_ else b, b if b.dtype != np.bool_
                                    else a)
    assert got.dtype == expected_dtype, (got.dtype, expected_dtype)
    _check_float(got, a, b, name, mode, method, bounded)


@FUZZ
@given(calls())
def test_fuzz_choose_method(call: tuple[Any, Any, Any, Any, bool]) -> None:
    in1, in2, mode, _, _ = call
    got, error = outcome(choose_method, in1, in2, mode)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, conv_error = outcome(convolve, in1, in2, mode)
    if error is not None:
        assert_names(error, "in1", "in2", "mode")
        assert conv_error is not None, "choose_method refuses what convolve accepts"
        return
    assert got in ("direct", "fft")
    assert conv_error is None, "convolve refuses what choose_method accepts"
    a, b = np.asarray(in1), np.asarray(in2)
    if got == "fft" and a.dtype.kind in "fc" and b.dtype.kind in "fc":
        assert np.isfinite(a).all() and np.isfinite(b).all()  # never FFT with inf/NaN
    if a.dtype == b.dtype == np.bool_:
        assert got == "direct"
