"""``convolve`` and ``correlate``: N-d, ``scipy.signal``'s semantics, exact for integers.

Main results: :func:`convolve` and :func:`correlate` (modes ``full``/``same``/``valid``,
methods ``auto``/``direct``/``fft``) and :func:`choose_method`. The readable loop versions
that they are tested against live in :mod:`convmath.numeric._signal_reference`.

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

Two 0-d inputs give their product (``in1 * conj(in2)`` for correlate) as a NumPy scalar, as
in scipy. Empty inputs raise InvalidArgument (scipy returns an empty array).

Result dtypes (where they differ from scipy, scipy's result is wrong or rounded):

- floating or complex input: NumPy's promotion of the two dtypes, as scipy (``bool`` counts
  as the other operand's dtype);
- two ``bool`` inputs: ``bool``, ``out[n] = any_j(a[n − j] and b[j])``, as scipy;
- integer input (``bool`` with an integer counts as that integer): the **exact** result, in
  ``uint64`` when both operands are unsigned and ``int64`` otherwise, whatever the input
  widths — scipy keeps the input dtype and wraps around (``int8`` 100·100 gives 16), and
  computes a signed/``uint64`` mix in float64, rounding above 2**53;
- integer input whose result might not fit in 64 bits (``max|in1|·max|in2|·min(size)``
  reaching 2**63, or 2**64 when both are unsigned; also a ``uint64`` value ≥ 2**63 mixed
  with a signed operand): an ``object`` array of exact Python ints (a Python ``int`` for 0-d
  inputs) — scipy wraps around or rounds. It is computed by splitting every value into four
  16-bit limbs, convolving the limbs exactly in int64 and recombining them in Python ints.

Methods. ``direct`` sums products and is exact for integers; in 1-D it is
``numpy.convolve``, in N-d a loop over the taps of the smaller input, each a vectorised
multiply-add over the whole output (or one ``tensordot`` over a ``sliding_window_view`` when
the problem is small). ``fft`` uses ``scipy.signal.fftconvolve`` / ``oaconvolve``. For
integer input the FFT is used only when a bound on its rounding error is below 1/4, so that
rounding recovers the exact result: Percival's bound for FFT convolution (proven for radix-2
transforms; taken with an 8× margin because pocketfft mixes radices), and then every value
must also lie within 1/4 of an integer a posteriori; otherwise ``direct`` is used, even with
``method="fft"``. ``auto`` (see :func:`choose_method`) picks the FFT only when it is both
cheaper, by an operation-count model calibrated on this code, and *more accurate*: for
floating input its normwise error bound ``(3η·log₂N + 2u)·min(‖a‖₂‖b‖₁, ‖a‖₁‖b‖₂)``
(Higham, Thm 24.2; ``η = u + γ₄(√2 + u)``, N the full output size) must be below a lower
bound ``K·u·‖a‖₁‖b‖₁/√N`` of the direct method's ``γ_K·‖|a| ⋆ |b|‖₂`` (K taps per output).
So ``auto`` is never less accurate than scipy's choice, which only weighs speed. It never
picks the FFT for input holding inf or NaN (the FFT would spread them over the whole output;
explicit ``method="fft"`` warns, like scipy), nor for two ``bool`` inputs (as scipy).

Memory and time. Before touching the data, a call whose output, or whose method's buffers
(the FFT's are ~40 bytes per element of the full output), cannot fit in this machine's
memory is refused with InvalidArgument naming ``in1``, ``in2``, ``mode`` and the shapes;
``auto`` then falls back to the method that fits. So is direct work estimated at more than
an hour when the FFT is not an option (e.g. two 65536×65536 inputs).

>>> import numpy as np
>>> convolve([1, 2, 3], [0, 1, 0.5])
array([0. , 1. , 2.5, 4. , 1.5])
>>> correlate(np.array([1, 2, 3]), np.array([0, 1, 2]), mode="same")
array([5, 8, 3])
>>> convolve([-1, 2, 3, -2, 0, 1, 2], [2, 4, -1, 1], mode="same")  # MATLAB gives 15 5 ... -1
array([ 0, 15,  5, -9,  7,  6,  7])
>>> convolve(np.full(3, 100, np.int8), np.full(2, 100, np.int8))  # scipy: [16 32 16] int8
array([10000, 20000, 20000, 10000])
>>> convolve(np.array([2**62]), np.array([4, 1]))  # beyond int64: exact Python ints
array([18446744073709551616, 4611686018427387904], dtype=object)
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convmath.errors import InvalidArgument
from convmath.numeric._validate import as_array, check_elements, ieee_quiet, max_abs, result_dtype

__all__ = ["choose_method", "convolve", "correlate"]

Mode = Literal["full", "same", "valid"]
Method = Literal["auto", "direct", "fft"]

_MODES = ("full", "same", "valid")
_METHODS = ("auto", "direct", "fft")
_EPS = float(np.finfo(np.float64).eps) / 2  # unit roundoff of float64


def _as_input(name: str, value: Any) -> np.ndarray:
    """``np.asarray(value)``; bool is accepted (as scipy does), other non-numbers refused."""
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists and the like: as_array reports them
        return as_array(name, value)
    if arr.dtype == np.bool_:
        return arr
    return as_array(name, arr)


def _inputs(in1: Any, in2: Any, mode: Any, method: Any) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(mode, str) or mode not in _MODES:
        raise InvalidArgument(f"mode must be one of {_MODES}, got mode={mode!r}")
    if not isinstance(method, str) or method not in _METHODS:
        raise InvalidArgument(f"method must be one of {_METHODS}, got method={method!r}")
    a = _as_input("in1", in1)
    b = _as_input("in2", in2)
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
    finite_w = dtype.kind in "iu" or bool(np.isfinite(w).all())
    small = math.prod(out_shape) * w.size <= _SMALL_IM2COL and (
        dtype.kind in "iu" or bool(finite_w and np.isfinite(x).all()))
    if not finite_w:
        return _tap_loop_unpadded(x, w, offset, out_shape, dtype)
    # Zero-pad x by lo before (xp[q] = x[q − lo]) so that every tap reads a plain slice:
    # out[m] = full[offset + m] = Σ_j x[offset + m − j]·w[j] = Σ_j xp[base + m − j]·w[j]
    # with base = offset + lo; indices run from base − (w.shape − 1) to base + out − 1.
    # (Only for finite w: a padding zero times an inf/NaN tap would give NaN where the
    # convolution has no term at all.)
    lo = [max(0, ws - 1 - off) for ws, off in zip(w.shape, offset, strict=True)]
    hi = [max(0, off + o - xs) for off, o, xs in zip(offset, out_shape, x.shape, strict=True)]
    if any(lo) or any(hi):  # (np.pad is much slower for small arrays)
        xp = np.zeros(tuple(xs + l + h for xs, l, h in zip(x.shape, lo, hi, strict=True)),
                      dtype=dtype)
        xp[tuple(slice(l, l + xs) for l, xs in zip(lo, x.shape, strict=True))] = x
    else:
        xp = x
    base = [off + pl for off, pl in zip(offset, lo, strict=True)]
    if small:
        # One GEMV over every window at once: windows of xp against the flipped kernel.
        # (Finite input only: BLAS skips a zero factor, so 0·NaN would give 0, not NaN.)
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


def _tap_loop_unpadded(x: np.ndarray, w: np.ndarray, offset: tuple[int, ...],
                       out_shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray:
    """The tap loop over the unpadded ``x``: tap j adds ``x[offset + m − j]·w[j]`` to
    ``out[m]`` only for the m whose x index lies inside x (for w holding inf or NaN)."""
    out = np.zeros(out_shape, dtype=dtype)
    tmp = np.empty(out_shape, dtype=dtype)
    for j in np.ndindex(*w.shape):
        lo_m = [max(0, jj - off) for jj, off in zip(j, offset, strict=True)]
        hi_m = [min(o, jj - off + xs) for jj, off, o, xs in zip(j, offset, out_shape, x.shape,
                                                                 strict=True)]
        if any(h <= l for l, h in zip(lo_m, hi_m, strict=True)):
            continue
        osl = tuple(slice(l, h) for l, h in zip(lo_m, hi_m, strict=True))
        xsl = tuple(slice(off + l - jj, off + h - jj)
                    for off, l, h, jj in zip(offset, lo_m, hi_m, j, strict=True))
        part = tmp[osl]
        np.multiply(x[xsl], w[j], out=part)
        out[osl] += part
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
    # exact in int64 (|values| < 2⁵³ by the bound); dtype is int64 or uint64
    return rounded.astype(np.int64).astype(dtype, copy=False)


# --- method choice ---------------------------------------------------------------------------

# Seconds per multiply-add of each direct flavour and per N·log2(N) of the FFT path, for
# float64, measured on the benchmark machine (benchmarks/bench_signal.py); only the ratios
# matter. Other dtypes scale by _dtype_factor (the direct loops are memory bound).
_C_DIRECT_1D = 2.5e-10  # numpy.convolve (BLAS dot per output for floats)
_C_DIRECT_1D_INT = 7e-10  # numpy.convolve on integers has no BLAS
_C_DIRECT_ND = 7e-10  # tap loop: one multiply and one add over the output per tap
_C_TAP = 4e-6  # fixed cost per tap of the N-d loop (two ufunc calls)
_C_SMALL = 2e-5  # the single tensordot of a small N-d problem
_C_FFT = 1.5e-9
_C_FFT_FIXED = 5e-5

#: Direct work estimated above this many seconds is refused when the FFT is not an option.
_MAX_DIRECT_SECONDS = 3600.0
#: Bytes per element of the full output that the FFT path holds at its peak (two padded
#: spectra, their product and the inverse transform), real and complex input.
_FFT_BYTES = {False: 40, True: 80}
#: Bytes per element of an object array of Python ints (pointer + int object), a guess.
_OBJECT_BYTES = 48
#: ``η/u`` for Higham's per-stage FFT error ``η = u + γ₄(√2 + u)`` (rounded up).
_ETA_OVER_U = 6.7


def _dtype_factor(dtype: np.dtype[Any]) -> float:
    if dtype.kind == "c":
        return dtype.itemsize / 8  # 4 real products per complex one, half as many elements
    if dtype.kind == "f":
        return max(dtype.itemsize, 4) / 8
    return 1.0


def _full_shape(a: np.ndarray, b: np.ndarray) -> tuple[int, ...]:
    return tuple(i + j - 1 for i, j in zip(a.shape, b.shape, strict=True))


def _direct_seconds(a: np.ndarray, b: np.ndarray, mode: str, integer: bool) -> float:
    """The cost model's time for the direct method (float64; shapes only)."""
    _, out_shape = _region(a.shape, b.shape, mode)
    n_out = math.prod(out_shape)
    taps = min(a.size, b.size)
    if a.ndim == 1:
        macs = a.size * b.size if mode != "valid" else n_out * taps
        return (_C_DIRECT_1D_INT if integer else _C_DIRECT_1D) * macs
    if n_out * taps <= _SMALL_IM2COL:
        return _C_SMALL + _C_DIRECT_ND * n_out * taps
    return _C_DIRECT_ND * n_out * taps + _C_TAP * taps


def _fft_seconds(a: np.ndarray, b: np.ndarray) -> float:
    n_fft = math.prod(_full_shape(a, b))
    # overlap-add transforms blocks of about 8·taps instead of the whole signal
    n_log = 8 * min(a.size, b.size) if _use_overlap_add(a, b) else n_fft
    return _C_FFT_FIXED + _C_FFT * n_fft * max(1.0, math.log2(n_log))


def _fits(shape: tuple[int, ...] | list[int], itemsize: int) -> bool:
    """Whether an array of ``shape`` and ``itemsize`` fits in memory (check_elements' rule)."""
    try:
        check_elements("buffer", shape, itemsize, "")
    except InvalidArgument:
        return False
    return True


class _Plan:
    """Shape-level facts about one call, known before any pass over the data."""

    def __init__(self, a: np.ndarray, b: np.ndarray, mode: str) -> None:
        self.mode = mode
        self.shapes = (a.shape, b.shape)
        kinds = {a.dtype.kind, b.dtype.kind}
        self.integer = kinds <= {"b", "i", "u"}
        self.complex = "c" in kinds
        self.full = _full_shape(a, b)
        _, self.out_shape = _region(a.shape, b.shape, mode)
        if kinds == {"b"}:
            itemsize = 8  # computed in int64, returned as bool
        elif self.integer:
            itemsize = 8  # at least: int64 (more for exact Python ints)
        else:
            itemsize = np.result_type(a.dtype, b.dtype).itemsize
        self.itemsize = itemsize
        n_full = math.prod(self.full)
        if n_full <= 2**16 and a.size + b.size <= 2**17:  # ~5 MB at most: no check needed
            self.direct_fits = self.fft_fits = True
            self.direct_seconds = _direct_seconds(a, b, mode, self.integer)
            self.direct_ok = self.direct_seconds <= _MAX_DIRECT_SECONDS
            self.fft_seconds = _fft_seconds(a, b)
            return
        # the output itself must fit whatever the method
        check_elements("output", self.out_shape, itemsize, self.context)
        # direct: the output, a scratch array of its size, a zero-padded copy of the larger
        # input (none in 'valid' mode, else at most the full shape) and dtype conversions
        padded = 0 if mode == "valid" else math.prod(self.full)
        copies = sum(x.size for x in (a, b) if x.dtype.itemsize != itemsize)
        direct_elements = 2 * math.prod(self.out_shape) + padded + copies
        self.direct_fits = _fits([direct_elements], itemsize)
        self.direct_seconds = _direct_seconds(a, b, mode, self.integer)
        self.direct_ok = self.direct_fits and self.direct_seconds <= _MAX_DIRECT_SECONDS
        self.fft_fits = _fits(self.full, _FFT_BYTES[self.complex])
        self.fft_seconds = _fft_seconds(a, b)
        if not (self.direct_ok or self.fft_fits):
            raise InvalidArgument(self.refusal("direct"))

    @property
    def context(self) -> str:
        return f"in1 shape {self.shapes[0]}, in2 shape {self.shapes[1]}, mode={self.mode!r}"

    def refusal(self, method: str) -> str:
        """The message refusing ``method`` (why it cannot run) for this call."""
        fft = (f"the FFT would hold about {math.prod(self.full) * _FFT_BYTES[self.complex]:,} "
               f"bytes for the full shape {self.full}, more than this machine's memory")
        if not self.direct_fits:
            direct = "the direct method's buffers would not fit in this machine's memory"
        elif self.direct_seconds > _MAX_DIRECT_SECONDS:
            direct = (f"the direct method would take about {self.direct_seconds / 3600:.3g} "
                      "hours")
        else:
            direct = "the direct method is not exact enough here"
        reasons = fft if method == "fft" else (
            f"{direct} and {fft}" if not self.fft_fits else direct)
        return f"cannot convolve in1 with in2 ({self.context}, method={method!r}): {reasons}"


def _norms(x: np.ndarray) -> tuple[float, float]:
    """``(‖x‖₁, ‖x‖₂)`` in float64 (inf when they overflow)."""
    mag = np.abs(x).astype(np.float64, copy=False)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(mag.sum()), math.sqrt(float(np.square(mag).sum()))


def _fft_more_accurate(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether the FFT's normwise error bound is below (a lower bound of) the direct one's.

    FFT (Higham Thm 24.2, three transforms and a pointwise product; the form the checkers'
    ``tolerance='normwise'`` uses): ``(3η·log₂N + 2u)·min(‖a‖₂‖b‖₁, ‖a‖₁‖b‖₂)``. Direct:
    ``γ_K·‖|a| ⋆ |b|‖₂ ≥ K·u·‖a‖₁‖b‖₁/√N`` (the full ``|a| ⋆ |b|`` has N elements summing to
    ``‖a‖₁‖b‖₁``). Both in units of ``u``, so the comparison holds for every precision.
    """
    n_full = math.prod(_full_shape(a, b))
    taps = min(a.size, b.size)
    a1, a2 = _norms(a)
    b1, b2 = _norms(b)
    fft = (3 * _ETA_OVER_U * max(1.0, math.log2(n_full)) + 2) * min(a2 * b1, a1 * b2)
    direct = taps * a1 * b1 / math.sqrt(n_full)
    return fft < direct  # False for zeros, inf and NaN


def _integer_valued(x: np.ndarray) -> bool:
    """Whether every element of the real array ``x`` is an integer (a sample first: cheap
    for typical real-valued data)."""
    flat = x.reshape(-1)
    sample = flat[:64]
    if not np.array_equal(sample, np.rint(sample)):
        return False
    return bool(np.array_equal(flat, np.rint(flat)))


def _exact_in_floats(a: np.ndarray, b: np.ndarray, dtype: np.dtype[Any]) -> bool:
    """Whether ``a`` and ``b`` hold integers small enough that the direct method is exact in
    ``dtype`` (every partial sum below ``2^(p)``, p the significand bits): then ``auto`` must
    not lose that, and uses either the direct method or the provably exact integer FFT."""
    if dtype.kind != "f" or dtype.itemsize > 8 or not (
            _integer_valued(a) and _integer_valued(b)):
        return False
    bound = float(np.max(np.abs(a))) * float(np.max(np.abs(b))) * min(a.size, b.size)
    return bound < 2.0 ** (np.finfo(dtype).nmant + 1)


def choose_method(in1: Any, in2: Any, mode: Mode = "full") -> Literal["direct", "fft"]:
    """The method ``method="auto"`` uses for these inputs (a cost and accuracy model, no
    timing).

    ``'fft'`` only when it is both cheaper and, for floating input, has the smaller error
    bound (see the module docstring); never for input holding inf or NaN or for two bool
    inputs. Integers go to ``fft`` only when it is provably exact; integers whose result
    might overflow int64 (computed exactly in 16-bit limbs) report ``'direct'``.

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
    plan = _Plan(a, b, mode)
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        return "direct" if plan.direct_ok else "fft"
    a, b, dtype = _operands(a, b)
    if dtype.kind == "O":
        return "direct"
    return _choose(a, b, dtype, plan)


def _choose(a: np.ndarray, b: np.ndarray, dtype: np.dtype[Any], plan: _Plan
            ) -> Literal["direct", "fft"]:
    if not plan.fft_fits:
        return "direct"
    if dtype.kind in "iu":
        exact = _fft_exact_for_ints(a, b)
        if not plan.direct_ok:
            return "fft" if exact else "direct"  # (refused by the caller if not exact)
        faster = plan.fft_seconds < plan.direct_seconds
        return "fft" if faster and exact else "direct"
    if plan.direct_ok and plan.fft_seconds >= plan.direct_seconds * _dtype_factor(dtype):
        return "direct"  # (first: the cheapest test, and direct is right for NaN/inf too)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return "direct" if plan.direct_ok else "fft"
    if not plan.direct_ok:
        return "fft"
    if _exact_in_floats(a, b, dtype):  # both methods can be exact: see _convolve_fixed
        return "fft" if _fft_exact_for_ints(a, b) else "direct"
    return "fft" if _fft_more_accurate(a, b) else "direct"


# --- integers: dtypes and the exact Python-int path ------------------------------------------


def _operands(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.dtype[Any]]:
    """Both operands in their computation dtype, and the result dtype (``object`` when the
    exact integer result might not fit in 64 bits). Not for two bool arrays."""
    if a.dtype == np.bool_:
        a = a.astype(b.dtype)
    elif b.dtype == np.bool_:
        b = b.astype(a.dtype)
    if not (a.dtype.kind in "iu" and b.dtype.kind in "iu"):
        dtype = result_dtype(a, b)
        return a.astype(dtype, copy=False), b.astype(dtype, copy=False), dtype
    unsigned = a.dtype.kind == "u" and b.dtype.kind == "u"
    dtype = np.dtype(np.uint64 if unsigned else np.int64)
    limit = 2**64 if unsigned else 2**63  # the bound of check_int_range
    bound = max_abs(a) * max_abs(b) * min(a.size, b.size)
    if bound >= limit:  # (covers a uint64 value >= 2**63 with a signed operand)
        return a, b, np.dtype(object)
    return a.astype(dtype, copy=False), b.astype(dtype, copy=False), dtype


def _limbs(x: np.ndarray) -> list[np.ndarray]:
    """``x = Σ_i limb_i·2^(16i)`` with int64 limbs: three in ``[0, 2^16)`` and a top one in
    ``[−2^15, 2^15)`` (``[0, 2^16)`` for unsigned ``x``)."""
    wide = x.astype(np.uint64 if x.dtype.kind == "u" else np.int64, copy=False)
    low = [((wide >> (16 * i)) & 0xFFFF).astype(np.int64) for i in range(3)]
    return [*low, (wide >> 48).astype(np.int64)]


def _convolve_big(a: np.ndarray, b: np.ndarray, mode: str, method: str) -> np.ndarray:
    """Exact convolution of integer arrays as an object array of Python ints.

    ``a·b = Σ_{i,j} a_i·b_j·2^(16(i+j))`` limb by limb: every limb product is below 2^32 in
    magnitude and a diagonal ``s = i + j`` sums at most 4 limb convolutions of
    ``min(size)`` terms each, so each diagonal is exact in int64 while
    ``min(size) < 2^29``.
    """
    if min(a.size, b.size) >= 2**28:  # pragma: no cover - ~2 GiB inputs and 2^56 work
        raise InvalidArgument(f"in1 and in2 are too large for exact Python-int convolution "
                              f"(shapes {a.shape} and {b.shape})")
    la, lb = _limbs(a), _limbs(b)
    nz_a = [bool(np.any(limb)) for limb in la]
    nz_b = [bool(np.any(limb)) for limb in lb]
    total: Any = None
    for s in range(7):
        diagonal: np.ndarray | None = None
        for i in range(4):
            j = s - i
            if 0 <= j < 4 and nz_a[i] and nz_b[j]:
                part = _convolve_fixed(la[i], lb[j], mode, method, np.dtype(np.int64))
                diagonal = part if diagonal is None else diagonal + part
        if diagonal is not None:
            term = diagonal.astype(object) * (1 << (16 * s))
            total = term if total is None else total + term
    if total is None:  # every product is zero
        _, out_shape = _region(a.shape, b.shape, mode)
        return np.zeros(out_shape, dtype=np.int64).astype(object)
    out: np.ndarray = total
    return out


# --- public API ------------------------------------------------------------------------------


def _finite(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.isfinite(a).all() and np.isfinite(b).all())


def _convolve_fixed(a: np.ndarray, b: np.ndarray, mode: str, method: str,
                    dtype: np.dtype[Any], plan: _Plan | None = None) -> np.ndarray:
    """Convolution of operands already in ``dtype`` (a 64-bit integer whose result cannot
    overflow, or a floating/complex dtype); ``a`` contains ``b`` in mode 'valid'."""
    if plan is None:
        plan = _Plan(a, b, mode)
    if method == "auto":
        method = _choose(a, b, dtype, plan)
        if method == "fft" and dtype.kind in "fc" and not _finite(a, b):
            _warn_nonfinite()  # only when the direct method cannot run
        if method == "fft" and plan.direct_ok and _exact_in_floats(a, b, dtype):
            # integer-valued floats whose direct sums are exact: the exact integer FFT
            # (rounded; proven by _choose), so that auto loses nothing against direct
            exact = _fft_ints(a, b, plan.mode, np.dtype(np.int64))
            if exact is not None:
                return exact.astype(dtype)
            method = "direct"
    elif method == "fft":
        if not plan.fft_fits:
            raise InvalidArgument(plan.refusal("fft"))
        if dtype.kind in "fc" and not _finite(a, b):
            _warn_nonfinite()
    if method == "fft":
        if dtype.kind in "iu":
            exact = _fft_ints(a, b, plan.mode, dtype)
            if exact is not None:
                return exact
        else:
            with np.errstate(invalid="ignore", over="ignore"):  # inf/NaN: warned above
                return _fft(a, b, plan.mode).astype(dtype, copy=False)
    if not plan.direct_ok:
        raise InvalidArgument(plan.refusal("direct"))
    return _direct(a, b, plan.mode, dtype)


def _warn_nonfinite() -> None:
    warnings.warn(
        "method='fft' with inf or NaN input makes every output inf or NaN; "
        "method='direct' (or 'auto') keeps them local",
        RuntimeWarning,
        stacklevel=4,
    )


def _product(a: np.ndarray, b: np.ndarray) -> Any:
    """Two 0-d inputs: their product as a scalar (scipy returns ``in1 * in2``)."""
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        return np.logical_and(a, b)[()]
    x, y, dtype = _operands(a, b)
    if dtype.kind == "O":
        return int(x) * int(y)
    return np.multiply(x, y, dtype=dtype)[()]


def _convolve(a: np.ndarray, b: np.ndarray, mode: str, method: str) -> Any:
    if a.ndim == 0:
        return _product(a, b)
    if mode == "valid" and _valid_swap(a, b):
        a, b = b, a
    plan = _Plan(a, b, mode)  # refuses what cannot fit before any pass over the data
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        # exact counts of the overlapping True pairs (never overflow), then "any"
        counts = _convolve_fixed(a.astype(np.int64), b.astype(np.int64), mode,
                                 "direct" if method == "auto" and plan.direct_ok else method,
                                 np.dtype(np.int64), plan)
        return counts != 0
    a, b, dtype = _operands(a, b)
    if dtype.kind == "O":
        if plan.direct_seconds * 16 > _MAX_DIRECT_SECONDS and not plan.fft_fits:
            raise InvalidArgument(plan.refusal("direct"))
        return _convolve_big(a, b, mode, method)
    return _convolve_fixed(a, b, mode, method, dtype, plan)


@ieee_quiet
def convolve(in1: Any, in2: Any, mode: Mode = "full", method: Method = "auto") -> Any:
    """N-d convolution of ``in1`` and ``in2``, ``scipy.signal.convolve`` but exact for
    integers.

    ``out[n] = Σ_j in1[n − j] · in2[j]``; ``mode`` picks the full output, the ``in1``-shaped
    centre (``same``) or the part without zero padding (``valid``); ``method`` is ``'auto'``
    (see :func:`choose_method`), ``'direct'`` or ``'fft'``.

    Returns an array (a NumPy scalar for two 0-d inputs, as scipy). Its dtype is NumPy's
    promotion for floating/complex input and ``bool`` for two bool inputs, as in scipy; for
    integer input it is ``int64`` (``uint64`` if both are unsigned) holding the exact
    result — scipy keeps narrow dtypes and wraps around — or, when the result might not fit
    in 64 bits, ``object`` holding exact Python ints (a Python ``int`` for 0-d inputs).
    Calls whose output or buffers cannot fit in memory are refused up front.

    >>> convolve([1, 2, 3], [1, 1], mode="valid")
    array([3, 5])
    >>> convolve([[1, 2], [3, 4]], [[0, 1]], mode="full")
    array([[0, 1, 2],
           [0, 3, 4]])
    """
    a, b = _inputs(in1, in2, mode, method)
    return _convolve(a, b, mode, method)


@ieee_quiet
def correlate(in1: Any, in2: Any, mode: Mode = "full", method: Method = "auto") -> Any:
    """N-d cross-correlation, ``scipy.signal.correlate`` but exact for integers: ``in2``
    slides over ``in1`` without flipping and is conjugated for complex input.

    ``correlate(in1, in2) == convolve(in1, reverse(conj(in2)))`` in every mode, with the
    same result dtypes as :func:`convolve`.

    >>> correlate([1, 2, 3], [1, 1j])
    array([0.-1.j, 1.-2.j, 2.-3.j, 3.+0.j])
    >>> correlate([1, 2, 3, 4], [1, 0, -1], mode="valid")
    array([-2, -2])
    """
    a, b = _inputs(in1, in2, mode, method)
    if b.ndim > 0:
        b = b[(slice(None, None, -1),) * b.ndim]
    return _convolve(a, np.conj(b) if b.dtype.kind == "c" else b, mode, method)
