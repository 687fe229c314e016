"""Max and average pooling and their gradients, exactly as PyTorch computes them.

Main results: :func:`max_pool`, :func:`avg_pool` (forward, N-d) and :func:`max_pool_grad`,
:func:`avg_pool_grad` (their vector-Jacobian products); :func:`max_pool1d` ...
:func:`avg_pool3d` are ``torch.nn.functional``'s per-dimension entry points. The readable
loop versions that these are tested against live in :mod:`convmath.numeric._pool_reference`.

Conventions (PyTorch's ``F.max_poolNd`` / ``F.avg_poolNd``; i input, k kernel, s stride,
p padding, d dilation, k̂ = d(k−1)+1):

- Layout ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``, as ``F.max_poolNd`` accepts;
  outputs, indices and gradients keep the input's layout. The number of spatial axes is
  never guessed: it is ``ndim=`` if given (the per-dimension functions pass it), else the
  length of a sequence-valued ``kernel_size``/``stride``/``padding``/``dilation`` (all
  lengths above 1 must agree; length 1 broadcasts). If all of them are ints, ``x`` of
  shape ``(C, H, W)`` could be a batched 1-d or an unbatched 2-d input: InvalidArgument,
  unless ``x`` has 2 dimensions (only ``(C, L)`` fits). Only the batch axis may be empty.
- ``stride`` defaults to ``kernel_size``; padding must satisfy ``p ≤ k/2`` (PyTorch checks
  the kernel size, not the dilated one).
- Output size ``⌊(i + 2p − k̂ + (s−1 if ceil_mode))/s⌋ + 1`` (floor division, the numerator
  may be negative), minus one when ceil_mode would start the last window inside the right
  padding; an error only if it is < 1 (:func:`~convmath.numeric.pool_output_size`). In ceil
  mode a window may therefore be larger than the padded input, as long as it overlaps it:
  ``max_pool1d([[[1., 5.]]], 3, stride=4, ceil_mode=True)`` is ``[[[5.]]]``.
- Max pooling pads with −∞ (the lowest integer for integer input). The index of a window
  is the first maximum in row-major order over the taps that lie inside the input; a NaN
  always replaces the running maximum, so the *last* NaN of a window wins (PyTorch's scan:
  ``if val > maxval or isnan(val)``). Indices are flattened over the spatial dims of the
  unpadded input, separately for every (n, c). Integer input keeps its dtype (exact).
  So: equal maxima (finite or +∞) → the first; a NaN beats everything, +∞ included; of
  several NaNs → the last; a window of −∞ only → its first in-bounds element (padding is
  never selected); :func:`max_pool_grad` sends each window's gradient to that element.
  Checked against torch 2.13 CPU (``F.max_pool1d/2d/3d`` with ``return_indices`` and
  autograd; float16 to float64; padding, dilation, ceil_mode; contiguous and
  channels_last 2-d input). One exception, a torch quirk not copied: for
  ``channels_last_3d`` input, a window of −∞ only reports an index without its depth
  offset (an unrelated element, which then gets the gradient).
- Average pooling divides by ``divisor_override`` if given (a nonzero int64; negative
  ones are accepted, as in PyTorch);
  otherwise by the window clipped to the padded bounds (count_include_pad, the ceil-mode
  overhang never counts) or by the number of in-bounds elements. Integer input: the sum is
  exact (int64, uint64 for unsigned input; refused with InvalidArgument if it might not fit,
  as the convolutions do) and the division truncates towards zero, which is what PyTorch
  does for int64, negative divisors included (PyTorch refuses the other integer dtypes;
  here they get the same rule and keep their dtype, and an average the dtype cannot hold —
  only possible with ``divisor_override`` — is refused).
- Gradients, integer ``grad_output`` (the integer policy of the convolution family):
  :func:`max_pool_grad` returns the exact int64 sum (uint64 for unsigned ``grad_output``),
  refused with InvalidArgument when it might overflow; :func:`avg_pool_grad` returns float64
  (``g/D`` is a fraction), which is exact only while ``|g| < 2**53``.
- A geometry whose padded input would exceed ``4·(input + output) + 2**20`` elements (a
  huge ceil-mode kernel, padding or dilation on a small input, which PyTorch clips) raises
  InvalidArgument: the fast paths materialise the padded input and loop over every tap.
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
>>> max_pool(x, 2, stride=2, padding=1, ceil_mode=True, return_indices=True, ndim=1)
(array([[[1., 5., 4.]]]), array([[[0, 1, 3]]]))
>>> avg_pool1d(x, 2, stride=2, padding=1, ceil_mode=True)
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
from convmath.numeric._validate import (
    as_array,
    check_bool,
    check_elements,
    check_int_range,
    expand_param,
    ieee_quiet,
    is_int,
    max_abs,
)

__all__ = [
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "avg_pool_grad",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool_grad",
]

IntOrSeq = int | Sequence[int]

#: Padded-input elements allowed beyond 4× (input + output) before a geometry is refused as
#: "almost all padding" (see :func:`pool_geometry`).
_PAD_SLACK = 2**20


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


def _check_param_type(name: str, value: Any) -> None:
    """``value`` must be an int or a (possibly empty) tuple/list of ints (the length and the
    range are checked once the number of spatial axes is known)."""
    if is_int(value) or (_is_seq(value) and all(is_int(v) for v in value)):
        return
    raise InvalidArgument(
        f"{name} must be an int or a sequence of ints (one per spatial axis), got "
        f"{name}={value!r}"
    )


def _describe(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def spatial_axes(
    x_shape: tuple[int, ...], ndim: Any, params: dict[str, Any], *, x_name: str = "x",
    fn: str = "max_pool", per_dim: str | None = None,
) -> int:
    """The number of spatial axes of a pooling call; never guessed.

    ``ndim`` if given; otherwise the length of the sequence-valued ``params`` (a length-1
    sequence broadcasts when another has more entries, as in PyTorch, and means one axis
    when all sequences have length 1); when every parameter is an int, only an ``x`` with 2
    dimensions (an unbatched 1-d input ``(C, L)``) has a single reading — any other shape
    fits both a batched ``(N, C, *spatial)`` and an unbatched ``(C, *spatial)`` reading and
    is refused with InvalidArgument.
    """
    for name, value in params.items():
        if value is not None or name != "stride":
            _check_param_type(name, value)
    if ndim is not None:
        if not is_int(ndim) or int(ndim) < 1:
            raise InvalidArgument(
                f"ndim (the number of spatial axes) must be None or a positive int, got "
                f"ndim={ndim!r}"
            )
        return int(ndim)
    lengths = {len(v) for v in params.values() if _is_seq(v) and len(v) > 1}
    if len(lengths) > 1:
        raise InvalidArgument(
            f"{_describe(params)} disagree on the number of spatial axes "
            f"({sorted(lengths)}); give one entry per spatial axis (or pass ndim=)"
        )
    if lengths:
        return lengths.pop()
    if any(_is_seq(v) and len(v) == 1 for v in params.values()):
        return 1
    if len(x_shape) == 2:  # only (C, L): a batched input needs N, C and a spatial axis
        return 1
    if len(x_shape) < 2:
        raise InvalidArgument(
            f"{x_name} must have shape (N, C, *spatial) or (C, *spatial) with at least one "
            f"spatial axis, got shape {x_shape}"
        )
    k = len(x_shape)
    wrappers = [f"{per_dim}{n}d" for n in (k - 2, k - 1) if per_dim and 1 <= n <= 3]
    use = f", or use {' / '.join(wrappers)}" if wrappers else ""
    raise InvalidArgument(
        f"{fn} with {_describe(params)} (all ints) and ndim=None does not say how many "
        f"spatial axes {x_name} of shape {x_shape} has: it reads as a batched {k - 2}-d "
        f"input (N, C, *spatial) or as an unbatched {k - 1}-d input (C, *spatial); pass "
        f"ndim= (or a kernel_size tuple){use}"
    )


def pool_geometry(
    x_shape: tuple[int, ...],
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: Any,
    *,
    ndim: Any = None,
    x_name: str = "x",
    fn: str = "max_pool",
    per_dim: str | None = None,
) -> PoolGeometry:
    """Validate pooling arguments against an input shape (raises InvalidArgument).

    ``fn`` and ``per_dim`` only word the errors (the function called, and the prefix of its
    per-dimension entry points); ``dilation`` is left out of the messages for ``fn``
    names starting with ``avg``.
    """
    check_bool("ceil_mode", ceil_mode)
    params = {"kernel_size": kernel_size, "stride": stride, "padding": padding}
    if not fn.startswith("avg"):
        params["dilation"] = dilation
    n = spatial_axes(x_shape, ndim, params, x_name=x_name, fn=fn, per_dim=per_dim)
    rank = len(x_shape)
    if rank not in (n + 1, n + 2):
        raise InvalidArgument(
            f"{x_name} must have {n + 2} dimensions (N, C, *spatial) or {n + 1} (C, "
            f"*spatial) for {n} spatial axes (ndim={ndim!r}, kernel_size={kernel_size!r}), "
            f"got shape {x_shape}"
        )
    if _is_seq(kernel_size) and len(kernel_size) == 0:
        raise InvalidArgument(
            f"kernel_size must be an int or a sequence of {n} ints, got kernel_size=()"
        )
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
    # PyTorch: only the batch axis N of a batched input may be empty
    if any(v == 0 for v in x_shape[rank - n - 1:]):
        raise InvalidArgument(
            f"{x_name} of shape {x_shape} has an empty channel or spatial dimension (only "
            f"the batch axis N of a batched (N, C, *spatial) input may be 0, as in PyTorch)"
        )
    in_size = tuple(int(v) for v in x_shape[rank - n :])
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
    geom = PoolGeometry(
        batch_shape=tuple(int(v) for v in x_shape[: rank - n]),
        in_size=in_size,
        kernel=k,
        stride=s,
        padding=p,
        dilation=d,
        out_size=out,
        unbatched=rank == n + 1,
    )
    padded = (math.prod(geom.batch_shape),
              *(p[ax] + in_size[ax] + geom.right_pad(ax) for ax in range(n)))
    context = (f"{x_name} shape {x_shape}, kernel_size={kernel_size!r}, stride={stride!r}, "
               f"padding={padding!r}, dilation={dilation!r}")
    check_elements("padded input", padded, 8, context)
    # The fast paths materialise the padded input and loop over every kernel tap. Windows
    # that are nearly all padding (a huge ceil-mode kernel, padding or dilation on a small
    # input: PyTorch clips them) would make that gigabytes and billions of taps, a hang
    # rather than an answer: refuse them up front.
    useful = math.prod(geom.batch_shape) * (math.prod(in_size) + math.prod(out))
    if math.prod(padded) > 4 * useful + _PAD_SLACK:
        raise InvalidArgument(
            f"the windows are almost all padding: the padded input would have "
            f"{math.prod(padded):,} elements for an input of {math.prod(x_shape):,} and an "
            f"output of {math.prod(geom.out_shape):,}; convmath's reference materialises "
            f"the padded input, so it refuses a kernel_size, padding or dilation this much "
            f"larger than the input ({context})"
        )
    return geom


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
    *, ndim: int | None = ...,
) -> np.ndarray: ...
@overload
def max_pool(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ..., ceil_mode: bool = ..., *, return_indices: Literal[True],
    ndim: int | None = ...,
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def max_pool(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None, padding: IntOrSeq,
    dilation: IntOrSeq, ceil_mode: bool, return_indices: Literal[True],
    *, ndim: int | None = ...,
) -> tuple[np.ndarray, np.ndarray]: ...
@ieee_quiet
def max_pool(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    *,
    ndim: int | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """N-d max pooling, exactly ``torch.nn.functional.max_pool{1,2,3}d``.

    Returns the pooled array (same dtype as ``x``) and, with ``return_indices``, the int64
    indices of the chosen elements flattened over the spatial dims of the unpadded input.

    ``ndim`` is the number of spatial axes; ``x`` is then batched ``(N, C, *spatial)``
    (``ndim + 2`` dimensions) or unbatched ``(C, *spatial)`` (``ndim + 1``), and the
    results have the same layout. Without ``ndim`` it is the length of any tuple among
    ``kernel_size``, ``stride``, ``padding``, ``dilation``; if all four are ints the call
    is ambiguous (``(C, H, W)`` is also a batched 1-d input) and raises InvalidArgument,
    except for a 2-d ``x``, which can only be ``(C, L)``. :func:`max_pool1d`,
    :func:`max_pool2d`, :func:`max_pool3d` fix ``ndim`` as ``F.max_poolNd`` does.

    >>> import numpy as np
    >>> x = np.arange(16.).reshape(1, 1, 4, 4)
    >>> max_pool(x, 2, ndim=2)
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    >>> max_pool(x[0], (2, 2))  # unbatched (C, H, W)
    array([[[ 5.,  7.],
            [13., 15.]]])
    >>> max_pool(np.array([[[3, 1, 3, 9]]]), 3, stride=1, return_indices=True, ndim=1)
    (array([[[3, 9]]]), array([[[0, 3]]]))

    Which element a window selects (its index, and where :func:`max_pool_grad` sends its
    gradient) is PyTorch's rule: its in-bounds elements are scanned in row-major order and
    one replaces the choice when it is greater or NaN. Equal maxima (finite or +∞) give
    the first; a NaN beats everything and of several NaNs the last wins; a window of −∞
    only gives its first in-bounds element (padding is never selected):

    >>> max_pool(np.array([[[np.nan, 1., np.inf, np.nan]]]), 4, return_indices=True, ndim=1)
    (array([[[nan]]]), array([[[3]]]))
    >>> max_pool(np.full((1, 1, 2), -np.inf), 2, padding=1, return_indices=True, ndim=1)
    (array([[[-inf, -inf]]]), array([[[0, 1]]]))
    """
    return _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     ndim)


def _max_pool(
    x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: Any,
    return_indices: Any, ndim: Any,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """:func:`max_pool` (one implementation behind its typed overloads and the wrappers)."""
    arr = _pool_input(x)
    check_bool("return_indices", return_indices)
    g = pool_geometry(arr.shape, kernel_size, stride, padding, dilation, ceil_mode, ndim=ndim,
                      fn="max_pool", per_dim="max_pool")
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
        return np.full(g.out_size, int(divisor_override), dtype=np.int64)
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


def _int_average(
    total: np.ndarray, div: np.ndarray, dtype: np.dtype[Any], divisor_override: int | None
) -> np.ndarray:
    """``total / div`` rounded towards zero (C / PyTorch semantics) as ``dtype``.

    ``total`` holds exact int64 sums (uint64 for unsigned input), ``div`` the int64 divisors,
    negative only for a negative ``divisor_override``. A quotient that ``dtype`` cannot hold
    (possible only with ``divisor_override``: ``|D|`` below the window size, or a negative
    divisor for unsigned input) raises InvalidArgument instead of wrapping around.
    """
    if total.dtype.kind == "u":
        if divisor_override is not None and int(divisor_override) < 0:
            q = total // np.uint64(-int(divisor_override))
            if q.any():
                raise InvalidArgument(
                    f"divisor_override={divisor_override!r} gives negative averages, which "
                    f"unsigned input of dtype={dtype} cannot hold (e.g. "
                    f"-{int(q.max())}); pass a signed or floating input"
                )
        else:
            q = total // div.astype(np.uint64)
    else:
        # total − fmod(total, div) is a multiple of div with |.| <= |total|: no overflow
        q = (total - np.fmod(total, div)) // div
    info = np.iinfo(dtype)
    if q.size and (int(q.min()) < info.min or int(q.max()) > info.max):
        bad = int(q.min()) if int(q.min()) < info.min else int(q.max())
        raise InvalidArgument(
            f"divisor_override={divisor_override!r} gives an average of {bad}, which "
            f"dtype={dtype} cannot hold; pass a wider integer or a floating input"
        )
    return q.astype(dtype, copy=False)


def _avg_geometry(
    x_shape: tuple[int, ...], kernel_size: Any, stride: Any, padding: Any, ceil_mode: Any,
    count_include_pad: Any, divisor_override: Any, ndim: Any, x_name: str = "x",
    fn: str = "avg_pool", per_dim: str | None = "avg_pool",
) -> PoolGeometry:
    check_bool("count_include_pad", count_include_pad)
    if divisor_override is not None and (
        not is_int(divisor_override)
        or int(divisor_override) == 0
        or not -(2**63) <= int(divisor_override) < 2**63
    ):
        raise InvalidArgument(
            "divisor_override must be None or a nonzero int in [-2**63, 2**63) (PyTorch "
            f"accepts negative divisors), got divisor_override={divisor_override!r}"
        )
    return pool_geometry(x_shape, kernel_size, stride, padding, 1, ceil_mode, ndim=ndim,
                         x_name=x_name, fn=fn, per_dim=per_dim)


@ieee_quiet
def avg_pool(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    *,
    ndim: int | None = None,
) -> np.ndarray:
    """N-d average pooling, exactly ``torch.nn.functional.avg_pool{1,2,3}d``.

    Floating input keeps its dtype; integer input gives an integer result of the same dtype
    (exact sum, division truncated towards zero, as PyTorch does for int64); a sum that
    might not fit in int64 (uint64 for unsigned input), or an average that the input dtype
    cannot hold (a small or negative ``divisor_override``), is refused with InvalidArgument.
    ``divisor_override`` may be any nonzero int, negative ones included, as in PyTorch.

    ``ndim`` (the number of spatial axes) and the batched ``(N, C, *spatial)`` / unbatched
    ``(C, *spatial)`` layouts are as in :func:`max_pool`: with an int ``kernel_size``,
    ``stride`` and ``padding`` and no ``ndim``, only a 2-d ``x`` (``(C, L)``) is accepted.
    :func:`avg_pool1d`, :func:`avg_pool2d`, :func:`avg_pool3d` fix ``ndim``.

    >>> import numpy as np
    >>> x = np.arange(1., 6.).reshape(1, 1, 5)
    >>> avg_pool(x, 3, stride=2, padding=1, ndim=1)
    array([[[1., 3., 3.]]])
    >>> avg_pool(x, (3,), stride=2, padding=1, count_include_pad=False)
    array([[[1.5, 3. , 4.5]]])
    >>> avg_pool(np.array([[-5, 2, 3]]), 2, stride=1)  # (C, L): one reading only
    array([[-1,  2]])
    >>> avg_pool(np.array([[-5, 2, 3]]), 2, stride=1, divisor_override=-2)
    array([[ 1, -2]])
    """
    arr = _pool_input(x)
    g = _avg_geometry(arr.shape, kernel_size, stride, padding, ceil_mode, count_include_pad,
                      divisor_override, ndim)
    integer = arr.dtype.kind in "iu"
    if integer:  # exact sums: refuse those that might wrap around
        acc_dtype = np.dtype(np.uint64 if arr.dtype.kind == "u" else np.int64)
        check_int_range(acc_dtype, max_abs(arr) * math.prod(g.kernel), "average pooling sum")
    else:
        acc_dtype = np.result_type(arr.dtype, np.float32)
    xp = _pad(_flatten_batch(arr, g).astype(acc_dtype, copy=False), g, 0)
    total = np.zeros((xp.shape[0], *g.out_size), dtype=acc_dtype)
    # (inf + −inf is NaN, as in PyTorch, which does not warn either)
    with np.errstate(invalid="ignore", over="ignore"):
        for tap in g.taps():
            total += xp[_lead(slice(None), g.tap_slices(tap))]
    div = _avg_divisor(g, bool(count_include_pad), divisor_override)
    if integer:
        out = _int_average(total, div, arr.dtype, divisor_override)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            out = (total / div.astype(acc_dtype)).astype(arr.dtype, copy=False)
    return out.reshape(g.out_shape)


def _grad_input(name: str, value: Any, expected: tuple[int, ...], what: str) -> np.ndarray:
    arr = as_array(name, value)
    if arr.shape != expected:
        raise InvalidArgument(
            f"{name} must have the shape of the {what} output {expected}, got shape {arr.shape}"
        )
    return arr


@ieee_quiet
def max_pool_grad(
    x: Any,
    grad_output: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
    *,
    ndim: int | None = None,
) -> np.ndarray:
    """Gradient of :func:`max_pool` with respect to ``x``: ``∂L/∂x`` given ``∂L/∂y``.

    Each window sends its gradient to the element :func:`max_pool` selects (the first of
    equal maxima; a NaN over everything, the last of several NaNs; for a window of −∞
    only, its first in-bounds element — never the padding), as PyTorch's autograd does;
    overlapping windows accumulate. The result has the shape
    of ``x`` and the dtype of ``grad_output`` if floating or complex. Integer
    ``grad_output`` gives the exact sums as int64 (uint64 for unsigned), as the
    convolution gradients do; InvalidArgument if a sum might not fit. ``ndim`` and the
    batched / unbatched layouts are as in :func:`max_pool` (``grad_output`` has the
    layout of the output).

    >>> import numpy as np
    >>> x = np.array([[[1., 3., 2., 3.]]])
    >>> max_pool_grad(x, np.array([[[10., 20., 30.]]]), 2, stride=1, ndim=1)
    array([[[ 0., 30.,  0., 30.]]])
    >>> max_pool_grad(np.array([[[np.nan, 2., np.nan]]]), np.array([[[5.]]]), 3, ndim=1)
    array([[[0., 0., 5.]]])
    """
    arr = _pool_input(x)
    g = pool_geometry(arr.shape, kernel_size, stride, padding, dilation, ceil_mode, ndim=ndim,
                      fn="max_pool_grad")
    gy = _grad_input("grad_output", grad_output, g.out_shape, "max_pool")
    _, idx = _max_pool_flat(_flatten_batch(arr, g), g, True)
    assert idx is not None
    m, n_in = math.prod(g.batch_shape), math.prod(g.in_size)
    target = (idx + (np.arange(m, dtype=np.int64) * n_in).reshape((m,) + (1,) * g.ndim)).ravel()
    weights = gy.reshape(-1)
    if gy.dtype.kind in "iu":
        dtype = np.dtype(np.uint64 if gy.dtype.kind == "u" else np.int64)
        # one input element is chosen by at most ∏ ⌈k̂/s⌉ windows
        overlap = math.prod(
            min(o, -(-(d * (k - 1) + 1) // s))
            for o, k, s, d in zip(g.out_size, g.kernel, g.stride, g.dilation, strict=True)
        )
        bound = max_abs(gy) * overlap
        check_int_range(dtype, bound, "max pooling gradient")
        if bound < 2**53:  # every partial sum is exact in float64: bincount is exact
            gx = np.rint(np.bincount(target, weights=weights, minlength=m * n_in))
            gx = gx.astype(dtype)
        else:
            gx = np.zeros(m * n_in, dtype=dtype)
            np.add.at(gx, target, weights.astype(dtype))
    elif gy.dtype.kind == "c":
        gx = np.zeros(m * n_in, dtype=gy.dtype)
        np.add.at(gx, target, weights)
    else:
        gx = np.bincount(target, weights=weights, minlength=m * n_in).astype(gy.dtype)
    return gx.reshape(g.in_shape)


@ieee_quiet
def avg_pool_grad(
    input_size: Any,
    grad_output: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    *,
    ndim: int | None = None,
) -> np.ndarray:
    """Gradient of :func:`avg_pool` with respect to its input: ``∂L/∂x`` given ``∂L/∂y``.

    ``input_size`` is the input's shape as a tuple or list of ints, or the input array
    itself (only its shape is used). The type decides: a NumPy array is always taken as the
    input, so ``np.array([1, 1, 4])`` is a 1-D array, not the shape ``(1, 1, 4)`` — that
    raises InvalidArgument (a pooling input has at least 2 dimensions) saying to pass a
    tuple. Every in-bounds element of window t receives ``g[t] / D(t)`` with the forward
    divisor ``D``. The result is floating: the dtype of ``grad_output``, or float64 for
    integer ``grad_output`` (exact only while ``|g| < 2**53``). ``ndim`` and the batched /
    unbatched layouts are as in :func:`avg_pool` (``input_size`` is the full input shape,
    ``(N, C, *spatial)`` or ``(C, *spatial)``).

    >>> import numpy as np
    >>> avg_pool_grad((1, 1, 4), np.array([[[6., 12., 18.]]]), 2, stride=1, ndim=1)
    array([[[ 3.,  9., 15.,  9.]]])
    """
    if _is_seq(input_size) and all(np.ndim(v) == 0 for v in input_size):
        if not all(is_int(v) for v in input_size):
            raise InvalidArgument(
                f"input_size must be the input's shape as a tuple of ints (or the input "
                f"array itself), got input_size={input_size!r}"
            )
        shape = tuple(int(v) for v in input_size)
        if any(v < 0 for v in shape):
            raise InvalidArgument(f"input_size must be non-negative, got {input_size!r}")
    elif isinstance(input_size, np.ndarray) and input_size.ndim < 2:
        raise InvalidArgument(
            f"input_size={input_size!r} is an array, so it is taken as the input itself "
            f"(shape {input_size.shape}), which has too few dimensions to pool; to give the "
            f"input's shape pass a tuple, e.g. "
            f"input_size={tuple(np.atleast_1d(input_size).tolist())!r}"
        )
    else:
        shape = as_array("input_size", input_size).shape
    g = _avg_geometry(shape, kernel_size, stride, padding, ceil_mode, count_include_pad,
                      divisor_override, ndim, x_name="input_size", fn="avg_pool_grad",
                      per_dim=None)
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


# --- per-dimension entry points (torch.nn.functional's names) -------------------------------


@overload
def max_pool1d(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ..., ceil_mode: bool = ..., return_indices: Literal[False] = ...,
) -> np.ndarray: ...
@overload
def max_pool1d(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ..., ceil_mode: bool = ..., *, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def max_pool1d(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None, padding: IntOrSeq,
    dilation: IntOrSeq, ceil_mode: bool, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...
@ieee_quiet
def max_pool1d(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``torch.nn.functional.max_pool1d``: :func:`max_pool` with ``ndim=1``, for ``x`` of
    shape ``(N, C, L)`` or unbatched ``(C, L)``.

    >>> import numpy as np
    >>> max_pool1d(np.array([[1., 5., 2., 4.]]), 2)
    array([[5., 4.]])
    """
    return _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     1)


@overload
def max_pool2d(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ..., ceil_mode: bool = ..., return_indices: Literal[False] = ...,
) -> np.ndarray: ...
@overload
def max_pool2d(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ..., ceil_mode: bool = ..., *, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def max_pool2d(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None, padding: IntOrSeq,
    dilation: IntOrSeq, ceil_mode: bool, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...
@ieee_quiet
def max_pool2d(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``torch.nn.functional.max_pool2d``: :func:`max_pool` with ``ndim=2``, for ``x`` of
    shape ``(N, C, H, W)`` or unbatched ``(C, H, W)``.

    >>> import numpy as np
    >>> max_pool2d(np.arange(16.).reshape(1, 4, 4), 2)  # (C, H, W)
    array([[[ 5.,  7.],
            [13., 15.]]])
    """
    return _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     2)


@overload
def max_pool3d(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ..., ceil_mode: bool = ..., return_indices: Literal[False] = ...,
) -> np.ndarray: ...
@overload
def max_pool3d(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ..., ceil_mode: bool = ..., *, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def max_pool3d(
    x: Any, kernel_size: IntOrSeq, stride: IntOrSeq | None, padding: IntOrSeq,
    dilation: IntOrSeq, ceil_mode: bool, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...
@ieee_quiet
def max_pool3d(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``torch.nn.functional.max_pool3d``: :func:`max_pool` with ``ndim=3``, for ``x`` of
    shape ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.

    >>> import numpy as np
    >>> max_pool3d(np.arange(8.).reshape(1, 2, 2, 2), 2)
    array([[[[7.]]]])
    """
    return _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     3)


@ieee_quiet
def avg_pool1d(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """``torch.nn.functional.avg_pool1d``: :func:`avg_pool` with ``ndim=1``, for ``x`` of
    shape ``(N, C, L)`` or unbatched ``(C, L)``. (``divisor_override``, which
    ``F.avg_pool1d`` lacks, works as in :func:`avg_pool`.)

    >>> import numpy as np
    >>> avg_pool1d(np.array([[[1., 5., 2., 4.]]]), 2)
    array([[[3., 3.]]])
    """
    return avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override, ndim=1)


@ieee_quiet
def avg_pool2d(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """``torch.nn.functional.avg_pool2d``: :func:`avg_pool` with ``ndim=2``, for ``x`` of
    shape ``(N, C, H, W)`` or unbatched ``(C, H, W)``.

    >>> import numpy as np
    >>> avg_pool2d(np.arange(16.).reshape(1, 4, 4), 2, divisor_override=-2)
    array([[[ -5.,  -9.],
            [-21., -25.]]])
    """
    return avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override, ndim=2)


@ieee_quiet
def avg_pool3d(
    x: Any,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """``torch.nn.functional.avg_pool3d``: :func:`avg_pool` with ``ndim=3``, for ``x`` of
    shape ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.

    >>> import numpy as np
    >>> avg_pool3d(np.arange(8.).reshape(1, 2, 2, 2), 2)
    array([[[[3.5]]]])
    """
    return avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override, ndim=3)
