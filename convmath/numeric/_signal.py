"""``convolve`` and ``correlate``: N-d, exactly ``scipy.signal``'s semantics, exact for ints.

Main results: :func:`convolve` and :func:`correlate` (modes ``full``/``same``/``valid``,
methods ``auto``/``direct``/``fft``). The readable loop versions that they are tested against
live in :mod:`convmath.numeric._signal_reference`.

Definitions (indices over ℤⁿ, arrays zero outside their support):

- ``convolve(a, b)[n] = Σ_j a[n − j] · b[j]`` — the *full* output has shape
  ``a.shape + b.shape − 1``;
- ``correlate(a, b) = convolve(a, reverse(conj(b)))`` — so ``correlate(a, b)[k] =
  Σ_n a[n + k − (len(b) − 1)] · conj(b[n])`` per axis, and ``correlate`` conjugates its second
  argument for complex input;
- ``same``: the shape of ``in1``, starting ``⌊(len(in2) − 1)/2⌋`` into *full* (scipy's
  centring; MATLAB's ``conv(…, 'same')`` starts at ``⌊len(in2)/2⌋`` and differs for even
  kernels);
- ``valid``: the outputs that need no zero padding, shape ``|len(in1) − len(in2)| + 1``; the
  inputs are swapped when ``in2`` is at least as large as ``in1`` on every axis (as scipy
  does) and InvalidArgument is raised when neither contains the other.

Two 0-d inputs give their product (``in1 * conj(in2)`` for correlate), as in scipy. Empty
inputs raise InvalidArgument (scipy returns an empty array).

The result dtype is NumPy's promotion of the inputs, except that mixed signed and unsigned
64-bit integers give int64, not a rounded float64 (a uint64 value >= 2**63 is then refused;
see :func:`convmath.numeric._validate.result_dtype`).

Methods. ``direct`` sums products and is exact for integers (8- to 32-bit integer results
wrap around in their dtype, as in numpy and scipy; a 64-bit integer result that might
overflow is refused with InvalidArgument instead of wrapping); in 1-D it is
``numpy.convolve``, in N-d a loop over the taps of the smaller input, each a vectorised
multiply-add over the whole output (or one ``tensordot`` over a ``sliding_window_view`` when
the problem is small). ``fft`` uses ``scipy.signal.fftconvolve`` / ``oaconvolve``. For
integer input the FFT is used only when a bound on its rounding error is below 1/4, so that
rounding recovers the exact result: Percival's bound for FFT convolution (proven for radix-2
transforms; taken with an 8× margin because pocketfft mixes radices), and then every value
must also lie within 1/4 of an integer a posteriori; otherwise ``direct`` is used, even with
``method="fft"``. ``auto`` picks the cheaper of the two by an operation-count model
calibrated on this code, and never the FFT for input holding inf or NaN (the FFT would
spread them over the whole output; explicit ``method="fft"`` warns, like scipy).

>>> import numpy as np
>>> convolve([1, 2, 3], [0, 1, 0.5])
array([0. , 1. , 2.5, 4. , 1.5])
>>> correlate(np.array([1, 2, 3]), np.array([0, 1, 2]), mode="same")
array([5, 8, 3])
>>> convolve([-1, 2, 3, -2, 0, 1, 2], [2, 4, -1, 1], mode="same")  # MATLAB gives 15 5 ... -1
array([ 0, 15,  5, -9,  7,  6,  7])
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convmath.errors import InvalidArgument
from convmath.numeric._validate import as_array, check_int_range, max_abs, result_dtype

__all__ = ["choose_method", "convolve", "correlate"]

Mode = Literal["full", "same", "valid"]
Method = Literal["auto", "direct", "fft"]

_MODES = ("full", "same", "valid")
_METHODS = ("auto", "direct", "fft")
_EPS = float(np.finfo(np.float64).eps) / 2  # unit roundoff of float64


def _inputs(in1: Any, in2: Any, mode: Any, method: Any) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(mode, str) or mode not in _MODES:
        raise InvalidArgument(f"mode must be one of {_MODES}, got mode={mode!r}")
    if not isinstance(method, str) or method not in _METHODS:
        raise InvalidArgument(f"method must be one of {_METHODS}, got method={method!r}")
    a = as_array("in1", in1)
    b = as_array("in2", in2)
    if a.ndim != b.ndim:
        raise InvalidArgument(
            f"in1 and in2 must have the same number of dimensions, got shapes {a.shape} "
            f"and {b.shape}"
        )
    if a.size == 0 or b.size == 0:
        raise InvalidArgument(
            f"in1 and in2 must be non-empty, got shapes in1={a.shape}, in2={b.shape}"
        )
    return a, b


def _valid_swap(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether 'valid' mode must swap the inputs (scipy's rule); raise if impossible."""
    a_contains = all(i >= j for i, j in zip(a.shape, b.shape, strict=True))
    b_contains = all(j >= i for i, j in zip(a.shape, b.shape, strict=True))
    if not (a_contains or b_contains):
        raise InvalidArgument(
            "mode='valid' needs one input at least as large as the other on every axis, got "
            f"shapes in1={a.shape}, in2={b.shape}"
        )
    return not a_contains


def _region(shape1: tuple[int, ...], shape2: tuple[int, ...], mode: str
            ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Offset into the full convolution and the output shape, for ``in1`` first."""
    if mode == "full":
        return (0,) * len(shape1), tuple(i + j - 1 for i, j in zip(shape1, shape2, strict=True))
    if mode == "same":
        return tuple((j - 1) // 2 for j in shape2), shape1
    # valid (inputs already ordered so that in1 contains in2)
    return tuple(j - 1 for j in shape2), tuple(i - j + 1 for i, j in zip(shape1, shape2,
                                                                        strict=True))


# --- direct ----------------------------------------------------------------------------------

_SMALL_IM2COL = 1 << 12  # output elements × taps below which one tensordot beats the tap loop


def _direct(a: np.ndarray, b: np.ndarray, mode: str, dtype: np.dtype[Any]) -> np.ndarray:
    """Exact-arithmetic convolution (``a`` contains ``b`` when mode is 'valid')."""
    offset, out_shape = _region(a.shape, b.shape, mode)
    if a.ndim == 1:
        if mode == "same" and a.size < b.size:
            full = np.convolve(a, b, "full")
            return full[offset[0] : offset[0] + out_shape[0]].astype(dtype, copy=False)
        np_mode: Literal["full", "valid", "same"] = "valid" if mode == "valid" else (
            "full" if mode == "full" else "same")  # 'same' here: a is the longer input
        return np.convolve(a, b, np_mode).astype(dtype, copy=False)
    a = a.astype(dtype, copy=False)
    b = b.astype(dtype, copy=False)
    # full[n] = Σ_j x[n − j]·w[j]; loop over the taps of the smaller array w.
    x, w = (a, b) if a.size >= b.size else (b, a)
    # Zero-pad x by lo before (xp[q] = x[q − lo]) so that every tap reads a plain slice:
    # out[m] = full[offset + m] = Σ_j x[offset + m − j]·w[j] = Σ_j xp[base + m − j]·w[j]
    # with base = offset + lo; indices run from base − (w.shape − 1) to base + out − 1.
    lo = [max(0, ws - 1 - off) for ws, off in zip(w.shape, offset, strict=True)]
    hi = [
        max(0, off + o - xs) for off, o, xs in zip(offset, out_shape, x.shape, strict=True)
    ]
    if any(lo) or any(hi):  # (np.pad is much slower for small arrays)
        xp = np.zeros(tuple(xs + l + h for xs, l, h in zip(x.shape, lo, hi, strict=True)),
                      dtype=dtype)
        xp[tuple(slice(l, l + xs) for l, xs in zip(lo, x.shape, strict=True))] = x
    else:
        xp = x
    base = [off + pl for off, pl in zip(offset, lo, strict=True)]
    if math.prod(out_shape) * w.size <= _SMALL_IM2COL:
        # One GEMV over every window at once: windows of xp against the flipped kernel.
        region = tuple(
            slice(bs - ws + 1, bs - ws + 1 + o + ws - 1)
            for bs, ws, o in zip(base, w.shape, out_shape, strict=True)
        )
        windows = sliding_window_view(xp[region], w.shape)
        flipped = w[(slice(None, None, -1),) * w.ndim]
        return np.tensordot(windows, flipped, axes=w.ndim).astype(dtype, copy=False)
    out = np.zeros(out_shape, dtype=dtype)
    tmp = np.empty(out_shape, dtype=dtype)
    for j in np.ndindex(*w.shape):
        sl = tuple(slice(bs - jj, bs - jj + o) for bs, jj, o in zip(base, j, out_shape,
                                                                   strict=True))
        np.multiply(xp[sl], w[j], out=tmp)
        out += tmp
    return out


# --- FFT -------------------------------------------------------------------------------------


def _fft_exact_for_ints(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a float64 FFT convolution of integer arrays provably rounds to the truth.

    Percival (Math. Comp. 2003) bounds the error of an FFT convolution of length N = 2ⁿ by
    ``‖a‖₂‖b‖₂((1+ε)^{3n}(1+ε√5)^{3n+1}(1+β)^{3n} − 1) ≤ ‖a‖₂‖b‖₂(13n+3)ε`` (β ≤ ε, the
    twiddle-factor error). The proof is for radix-2 transforms; scipy's pocketfft mixes
    radices, so we require 8 times the bound to be below 1/4, and the caller still checks
    the rounded result a posteriori. Passing also forces ``‖a‖₂ < 2⁴⁴`` or so, so the
    conversion of the integers to float64 is itself exact.
    """
    n_fft = math.prod(i + j - 1 for i, j in zip(a.shape, b.shape, strict=True))
    levels = max(1.0, math.log2(n_fft))
    # (np.square + sum rather than np.dot: no BLAS threads for a reduction this cheap)
    norm = math.sqrt(float(np.square(a, dtype=np.float64).sum())
                     * float(np.square(b, dtype=np.float64).sum()))
    return norm * 8 * (13 * levels + 3) * _EPS < 0.25


def _use_overlap_add(a: np.ndarray, b: np.ndarray) -> bool:
    """Overlap-add pays off in 1-D when one input is much longer than the other (measured:
    in 2-D scipy's oaconvolve was 2-4× slower than fftconvolve at every size tried)."""
    return a.ndim == 1 and min(a.size, b.size) > 1 and max(a.size, b.size) >= 32 * min(
        a.size, b.size) and max(a.size, b.size) >= 8192


def _fft(a: np.ndarray, b: np.ndarray, mode: str) -> np.ndarray:
    from scipy import signal  # scipy.signal is slow to import; only the FFT path needs it

    engine = signal.oaconvolve if _use_overlap_add(a, b) else signal.fftconvolve
    out: np.ndarray = engine(a, b, mode=mode)
    return out


def _fft_ints(a: np.ndarray, b: np.ndarray, mode: str, dtype: np.dtype[Any],
              proven: bool = False) -> np.ndarray | None:
    """Exact integer convolution through a float64 FFT, or None when not provably exact
    (``proven``: the caller already checked the bound)."""
    if not (proven or _fft_exact_for_ints(a, b)):
        return None
    out = _fft(a.astype(np.float64), b.astype(np.float64), mode)
    rounded = np.rint(out)
    if out.size and float(np.max(np.abs(out - rounded))) > 0.25:  # belt and braces
        return None
    # exact in int64 (|values| < 2⁵³ by the bound), then wrap like the direct path would
    return rounded.astype(np.int64).astype(dtype, copy=False)


# --- method choice ---------------------------------------------------------------------------

# Seconds per multiply-add of each direct flavour and per N·log2(N) of the FFT path, for
# float64, measured on the benchmark machine (benchmarks/bench_signal.py); only the ratios
# matter. Other dtypes scale by _dtype_factor (the direct loops are memory bound).
_C_DIRECT_1D = 2.5e-10  # numpy.convolve (BLAS dot per output for floats)
_C_DIRECT_1D_INT = 7e-10  # numpy.convolve on integers has no BLAS
_C_DIRECT_ND = 7e-10  # tap loop: one multiply and one add over the output per tap
_C_TAP = 4e-6  # fixed cost per tap of the N-d loop (two ufunc calls)
_C_FFT = 1.5e-9
_C_FFT_FIXED = 5e-5


def _dtype_factor(dtype: np.dtype[Any]) -> float:
    if dtype.kind == "c":
        return dtype.itemsize / 8  # 4 real products per complex one, half as many elements
    if dtype.kind == "f":
        return max(dtype.itemsize, 4) / 8
    return 1.0


def choose_method(in1: Any, in2: Any, mode: Mode = "full") -> Literal["direct", "fft"]:
    """The method ``method="auto"`` uses for these inputs (a cost model, no timing).

    Integers go to ``fft`` only when the FFT is provably exact (see the module docstring).

    >>> import numpy as np
    >>> choose_method(np.ones(100), np.ones(3))
    'direct'
    >>> choose_method(np.ones(100_000), np.ones(5_000))
    'fft'
    """
    a, b = _inputs(in1, in2, mode, "auto")
    if a.ndim == 0:
        return "direct"
    if mode == "valid" and _valid_swap(a, b):
        a, b = b, a
    return _choose(a, b, mode)


def _choose(a: np.ndarray, b: np.ndarray, mode: str) -> Literal["direct", "fft"]:
    _, out_shape = _region(a.shape, b.shape, mode)
    n_out = math.prod(out_shape)
    taps = min(a.size, b.size)
    dtype = result_dtype(a, b)
    if a.ndim == 1:
        macs = a.size * b.size if mode != "valid" else n_out * taps
        direct = (_C_DIRECT_1D_INT if dtype.kind in "iu" else _C_DIRECT_1D) * macs
    else:
        direct = _C_DIRECT_ND * n_out * taps + _C_TAP * taps
    n_fft = math.prod(i + j - 1 for i, j in zip(a.shape, b.shape, strict=True))
    # overlap-add transforms blocks of about 8·taps instead of the whole signal
    n_log = 8 * taps if _use_overlap_add(a, b) else n_fft
    fft = _C_FFT_FIXED + _C_FFT * n_fft * max(1.0, math.log2(n_log))
    if fft >= direct * _dtype_factor(dtype):
        return "direct"
    if dtype.kind in "iu":
        return "fft" if _fft_exact_for_ints(a, b) else "direct"
    return "fft"


# --- public API ------------------------------------------------------------------------------


def _convolve(a: np.ndarray, b: np.ndarray, mode: str, method: str) -> np.ndarray:
    dtype = result_dtype(a, b)
    if dtype.kind in "iu":  # e.g. int64 with uint64: NumPy itself would compute in float64
        a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        if dtype.itemsize == 8:
            # narrower integers wrap around as in numpy/scipy; 64-bit results have no wider
            # dtype to go to, so work that might overflow is refused rather than wrapped
            terms = min(a.size, b.size)
            check_int_range(dtype, max_abs(a) * max_abs(b) * terms, "convolution")
    if a.ndim == 0:
        return np.asarray(a * b).astype(dtype, copy=False)
    if mode == "valid" and _valid_swap(a, b):
        a, b = b, a
    proven = False
    if method == "auto":
        method = _choose(a, b, mode)
        proven = True  # _choose picks "fft" for integers only once the bound holds
        if method == "fft" and dtype.kind in "fc" and not (
            np.isfinite(a).all() and np.isfinite(b).all()
        ):
            method = "direct"  # an FFT would smear one inf/NaN over the whole output
    elif method == "fft" and dtype.kind in "fc" and not (
        np.isfinite(a).all() and np.isfinite(b).all()
    ):
        warnings.warn(
            "method='fft' with inf or NaN input makes every output inf or NaN; "
            "method='direct' (or 'auto') keeps them local",
            RuntimeWarning,
            stacklevel=3,
        )
    if method == "fft":
        if dtype.kind in "iu":
            exact = _fft_ints(a, b, mode, dtype, proven)
            if exact is not None:
                return exact
        else:
            # both in the result precision: a float32 operand would otherwise be
            # transformed in float32 and spoil a float64 result
            a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
            with np.errstate(invalid="ignore", over="ignore"):  # inf/NaN: warned above
                return _fft(a, b, mode).astype(dtype, copy=False)
    return _direct(a, b, mode, dtype)


def convolve(in1: Any, in2: Any, mode: Mode = "full", method: Method = "auto") -> np.ndarray:
    """N-d convolution of ``in1`` and ``in2``, exactly ``scipy.signal.convolve``.

    ``out[n] = Σ_j in1[n − j] · in2[j]``; ``mode`` picks the full output, the ``in1``-shaped
    centre (``same``) or the part without zero padding (``valid``). Integer inputs give exact
    integer results.

    >>> convolve([1, 2, 3], [1, 1], mode="valid")
    array([3, 5])
    >>> convolve([[1, 2], [3, 4]], [[0, 1]], mode="full")
    array([[0, 1, 2],
           [0, 3, 4]])
    """
    a, b = _inputs(in1, in2, mode, method)
    return _convolve(a, b, mode, method)


def correlate(in1: Any, in2: Any, mode: Mode = "full", method: Method = "auto") -> np.ndarray:
    """N-d cross-correlation, exactly ``scipy.signal.correlate``: ``in2`` slides over
    ``in1`` without flipping and is conjugated for complex input.

    ``correlate(in1, in2) == convolve(in1, reverse(conj(in2)))`` in every mode.

    >>> correlate([1, 2, 3], [1, 1j])
    array([0.-1.j, 1.-2.j, 2.-3.j, 3.+0.j])
    >>> correlate([1, 2, 3, 4], [1, 0, -1], mode="valid")
    array([-2, -2])
    """
    a, b = _inputs(in1, in2, mode, method)
    if b.ndim == 0:
        return _convolve(a, np.conj(b) if b.dtype.kind == "c" else b, mode, method)
    flipped = b[(slice(None, None, -1),) * b.ndim]
    return _convolve(a, np.conj(flipped) if b.dtype.kind == "c" else flipped, mode, method)
