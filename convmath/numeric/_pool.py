"""Max and average pooling and their gradients, exactly as PyTorch computes them.

Main results: :func:`max_pool`, :func:`avg_pool` (forward, N-d) and :func:`max_pool_grad`,
:func:`avg_pool_grad` (their vector-Jacobian products). The readable loop versions that
these are tested against live in :mod:`convmath.numeric._pool_reference`.

Conventions (PyTorch's ``F.max_poolNd`` / ``F.avg_poolNd``; i input, k kernel, s stride,
p padding, d dilation, k̂ = d(k−1)+1):

- Layout ``(N, C, *spatial)``. The number of spatial dimensions is ``len(kernel_size)``
  when ``kernel_size`` is a sequence (then an unbatched ``(C, *spatial)`` input is also
  accepted, as in PyTorch), otherwise ``x.ndim − 2``.
- ``stride`` defaults to ``kernel_size``; padding must satisfy ``p ≤ k/2`` (PyTorch checks
  the kernel size, not the dilated one).
- Output size ``⌊(i + 2p − k̂ + (s−1 if ceil_mode))/s⌋ + 1``, minus one when ceil_mode would
  start the last window inside the right padding.
- Max pooling pads with −∞ (the lowest integer for integer input). The index of a window
  is the first maximum in row-major order over the taps that lie inside the input; a NaN
  always replaces the running maximum, so the *last* NaN of a window wins (PyTorch's scan:
  ``if val > maxval or isnan(val)``). Indices are flattened over the spatial dims of the
  unpadded input, separately for every (n, c). Integer input keeps its dtype (exact).
- Average pooling divides by ``divisor_override`` if given; otherwise by the window
  clipped to the padded bounds (count_include_pad, the ceil-mode overhang never counts) or
  by the number of in-bounds elements. Integer input: the sum is exact (int64, uint64 for
  unsigned input) and the division truncates towards zero, which is what PyTorch does for
  int64 (PyTorch refuses the other integer dtypes; here they get the same rule and keep
  their dtype).
- A window that holds no input element at all (possible only with dilation, e.g. i=1,
  k=2, d=2, p=1) raises InvalidArgument. PyTorch returns −∞ there with an index computed
  from an out-of-range position, which aliases another element (for input (1, 1, 2, 1),
  kernel (1, 2), padding (0, 1), dilation (1, 2) the first window reports index 1, and its
  gradient lands on that unrelated element) — a silently wrong answer we refuse to copy.
- Complex input is rejected (PyTorch does not pool complex tensors).

The fast paths loop over the ``∏k`` kernel taps only, each step a vectorised operation on
a strided view of every window at once, so memory stays at a few output-sized arrays.

>>> import numpy as np
>>> x = np.array([[[1., 5., 2., 4., 3.]]])
>>> max_pool(x, 2, stride=2, padding=1, ceil_mode=True, return_indices=True)
(array([[[1., 5., 4.]]]), array([[[0, 1, 3]]]))
>>> avg_pool(x, 2, stride=2, padding=1, ceil_mode=True)
array([[[0.5, 3.5, 3.5]]])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np

from convmath.errors import InvalidArgument
from convmath.numeric._shapes import pool_output_size
from convmath.numeric._validate import as_array, expand_param

__all__ = ["avg_pool", "avg_pool_grad", "max_pool", "max_pool_grad"]

IntOrSeq = int | Sequence[int]


@dataclass(frozen=True)
class PoolGeometry:
    """Normalised pooling arguments: one tuple entry per spatial axis."""

    batch_shape: tuple[int, ...]  # (N, C), or (C,) for unbatched input
    in_size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    out_size: tuple[int, ...]
    unbatched: bool

    @property
    def ndim(self) -> int:
        return len(self.in_size)

    @property
    def out_shape(self) -> tuple[int, ...]:
        return self.batch_shape + self.out_size

    @property
    def in_shape(self) -> tuple[int, ...]:
        return self.batch_shape + self.in_size

    def right_pad(self, ax: int) -> int:
        """Padding after the input on axis ``ax`` that makes every window fit.

        At least ``padding``; more when a ceil-mode window overhangs the padded input.
        """
        k_eff = self.dilation[ax] * (self.kernel[ax] - 1) + 1
        need = (self.out_size[ax] - 1) * self.stride[ax] + k_eff
        return max(self.padding[ax], need - self.in_size[ax] - self.padding[ax])

    def tap_slices(self, tap: Sequence[int]) -> tuple[slice, ...]:
        """Slices of the padded spatial array selecting tap ``tap`` of every window."""
        return tuple(
            slice(j * d, j * d + (o - 1) * s + 1, s)
            for j, d, o, s in zip(tap, self.dilation, self.out_size, self.stride, strict=True)
        )

    def taps(self) -> itertools.product[tuple[int, ...]]:
        return itertools.product(*(range(k) for k in self.kernel))


def _is_seq(value: Any) -> bool:
    return isinstance(value, (tuple, list))


def pool_geometry(
    x_shape: tuple[int, ...],
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: Any,
    *,
    x_name: str = "x",
) -> PoolGeometry:
    """Validate pooling arguments against an input shape (raises InvalidArgument)."""
    ndim = len(x_shape)
    if _is_seq(kernel_size) and len(kernel_size) > 0:
        n = len(kernel_size)
        if ndim not in (n + 1, n + 2):
            raise InvalidArgument(
                f"{x_name} must have {n + 2} dimensions (N, C, *spatial) or {n + 1} (C, "
                f"*spatial) for kernel_size={kernel_size!r}, got shape {x_shape}"
            )
    else:
        n = ndim - 2
        if n < 1:
            raise InvalidArgument(
                f"{x_name} must have shape (N, C, *spatial) with at least one spatial "
                f"dimension, got shape {x_shape}"
            )
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise InvalidArgument(f"ceil_mode must be a bool, got {ceil_mode!r}")
    k = expand_param("kernel_size", kernel_size, n, min_value=1)
    if stride is None or (_is_seq(stride) and len(stride) == 0):  # PyTorch: [] = default
        s = k
    else:
        s = expand_param("stride", stride, n, min_value=1)
    p = expand_param("padding", padding, n, min_value=0)
    d = expand_param("dilation", dilation, n, min_value=1)
    for ax in range(n):
        if 2 * p[ax] > k[ax]:
            raise InvalidArgument(
                f"padding={padding!r} must be at most half the kernel size on every axis "
                f"(PyTorch's rule), got padding {p[ax]} for kernel {k[ax]} on axis {ax} "
                f"(kernel_size={kernel_size!r})"
            )
    in_size = tuple(int(v) for v in x_shape[ndim - n :])
    if any(v == 0 for v in in_size):
        raise InvalidArgument(f"{x_name} has an empty spatial dimension: shape {x_shape}")
    out = pool_output_size(in_size, k, s, p, d, bool(ceil_mode))
    for ax in range(n):
        if d[ax] > 1:
            taps = (np.arange(out[ax])[:, None] * s[ax] - p[ax]
                    + np.arange(k[ax])[None, :] * d[ax])
            hit = ((taps >= 0) & (taps < in_size[ax])).any(axis=1)
            if not hit.all():
                raise InvalidArgument(
                    f"pooling window {int(np.argmin(hit))} on axis {ax} holds no input "
                    f"element: its taps {taps[int(np.argmin(hit))].tolist()} all fall in the "
                    f"padding (input size {in_size[ax]}, kernel_size={kernel_size!r}, "
                    f"padding={padding!r}, dilation={dilation!r})"
                )
    return PoolGeometry(
        batch_shape=tuple(int(v) for v in x_shape[: ndim - n]),
        in_size=in_size,
        kernel=k,
        stride=s,
        padding=p,
        dilation=d,
        out_size=out,
        unbatched=ndim == n + 1,
    )


def _pool_input(x: Any) -> np.ndarray:
    arr = as_array("x", x)
    if arr.dtype.kind == "c":
        raise InvalidArgument(
            f"x must be real (integer or floating) for pooling, got dtype={arr.dtype}"
        )
    return arr


def _flatten_batch(arr: np.ndarray, g: PoolGeometry) -> np.ndarray:
    """View ``arr`` (batch dims + spatial) as ``(M, *spatial)``."""
    return arr.reshape((math.prod(g.batch_shape), *arr.shape[len(g.batch_shape):]))


def _lead(first: Any, rest: Sequence[Any]) -> tuple[Any, ...]:
    """``(first, *rest)``, an index tuple."""
    return (first, *rest)


def _lowest(dtype: np.dtype[Any]) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _pad(arr: np.ndarray, g: PoolGeometry, value: Any) -> np.ndarray:
    """``(M, *spatial)`` padded by ``padding`` before and enough after for every window."""
    widths = [(0, 0)] + [(g.padding[ax], g.right_pad(ax)) for ax in range(g.ndim)]
    if not any(w for pair in widths for w in pair):
        return arr  # every window already fits: no copy
    return np.pad(arr, widths, mode="constant", constant_values=value)


def _max_values(xp: np.ndarray, g: PoolGeometry) -> np.ndarray:
    """Max pool values of the padded ``xp``: a running ``np.maximum`` over the taps (which
    propagates NaN, exactly as PyTorch's scan does for the value)."""
    out: np.ndarray | None = None
    for tap in g.taps():
        v = xp[_lead(slice(None), g.tap_slices(tap))]
        if out is None:
            out = v.copy()
        else:
            np.maximum(out, v, out=out)
    assert out is not None  # kernel_size >= 1, so there is at least one tap
    return out


def _axis_grid(values: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Reshape per-axis 1-D arrays so that they broadcast to ``out_size``."""
    n = len(values)
    return [v.reshape((1,) * ax + (-1,) + (1,) * (n - ax - 1)) for ax, v in enumerate(values)]


def _flat_index(positions: Sequence[np.ndarray], in_size: tuple[int, ...]) -> np.ndarray:
    """Row-major flattened index of per-axis positions (broadcast over the output grid)."""
    flat = np.zeros((), dtype=np.int64)
    for pos, size in zip(_axis_grid(positions), in_size, strict=True):
        flat = flat * size + pos
    return flat


def _max_pool_flat(
    x: np.ndarray, g: PoolGeometry, want_indices: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Max pool of ``x`` shaped ``(M, *spatial)`` and, if wanted, PyTorch's indices.

    PyTorch scans a window keeping ``val`` when ``val > best or isnan(val)``, starting from
    −∞ at the window's first in-bounds element. The same indices, in three vectorised passes
    instead of a data-dependent scan:

    1. the values: a running ``np.maximum`` (NaN-propagating, like the scan);
    2. the first tap equal to the maximum — taps visited backwards, so the earliest writes
       last; windows whose maximum is the padding value (all −∞, or all ``iinfo.min``) get
       the first in-bounds element instead, as the scan never moves off it there;
    3. windows holding a NaN: the last NaN tap (taps visited forwards).
    """
    xp = _pad(x, g, _lowest(x.dtype))
    out = _max_values(xp, g)
    if not want_indices:
        return out, None
    starts = [
        np.arange(o, dtype=np.int64) * s - p
        for o, s, p in zip(g.out_size, g.stride, g.padding, strict=True)
    ]
    taps = list(g.taps())
    # Track the winning tap's number (a small int, cheap to write), then map it to the flat
    # input index once: flat = flat(window start) + offset of the tap; flat() is linear.
    tap_dtype = np.int16 if len(taps) < 2**15 else np.int64
    winner = np.zeros(out.shape, dtype=tap_dtype)
    hit = np.empty(out.shape, dtype=bool)
    for number in range(len(taps) - 1, -1, -1):
        np.equal(xp[_lead(slice(None), g.tap_slices(taps[number]))], out, out=hit)
        np.copyto(winner, number, where=hit)
    at_lowest = out == _lowest(x.dtype)
    if at_lowest.any():
        # the first in-bounds tap of every window: per axis, the first at a position >= 0
        first = [(np.maximum(0, -st) + d - 1) // d for st, d in zip(starts, g.dilation,
                                                                      strict=True)]
        np.copyto(winner, np.broadcast_to(_flat_index(first, g.kernel), out.shape),
                  where=at_lowest, casting="unsafe")
    if x.dtype.kind == "f" and np.isnan(out).any():
        for number, tap in enumerate(taps):
            np.isnan(xp[_lead(slice(None), g.tap_slices(tap))], out=hit)
            np.copyto(winner, number, where=hit)
    offsets = np.array(
        [_flat_index([np.array([j * d]) for j, d in zip(tap, g.dilation, strict=True)],
                     g.in_size).item() for tap in taps], dtype=np.int64)
    idx = offsets[winner]
    idx += _flat_index(starts, g.in_size)
    return out, idx


@overload
def max_pool(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ..., ceil_mode: bool = ..., return_indices: Literal[False] = ...,
) -> np.ndarray: ...
@overload
def max_pool(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ..., ceil_mode: bool = ..., *, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def max_pool(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None, padding: IntOrSeq,
    dilation: IntOrSeq, ceil_mode: bool, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...
def max_pool(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """N-d max pooling, exactly ``torch.nn.functional.max_pool{1,2,3}d``.

    Returns the pooled array (same dtype as ``x``) and, with ``return_indices``, the int64
    indices of the chosen elements flattened over the spatial dims of the unpadded input.

    >>> import numpy as np
    >>> x = np.arange(16.).reshape(1, 1, 4, 4)
    >>> max_pool(x, 2)
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    >>> max_pool(np.array([[[3, 1, 3, 9]]]), 3, stride=1, return_indices=True)
    (array([[[3, 9]]]), array([[[0, 3]]]))
    """
    arr = _pool_input(x)
    if not isinstance(return_indices, (bool, np.bool_)):
        raise InvalidArgument(f"return_indices must be a bool, got {return_indices!r}")
    g = pool_geometry(arr.shape, kernel_size, stride, padding, dilation, ceil_mode)
    if not return_indices:
        xp = _pad(_flatten_batch(arr, g), g, _lowest(arr.dtype))
        return _max_values(xp, g).reshape(g.out_shape)
    out, idx = _max_pool_flat(_flatten_batch(arr, g), g, True)
    assert idx is not None
    return out.reshape(g.out_shape), idx.reshape(g.out_shape)


def _avg_divisor(
    g: PoolGeometry, count_include_pad: bool, divisor_override: int | None
) -> np.ndarray:
    """PyTorch's divisor D(t) for every output position, shaped ``out_size``."""
    if divisor_override is not None:
        return np.full(g.out_size, divisor_override, dtype=np.int64)
    counts = []
    for ax in range(g.ndim):
        start = np.arange(g.out_size[ax], dtype=np.int64) * g.stride[ax] - g.padding[ax]
        end = np.minimum(start + g.kernel[ax], g.in_size[ax] + g.padding[ax])
        if not count_include_pad:
            start = np.maximum(start, 0)
            end = np.minimum(end, g.in_size[ax])
        counts.append(end - start)
    div = np.ones((), dtype=np.int64)
    for c in _axis_grid(counts):
        div = div * c
    return np.broadcast_to(div, g.out_size)


def _trunc_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Integer division rounding towards zero (C / PyTorch semantics), ``den > 0``."""
    if num.dtype.kind == "u":
        return num // den.astype(num.dtype)
    q: np.ndarray = np.where(num >= 0, num // den, -((-num) // den))
    return q


def _avg_geometry(
    x_shape: tuple[int, ...], kernel_size: Any, stride: Any, padding: Any, ceil_mode: Any,
    count_include_pad: Any, divisor_override: Any, x_name: str = "x",
) -> PoolGeometry:
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise InvalidArgument(f"count_include_pad must be a bool, got {count_include_pad!r}")
    if divisor_override is not None and (
        isinstance(divisor_override, (bool, np.bool_))
        or not isinstance(divisor_override, (int, np.integer))
        or divisor_override < 1
    ):
        raise InvalidArgument(
            "divisor_override must be None or a positive int, got "
            f"divisor_override={divisor_override!r}"
        )
    return pool_geometry(x_shape, kernel_size, stride, padding, 1, ceil_mode, x_name=x_name)


def avg_pool(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """N-d average pooling, exactly ``torch.nn.functional.avg_pool{1,2,3}d``.

    Floating input keeps its dtype; integer input gives an integer result of the same dtype
    (exact sum, division truncated towards zero, as PyTorch does for int64).

    >>> import numpy as np
    >>> x = np.arange(1., 6.).reshape(1, 1, 5)
    >>> avg_pool(x, 3, stride=2, padding=1)
    array([[[1., 3., 3.]]])
    >>> avg_pool(x, 3, stride=2, padding=1, count_include_pad=False)
    array([[[1.5, 3. , 4.5]]])
    >>> avg_pool(np.array([[[-5, 2, 3]]]), 2, stride=1)
    array([[[-1,  2]]])
    """
    arr = _pool_input(x)
    g = _avg_geometry(
        arr.shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )
    is_int = arr.dtype.kind in "iu"
    if is_int:  # exact sums (up to the wrap-around of 64-bit integers)
        acc_dtype = np.dtype(np.uint64 if arr.dtype.kind == "u" else np.int64)
    else:
        acc_dtype = np.result_type(arr.dtype, np.float32)
    xp = _pad(_flatten_batch(arr, g).astype(acc_dtype, copy=False), g, 0)
    total = np.zeros((xp.shape[0], *g.out_size), dtype=acc_dtype)
    for tap in g.taps():
        total += xp[_lead(slice(None), g.tap_slices(tap))]
    div = _avg_divisor(g, bool(count_include_pad), divisor_override)
    out = _trunc_div(total, div) if is_int else total / div.astype(acc_dtype)
    return out.astype(arr.dtype, copy=False).reshape(g.out_shape)


def _grad_input(name: str, value: Any, expected: tuple[int, ...], what: str) -> np.ndarray:
    arr = as_array(name, value)
    if arr.shape != expected:
        raise InvalidArgument(
            f"{name} must have the shape of the {what} output {expected}, got shape {arr.shape}"
        )
    return arr


def max_pool_grad(
    x: Any,
    grad_output: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    """Gradient of :func:`max_pool` with respect to ``x``: ``∂L/∂x`` given ``∂L/∂y``.

    Each window sends its gradient to the element :func:`max_pool` selects (the first
    maximum, or the last NaN); overlapping windows accumulate. The result has the shape
    of ``x`` and the dtype of ``grad_output``.

    >>> import numpy as np
    >>> x = np.array([[[1., 3., 2., 3.]]])
    >>> max_pool_grad(x, np.array([[[10., 20., 30.]]]), 2, stride=1)
    array([[[ 0., 30.,  0., 30.]]])
    """
    arr = _pool_input(x)
    g = pool_geometry(arr.shape, kernel_size, stride, padding, dilation, ceil_mode)
    gy = _grad_input("grad_output", grad_output, g.out_shape, "max_pool")
    _, idx = _max_pool_flat(_flatten_batch(arr, g), g, True)
    assert idx is not None
    m, n_in = math.prod(g.batch_shape), math.prod(g.in_size)
    target = (idx + (np.arange(m, dtype=np.int64) * n_in).reshape((m,) + (1,) * g.ndim)).ravel()
    weights = gy.reshape(-1)
    if gy.dtype.kind == "c":
        gx = np.zeros(m * n_in, dtype=gy.dtype)
        np.add.at(gx, target, weights)
    else:
        gx = np.bincount(target, weights=weights, minlength=m * n_in).astype(gy.dtype)
    return gx.reshape(g.in_shape)


def avg_pool_grad(
    input_size: Any,
    grad_output: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """Gradient of :func:`avg_pool` with respect to its input: ``∂L/∂x`` given ``∂L/∂y``.

    ``input_size`` is the input's shape (a sequence of ints) or the input array itself (only
    its shape is used). Every in-bounds element of window t receives ``g[t] / D(t)`` with the
    forward divisor ``D``. The result is floating: the dtype of ``grad_output``, or float64
    for integer ``grad_output``.

    >>> import numpy as np
    >>> avg_pool_grad((1, 1, 4), np.array([[[6., 12., 18.]]]), 2, stride=1)
    array([[[ 3.,  9., 15.,  9.]]])
    """
    if _is_seq(input_size) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
        for v in input_size
    ):
        shape = tuple(int(v) for v in input_size)
        if any(v < 0 for v in shape):
            raise InvalidArgument(f"input_size must be non-negative, got {input_size!r}")
    else:
        shape = as_array("input_size", input_size).shape
    g = _avg_geometry(
        shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
        x_name="input_size",
    )
    gy = _grad_input("grad_output", grad_output, g.out_shape, "avg_pool")
    dtype = gy.dtype if gy.dtype.kind in "fc" else np.dtype(np.float64)
    share = _flatten_batch(gy, g).astype(dtype) / _avg_divisor(
        g, bool(count_include_pad), divisor_override
    ).astype(dtype)
    m = share.shape[0]
    padded = (m, *tuple(g.padding[ax] + g.in_size[ax] + g.right_pad(ax) for ax in range(g.ndim)))
    gp = np.zeros(padded, dtype=dtype)
    for tap in g.taps():
        gp[_lead(slice(None), g.tap_slices(tap))] += share
    inner = tuple(slice(p, p + i) for p, i in zip(g.padding, g.in_size, strict=True))
    return gp[_lead(slice(None), inner)].reshape(g.in_shape)
