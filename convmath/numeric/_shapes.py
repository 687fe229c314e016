"""Output-size arithmetic for convolution, transposed convolution and pooling.

Formulas (per spatial axis; i input, k kernel, s stride, p padding, d dilation):

- convolution: ``o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1``
- transposed convolution: ``o = (i−1)s − 2p + d(k−1) + output_padding + 1``
- pooling: as convolution, with ``ceil_mode`` rounding up, except that the last window may
  not start inside the right padding.
- PyTorch ``padding='same'``: total ``d(k−1)``, ``⌊total/2⌋`` before, the rest after.

Each function takes ints (returns an int) or per-axis sequences (returns a tuple).

>>> conv_output_size(32, 3, padding=1)
32
>>> conv_output_size((7, 6), (3, 2), stride=2)
(3, 3)
>>> pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True)
3
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from convmath.errors import InvalidArgument
from convmath.numeric._validate import expand_param

__all__ = [
    "conv_output_size",
    "conv_transpose_output_size",
    "pool_output_size",
    "same_padding",
]

IntOrSeq = int | Sequence[int]


def _spatial(name: str, value: IntOrSeq) -> tuple[tuple[int, ...], bool]:
    scalar = isinstance(value, int) and not isinstance(value, bool)
    n = 1 if scalar else len(value)  # type: ignore[arg-type]
    return expand_param(name, value, n, min_value=0), scalar


@overload
def conv_output_size(
    input_size: int, kernel_size: IntOrSeq, stride: IntOrSeq = ..., padding: IntOrSeq = ...,
    dilation: IntOrSeq = ...,
) -> int: ...
@overload
def conv_output_size(
    input_size: Sequence[int], kernel_size: IntOrSeq, stride: IntOrSeq = ...,
    padding: IntOrSeq = ..., dilation: IntOrSeq = ...,
) -> tuple[int, ...]: ...
def conv_output_size(
    input_size: IntOrSeq,
    kernel_size: IntOrSeq,
    stride: IntOrSeq = 1,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
) -> int | tuple[int, ...]:
    """Spatial output size of a convolution (PyTorch's formula); raises if it would be < 1."""
    i, scalar = _spatial("input_size", input_size)
    n = len(i)
    k = expand_param("kernel_size", kernel_size, n, min_value=1)
    s = expand_param("stride", stride, n, min_value=1)
    p = expand_param("padding", padding, n, min_value=0)
    d = expand_param("dilation", dilation, n, min_value=1)
    out = []
    for ax in range(n):
        span = i[ax] + 2 * p[ax] - d[ax] * (k[ax] - 1) - 1
        if span < 0:
            raise InvalidArgument(
                f"kernel_size={kernel_size!r} with dilation={dilation!r} spans "
                f"{d[ax] * (k[ax] - 1) + 1} on axis {ax}, larger than the padded input "
                f"{i[ax]} + 2*{p[ax]} = {i[ax] + 2 * p[ax]} (input_size={input_size!r}, "
                f"padding={padding!r})"
            )
        out.append(span // s[ax] + 1)
    return out[0] if scalar else tuple(out)


@overload
def conv_transpose_output_size(
    input_size: int, kernel_size: IntOrSeq, stride: IntOrSeq = ..., padding: IntOrSeq = ...,
    output_padding: IntOrSeq = ..., dilation: IntOrSeq = ...,
) -> int: ...
@overload
def conv_transpose_output_size(
    input_size: Sequence[int], kernel_size: IntOrSeq, stride: IntOrSeq = ...,
    padding: IntOrSeq = ..., output_padding: IntOrSeq = ..., dilation: IntOrSeq = ...,
) -> tuple[int, ...]: ...
def conv_transpose_output_size(
    input_size: IntOrSeq,
    kernel_size: IntOrSeq,
    stride: IntOrSeq = 1,
    padding: IntOrSeq = 0,
    output_padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
) -> int | tuple[int, ...]:
    """Spatial output size of a transposed convolution (PyTorch's formula).

    ``output_padding`` must be smaller than ``max(stride, dilation)`` on each axis.
    """
    i, scalar = _spatial("input_size", input_size)
    n = len(i)
    k = expand_param("kernel_size", kernel_size, n, min_value=1)
    s = expand_param("stride", stride, n, min_value=1)
    p = expand_param("padding", padding, n, min_value=0)
    op = expand_param("output_padding", output_padding, n, min_value=0)
    d = expand_param("dilation", dilation, n, min_value=1)
    out = []
    for ax in range(n):
        if op[ax] >= max(s[ax], d[ax]):
            raise InvalidArgument(
                f"output_padding={output_padding!r} must be smaller than max(stride, dilation) "
                f"= {max(s[ax], d[ax])} on axis {ax} (stride={stride!r}, dilation={dilation!r})"
            )
        o = (i[ax] - 1) * s[ax] - 2 * p[ax] + d[ax] * (k[ax] - 1) + op[ax] + 1
        if o < 1:
            raise InvalidArgument(
                f"padding={padding!r} crops the transposed-convolution output to {o} on axis "
                f"{ax} (input_size={input_size!r}, kernel_size={kernel_size!r})"
            )
        out.append(o)
    return out[0] if scalar else tuple(out)


@overload
def pool_output_size(
    input_size: int, kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
    padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ...,
) -> int: ...
@overload
def pool_output_size(
    input_size: Sequence[int], kernel_size: IntOrSeq, stride: IntOrSeq | None = ...,
    padding: IntOrSeq = ..., dilation: IntOrSeq = ..., ceil_mode: bool = ...,
) -> tuple[int, ...]: ...
def pool_output_size(
    input_size: IntOrSeq,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
) -> int | tuple[int, ...]:
    """Spatial output size of max/avg pooling, PyTorch's rule (stride defaults to kernel).

    With ``ceil_mode`` the size is rounded up, then reduced by one if the last window would
    start inside the right padding (``(o−1)·s ≥ i + p``). Padding may be at most half the
    kernel size ``k`` (PyTorch checks the undilated size, even with dilation).
    """
    i, scalar = _spatial("input_size", input_size)
    n = len(i)
    k = expand_param("kernel_size", kernel_size, n, min_value=1)
    s = k if stride is None else expand_param("stride", stride, n, min_value=1)
    p = expand_param("padding", padding, n, min_value=0)
    d = expand_param("dilation", dilation, n, min_value=1)
    out = []
    for ax in range(n):
        eff = d[ax] * (k[ax] - 1) + 1
        if 2 * p[ax] > k[ax]:
            # PyTorch checks p <= k/2 with the undilated kernel size.
            raise InvalidArgument(
                f"padding={padding!r} must be at most half the kernel size {k[ax]} on axis "
                f"{ax} (kernel_size={kernel_size!r})"
            )
        span = i[ax] + 2 * p[ax] - eff
        if span < 0:
            raise InvalidArgument(
                f"kernel_size={kernel_size!r} (effective {eff}) is larger than the padded input "
                f"{i[ax] + 2 * p[ax]} on axis {ax} (input_size={input_size!r}, "
                f"padding={padding!r})"
            )
        o = (span + (s[ax] - 1 if ceil_mode else 0)) // s[ax] + 1
        if ceil_mode and (o - 1) * s[ax] >= i[ax] + p[ax]:
            o -= 1
        out.append(o)
    return out[0] if scalar else tuple(out)


def same_padding(
    kernel_size: IntOrSeq, dilation: IntOrSeq = 1
) -> tuple[tuple[int, int], ...]:
    """PyTorch ``padding='same'`` per axis as ``(before, after)``: total ``d(k−1)``,
    ``⌊total/2⌋`` before and the extra element after (stride must be 1).

    >>> same_padding((4, 3), dilation=(1, 2))
    ((1, 2), (2, 2))
    """
    k, _ = _spatial("kernel_size", kernel_size)
    d = expand_param("dilation", dilation, len(k), min_value=1)
    if any(v < 1 for v in k):
        raise InvalidArgument(f"kernel_size must be >= 1 on every axis, got {kernel_size!r}")
    pads = []
    for kk, dd in zip(k, d, strict=True):
        total = dd * (kk - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)
