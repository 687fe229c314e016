"""Output-size arithmetic for convolution, transposed convolution and pooling.

Formulas (per spatial axis; i input, k kernel, s stride, p padding, d dilation):

- convolution: ``o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1``
- transposed convolution: ``o = (i−1)s − 2p + d(k−1) + output_padding + 1``
- pooling (PyTorch): ``o = ⌊(i + 2p − d(k−1) − 1 + (s−1 if ceil_mode))/s⌋ + 1`` (floor
  division; the numerator may be negative), then with ``ceil_mode`` one less if the last
  window would start inside the right padding; an error only if ``o < 1``. So ceil mode
  accepts a window larger than the padded input when it still overlaps the input.
- PyTorch ``padding='same'``: total ``d(k−1)``, ``⌊total/2⌋`` before, the rest after.
- TensorFlow/JAX ``padding='SAME'``: ``o = ⌈i/s⌉`` for any stride; total padding
  ``max((o−1)s + d(k−1) + 1 − i, 0)``, ``⌊total/2⌋`` before, the rest after.

Each function takes ints (returns an int) or per-axis sequences (returns a tuple); NumPy
integer scalars count as ints. Anything else (floats, None, bools) raises InvalidArgument.

>>> conv_output_size(32, 3, padding=1)
32
>>> conv_output_size((7, 6), (3, 2), stride=2)
(3, 3)
>>> pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True)
3
>>> pool_output_size(2, 3, stride=4, ceil_mode=True)  # window 3 > input 2, still overlaps
1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from convmath.errors import InvalidArgument
from convmath.numeric._validate import check_bool, expand_param, is_int

__all__ = [
    "conv_output_size",
    "conv_transpose_output_size",
    "pool_output_size",
    "same_padding",
]

IntOrSeq = int | Sequence[int]


def _spatial(name: str, value: IntOrSeq, min_value: int = 0) -> tuple[tuple[int, ...], bool]:
    """``value`` (an int or a sequence of ints) as a tuple, and whether it was a scalar."""
    scalar = is_int(value)
    if not scalar and not isinstance(value, (tuple, list)):
        raise InvalidArgument(f"{name} must be an int or a sequence of ints, got {value!r}")
    n = 1 if scalar else len(value)  # type: ignore[arg-type]
    if n == 0:
        raise InvalidArgument(f"{name} must have at least one spatial axis, got {value!r}")
    return expand_param(name, value, n, min_value=min_value), scalar


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
    """Spatial output size of a convolution; raises if it would be < 1.

    ``o = ⌊(i + 2p − d(k − 1) − 1)/s⌋ + 1`` per axis: the number of windows t ≥ 0 whose last
    tap ``s·t + d(k − 1)`` lies in the padded input ``0 … i + 2p − 1`` (PyTorch's formula).
    Proven for all integers in ``convmath prove conv_output_size:Z`` (and, with the empty
    case, ``conv_window_count:Z``); ``convmath shape SPEC --explain N`` shows it step by step.

    >>> conv_output_size(10, 3, stride=2)  # ⌊(10 − 2 − 1)/2⌋ + 1, not (10 − 3)/2 + 1 = 4.5
    4
    """
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

    ``o = (i − 1)s − 2p + d(k − 1) + output_padding + 1`` (``convmath prove
    conv_transpose_output_size:Z``). ``input_size`` must be >= 1 and ``output_padding``
    smaller than ``max(stride, dilation)`` on each axis; a convolution maps the result back
    to ``input_size`` exactly when ``output_padding < stride`` (``convmath prove
    conv_transpose_shape_symmetry:Z``).
    """
    i, scalar = _spatial("input_size", input_size, min_value=1)
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

    ``o = ⌊(i + 2p − d(k−1) − 1 + (s−1 if ceil_mode))/s⌋ + 1`` with floor division (the
    numerator may be negative); with ``ceil_mode`` it is then reduced by one if the last
    window would start inside the right padding (``(o−1)·s ≥ i + p``). Raises only if
    ``o < 1``, so in ceil mode a window larger than the padded input is accepted as long as
    it overlaps the input. Padding may be at most half the kernel size ``k`` (PyTorch checks
    the undilated size, even with dilation). Proven: ``convmath prove pool_output_size:Z``,
    ``pool_output_size_ceil:Z`` (ceil mode as min(⌈…/s⌉, ⌊(i + p − 1)/s⌋) + 1) and
    ``pool_ceil_mode_rule:Z`` (the correction above).

    >>> pool_output_size(6, 4, dilation=2, ceil_mode=True)  # taps 0, 2, 4 (6 is outside)
    1
    """
    i, scalar = _spatial("input_size", input_size)
    n = len(i)
    ceil = check_bool("ceil_mode", ceil_mode)
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
        o = (span + (s[ax] - 1 if ceil else 0)) // s[ax] + 1
        if ceil and (o - 1) * s[ax] >= i[ax] + p[ax]:
            o -= 1
        if o < 1:
            raise InvalidArgument(
                f"kernel_size={kernel_size!r} (effective {eff}) is larger than the padded input "
                f"{i[ax] + 2 * p[ax]} on axis {ax}, so the output would be empty "
                f"(input_size={input_size!r}, stride={stride!r}, padding={padding!r}, "
                f"dilation={dilation!r}, ceil_mode={ceil_mode!r})"
            )
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
    k, _ = _spatial("kernel_size", kernel_size, min_value=1)
    d = expand_param("dilation", dilation, len(k), min_value=1)
    pads = []
    for kk, dd in zip(k, d, strict=True):
        total = dd * (kk - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def tf_same_padding(
    input_size: IntOrSeq, kernel_size: IntOrSeq, stride: IntOrSeq = 1, dilation: IntOrSeq = 1
) -> tuple[tuple[int, int], ...]:
    """TensorFlow/JAX ``padding='SAME'`` per axis as ``(before, after)``, for any stride.

    The output has ``⌈i/s⌉`` elements; the total padding is
    ``max((⌈i/s⌉ − 1)·s + d(k−1) + 1 − i, 0)``, ``⌊total/2⌋`` before and the rest after
    (so the extra element goes after, as in PyTorch's 'same'). With stride 1 this equals
    :func:`same_padding`.

    >>> tf_same_padding((7, 8), 3, stride=2)
    ((1, 1), (0, 1))
    >>> tf_same_padding(5, 4) == same_padding(4)
    True
    """
    i, _ = _spatial("input_size", input_size, min_value=1)
    n = len(i)
    k = expand_param("kernel_size", kernel_size, n, min_value=1)
    s = expand_param("stride", stride, n, min_value=1)
    d = expand_param("dilation", dilation, n, min_value=1)
    pads = []
    for ii, kk, ss, dd in zip(i, k, s, d, strict=True):
        o = -(-ii // ss)
        total = max((o - 1) * ss + dd * (kk - 1) + 1 - ii, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)
