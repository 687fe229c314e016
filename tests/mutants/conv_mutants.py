"""Plausible buggy convolution layers, one per bug class seen in real libraries.

Each mutant has the signature of ``convmath.numeric.conv`` and is correct except in the
corner where its library's bug lived (only for even kernels, only when stride > 1 leaves
leftover rows, only for C % 32 == 0, only for dilation on axis 1, ...). The correct part
delegates to ``convmath.numeric.conv``; the helpers below resolve PyTorch's string padding
into explicit padding with ``np.pad`` (written here independently of the checkers).
"""

# ruff: noqa: RUF059, B905
from __future__ import annotations

from typing import Any

import numpy as np


def _axes(v: Any, nd: int) -> list[int]:
    if isinstance(v, (int, np.integer)):
        return [int(v)] * nd
    v = [int(a) for a in v]
    return v * nd if len(v) == 1 else v


def _pads(padding: Any, ks: list[int], ds: list[int]) -> list[tuple[int, int]]:
    if padding == "valid":
        return [(0, 0)] * len(ks)
    if padding == "same":
        return [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(ks, ds)]
    return [(p, p) for p in _axes(padding, len(ks))]


def base(x, w, bias, stride, pads, dilation, groups):  # type: ignore[no-untyped-def]
    """numeric.conv with explicit (before, after) padding per axis."""
    import convmath.numeric as num

    x = np.asarray(x)
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    nd = w.ndim - 2
    return np.asarray(num.conv(np.ascontiguousarray(xp), np.ascontiguousarray(w), bias,
                               tuple(_axes(stride, nd)), 0, tuple(_axes(dilation, nd)),
                               groups))


def _parse(x, w, stride, padding, dilation):  # type: ignore[no-untyped-def]
    nd = np.ndim(w) - 2
    ks = list(np.shape(w)[2:])
    s, d = _axes(stride, nd), _axes(dilation, nd)
    return nd, ks, s, d, _pads(padding, ks, d)


def correct(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    return base(x, w, bias, s, pads, d, groups)


def flipped_kernel(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """True convolution (the textbook flip) instead of cross-correlation."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    return base(x, np.flip(w, tuple(range(2, 2 + nd))), bias, s, pads, d, groups)


def same_extra_before(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """'same' puts the extra element of an even effective kernel before (MATLAB/TF-lower)."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    if padding == "same":
        pads = [(b, a) for a, b in pads]
    return base(x, w, bias, s, pads, d, groups)


def same_dilation_swapped(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """'same' padding computed with the other axis's dilation (per-axis swap)."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    if padding == "same":
        pads = _pads("same", ks, d[::-1])
    return base(x, w, bias, s, pads, d, groups)


def stride_axes_swapped(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Per-axis stride read in (W, H) order."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    return base(x, w, bias, s[::-1], pads, d, groups)


def padding_axes_swapped(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Per-axis padding read in reverse order."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    return base(x, w, bias, s, pads[::-1], d, groups)


def stride_dilation_swapped(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """stride and dilation arguments exchanged."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    return base(x, w, bias, d, pads, s, groups)


def dilation_ignored(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """dilation silently ignored."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    return base(x, w, bias, s, pads, [1] * nd, groups)


def dilation_ignored_axis1(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """dilation ignored on the last spatial axis only."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    d = list(d)
    d[-1] = 1
    return base(x, w, bias, s, pads, d, groups)


def reflect_padding(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Pads by reflection (a padding_mode default leaking into the functional form)."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    x = np.asarray(x)
    if all(p < n for (p, q), n in zip(pads, x.shape[2:])) and all(
            q < n for (p, q), n in zip(pads, x.shape[2:])):
        x = np.pad(x, [(0, 0), (0, 0), *pads], mode="reflect")
        pads = [(0, 0)] * nd
    return base(x, w, bias, s, pads, d, groups)


def circular_padding(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Pads circularly."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    x = np.pad(np.asarray(x), [(0, 0), (0, 0), *pads], mode="wrap")
    return base(x, w, bias, s, [(0, 0)] * nd, d, groups)


def groups_interleaved(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Output channels of the groups interleaved (o = j·g + grp)."""
    y = correct(x, w, bias, stride, padding, dilation, groups)
    n, c = y.shape[:2]
    return y.reshape(n, groups, c // groups, *y.shape[2:]).swapaxes(1, 2).reshape(y.shape)


def groups_input_interleaved(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Input channels assigned to groups round-robin."""
    x = np.asarray(x)
    c = x.shape[1]
    perm = np.arange(c).reshape(groups, c // groups).T.reshape(-1)
    return correct(x[:, perm], w, bias, stride, padding, dilation, groups)


def groups_only_first(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Only the first group is computed; the rest stay zero."""
    y = correct(x, w, None, stride, padding, dilation, groups).copy()
    y[:, y.shape[1] // groups:] = 0
    if bias is not None:
        y = y + np.asarray(bias).reshape((-1,) + (1,) * (y.ndim - 2))
    return y


def cin_cout_transposed(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """A square-channel fast path reads the weight as (C_in, C_out, k)."""
    w = np.asarray(w)
    if groups == 1 and w.shape[0] == w.shape[1]:
        w = np.swapaxes(w, 0, 1)
    return correct(x, w, bias, stride, padding, dilation, groups)


def ceil_output(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Output size rounded up (Caffe pooling style), computing a partial last window."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    extra = []
    for n, (a, b), k, st, dd in zip(np.shape(x)[2:], pads, ks, s, d):
        r = (n + a + b - dd * (k - 1) - 1) % st
        extra.append((a, b + ((st - r) % st)))
    return base(x, w, bias, s, extra, d, groups)


def float32_accumulation(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Computes in float32 whatever the input dtype (a float64 function that is not)."""
    x32 = np.asarray(x).astype(np.float32)
    w32 = np.asarray(w).astype(np.float32)
    b32 = None if bias is None else np.asarray(bias).astype(np.float32)
    y = correct(x32.astype(np.float64), w32.astype(np.float64), b32, stride, padding,
                dilation, groups)
    return y.astype(np.float32).astype(np.asarray(x).dtype)


def half_when_c32(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """A vectorised path for C_in % 32 == 0 that rounds the inputs to float16."""
    x = np.asarray(x)
    if x.shape[1] % 32 == 0:
        x = x.astype(np.float16).astype(x.dtype)
        w = np.asarray(w).astype(np.float16).astype(x.dtype)
    return correct(x, w, bias, stride, padding, dilation, groups).astype(x.dtype)


def bias_ignored(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Bias silently dropped."""
    return correct(x, w, None, stride, padding, dilation, groups)


def padding_one_side(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """All the padding applied after the input."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    return base(x, w, bias, s, [(0, a + b) for a, b in pads], d, groups)


def leftover_last_row_zero(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """When stride leaves leftover rows, the last output row is not written (zeros)."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    y = base(x, w, bias, s, pads, d, groups).copy()
    n = np.shape(x)[2]
    a, b = pads[0]
    if (n + a + b - d[0] * (ks[0] - 1) - 1) % s[0] and y.shape[2] > 1:
        y[:, :, -1] = 0
    return y


def even_kernel_shift(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """For even kernels, windows are centred one element late (k//2 anchor)."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    if any(k % 2 == 0 for k in ks):
        pads = [((a - 1, b + 1) if k % 2 == 0 and a > 0 else (a, b))
                for (a, b), k in zip(pads, ks)]
    return base(x, w, bias, s, pads, d, groups)


def single_channel_path(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """A special path for C_in == 1 that forgets dilation."""
    if np.shape(x)[1] == 1:
        return dilation_ignored(x, w, bias, stride, padding, dilation, groups)
    return correct(x, w, bias, stride, padding, dilation, groups)


def tiled_large_width(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """A tiled path for wide inputs (≥ 64) that drops the last partial tile's column."""
    y = correct(x, w, bias, stride, padding, dilation, groups).copy()
    if np.shape(x)[-1] >= 64 and y.shape[-1] % 16:
        y[..., -1] = 0
    return y


def batch_broadcast(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """Computes only the first batch element and broadcasts it."""
    y = correct(np.asarray(x)[:1], w, bias, stride, padding, dilation, groups)
    return np.broadcast_to(y, (np.shape(x)[0], *y.shape[1:])).copy()


MUTANTS = {
    # name: (mutant, substring expected in the diagnosis, or None)
    "flipped_kernel": (flipped_kernel, "flipped kernel"),
    "same_extra_before": (same_extra_before, "'same' offset by one"),
    "same_dilation_swapped": (same_dilation_swapped, "swapped"),
    "stride_axes_swapped": (stride_axes_swapped, "per-axis params swapped"),
    # with padding='same' and a square kernel, reversed pads = swapped dilations in 'same'
    "padding_axes_swapped": (padding_axes_swapped, "swapped"),
    "stride_dilation_swapped": (stride_dilation_swapped, "stride and dilation swapped"),
    "dilation_ignored": (dilation_ignored, "dilation ignored"),
    "dilation_ignored_axis1": (dilation_ignored_axis1, "dilation ignored"),
    "reflect_padding": (reflect_padding, "reflect padding"),
    "circular_padding": (circular_padding, "circular padding"),
    "groups_interleaved": (groups_interleaved, "interleave"),
    "groups_input_interleaved": (groups_input_interleaved, "interleave"),
    "groups_only_first": (groups_only_first, "groups return zeros"),
    "cin_cout_transposed": (cin_cout_transposed, "C_in/C_out transposed"),
    "ceil_output": (ceil_output, "floor vs ceil"),
    "float32_accumulation": (float32_accumulation, "precision"),
    "half_when_c32": (half_when_c32, "precision"),
    "bias_ignored": (bias_ignored, "bias ignored"),
    "padding_one_side": (padding_one_side, "padding on one side"),
    "leftover_last_row_zero": (leftover_last_row_zero, None),
    "even_kernel_shift": (even_kernel_shift, None),
    "single_channel_path": (single_channel_path, "dilation ignored"),
    "tiled_large_width": (tiled_large_width, None),
    "batch_broadcast": (batch_broadcast, None),
}


def kernel_hw_transposed(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """The kernel's H and W axes exchanged (a layout bug in a weight-loading path)."""
    w = np.asarray(w)
    if w.ndim >= 4:
        w = np.swapaxes(w, -1, -2)
    return correct(x, np.ascontiguousarray(w), bias, stride, padding, dilation, groups)


MUTANTS["kernel_hw_transposed"] = (kernel_hw_transposed, "kernel spatial axes transposed")


def stride_ignored_axis1(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """The stride of the last axis is dropped (s = 1 there)."""
    nd, ks, s, d, pads = _parse(x, w, stride, padding, dilation)
    s = list(s)
    s[-1] = 1
    return base(x, w, bias, s, pads, d, groups)


MUTANTS["stride_ignored_axis1"] = (stride_ignored_axis1, "stride ignored")


def channels_last_roundtrip(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
    """A channels-last path (NHWC) converted back with the wrong permutation (H/W swapped)."""
    y = correct(x, w, bias, stride, padding, dilation, groups)
    if y.ndim == 4:
        nhwc = np.transpose(y, (0, 2, 3, 1))
        y = np.transpose(nhwc, (0, 3, 2, 1))  # should be (0, 3, 1, 2)
    return y


MUTANTS["channels_last_roundtrip"] = (channels_last_roundtrip, "output spatial axes transposed")
