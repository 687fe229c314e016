"""Geometry drawing, shared by every conv-family and pooling strategy.

Per-axis kernel sizes, strides, dilations and paddings, input sizes and channel counts,
drawn by *regime* ("small", "channels", "spatial", "typical" layers, "long"
accumulations) unless the implementation declared the values it supports
(:func:`declared_values`; ``isotropic``: one value for every axis).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

from convmath.errors import InvalidArgument

__all__ = ["SPACE_OPTIONS", "channel_counts", "declared_values", "kernel_sizes_strategy"]


def channel_counts(*, min_value: int = 1, max_value: int = 64) -> st.SearchStrategy[int]:
    """Channel counts: small (1–4), 5–16, 17–40 (mostly not multiples of 8), or 32/64.

    >>> from hypothesis import find
    >>> find(channel_counts(), lambda c: c % 32 == 0)
    32
    """
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
               for v in (min_value, max_value)) or min_value < 1 or max_value < min_value:
        raise InvalidArgument(
            f"channel_counts needs ints 1 <= min_value <= max_value, got {min_value!r}, "
            f"{max_value!r}"
        )
    opts = [
        st.integers(min_value, min(max_value, max(min_value, 4))),
        st.integers(max(min_value, 5), min(max_value, 16)) if max_value >= 5 else st.nothing(),
        st.integers(max(min_value, 17), min(max_value, 40)) if max_value >= 17 else st.nothing(),
        st.sampled_from([c for c in (32, 64) if min_value <= c <= max_value] or [min_value]),
    ]
    return st.one_of(*opts)


def kernel_sizes_strategy(*, min_value: int = 1, max_value: int = 5
                          ) -> st.SearchStrategy[int]:
    """Kernel sizes, even ones included."""
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
               for v in (min_value, max_value)) or min_value < 1 or max_value < min_value:
        raise InvalidArgument(
            f"kernel_sizes needs ints 1 <= min_value <= max_value, got {min_value!r}, {max_value!r}"
        )
    return st.integers(min_value, max_value)


def _as_param(draw: Any, values: Sequence[int], isotropic: bool = False
              ) -> int | tuple[int, ...]:
    """An int when all axes agree (and the draw says so, or ``isotropic``), otherwise a
    per-axis tuple."""
    if len(set(values)) == 1 and (isotropic or draw(st.booleans())):
        return int(values[0])
    return tuple(int(v) for v in values)


#: the declarable value sets, with the smallest value each accepts
SPACE_OPTIONS = {"kernel_sizes": 1, "strides": 1, "paddings": 0, "dilations": 1,
                 "output_paddings": 0}


Axes = tuple[int, ...]


def declared_values(name: str, value: Any, ndim: int, isotropic: bool = False
                    ) -> tuple[Axes | None, ...] | None:
    """A declared value set (``strides=[1, 2]``, ``kernel_sizes=[(2, 2)]``) as a tuple of
    per-axis tuples; ``None`` when nothing is declared. An int stands for the same value
    on every axis; ``None`` in ``strides`` (pooling only) for "not given" (the kernel
    size). With ``isotropic`` every entry must have one value for all axes."""
    if value is None:
        return None
    items = [value] if isinstance(value, (int, np.integer)) else value
    try:
        items = list(items)
    except TypeError:
        items = []
    low = SPACE_OPTIONS[name]
    out: list[Axes | None] = []
    for item in items:
        if item is None and name == "strides":
            out.append(None)
            continue
        if isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            axes: Any = (int(item),) * ndim
        else:
            try:
                axes = tuple(item)
            except TypeError:
                axes = ()
        if (len(axes) != ndim or any(not isinstance(a, (int, np.integer))
                                     or isinstance(a, (bool, np.bool_)) or a < low
                                     for a in axes)):
            raise InvalidArgument(
                f"{name} must be a non-empty sequence of ints >= {low} or {ndim}-tuples of "
                f"them (one value per spatial axis), got {name}={value!r}"
            )
        axes = tuple(int(a) for a in axes)
        if isotropic and len(set(axes)) > 1:
            raise InvalidArgument(
                f"isotropic=True takes one value for every axis, but {name}={value!r} "
                f"holds {axes}"
            )
        out.append(axes)
    if not out:
        raise InvalidArgument(f"{name} must be a non-empty sequence of values, got "
                              f"{name}={value!r}")
    return tuple(dict.fromkeys(out))


def _axes(draw: Any, declared: tuple[Axes | None, ...] | None, ndim: int, isotropic: bool,
          default: Any, valid: Any = None) -> list[int]:
    """One option's per-axis values: a declared tuple that ``valid`` accepts (the case is
    rejected if none does), or ``default(axis)`` per axis — the first axis's value on
    every axis when ``isotropic``."""
    if declared is not None:
        options = [v for v in declared if v is not None
                   and (valid is None or all(valid(ax, v[ax]) for ax in range(ndim)))]
        if not options:
            reject()
        return list(draw(st.sampled_from(options)))
    if isotropic:
        return [default(0)] * ndim
    return [default(ax) for ax in range(ndim)]


def _channels(draw: Any, regime: str, groups_ok: bool) -> tuple[int, int, int]:
    if regime == "typical":  # a layer as people write it: channels from {1, 3, 16, 64},
        cin = draw(st.sampled_from(_TYPICAL_CHANNELS))  # C_out = C_in half of the time
        return 1, cin, cin if draw(st.booleans()) else draw(st.sampled_from(_TYPICAL_CHANNELS))
    if regime == "long":  # the long axis is set by _long_count once the kernel is known
        return 1, 1, draw(st.integers(1, 4))
    g = draw(st.integers(2, 4)) if groups_ok and draw(st.integers(0, 2)) == 0 else 1
    if regime == "channels":
        c_in_total = draw(channel_counts(min_value=1, max_value=64))
        if groups_ok and c_in_total > 1 and draw(st.integers(0, 3)) == 0:
            # depthwise: groups == C_in, with a channel multiplier of 1 or 2
            return c_in_total, 1, draw(st.integers(1, 2))
        c_out_total = draw(channel_counts(min_value=1, max_value=64))
        cin = max(1, c_in_total // g)
        cout = max(1, c_out_total // g)
    else:
        cin = draw(st.integers(1, 3))
        cout = draw(st.integers(1, 3))
    return g, cin, cout


_TYPICAL_CHANNELS = (1, 3, 16, 64)


#: regimes of the conv family, by weight out of 16: "typical" is a layer as written in
#: practice (3×3 or 1×1, stride 1 or 2, dilation 1, padding k//2 or 'same'); "long" forces real
#: float64 values and 300–1200 accumulated terms, where a hidden float32 accumulation shows
_REGIMES = ("small",) * 4 + ("channels",) * 3 + ("spatial",) * 3 + ("typical",) * 4 + (
    "long",) * 2


def _regime(draw: Any) -> str:
    return _REGIMES[draw(st.integers(0, len(_REGIMES) - 1))]


def _long_count(draw: Any, per_unit: int) -> int:
    """How many channels (or outputs) make 300–1200 accumulated terms of ``per_unit`` each."""
    target = draw(st.integers(300, 1200))
    return max(1, -(-target // max(1, per_unit)))


def _typical_kernel(draw: Any, regime: str) -> int:
    """A typical layer's kernel, the same on every axis: 3×3 or 1×1 (pointwise)."""
    return draw(st.sampled_from([3, 1])) if regime == "typical" else 3


def _layer_axis(draw: Any, regime: str, ndim: int, kmax: int, stride: bool, dilation: bool,
                k_typical: int = 3) -> tuple[int, int, int] | None:
    """Kernel, stride and dilation of one axis in the "typical" and "long" regimes."""
    if regime == "typical":
        return k_typical, (draw(st.integers(1, 2)) if stride else 1), 1
    if regime == "long":
        k = draw(st.integers(3, kmax)) if ndim == 1 else 3
        return k, (draw(st.integers(1, 2)) if stride else 1), 1
    return None


def _conv_axes(draw: Any, regime: str, ndim: int, kmax: int, stride: bool, dilation: bool,
               k_typical: int, iso: bool, dk: Any, ds_: Any, dd: Any,
               unit_stride: bool = False,
               ) -> tuple[list[int], list[int], list[int], list[tuple[int, int, int] | None]]:
    """Kernel sizes, strides and dilations per axis, shared by the convolution, the
    transposed convolution and both gradients: declared values where given, the regime's
    otherwise (``unit_stride``: PyTorch's 'same' padding, stride 1 only). Also returns the
    regime's per-axis layer values (None outside the "typical" and "long" regimes)."""
    strided = stride and not unit_stride
    layer = [_layer_axis(draw, regime, ndim, kmax, strided, dilation, k_typical)
             for _ in range(ndim)]

    def pick(ax: int, i: int, otherwise: Any) -> int:
        lay = layer[ax]
        return lay[i] if lay is not None else int(otherwise())

    ks = _axes(draw, dk, ndim, iso, lambda ax: pick(ax, 0, lambda: draw(
        kernel_sizes_strategy(max_value=kmax if ndim < 3 else 3))))
    ss = _axes(draw, ds_ if stride else None, ndim, iso, lambda ax: pick(
        ax, 1, lambda: draw(st.integers(1, 3)) if strided else 1),
        valid=(lambda ax, v: v == 1) if unit_stride else None)
    ds = _axes(draw, dd if dilation else None, ndim, iso, lambda ax: pick(
        ax, 2, lambda: draw(st.integers(1, 3)) if dilation else 1))
    return ks, ss, ds, layer


def _grad_geometry(
    draw: Any, ndim: int, stride: bool, dilation: bool, padding: bool, groups: bool,
    weight_grad: bool = False, space: dict[str, Any] | None = None,
) -> tuple[str, int, int, int, list[int], list[int], list[int], list[int], list[int]]:
    space = space or {}
    iso = bool(space.get("isotropic", False))
    dk, ds_, dp, dd = (declared_values(n, space.get(n), ndim, iso) for n in (
        "kernel_sizes", "strides", "paddings", "dilations"))
    regime = _regime(draw)
    g, cin, cout = _channels(draw, regime, groups)
    big_axis = draw(st.integers(0, ndim - 1)) if regime == "spatial" else -1
    k_typical = _typical_kernel(draw, regime)
    ks, ss, ds, _ = _conv_axes(draw, regime, ndim, 4, stride, dilation, k_typical, iso,
                               dk, ds_, dd)
    simple = regime in ("typical", "long")

    def default_pad(ax: int) -> int:
        if not padding:
            return 0
        if simple:
            return ks[ax] // 2 if regime == "typical" else draw(st.integers(0, 1))
        return draw(st.integers(0, ds[ax] * (ks[ax] - 1)))

    ps = _axes(draw, dp if padding else None, ndim, iso, default_pad)
    sizes = []
    for ax in range(ndim):
        k, s, d, p = ks[ax], ss[ax], ds[ax], ps[ax]
        keff = d * (k - 1) + 1
        lo = max(1, keff - 2 * p)
        if regime == "long" and weight_grad:
            # the weight gradient accumulates N·∏out terms: make the outputs many
            per_axis = math.ceil(draw(st.integers(300, 1200)) ** (1 / ndim))
            i = max(lo, (per_axis - 1) * s + keff - 2 * p)
        elif regime == "typical":  # a feature map larger than the kernel
            i = draw(st.integers(max(lo, k + 2), max(lo, k + 2, 12)))
        elif ax == big_axis:
            i = draw(st.integers(max(lo, 64), max(lo, 64) + 6))
        else:
            i = draw(st.integers(lo, lo + 2 * s + 2))
            if s > 1 and draw(st.integers(0, 2)) == 0:
                # the largest leftover (s - 1 rows no window reaches): where a gradient or
                # output_padding computed with the wrong formula drops or adds rows
                i += (s - 1 - (i + 2 * p - keff) % s) % s
        sizes.append(i)
    return regime, g, cin, cout, ks, ss, ds, ps, sizes


def _grad_kwargs(draw: Any, stride: bool, padding: bool, dilation: bool, groups: bool,
                 ss: list[int], ps: list[int], ds: list[int], g: int, iso: bool = False
                 ) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if stride:
        kwargs["stride"] = _as_param(draw, ss, iso)
    if padding:
        kwargs["padding"] = _as_param(draw, ps, iso)
    if dilation:
        kwargs["dilation"] = _as_param(draw, ds, iso)
    if groups:
        kwargs["groups"] = g
    return kwargs


def _out_sizes(sizes: list[int], ks: list[int], ss: list[int], ds: list[int],
               ps: list[int]) -> list[int]:
    from convmath.numeric._shapes import conv_output_size

    return list(conv_output_size(tuple(sizes), tuple(ks), tuple(ss), tuple(ps), tuple(ds)))


def _pool_geometry(
    draw: Any, ndim: int, stride: bool, padding: bool, dilation: bool, ceil_mode: bool,
    covers_kernel: bool = False, space: dict[str, Any] | None = None,
) -> tuple[list[int], list[int] | None, list[int], list[int], list[int], bool]:
    space = space or {}
    iso = bool(space.get("isotropic", False))
    dk, ds_, dp, dd = (declared_values(n, space.get(n), ndim, iso) for n in (
        "kernel_sizes", "strides", "paddings", "dilations"))
    ks = _axes(draw, dk, ndim, iso, lambda ax: draw(kernel_sizes_strategy(max_value=4)))
    if stride and ds_ is not None:  # a declared None stands for "not given"
        default_stride = draw(st.sampled_from(ds_)) is None
        ss = list(ks) if default_stride else _axes(draw, ds_, ndim, iso, None)
    else:
        default_stride = stride and draw(st.integers(0, 3)) == 0
        ss = _axes(draw, None, ndim, iso, lambda ax: (
            ks[ax] if default_stride else draw(st.integers(1, 3))) if stride else ks[ax])
    ds = _axes(draw, dd if dilation else None, ndim, iso,
               lambda ax: draw(st.integers(1, 2)) if dilation else 1)
    # PyTorch: p <= k/2
    ps = _axes(draw, dp if padding else None, ndim, iso,
               lambda ax: draw(st.integers(0, ks[ax] // 2)) if padding else 0,
               valid=lambda ax, v: v <= ks[ax] // 2)
    big_axis = draw(st.integers(0, ndim - 1)) if draw(st.integers(0, 3)) == 0 else -1
    sizes = []
    for ax in range(ndim):
        k, s, d, p = ks[ax], ss[ax], ds[ax], ps[ax]
        keff = d * (k - 1) + 1
        # a dilated window must not skip over the whole input (every window holds an element)
        lo = keff if d > 1 or covers_kernel else max(1, keff - 2 * p)
        i = (draw(st.integers(max(lo, 64), max(lo, 64) + 6)) if ax == big_axis
             else draw(st.integers(lo, lo + 2 * s + 2)))
        sizes.append(i)
    cm = ceil_mode and draw(st.booleans())
    return ks, (None if (default_stride or not stride) else ss), ps, ds, sizes, cm


def _pool_batch(draw: Any, sizes: list[int]) -> tuple[int, int]:
    """N up to 4 and channel counts as in the conv family (32/64 and 17–40 included);
    kept small when the spatial part is large."""
    n = draw(st.integers(1, 4))
    c = draw(channel_counts(max_value=64))
    if math.prod(sizes) > 256:
        n, c = min(n, 2), min(c, 3)
    return n, c


def _pool_specials(draw: Any, nonfinite: bool, integer_valued: bool) -> float:
    """The fraction of NaN/±inf entries: about one real-valued case in six has some."""
    return 0.1 if nonfinite and not integer_valued and draw(st.integers(0, 5)) == 0 else 0.0


def _pool_out_shape(x_shape: tuple[int, ...], kwargs: dict[str, Any], dilation: bool
                    ) -> tuple[int, ...]:
    """PyTorch's pooling output shape (floor/ceil, a window may not start in the padding)."""
    from convmath.numeric._shapes import pool_output_size

    nd = len(x_shape) - 2
    out = pool_output_size(
        tuple(x_shape[2:]), kwargs["kernel_size"], kwargs.get("stride"),
        kwargs.get("padding", 0), kwargs.get("dilation", 1) if dilation else 1,
        bool(kwargs.get("ceil_mode", False)))
    return (*x_shape[:2], *out[:nd])
