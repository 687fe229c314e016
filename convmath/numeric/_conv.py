"""The N-d convolution layer (PyTorch's ``conv1d/2d/3d`` and beyond), fast path.

Convention (docs/reference.md): cross-correlation in PyTorch layout, input ``(N, C_in, *spatial)``,
weight ``(C_out, C_in/groups, *k)``, bias ``(C_out,)``, and per output position ``t``

    y[n, o, t] = b[o] + Σ_c Σ_j w[o, c, j] · x̄[n, c, s·t + d·j]

where ``x̄`` is ``x`` padded (zeros, reflect, replicate or circular) and ``c`` runs over the
input channels of ``o``'s group. The number of spatial axes is ``w.ndim − 2``.

How it is computed: a strided *view* of ``x̄`` with axes ``(n, c, j, t)`` (NumPy's
``sliding_window_view``, sliced by dilation and stride) is copied chunk by chunk into an
im2col buffer and multiplied by the weight, one GEMM per group for the whole chunk. There is
no Python loop over batch or output pixels; chunks (whole samples, or rows of the first
output axis when one sample is too large) keep the buffer below ``CHUNK_BYTES``.
The definitional twin, a loop written straight from the formula, is
:func:`convmath.numeric.reference.conv`.

>>> import numpy as np
>>> x = np.arange(5.0).reshape(1, 1, 5)
>>> conv(x, np.array([[[1.0, 0.0, -1.0]]]))          # x[t] − x[t+2]
array([[[-2., -2., -2.]]])
>>> conv(x, np.ones((1, 1, 2)), stride=2, padding=1)
array([[[0., 3., 7.]]])
>>> conv(np.arange(4).reshape(1, 4), np.ones((1, 1, 3), dtype=int), padding="same")
array([[1, 3, 6, 5]])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convmath.errors import InvalidArgument
from convmath.numeric._pad import check_padding_mode, pad_spatial
from convmath.numeric._shapes import same_padding
from convmath.numeric._validate import (
    as_array,
    check_elements,
    check_int_range,
    expand_param,
    ieee_quiet,
    max_abs,
    result_dtype,
)

__all__ = ["CHUNK_BYTES", "ConvGeometry", "PaddedInput", "Scratch", "conv"]

#: Upper bound (bytes) of one im2col buffer; the fast paths process chunks of this size.
#: Measured on a Zen 4 core (1 MiB L2): 0.5-2 MiB chunks run ~5-10% faster than 8-32 MiB.
CHUNK_BYTES = 2 * 2**20
#: Above this size of one im2col row (one position of the first output axis), the forward
#: pass loops over kernel taps instead (one GEMM per tap), so its work buffer stays the size
#: of the input rather than input × kernel.
TAP_LOOP_BYTES = 64 * CHUNK_BYTES

Pads = tuple[tuple[int, int], ...]


# --------------------------------------------------------------------------- arguments
@dataclass(frozen=True)
class ConvGeometry:
    """Normalised, validated arguments of one convolution (per spatial axis tuples)."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: Pads  # (before, after) per spatial axis
    groups: int
    in_spatial: tuple[int, ...]
    out_spatial: tuple[int, ...]

    @property
    def ndim(self) -> int:
        return len(self.kernel)


def check_groups(groups: Any) -> int:
    if isinstance(groups, (bool, np.bool_)) or not isinstance(groups, (int, np.integer)):
        raise InvalidArgument(f"groups must be a positive int, got {groups!r}")
    if groups < 1:
        raise InvalidArgument(f"groups must be a positive int, got {groups!r}")
    return int(groups)


def parse_padding(
    padding: Any, n: int, stride: tuple[int, ...], kernel: tuple[int, ...],
    dilation: tuple[int, ...], *, allow_strings: bool = True, stride_value: Any = None,
) -> Pads:
    """``padding`` (int, per-axis ints, ``'valid'`` or ``'same'``) as ``(before, after)``."""
    if isinstance(padding, str):
        if not allow_strings:
            raise InvalidArgument(
                f"padding must be an int or a sequence of {n} ints here, got {padding!r}"
            )
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise InvalidArgument(
                    f"padding='same' needs stride 1 on every axis (as PyTorch), "
                    f"got stride={stride if stride_value is None else stride_value!r}"
                )
            return same_padding(kernel, dilation)
        raise InvalidArgument(
            f"padding must be an int, a sequence of {n} ints, 'same' or 'valid', "
            f"got {padding!r}"
        )
    p = expand_param("padding", padding, n, min_value=0)
    return tuple((v, v) for v in p)


def output_spatial(
    in_spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
    dilation: Sequence[int], pads: Pads, context: str,
) -> tuple[int, ...]:
    """``⌊(i + p_before + p_after − d(k−1) − 1)/s⌋ + 1`` per axis; raises if the window
    (``d(k−1)+1``) is larger than the padded input."""
    out = []
    for ax, (i, k, s, d, (pb, pa)) in enumerate(
        zip(in_spatial, kernel, stride, dilation, pads, strict=True)
    ):
        span = i + pb + pa - d * (k - 1) - 1
        if span < 0:
            raise InvalidArgument(
                f"the kernel window d(k-1)+1 = {d * (k - 1) + 1} is larger than the padded "
                f"input {i} + {pb} + {pa} = {i + pb + pa} on spatial axis {ax} ({context})"
            )
        out.append(span // s + 1)
    return tuple(out)


def check_positive_shape(name: str, shape: Sequence[int], first: int) -> None:
    """Every axis from ``first`` on must be non-empty (channels, kernel and spatial sizes)."""
    if any(v < 1 for v in shape[first:]):
        raise InvalidArgument(f"{name} must have non-empty channel and spatial axes, got "
                              f"shape {tuple(shape)}")


def check_bias(bias: Any, channels: int, what: str) -> np.ndarray | None:
    if bias is None:
        return None
    b = as_array("bias", bias)
    if b.shape != (channels,):
        raise InvalidArgument(
            f"bias must have shape ({channels},) ({what}), got shape {b.shape}"
        )
    return b


def conv_geometry(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: Any, padding: Any,
    dilation: Any, groups: Any, *, x_name: str = "x", w_name: str = "w",
    allow_string_padding: bool = True,
) -> ConvGeometry:
    """Validate a forward convolution of a *batched* ``x_shape`` by ``w_shape``."""
    n = len(w_shape) - 2
    g = check_groups(groups)
    check_positive_shape(w_name, w_shape, 0)
    check_positive_shape(x_name, x_shape, 1)
    c_out, c_in_g = w_shape[0], w_shape[1]
    if c_out % g:
        raise InvalidArgument(
            f"{w_name}.shape[0] (output channels) = {c_out} is not divisible by groups={g}"
        )
    if x_shape[1] % g:
        raise InvalidArgument(
            f"{x_name}.shape[1] (input channels) = {x_shape[1]} is not divisible by groups={g}"
        )
    if x_shape[1] != c_in_g * g:
        raise InvalidArgument(
            f"{x_name} has {x_shape[1]} channels but {w_name}.shape={w_shape} with groups={g} "
            f"expects {c_in_g} * {g} = {c_in_g * g} ({w_name}.shape[1] * groups)"
        )
    kernel = tuple(w_shape[2:])
    s = expand_param("stride", stride, n, min_value=1)
    d = expand_param("dilation", dilation, n, min_value=1)
    pads = parse_padding(padding, n, s, kernel, d, allow_strings=allow_string_padding,
                         stride_value=stride)
    context = (f"{x_name}.shape={x_shape}, {w_name}.shape={w_shape}, padding={padding!r}, "
               f"dilation={dilation!r}")
    out = output_spatial(x_shape[2:], kernel, s, d, pads, context)
    padded = [i + pb + pa for i, (pb, pa) in zip(x_shape[2:], pads, strict=True)]
    check_elements("padded input of one sample", (x_shape[1], *padded), 8, context)
    check_elements("output", (x_shape[0], c_out, *out), 8, context)
    return ConvGeometry(kernel, s, d, pads, g, tuple(x_shape[2:]), out)


def batched(name: str, arr: np.ndarray, n: int) -> tuple[np.ndarray, bool]:
    """Accept ``(N, C, *spatial)`` or unbatched ``(C, *spatial)`` (as PyTorch)."""
    if arr.ndim == n + 2:
        return arr, True
    if arr.ndim == n + 1:
        return arr[None], False
    raise InvalidArgument(
        f"{name} must have {n + 2} dimensions (N, C, *spatial) or {n + 1} (C, *spatial) for "
        f"{n} spatial axes, got shape {arr.shape}"
    )


def compute_dtype(*arrays: np.ndarray | None) -> np.dtype[Any]:
    """NumPy's promotion of the operands; integer results are accumulated in (u)int64."""
    dt = result_dtype(*[a for a in arrays if a is not None])
    if dt.kind == "u":
        return np.dtype(np.uint64)
    if dt.kind == "i":
        return np.dtype(np.int64)
    return dt


# --------------------------------------------------------------------------- fast core
def windows(
    xp: np.ndarray, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int],
    out: Sequence[int],
) -> np.ndarray:
    """Strided view ``v[n, c, *j, *t] = xp[n, c, s·t + d·j]`` (no copy)."""
    n = len(kernel)
    axes = tuple(range(xp.ndim - n, xp.ndim))
    eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    v = sliding_window_view(xp, eff, axis=axes)  # (..., *(L - eff + 1), *eff)
    sl = tuple(slice(0, s * (o - 1) + 1, s) for s, o in zip(stride, out, strict=True))
    sl += tuple(slice(None, None, d) for d in dilation)
    index: tuple[Any, ...] = (Ellipsis, *sl)
    v = v[index]  # (N, C, *o, *k)
    lead = tuple(range(xp.ndim - n))
    return v.transpose(*lead, *(xp.ndim + a for a in range(n)), *axes)


def chunks(
    batch: int, rows: int, row_bytes: int
) -> Iterator[tuple[int, int, list[tuple[int, int]]]]:
    """Split ``batch`` samples of ``rows`` rows (``row_bytes`` each in the buffer) so that one
    chunk's buffer stays below ``CHUNK_BYTES``; yields ``(n0, n1, [(r0, r1), ...])``."""
    sample = max(1, rows * row_bytes)
    per = max(1, CHUNK_BYTES // sample)
    if per > 1 or sample <= CHUNK_BYTES:
        for n0 in range(0, batch, per):
            yield n0, min(batch, n0 + per), [(0, rows)]
        return
    step = max(1, CHUNK_BYTES // max(1, row_bytes))
    row_list = [(r0, min(rows, r0 + step)) for r0 in range(0, rows, step)]
    for n0 in range(batch):
        yield n0, n0 + 1, row_list


def rows_slice(r0: int, r1: int, lead: int) -> tuple[slice, ...]:
    """Index selecting rows ``r0:r1`` of the axis after ``lead`` leading axes."""
    return (slice(None),) * lead + (slice(r0, r1),)


class Scratch:
    """Work buffers reused by every chunk of one call.

    A fresh multi-MiB array per chunk is page-faulted in each time (measured: im2col copies
    up to 5× slower), so each named buffer is allocated once, at its largest size (the
    first chunk), and handed out as reshaped views.
    """

    def __init__(self, dtype: np.dtype[Any]) -> None:
        self.dtype = dtype
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: Sequence[int]) -> np.ndarray:
        size = math.prod(shape)
        buf = self._buffers.get(name)
        if buf is None or buf.size < size:
            buf = np.empty(size, dtype=self.dtype)
            self._buffers[name] = buf
        return buf[:size].reshape(shape)

    def copy(self, name: str, arr: np.ndarray) -> np.ndarray:
        """``arr`` as a C-contiguous array of the dtype: a copy into the buffer (the im2col
        step when ``arr`` is a window view), or ``arr`` itself if it already is one (a 1×1
        kernel with stride 1 and no padding needs no im2col)."""
        if arr.dtype == self.dtype and arr.flags.c_contiguous:
            return arr
        out = self.get(name, arr.shape)
        np.copyto(out, arr, casting="same_kind")
        return out


class PaddedInput:
    """Batch chunks of ``x`` padded per spatial axis, cast to ``dtype``.

    Zero padding writes each chunk into the interior of one zeroed buffer (its border is
    never written, so it stays zero); the other modes use :func:`pad_spatial`.
    """

    def __init__(self, x: np.ndarray, pads: Pads, padding_mode: str, dtype: np.dtype[Any]):
        self.x, self.pads, self.mode, self.dtype = x, pads, padding_mode, dtype
        self._buffer: np.ndarray | None = None
        self._interior: tuple[slice, ...] = (slice(None), slice(None), *(
            slice(b, b + i) for (b, _), i in zip(pads, x.shape[2:], strict=True)
        ))

    def chunk(self, n0: int, n1: int) -> np.ndarray:
        part = self.x[n0:n1]
        if all(b == 0 and a == 0 for b, a in self.pads):
            return part.astype(self.dtype, copy=False)
        if self.mode != "zeros":
            return pad_spatial(part.astype(self.dtype, copy=False), self.pads, self.mode)
        if self._buffer is None or self._buffer.shape[0] < n1 - n0:
            size = [i + b + a for i, (b, a) in zip(part.shape[2:], self.pads, strict=True)]
            self._buffer = np.zeros((n1 - n0, part.shape[1], *size), dtype=self.dtype)
        out = self._buffer[: n1 - n0]
        out[self._interior] = part
        return out


def conv_fast(
    x: np.ndarray, w: np.ndarray, geom: ConvGeometry, padding_mode: str, dtype: np.dtype[Any],
) -> np.ndarray:
    """im2col + one GEMM per group and chunk; ``x`` batched, result ``(N, C_out, *o)``."""
    n_batch, c_in = x.shape[:2]
    c_out = w.shape[0]
    g = geom.groups
    n = geom.ndim
    k_size = math.prod(geom.kernel)
    o = geom.out_spatial
    row_bytes = c_in * k_size * math.prod(o[1:]) * dtype.itemsize
    if row_bytes > TAP_LOOP_BYTES:
        return _conv_per_tap(x, w, geom, padding_mode, dtype)
    wg = w.astype(dtype, copy=False).reshape(g, c_out // g, (c_in // g) * k_size)
    y = np.empty((n_batch, c_out, *o), dtype=dtype)
    scratch = Scratch(dtype)
    padded = PaddedInput(x, geom.pads, padding_mode, dtype)
    for n0, n1, row_list in chunks(n_batch, o[0], row_bytes):
        nb = n1 - n0
        view = windows(padded.chunk(n0, n1), geom.kernel, geom.stride, geom.dilation, o)
        for r0, r1 in row_list:  # view: (nb, C, *k, *o)
            cols = scratch.copy("cols", view[rows_slice(r0, r1, 2 + n)])  # im2col
            cols = cols.reshape(nb, g, (c_in // g) * k_size, -1)
            if r1 - r0 == o[0]:
                np.matmul(wg, cols, out=y[n0:n1].reshape(nb, g, c_out // g, -1))
            else:
                part = scratch.get("part", (nb, g, c_out // g, cols.shape[-1]))
                np.matmul(wg, cols, out=part)
                y[n0:n1, :, r0:r1] = part.reshape(nb, c_out, r1 - r0, *o[1:])
    return y


def tap_columns(
    x: np.ndarray, geom: ConvGeometry, padding_mode: str, dtype: np.dtype[Any],
) -> Iterator[tuple[int, int, int, np.ndarray]]:
    """For each chunk of samples ``n0:n1`` and kernel tap ``t`` (flat index), the tap's
    input ``x̄[n, c, s·o + d·j]`` as a contiguous ``(n1 − n0, C_in, ∏o)`` array (reused
    between yields): the work buffer of the tap-by-tap paths, the size of the input."""
    n_batch, c_in = x.shape[:2]
    o = geom.out_spatial
    per = max(1, CHUNK_BYTES // max(1, c_in * math.prod(o) * dtype.itemsize))
    scratch = Scratch(dtype)
    padded = PaddedInput(x, geom.pads, padding_mode, dtype)
    for n0 in range(0, n_batch, per):
        n1 = min(n_batch, n0 + per)
        view = windows(padded.chunk(n0, n1), geom.kernel, geom.stride, geom.dilation, o)
        for t, tap in enumerate(itertools.product(*(range(k) for k in geom.kernel))):
            index: tuple[Any, ...] = (slice(None), slice(None), *tap)
            yield n0, n1, t, scratch.copy("tap", view[index]).reshape(n1 - n0, c_in, -1)


def _conv_per_tap(
    x: np.ndarray, w: np.ndarray, geom: ConvGeometry, padding_mode: str, dtype: np.dtype[Any],
) -> np.ndarray:
    """Σ over kernel taps of one GEMM each: ``y += w[:, :, j] · x̄[s·t + d·j]``.

    For layers where even one row of the im2col buffer would be huge (a long 1-D signal
    with a long kernel: 2**20 outputs × 4096 taps is 32 GiB): the work buffer here holds one
    tap's input, ``C_in × ∏o``, no bigger than the input itself.
    """
    n_batch, c_in = x.shape[:2]
    c_out, g = w.shape[0], geom.groups
    wt = w.astype(dtype, copy=False).reshape(g, c_out // g, c_in // g, -1)
    y = np.zeros((n_batch, c_out, *geom.out_spatial), dtype=dtype)
    for n0, n1, t, cols in tap_columns(x, geom, padding_mode, dtype):
        out = y[n0:n1].reshape(n1 - n0, g, c_out // g, -1)
        out += np.matmul(wt[..., t], cols.reshape(n1 - n0, g, c_in // g, -1))
    return y


def add_bias(y: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    if bias is not None:
        y += bias.astype(y.dtype, copy=False).reshape((-1,) + (1,) * (y.ndim - 2))
    return y


# --------------------------------------------------------------------------- public
def prepare_conv(
    x: Any, w: Any, bias: Any, stride: Any, padding: Any, dilation: Any, groups: Any,
    padding_mode: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, ConvGeometry, str, bool, np.dtype[Any]]:
    """Validate the arguments of :func:`conv` (shared with the definitional twin)."""
    xa = as_array("x", x)
    wa = as_array("w", w)
    if wa.ndim < 3:
        raise InvalidArgument(
            f"w must have shape (C_out, C_in/groups, *kernel) with at least one spatial axis, "
            f"got shape {wa.shape}"
        )
    n = wa.ndim - 2
    xb, is_batched = batched("x", xa, n)
    geom = conv_geometry(xb.shape, wa.shape, stride, padding, dilation, groups)
    mode = check_padding_mode(padding_mode, geom.pads, geom.in_spatial)
    b = check_bias(bias, wa.shape[0], "one per output channel, w.shape[0]")
    # a broadcast view holds a huge weight in no memory; the GEMM needs it contiguous
    check_elements("weight copy", wa.shape, 8, f"w.shape={wa.shape}")
    dtype = compute_dtype(xb, wa, b)
    k_size = math.prod(geom.kernel) * wa.shape[1]
    check_int_range(dtype, max_abs(xb) * max_abs(wa) * k_size + max_abs(b), "convolution")
    return xb, wa, b, geom, mode, is_batched, dtype


@ieee_quiet
def conv(
    x: Any,
    w: Any,
    bias: Any = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] | str = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    """N-d convolution layer, exactly ``torch.nn.functional.conv{1,2,3}d`` (cross-correlation).

    ``x``: ``(N, C_in, *spatial)`` or unbatched ``(C_in, *spatial)`` (then the result is
    unbatched too); ``w``: ``(C_out, C_in/groups, *kernel)``; ``bias``: ``(C_out,)``.
    ``stride``, ``padding``, ``dilation``: an int or one int per spatial axis; ``padding``
    may also be ``'valid'`` (none) or ``'same'`` (stride 1 only; total ``d(k−1)``, the odd
    element on the right, as PyTorch). ``padding_mode`` is ``'zeros'``, ``'reflect'``,
    ``'replicate'`` or ``'circular'``, as ``torch.nn.Conv{1,2,3}d``.

    The dtype is NumPy's promotion of the operands (float32, float64, complex); integer
    operands give an exact int64 result (uint64 for unsigned), refused if it might overflow
    (``|result|`` possibly ``>= 2**63``, or ``>= 2**64`` for uint64). Mixed signed and unsigned
    integers give int64 (NumPy would round through float64): see
    :func:`convmath.numeric._validate.result_dtype`.
    """
    xb, wa, b, geom, mode, is_batched, dtype = prepare_conv(
        x, w, bias, stride, padding, dilation, groups, padding_mode
    )
    y = add_bias(conv_fast(xb, wa, geom, mode, dtype), b)
    return y if is_batched else y[0]
